/**
 * The results of the supply-chain functions: what was published (by digest), what a verification
 * checked and trusted, and a whole release with its manifest. Built by the factories below, so
 * none has a constructor in the API.
 */
import { dag, func, object, type Directory, type File } from "@dagger.io/dagger";

import { unlistedAppError } from "../config/apps.js";
import { APP_NAMES, type AppName } from "../config/schema.js";
import type { ReleasedImage as ManifestImage, ReleaseManifest } from "../release/manifest.js";
import type { SubjectVerification } from "../release/subjects.js";

/** One image pushed to a registry: its reference by digest, and the tags that point to it. */
@object()
export class PublishedImage {
  /** The app: backend or frontend. */
  @func()
  app!: string;

  /** registry/path, e.g. ghcr.io/acme/drydock-backend. */
  @func()
  repository!: string;

  /** sha256:… of the pushed manifest (or index). */
  @func()
  digest!: string;

  /** repository@sha256:…: what to sign, verify and deploy. */
  @func()
  reference!: string;

  /** The tags pushed, most specific first. */
  @func()
  tags!: string[];

  /** The platforms of the image, e.g. linux/amd64. */
  @func()
  platforms!: string[];
}

/** The images of the apps the config lists, as publish pushed them. */
@object()
export class Publication {
  // State: each pushed image, left unset for an app the config does not list (the engine cannot
  // carry a null object field), and the config file, for the error of such an app.
  backendImage?: PublishedImage;
  frontendImage?: PublishedImage;
  configFile!: string;

  /**
   * Return the backend image; an error when the config lists no backend.
   *
   * Example: dagger call publish --registry=ghcr.io/acme --git-sha=$(git rev-parse HEAD) backend reference
   */
  @func()
  backend(): PublishedImage {
    return pick(this, "backend", "publish … backend");
  }

  /**
   * Return the frontend image; an error when the config lists no frontend.
   *
   * Example: dagger call publish --registry=ghcr.io/acme --git-sha=$(git rev-parse HEAD) frontend reference
   */
  @func()
  frontend(): PublishedImage {
    return pick(this, "frontend", "publish … frontend");
  }

  /**
   * List the images pushed, one per app the config lists, backend first.
   *
   * Example: dagger call publish --registry=ghcr.io/acme --git-sha=$(git rev-parse HEAD) images reference
   */
  @func()
  images(): PublishedImage[] {
    return present(this);
  }
}

/** One platform's image of an index, by its own digest: signed, and attested with its own scan and build. */
@object()
export class ImageVariant {
  /** The platform, e.g. linux/arm64. */
  @func()
  platform!: string;

  /** sha256:… of this platform's image manifest. */
  @func()
  digest!: string;

  /** repository@sha256:… of this platform's image: what a node of that platform pulls. */
  @func()
  reference!: string;

  /** The attestation types verified (or attached) on this digest: cyclonedx, vuln, slsaprovenance1. */
  @func()
  attestations!: string[];
}

/** What `verify` checked: the signature and each attestation of one digest — and of every platform's image, for an index — and whom it trusted. */
@object()
export class Verification {
  /** repository@sha256:… as verified. */
  @func()
  reference!: string;

  /** How the signer was trusted: "key" (a public key) or "keyless" (a certificate identity and issuer). */
  @func()
  mode!: string;

  /** sha256:… of the public key trusted; empty in keyless mode. */
  @func()
  publicKeyDigest!: string;

  /** The certificate identity trusted (a regexp is shown as ~regexp); empty in key mode. */
  @func()
  identity!: string;

  /** The OIDC issuer trusted (a regexp is shown as ~regexp); empty in key mode. */
  @func()
  issuer!: string;

  /** Whether the signature verified (always true: a failure is an error). */
  @func()
  signature!: boolean;

  /** The attestation types that verified on the digest itself: cyclonedx, vuln, slsaprovenance1 (an index: slsaprovenance1). */
  @func()
  attestations!: string[];

  /** Whether the transparency log was checked (false when air-gapped). */
  @func()
  transparencyLog!: boolean;

  /** For an index: each platform's image, its signature and attestations verified by its own digest. Empty for one image. */
  @func()
  variants!: ImageVariant[];
}

/** One image of a release: published, signed, attested and verified. */
@object()
export class ReleasedImage {
  /** The app: backend or frontend. */
  @func()
  app!: string;

  /** registry/path. */
  @func()
  repository!: string;

  /** sha256:… of the pushed manifest (or index). */
  @func()
  digest!: string;

  /** repository@sha256:…: what to deploy and verify. */
  @func()
  reference!: string;

  /** The tags pushed, most specific first. */
  @func()
  tags!: string[];

  /** The platforms of the image. */
  @func()
  platforms!: string[];

  /** Whether it was signed. */
  @func()
  signed!: boolean;

  /** The attestation types attached to the digest itself: cyclonedx, vuln, slsaprovenance1 (an index: slsaprovenance1). */
  @func()
  attestations!: string[];

  /** Whether the signature and every attestation verified, of the digest and of every platform's image. */
  @func()
  verified!: boolean;

  /** For an index: each platform's image, signed and attested (its own SBOM, vulnerabilities, provenance) by its own digest. Empty for one image. */
  @func()
  variants!: ImageVariant[];
}

/** A release: the images of the apps the config lists, published by digest, signed, attested and verified, after the policy gate passed. */
@object()
export class Release {
  // State: each released image, left unset for an app the config does not list, and the config file.
  backendImage?: ReleasedImage;
  frontendImage?: ReleasedImage;
  configFile!: string;

