/**
 * cosign command lines, free of Dagger: what runs in the pinned cosign image (argv only, the
 * binary by its path — the image is distroless, with no shell). Every image is addressed by digest; secrets never appear here, only
 * the names of the variables and files that carry them.
 */
import { ReleaseError } from "./errors.js";
import { COSIGN_BINARY } from "./images.js";
import { digestRefString, requireDigest } from "./reference.js";

/** Where the release mounts its inputs in the cosign container. */
export const COSIGN_WORK_DIR = "/drydock";
/** DOCKER_CONFIG: the folder of the mounted config.json that holds the registry credentials. */
export const DOCKER_CONFIG_DIR = `${COSIGN_WORK_DIR}/docker`;
export const DOCKER_CONFIG_JSON = `${DOCKER_CONFIG_DIR}/config.json`;
export const PUBLIC_KEY_PATH = `${COSIGN_WORK_DIR}/cosign.pub`;
export const PREDICATE_DIR = `${COSIGN_WORK_DIR}/predicates`;
/** A private Sigstore's files (with-sigstore), mounted for cosign's user. */
export const TRUSTED_ROOT_PATH = `${COSIGN_WORK_DIR}/sigstore/trusted_root.json`;
export const SIGNING_CONFIG_PATH = `${COSIGN_WORK_DIR}/sigstore/signing_config.json`;
/** The variables cosign reads the signing material from (set with withSecretVariable only). */
export const COSIGN_KEY_ENV = "COSIGN_KEY";
export const COSIGN_PASSWORD_ENV = "COSIGN_PASSWORD";
export const ID_TOKEN_ENV = "SIGSTORE_ID_TOKEN";
/**
 * The registry login as cosign reads it from its environment (its --registry-username and
 * --registry-password flags, bound to COSIGN_* variables): the password only ever as a secret variable.
 */
export const REGISTRY_USERNAME_ENV = "COSIGN_REGISTRY_USERNAME";
export const REGISTRY_PASSWORD_ENV = "COSIGN_REGISTRY_PASSWORD";

/** The predicate types drydock attests, as `cosign attest --type` names them. */
export const PREDICATE_TYPES = ["cyclonedx", "vuln", "slsaprovenance1"] as const;
export type PredicateType = (typeof PREDICATE_TYPES)[number];

export function predicatePath(type: PredicateType): string {
  return `${PREDICATE_DIR}/${type}.json`;
}

export interface CosignFlags {
  /**
   * No transparency log and no signing config (air-gapped, or a private registry without
   * Sigstore): sign with --tlog-upload=false --use-signing-config=false, verify with
   * --insecure-ignore-tlog=true. Key mode only.
   */
  airGapped?: boolean;
  /** --allow-insecure-registry: a registry with a self-signed or otherwise unverifiable TLS certificate. */
  allowInsecureRegistry?: boolean;
  /** --allow-http-registry: a registry on plain HTTP. */
  allowHttpRegistry?: boolean;
  /**
   * A private Sigstore instead of the public-good one: its trusted root is mounted at
   * TRUSTED_ROOT_PATH, and its signing config, when given, at SIGNING_CONFIG_PATH.
   */
  privateSigstore?: { signingConfig?: unknown };
}

/** Who signs: a key (with its password) or a keyless OIDC identity. */
export type SignerMode = "key" | "keyless";

/** Who is trusted when verifying: a public key, or a certificate identity and its OIDC issuer. */
export type VerifierSpec =
  | { mode: "key" }
  | { mode: "keyless"; identity?: string; identityRegexp?: string; oidcIssuer?: string; oidcIssuerRegexp?: string };

/** The mode from what was given; neither or both is one error explaining the two ways. */
export function signerMode(given: { key: boolean; password: boolean; identityToken: boolean }): SignerMode {
  if (given.key && given.identityToken) {
    throw new ReleaseError("sign: give either --key (with --key-password) or --identity-token, not both — a signature is made by one identity");
  }
  if (given.password && !given.key) throw new ReleaseError("sign: --key-password was given without --key — pass the private key it unlocks as --key env:COSIGN_KEY");
  if (given.key) return "key";
  if (given.identityToken) return "keyless";
  throw new ReleaseError(
    "sign: no signing identity — either\n" +
      "  keyless (CI): --identity-token env:SIGSTORE_ID_TOKEN, an OIDC token; on GitHub Actions grant `permissions: id-token: write` and fetch one for the audience `sigstore`, or\n" +
      "  key (laptop, air-gapped): --key env:COSIGN_KEY --key-password env:COSIGN_PASSWORD, a key pair made by `cosign generate-key-pair`",
  );
}

/**
 * `cosign load`: push the OCI layout at `dir` (its index.json's root marked as cosign load wants it)
 * to `ref`, a tag — blob by blob, its manifests byte for byte, so the digest is the layout's.
 */
export function loadArgs(dir: string, ref: string, flags: CosignFlags): string[] {
  return [COSIGN_BINARY, "load", "--dir", dir, ...registryFlags(flags), ref];
}

function registryFlags(flags: CosignFlags): string[] {
  return [...(flags.allowInsecureRegistry ? ["--allow-insecure-registry"] : []), ...(flags.allowHttpRegistry ? ["--allow-http-registry"] : [])];
}

