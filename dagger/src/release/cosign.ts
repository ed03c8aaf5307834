/**
 * cosign in its pinned, distroless image: argv only, as user 65532. The signing key, its password
 * and the OIDC token reach it only as secret variables; the registry login only as a mounted
 * Docker config.json secret readable by that user. Every image is addressed by digest.
 *
 * cosign runs with the default `expect: SUCCESS` and its exec failure is caught and mapped to a
 * message: a failed exec is never cached, and every step carries this run's ID, so no signature
 * or verification is ever served from the engine's cache.
 */
import { dag, type Container, type File, type Secret } from "@dagger.io/dagger";
import { createHash } from "node:crypto";

import {
  COSIGN_KEY_ENV,
  COSIGN_PASSWORD_ENV,
  COSIGN_WORK_DIR,
  DOCKER_CONFIG_DIR,
  DOCKER_CONFIG_JSON,
  ID_TOKEN_ENV,
  PUBLIC_KEY_PATH,
  REGISTRY_PASSWORD_ENV,
  REGISTRY_USERNAME_ENV,
  SIGNING_CONFIG_PATH,
  signerMode,
  signingFlags,
  TRUSTED_ROOT_PATH,
  verifyingFlags,
  type CosignFlags,
  type PredicateType,
  type SignerMode,
  type VerifierSpec,
} from "./cosign-args.js";
import { cosignFailureMessage, type CosignFailureKind, type CosignOperation } from "./cosign-errors.js";
import { describeProblem } from "../errors.js";
import { execFailure } from "../exec-failure.js";
import { ReleaseError } from "./errors.js";
import { COSIGN_IMAGE, COSIGN_UID } from "./images.js";

/** cosign's user and group in the distroless image, as mount owners. */
export const COSIGN_OWNER = `${COSIGN_UID}:${COSIGN_UID}`;
/** Read-only for its owner: the registry login and nothing else. */
export const SECRET_MODE = 0o400;
/** The variable that makes every cosign step unique to one run. */
export const RUN_ID_ENV = "DRYDOCK_RELEASE_RUN";

export interface CosignRun extends CosignFlags {
  /** The pinned cosign image (a constructor argument of Drydock). Default: COSIGN_IMAGE. */
  image?: string;
  /** A Docker config.json holding a login for the registry, mounted at DOCKER_CONFIG_JSON. Without it cosign is anonymous. */
  registryConfig?: Secret;
  /**
   * A registry login as cosign's --registry-username/--registry-password, given through the
   * environment (COSIGN_REGISTRY_USERNAME, and COSIGN_REGISTRY_PASSWORD as a secret variable):
   * the login that published. cosign sends it to every registry it talks to. Not with registryConfig.
   */
  registryLogin?: RegistryLogin;
  /** Makes the steps unique to this run, so none is served from cache. Default: a fresh UUID. */
  runId?: string;
  /** A private Sigstore's files (with-sigstore), mounted for cosign. Default: the public-good Sigstore. */
  privateSigstore?: PrivateSigstore;
}

/** A private Sigstore: its trusted root, and the signing config that names its services (needed to sign, not to verify). */
export interface PrivateSigstore {
  trustedRoot: File;
  signingConfig?: File;
}

export interface RegistryLogin {
  username: string;
  password: Secret;
}

/** How to sign: a key (and its password), or an OIDC identity token for keyless signing. */
export interface SigningMaterial {
  key?: Secret;
  password?: Secret;
  identityToken?: Secret;
}

/** How to verify: a public key, or the keyless certificate identity and issuer (exactly one of each pair). */
export interface VerifyingMaterial {
  publicKey?: File;
  certificateIdentity?: string;
  certificateIdentityRegexp?: string;
  certificateOidcIssuer?: string;
  certificateOidcIssuerRegexp?: string;
}

