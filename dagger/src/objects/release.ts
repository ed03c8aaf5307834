/**
 * The results of the supply-chain functions: what was published (by digest), what a verification
 * checked and trusted, and a whole release with its manifest. Built by the factories below, so
 * none has a constructor in the API.
 */
import { dag, func, object, type Directory, type File } from "@dagger.io/dagger";

import type { ReleasedImage as ManifestImage, ReleaseManifest } from "../release/manifest.js";
import type { VerifyResult } from "../release/cosign.js";

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

/** Both apps' images as publish pushed them. */
@object()
export class Publication {
  /** The backend image. */
  @func()
  backend!: PublishedImage;

  /** The frontend image. */
  @func()
  frontend!: PublishedImage;

  /**
   * List both images, backend first.
   *
   * Example: dagger call publish --registry=ghcr.io/acme --git-sha=$(git rev-parse HEAD) images reference
   */
  @func()
  images(): PublishedImage[] {
    return [this.backend, this.frontend];
  }
}

/** What `verify` checked: the signature and each attestation of one digest, and whom it trusted. */
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

  /** The attestation types that verified: cyclonedx, vuln, slsaprovenance1. */
  @func()
  attestations!: string[];

  /** Whether the transparency log was checked (false when air-gapped). */
  @func()
  transparencyLog!: boolean;
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

  /** The attestation types attached: cyclonedx, vuln, slsaprovenance1. */
  @func()
  attestations!: string[];

  /** Whether the signature and every attestation verified. */
  @func()
  verified!: boolean;
}

/** A release: both images published by digest, signed, attested and verified, after the policy gate passed. */
@object()
export class Release {
  /** The backend image. */
  @func()
  backend!: ReleasedImage;

  /** The frontend image. */
  @func()
  frontend!: ReleasedImage;

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

  /** The scans' reports (backend/, frontend/, lint/, summary.md) and release.json. */
  @func()
  reports!: Directory;

  /**
   * List both images, backend first.
   *
   * Example: dagger call release --registry=ghcr.io/acme --git-sha=$(git rev-parse HEAD) … images reference
   */
  @func()
  images(): ReleasedImage[] {
    return [this.backend, this.frontend];
  }
}

export function publishedImage(fields: { app: string; repository: string; digest: string; reference: string; tags: readonly string[]; platforms: readonly string[] }): PublishedImage {
  return Object.assign(new PublishedImage(), { ...fields, tags: [...fields.tags], platforms: [...fields.platforms] });
}

export function publication(backend: PublishedImage, frontend: PublishedImage): Publication {
  return Object.assign(new Publication(), { backend, frontend });
}

export function verification(result: VerifyResult): Verification {
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
  });
}

/** The Release of a manifest; `json` is its release.json, `reports` the scans' reports it is added to. */
export function release(manifest: ReleaseManifest, json: string, reports: Directory): Release {
  const image = (app: string): ReleasedImage => {
    const found: ManifestImage | undefined = manifest.images.find((i) => i.app === app);
    if (!found) throw new Error(`release manifest without ${app}`);
    return Object.assign(new ReleasedImage(), { ...found, tags: [...found.tags], platforms: [...found.platforms], attestations: [...found.attestations] });
  };
  const file = dag.file("release.json", json);
  return Object.assign(new Release(), {
    backend: image("backend"),
    frontend: image("frontend"),
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