/** The flags that say how to sign; refuses what cannot be (keyless and air-gapped). */
export function signingFlags(mode: SignerMode, flags: CosignFlags): string[] {
  if (mode === "keyless") {
    if (flags.airGapped) {
      throw new ReleaseError("sign: keyless signing needs Fulcio and Rekor, so it cannot be air-gapped — sign with --key instead, or drop --air-gapped");
    }
    // cosign reads SIGSTORE_ID_TOKEN by itself; the token never reaches argv.
    return privateSigningFlags(flags);
  }
  if (flags.airGapped) {
    if (flags.privateSigstore?.signingConfig) {
      throw new ReleaseError("sign: --air-gapped signs with no Sigstore service, so a signing config cannot apply — drop --air-gapped to sign through your Sigstore, or call with-sigstore without --signing-config");
    }
    return ["--key", `env://${COSIGN_KEY_ENV}`, "--tlog-upload=false", "--use-signing-config=false"];
  }
  return ["--key", `env://${COSIGN_KEY_ENV}`, ...privateSigningFlags(flags)];
}

/**
 * A private Sigstore's files for signing: both, or neither (the public-good Sigstore, whose
 * files cosign fetches through TUF). A trusted root alone would sign through the public-good
 * services and then distrust what they return.
 */
function privateSigningFlags(flags: CosignFlags): string[] {
  if (!flags.privateSigstore) return [];
  if (!flags.privateSigstore.signingConfig) {
    throw new ReleaseError(
      "sign: with-sigstore was given a trusted root but no --signing-config — signing needs both: the signing config says which Fulcio, Rekor and timestamp authority to use (without it cosign would use the public-good ones, which your trusted root does not trust)",
    );
  }
  return ["--trusted-root", TRUSTED_ROOT_PATH, "--signing-config", SIGNING_CONFIG_PATH];
}

/** The flags that say whom to trust; refuses an incomplete keyless identity, and keyless air-gapped. */
export function verifyingFlags(verifier: VerifierSpec, flags: CosignFlags): string[] {
  // Air-gapped, nothing of a Sigstore is checked, so no trusted root either.
  const trustedRoot = flags.privateSigstore && !flags.airGapped ? ["--trusted-root", TRUSTED_ROOT_PATH] : [];
  if (verifier.mode === "key") return ["--key", PUBLIC_KEY_PATH, ...(flags.airGapped ? ["--insecure-ignore-tlog=true"] : trustedRoot)];
  if (flags.airGapped) throw new ReleaseError("verify: a keyless signature is checked against Rekor and Fulcio, so it cannot be verified air-gapped — verify with --public-key");
  const { identity, identityRegexp, oidcIssuer, oidcIssuerRegexp } = verifier;
  if ((identity ? 1 : 0) + (identityRegexp ? 1 : 0) !== 1 || (oidcIssuer ? 1 : 0) + (oidcIssuerRegexp ? 1 : 0) !== 1) {
    throw new ReleaseError(
      "verify: keyless verification needs exactly one of --certificate-identity / --certificate-identity-regexp AND exactly one of --certificate-oidc-issuer / --certificate-oidc-issuer-regexp " +
        "(GitHub Actions: --certificate-identity https://github.com/<owner>/<repo>/.github/workflows/<file>@refs/heads/main --certificate-oidc-issuer https://token.actions.githubusercontent.com) — or verify with --public-key",
    );
  }
  return [
    ...(identity ? ["--certificate-identity", identity] : ["--certificate-identity-regexp", identityRegexp!]),
    ...(oidcIssuer ? ["--certificate-oidc-issuer", oidcIssuer] : ["--certificate-oidc-issuer-regexp", oidcIssuerRegexp!]),
    ...trustedRoot,
  ];
}

/** `cosign sign`: the image by digest, never by tag. */
export function signArgs(ref: string, mode: SignerMode, flags: CosignFlags = {}): string[] {
  const target = digestRefString(requireDigest(ref, "sign"));
  return [COSIGN_BINARY, "sign", "--yes", ...signingFlags(mode, flags), ...registryFlags(flags), target];
}

/** `cosign attest`: one predicate, mounted at predicatePath(type), onto the image by digest. */
export function attestArgs(ref: string, type: PredicateType, mode: SignerMode, flags: CosignFlags = {}): string[] {
  const target = digestRefString(requireDigest(ref, "attest"));
  return [COSIGN_BINARY, "attest", "--yes", "--type", type, "--predicate", predicatePath(type), ...signingFlags(mode, flags), ...registryFlags(flags), target];
}

/**
 * The predicate type of a signature as cosign v3 stores it: `cosign sign` attaches a signed
 * in-toto statement of this type, in the same kind of bundle as every attestation.
 */
export const SIGNATURE_PREDICATE_TYPE = "https://sigstore.dev/cosign/sign/v1";

/**
 * The signature of the image by digest: `cosign verify-attestation --type <the signature's type>`.
 * Not `cosign verify`: with v3's bundles it accepts any signed statement about the digest, so an
 * image that was only attested — never signed — would pass as signed.
 */
export function verifyArgs(ref: string, verifier: VerifierSpec, flags: CosignFlags = {}): string[] {
  const target = digestRefString(requireDigest(ref, "verify"));
  return [COSIGN_BINARY, "verify-attestation", "--type", SIGNATURE_PREDICATE_TYPE, ...verifyingFlags(verifier, flags), ...registryFlags(flags), "--output", "json", target];
}

/** `cosign verify-attestation --type <type>`: one attestation of the image by digest. */
export function verifyAttestationArgs(ref: string, type: PredicateType, verifier: VerifierSpec, flags: CosignFlags = {}): string[] {
  const target = digestRefString(requireDigest(ref, "verify-attestation"));
  return [COSIGN_BINARY, "verify-attestation", "--type", type, ...verifyingFlags(verifier, flags), ...registryFlags(flags), "--output", "json", target];
}