export class CosignError extends ReleaseError {
  override name = "CosignError";
  constructor(
    message: string,
    readonly kind: CosignFailureKind,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

/** The cosign container for one run: pinned image, its user, the registry login, the run ID, a private Sigstore's files. */
export function cosignContainer(run: CosignRun = {}): Container {
  const container = withRegistryLogin(
    dag
      .container()
      .from(run.image ?? COSIGN_IMAGE)
      .withUser(COSIGN_OWNER)
      .withWorkdir(COSIGN_WORK_DIR)
      .withEnvVariable(RUN_ID_ENV, run.runId ?? crypto.randomUUID()),
    run,
  );
  return withPrivateSigstore(container, run.privateSigstore);
}

function withPrivateSigstore(c: Container, sigstore: PrivateSigstore | undefined): Container {
  if (!sigstore) return c;
  const trusted = c.withMountedFile(TRUSTED_ROOT_PATH, sigstore.trustedRoot, { owner: COSIGN_OWNER });
  return sigstore.signingConfig ? trusted.withMountedFile(SIGNING_CONFIG_PATH, sigstore.signingConfig, { owner: COSIGN_OWNER }) : trusted;
}

/**
 * The run's registry login, as cosign reads it: a Docker config.json mounted for COSIGN_OWNER
 * (DOCKER_CONFIG), or COSIGN_REGISTRY_USERNAME with the secret COSIGN_REGISTRY_PASSWORD. The
 * manifest reader reads the same, so it reaches exactly what cosign reaches.
 */
export function withRegistryLogin(c: Container, run: CosignRun): Container {
  requireOneRegistryLogin(run);
  let out = c;
  if (run.registryConfig) {
    out = out.withMountedSecret(DOCKER_CONFIG_JSON, run.registryConfig, { owner: COSIGN_OWNER, mode: SECRET_MODE }).withEnvVariable("DOCKER_CONFIG", DOCKER_CONFIG_DIR);
  }
  if (run.registryLogin) {
    out = out.withEnvVariable(REGISTRY_USERNAME_ENV, run.registryLogin.username).withSecretVariable(REGISTRY_PASSWORD_ENV, run.registryLogin.password);
  }
  return out;
}

/** The run's registry login is one login, or none: checked before anything is built. */
export function requireOneRegistryLogin(run: CosignRun): void {
  if (run.registryConfig && run.registryLogin) {
    throw new ReleaseError(
      "cosign: give the registry login once — either --registry-config (a Docker config.json) or --registry-username with --registry-password; cosign would use the username and password and ignore the config",
    );
  }
  if (run.registryLogin && run.registryLogin.username.trim() === "") throw new ReleaseError("cosign: --registry-password was given without --registry-username — pass the user the password belongs to");
}

/**
 * Every check sign, attest and verify make on their inputs, made before anything runs: release
 * calls it before it builds, so a missing key or identity fails in a second, not after the scan.
 * Signing and verifying must use the same mode: a key-signed image verifies with the public key.
 */
export function checkCosignInputs(signing: SigningMaterial, verifying: VerifyingMaterial, run: CosignRun = {}): { mode: SignerMode; verifier: VerifierSpec } {
  requireOneRegistryLogin(run);
  const mode = signerMode({ key: !!signing.key, password: !!signing.password, identityToken: !!signing.identityToken });
  signingFlags(mode, run);
  const verifier = verifierOf(verifying);
  if (verifier.mode !== mode) {
    throw new ReleaseError(
      mode === "key"
        ? "release signs with --key, so it verifies with the public key of that pair: pass --public-key cosign.pub (not --certificate-identity/--certificate-oidc-issuer)"
        : "release signs keyless, so it verifies the certificate's identity: pass --certificate-identity[-regexp] and --certificate-oidc-issuer[-regexp] (not --public-key)",
    );
  }
  verifyingFlags(verifier, run);
  return { mode, verifier };
}

/** The signing mode, and the container with its material as secret variables. */
export function withSigningMaterial(c: Container, material: SigningMaterial): { mode: SignerMode; container: Container } {
  const mode = signerMode({ key: !!material.key, password: !!material.password, identityToken: !!material.identityToken });
  if (mode === "keyless") return { mode, container: c.withSecretVariable(ID_TOKEN_ENV, material.identityToken!) };
  let container = c.withSecretVariable(COSIGN_KEY_ENV, material.key!);
  // A key without a password: cosign would otherwise ask a terminal that is not there.
  container = material.password ? container.withSecretVariable(COSIGN_PASSWORD_ENV, material.password) : container.withEnvVariable(COSIGN_PASSWORD_ENV, "");
  return { mode, container };
}

/** Whom to trust, from the material given; what is missing or contradictory is one error saying how to fix it. */
export function verifierOf(material: VerifyingMaterial): VerifierSpec {
  const keyless = [material.certificateIdentity, material.certificateIdentityRegexp, material.certificateOidcIssuer, material.certificateOidcIssuerRegexp].some((v) => !!v);
  if (material.publicKey && keyless) {
    throw new ReleaseError("verify: give either --public-key or the keyless --certificate-identity/--certificate-oidc-issuer, not both");
  }
  if (material.publicKey) return { mode: "key" };
  if (!keyless) {
    throw new ReleaseError(
      "verify: nothing to trust — either --public-key cosign.pub (key mode), or --certificate-identity[-regexp] with --certificate-oidc-issuer[-regexp] (keyless, e.g. a GitHub Actions workflow)",
    );
  }
  if (!material.certificateIdentity && !material.certificateIdentityRegexp) {
    throw new ReleaseError(
      describeProblem({ where: "verify", found: "an OIDC issuer but no signer identity", expected: "--certificate-identity or --certificate-identity-regexp", fix: "name the workflow that signs, e.g. --certificate-identity=https://github.com/acme/shop/.github/workflows/release.yml@refs/tags/v1.4.0" }),
    );
  }
  if (!material.certificateOidcIssuer && !material.certificateOidcIssuerRegexp) {
    throw new ReleaseError(
      describeProblem({ where: "verify", found: "a signer identity but no OIDC issuer", expected: "--certificate-oidc-issuer", fix: "pass the exact issuer, e.g. --certificate-oidc-issuer=https://token.actions.githubusercontent.com" }),
    );
  }
  requireAnchored(material.certificateIdentityRegexp, "--certificate-identity-regexp", "^https://github\\.com/acme/shop/\\.github/workflows/release\\.yml@refs/tags/v[0-9.]+$");
  requireAnchored(material.certificateOidcIssuerRegexp, "--certificate-oidc-issuer-regexp", "^https://token\\.actions\\.githubusercontent\\.com$");
  return {
    mode: "keyless",
    ...(material.certificateIdentity ? { identity: material.certificateIdentity } : {}),
    ...(material.certificateIdentityRegexp ? { identityRegexp: material.certificateIdentityRegexp } : {}),
    ...(material.certificateOidcIssuer ? { oidcIssuer: material.certificateOidcIssuer } : {}),
    ...(material.certificateOidcIssuerRegexp ? { oidcIssuerRegexp: material.certificateOidcIssuerRegexp } : {}),
  };
}

/**
 * cosign matches these regexps anywhere in the certificate's value: `acme/shop` also matches
 * `https://github.com/evil/x/.github/workflows/w.yml@refs/heads/acme/shop`. Only a regexp anchored
 * at both ends says which identities it trusts.
 */
function requireAnchored(regexp: string | undefined, flag: string, example: string): void {
  if (regexp === undefined || (regexp.startsWith("^") && regexp.endsWith("$") && !regexp.endsWith("\\$"))) return;
  throw new ReleaseError(
    describeProblem({
      where: flag,
      found: JSON.stringify(regexp),
      expected: "a regexp anchored at both ends, ^…$ (an unanchored one matches any value that contains it, such as another repository's workflow)",
      fix: `anchor it, e.g. ${flag}='${example}', or pass the exact value`,
    }),
  );
}

/** Run one cosign argv; a failure becomes a CosignError with the mapped message. */
export async function runCosign(
  c: Container,
  argv: string[],
  context: { operation: CosignOperation; ref: string; predicateType?: string; verifier?: "key" | "keyless" },
): Promise<string> {
  try {
    return await c.withExec(argv).stdout();
  } catch (error) {
    const failure = execFailure(error);
    if (failure === undefined) throw error;
    const mapped = cosignFailureMessage({ ...context, exitCode: failure.exitCode, stderr: failure.stderr });
    throw new CosignError(mapped.message, mapped.kind, failure.exitCode);
  }
}

export interface VerifyResult {
  /** repository@sha256:… as verified. */
  reference: string;
  /** Who the signatures were checked against. */
  trusted: { mode: "key"; publicKeyDigest: string } | { mode: "keyless"; identity: string; issuer: string };
  signature: true;
  /** The attestation types that verified, in the order checked. */
  attestations: PredicateType[];
  transparencyLog: boolean;
}

/**
 * `sha256:<64 hex>` of a file's contents, as a manifest names what it trusted. Not File.digest():
 * the engine answers that with its own content hash (xxh3), which no consumer can recompute.
 */
export async function sha256Of(file: File): Promise<string> {
  return `sha256:${createHash("sha256").update(await file.contents()).digest("hex")}`;
}

/** Whom a verification trusted: the public key's digest, or the keyless identity and issuer (a regexp shown as ~regexp). */
export async function trustedOf(verifier: VerifierSpec, material: VerifyingMaterial): Promise<VerifyResult["trusted"]> {
  return verifier.mode === "key"
    ? { mode: "key", publicKeyDigest: await sha256Of(material.publicKey!) }
    : {
        mode: "keyless",
        identity: verifier.identity ?? `~${verifier.identityRegexp}`,
        issuer: verifier.oidcIssuer ?? `~${verifier.oidcIssuerRegexp}`,
      };
}

/** The cosign container that verifies: the run's, with the public key mounted in key mode. */
export function verifyingContainer(material: VerifyingMaterial, run: CosignRun): Container {
  const container = cosignContainer(run);
  return material.publicKey ? container.withMountedFile(PUBLIC_KEY_PATH, material.publicKey, { owner: COSIGN_OWNER }) : container;
}
