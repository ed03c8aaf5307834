/**
 * The two files cosign v3 takes instead of the public good instance's TUF root:
 *
 * - trusted_root.json (`--trusted-root`): what a verifier trusts — Fulcio's CA chain, the CT log's
 *   key (for the certificate's SCT), the Rekor v2 log's key (for the inclusion proof's checkpoint)
 *   and the TSA's chain. Media type `application/vnd.dev.sigstore.trustedroot+json;version=0.1`,
 *   the only one sigstore-go v1.2 (cosign v3.1's) accepts; protobuf-JSON field names of
 *   dev.sigstore.trustroot.v1.TrustedRoot (bytes as base64, times as RFC 3339).
 * - signing_config.json (`--signing-config`): where a signer goes — Fulcio, the OIDC issuer, Rekor
 *   (majorApiVersion 2) and the TSA. Media type `application/vnd.dev.sigstore.signingconfig.v0.2+json`.
 *
 * Every key and chain carries a `validFor.start`: sigstore-go refuses a log key without one, and
 * checks certificates and timestamps against the windows.
 */
import type { X509Certificate } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { SIGNING_CONFIG_MEDIA_TYPE, TRUSTED_ROOT_MEDIA_TYPE } from "../../../dagger/src/release/sigstore-files.ts";
import type { LogKey } from "./keys.ts";

export interface TrustInputs {
  /** From when the logs' keys count; a moment before the services started. */
  since: Date;
  fulcio: { url: string; chain: X509Certificate[] };
  /** Absent when Fulcio runs without a CT log. */
  ctLog?: { url: string; key: LogKey };
  rekor: { url: string; key: LogKey };
  tsa: { url: string; chain: X509Certificate[] };
  /** The OIDC issuer a signer would log in at (cosign reads it, but uses SIGSTORE_ID_TOKEN when set). */
  oidcUrl: string;
}

const b64 = (bytes: Buffer) => bytes.toString("base64");

function logInstance(url: string, key: LogKey, since: Date): Record<string, unknown> {
  return {
    baseUrl: url,
    hashAlgorithm: "SHA2_256",
    publicKey: { rawBytes: b64(key.spkiDer), keyDetails: "PKIX_ECDSA_P256_SHA_256", validFor: { start: since.toISOString() } },
    logId: { keyId: b64(key.logId) },
  };
}

/** A CA entry: the chain leaf-most first (root last, as sigstore-go reads it), valid from the root's notBefore. */
function authority(url: string, chain: X509Certificate[]): Record<string, unknown> {
  const root = chain.at(-1)!;
  return {
    subject: distinguishedName(root),
    uri: url,
    certChain: { certificates: chain.map((cert) => ({ rawBytes: b64(cert.raw) })) },
    validFor: { start: new Date(root.validFrom).toISOString() },
  };
}

/** Organization and common name of the certificate's subject, as the trusted root's DistinguishedName. */
function distinguishedName(cert: X509Certificate): Record<string, string> {
  const fields = Object.fromEntries(cert.subject.split("\n").map((line) => line.split("=", 2) as [string, string]));
  return { ...(fields.O ? { organization: fields.O } : {}), ...(fields.CN ? { commonName: fields.CN } : {}) };
}

export function trustedRoot(inputs: TrustInputs): Record<string, unknown> {
  return {
    mediaType: TRUSTED_ROOT_MEDIA_TYPE,
    tlogs: [logInstance(inputs.rekor.url, inputs.rekor.key, inputs.since)],
    certificateAuthorities: [authority(inputs.fulcio.url, inputs.fulcio.chain)],
    ctlogs: inputs.ctLog ? [logInstance(inputs.ctLog.url, inputs.ctLog.key, inputs.since)] : [],
    timestampAuthorities: [authority(inputs.tsa.url, inputs.tsa.chain)],
  };
}

export function signingConfig(inputs: TrustInputs): Record<string, unknown> {
  const service = (url: string, majorApiVersion: number) => ({
    url,
    majorApiVersion,
    validFor: { start: inputs.since.toISOString() },
    operator: "drydock-e2e",
  });
  return {
    mediaType: SIGNING_CONFIG_MEDIA_TYPE,
    caUrls: [service(inputs.fulcio.url, 1)],
    oidcUrls: [service(inputs.oidcUrl, 1)],
    rekorTlogUrls: [service(inputs.rekor.url, 2)],
    tsaUrls: [service(inputs.tsa.url, 1)],
    rekorTlogConfig: { selector: "ANY" },
    tsaConfig: { selector: "ANY" },
  };
}

export async function writeTrustFiles(inputs: TrustInputs, paths: { trustedRoot: string; signingConfig: string }): Promise<void> {
  await writeFile(paths.trustedRoot, `${JSON.stringify(trustedRoot(inputs), null, 2)}\n`);
  await writeFile(paths.signingConfig, `${JSON.stringify(signingConfig(inputs), null, 2)}\n`);
}
