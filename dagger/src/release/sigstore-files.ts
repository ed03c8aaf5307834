/**
 * A private Sigstore, as cosign v3 takes it: a trusted root (whom to trust: the Fulcio CA, the
 * transparency and CT logs' keys, the timestamp authorities) and a signing config (which Fulcio,
 * Rekor, timestamp authority and OIDC provider to use). Free of Dagger: the checks run on the
 * files' text, before cosign does, so a wrong file fails with its argument's name instead of
 * cosign's "unknown field" deep in a release. The files are public, never secrets.
 */
import { describeProblem } from "../errors.js";
import { ReleaseError } from "./errors.js";

/** The media types cosign v3.1 reads (sigstore/protobuf-specs); any other version is refused. */
export const TRUSTED_ROOT_MEDIA_TYPE = "application/vnd.dev.sigstore.trustedroot+json;version=0.1";
export const SIGNING_CONFIG_MEDIA_TYPE = "application/vnd.dev.sigstore.signingconfig.v0.2+json";

/** The services a signing config names, each a list of { url, … }. */
const SIGNING_SERVICES = ["caUrls", "oidcUrls", "rekorTlogUrls", "tsaUrls"] as const;
/** What a trusted root lists, each a list of keys or certificate chains. */
const TRUSTED_LISTS = ["certificateAuthorities", "tlogs", "ctlogs", "timestampAuthorities"] as const;

/** What a signing config holds that drydock reports: the services it names, by kind. */
export interface SigningServices {
  fulcio: string[];
  rekor: string[];
  tsa: string[];
}

/** Refuse a file that is not a trusted root cosign v3.1 reads; `argument` names where it came from. */
export function checkTrustedRoot(text: string, argument: string): void {
  const document = jsonObject(text, argument, "a Sigstore trusted root (trusted_root.json)");
  requireMediaType(document, argument, TRUSTED_ROOT_MEDIA_TYPE, "a trusted root");
  for (const list of TRUSTED_LISTS) requireOptionalList(document, list, argument);
  const authorities = (document.certificateAuthorities as unknown[] | undefined)?.length ?? 0;
  const timestamps = ((document.tlogs as unknown[] | undefined)?.length ?? 0) + ((document.timestampAuthorities as unknown[] | undefined)?.length ?? 0);
  if (authorities === 0 && timestamps === 0) {
    throw problem(argument, "a trusted root that trusts nothing (no certificateAuthorities, tlogs or timestampAuthorities)", "the keys of the Sigstore that signs", "write it from your Sigstore's deployment (e.g. `cosign trusted-root create`)");
  }
}

/** Refuse a file that is not a v0.2 signing config; return the services it names. */
export function checkSigningConfig(text: string, argument: string): SigningServices {
  const document = jsonObject(text, argument, "a Sigstore signing config (signing_config.json)");
  requireMediaType(document, argument, SIGNING_CONFIG_MEDIA_TYPE, "a signing config");
  const urls = Object.fromEntries(SIGNING_SERVICES.map((list) => [list, serviceUrls(document, list, argument)])) as Record<(typeof SIGNING_SERVICES)[number], string[]>;
  return { fulcio: urls.caUrls, rekor: urls.rekorTlogUrls, tsa: urls.tsaUrls };
}

function jsonObject(text: string, argument: string, expected: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw problem(argument, `text that is not JSON (${(error as Error).message})`, expected, "pass the JSON file your Sigstore deployment publishes");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw problem(argument, `JSON that is not an object (${describeJson(parsed)})`, expected, "pass the file itself, not a value from it");
  return parsed as Record<string, unknown>;
}

function requireMediaType(document: Record<string, unknown>, argument: string, expected: string, what: string): void {
  if (document.mediaType === expected) return;
  const found = document.mediaType === undefined ? "no mediaType" : `mediaType ${JSON.stringify(document.mediaType)}`;
  const swapped = document.mediaType === TRUSTED_ROOT_MEDIA_TYPE || document.mediaType === SIGNING_CONFIG_MEDIA_TYPE;
  throw problem(
    argument,
    found,
    `${what}, mediaType ${JSON.stringify(expected)} (the version cosign v3.1 reads)`,
    swapped ? "the trusted root and the signing config are swapped: --trusted-root takes trusted_root.json, --signing-config signing_config.json" : `pass ${what} of that version`,
  );
}

function requireOptionalList(document: Record<string, unknown>, key: string, argument: string): void {
  if (document[key] !== undefined && !Array.isArray(document[key])) throw problem(argument, `${key} that is ${describeJson(document[key])}`, `${key} as a list`, "fix the file");
}

function serviceUrls(document: Record<string, unknown>, key: string, argument: string): string[] {
  requireOptionalList(document, key, argument);
  return ((document[key] as unknown[] | undefined) ?? []).map((service, index) => {
    const url = (service as { url?: unknown } | null)?.url;
    if (typeof url !== "string" || !/^https?:\/\/[^\s/]+/.test(url)) {
      throw problem(argument, `${key}[${index}].url ${describeJson(url)}`, "an http(s) URL of the service", "fix the file");
    }
    return url;
  });
}

function describeJson(value: unknown): string {
  if (value === undefined) return "missing";
  return Array.isArray(value) ? "a list" : value === null ? "null" : typeof value === "object" ? "an object" : JSON.stringify(value);
}

function problem(where: string, found: string, expected: string, fix: string): ReleaseError {
  return new ReleaseError(describeProblem({ where, found, expected, fix }));
}