  /**
   * Return the backend image; an error when the config lists no backend.
   *
   * Example: dagger call release --registry=ghcr.io/acme --git-sha=$(git rev-parse HEAD) … backend reference
   */
  @func()
  backend(): ReleasedImage {
    return pick(this, "backend", "release … backend");
  }

  /**
   * Return the frontend image; an error when the config lists no frontend.
   *
   * Example: dagger call release --registry=ghcr.io/acme --git-sha=$(git rev-parse HEAD) … frontend reference
   */
  @func()
  frontend(): ReleasedImage {
    return pick(this, "frontend", "release … frontend");
  }

  /** The commit released. */
  @func()
  revision!: string;

  /** When the release ran, RFC 3339. */
  @func()
  created!: string;

  /** How the images were signed: "key" or "keyless". */
  @func()
  signerMode!: string;

  /** The keyless certificate identity the signatures verified against; empty in key mode. */
  @func()
  signerIdentity!: string;

  /** The keyless OIDC issuer; empty in key mode. */
  @func()
  signerIssuer!: string;

  /** Whether signatures are in the transparency log (false when air-gapped). */
  @func()
  transparencyLog!: boolean;

  /** The Markdown summary of the scans the release rests on. */
  @func()
  summary!: string;

  /** The release manifest, release.json: references, digests, tags, attestation types, the gate verdict. */
  @func()
  manifest!: File;

  /** The scans' reports (one folder per app released — backend/, frontend/ — and lint/, summary.md) and release.json. */
  @func()
  reports!: Directory;

  /**
   * List the images released, one per app the config lists, backend first.
   *
   * Example: dagger call release --registry=ghcr.io/acme --git-sha=$(git rev-parse HEAD) … images reference
   */
  @func()
  images(): ReleasedImage[] {
    return present(this);
  }
}

/** What Publication and Release hold per app. */
interface PerApp<T> {
  backendImage?: T;
  frontendImage?: T;
  configFile: string;
}

/** The images present, backend first. */
function present<T>(holder: PerApp<T>): T[] {
  return [holder.backendImage, holder.frontendImage].filter((image): image is T => image !== undefined);
}

/** One app's image; an error naming the config file when the config does not list the app. */
function pick<T>(holder: PerApp<T>, app: AppName, call: string): T {
  const image = app === "backend" ? holder.backendImage : holder.frontendImage;
  if (image === undefined) {
    const listed = APP_NAMES.filter((name) => (name === "backend" ? holder.backendImage : holder.frontendImage) !== undefined);
    throw unlistedAppError(holder.configFile, app, call, listed);
  }
  return image;
}

/** `{ backendImage, frontendImage }` of the images given, each under its app; an app without one is left unset. */
function perApp<T extends { app: string }>(images: readonly T[]): Pick<PerApp<T>, "backendImage" | "frontendImage"> {
  const of = (app: AppName) => images.find((image) => image.app === app);
  const backend = of("backend");
  const frontend = of("frontend");
  return { ...(backend ? { backendImage: backend } : {}), ...(frontend ? { frontendImage: frontend } : {}) };
}

export function publishedImage(fields: { app: string; repository: string; digest: string; reference: string; tags: readonly string[]; platforms: readonly string[] }): PublishedImage {
  return Object.assign(new PublishedImage(), { ...fields, tags: [...fields.tags], platforms: [...fields.platforms] });
}

/** The Publication of the images pushed (one per app the config lists); `configFile` names the config. */
export function publication(configFile: string, images: readonly PublishedImage[]): Publication {
  return Object.assign(new Publication(), { ...perApp(images), configFile });
}

export function verification(result: SubjectVerification): Verification {
  const { trusted } = result;
  return Object.assign(new Verification(), {
    reference: result.reference,
    mode: trusted.mode,
    publicKeyDigest: trusted.mode === "key" ? trusted.publicKeyDigest : "",
    identity: trusted.mode === "keyless" ? trusted.identity : "",
    issuer: trusted.mode === "keyless" ? trusted.issuer : "",
    signature: result.signature,
    attestations: [...result.attestations],
    transparencyLog: result.transparencyLog,
    variants: result.variants.map((v) => imageVariant({ ...v, digest: v.reference.slice(v.reference.lastIndexOf("@") + 1) })),
  });
}

function imageVariant(fields: { platform: string; digest: string; reference: string; attestations: readonly string[] }): ImageVariant {
  return Object.assign(new ImageVariant(), { platform: fields.platform, digest: fields.digest, reference: fields.reference, attestations: [...fields.attestations] });
}

/**
 * The Release of a manifest (one image per app the config lists); `json` is its release.json,
 * `reports` the scans' reports it is added to, `configFile` the config.
 */
export function release(manifest: ReleaseManifest, json: string, reports: Directory, configFile: string): Release {
  const image = (found: ManifestImage): ReleasedImage =>
    Object.assign(new ReleasedImage(), {
      ...found,
      tags: [...found.tags],
      platforms: [...found.platforms],
      attestations: [...found.attestations],
      variants: found.variants.map(imageVariant),
    });
  const file = dag.file("release.json", json);
  return Object.assign(new Release(), {
    ...perApp(manifest.images.map(image)),
    configFile,
    revision: manifest.source.revision,
    created: manifest.created,
    signerMode: manifest.signer.mode,
    signerIdentity: manifest.signer.identity ?? "",
    signerIssuer: manifest.signer.issuer ?? "",
    transparencyLog: manifest.signer.transparencyLog,
    summary: manifest.gate.summary,
    manifest: file,
    reports: reports.withFile("release.json", file),
  });
}
