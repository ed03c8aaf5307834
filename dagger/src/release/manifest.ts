/** The release manifest: what was published, signed, attested and verified, and the gate verdict it rests on. */
import type { PredicateType } from "./cosign-args.js";

export interface ReleasedImage {
  /** "backend" or "frontend". */
  app: string;
  /** registry/path. */
  repository: string;
  /** sha256:… of the manifest (or index, for several platforms). */
  digest: string;
  /** repository@digest: the reference to deploy and verify. */
  reference: string;
  tags: string[];
  platforms: string[];
  signed: boolean;
  /** The attestation types on `digest` itself: all three for one image; the provenance for an index. */
  attestations: PredicateType[];
  /** True once verify and every verify-attestation passed, of the digest and of every variant. */
  verified: boolean;
  /** For an index: each platform's image, signed, attested (SBOM, vulnerabilities, provenance) and verified by its own digest. Empty for one image. */
  variants: ReleasedVariant[];
}

/** One platform's image of a released index. */
export interface ReleasedVariant {
  /** e.g. linux/arm64. */
  platform: string;
  /** sha256:… of this platform's image manifest. */
  digest: string;
  /** repository@digest of this platform's image. */
  reference: string;
  /** The attestation types on this digest, each made from this variant's own scan and build. */
  attestations: PredicateType[];
}

/**
 * What the released images hold besides the source at `source.revision`: built again with these
 * (`drydock rebuild --release=release.json`), an image has the released digest when its build is
 * reproducible — the same layers, and the same config, whose times are all `created`.
 */
export interface RebuildRecord {
  /** The images' `created` label (`with-labels --created`), and so every file's time and the config's. */
  created: string;
  /** The other labels the release set (`with-labels --image-version`, `--licenses`); the source URL and revision are `source`'s. */
  imageVersion: string;
  licenses: string;
  /** `created` in seconds: the SOURCE_DATE_EPOCH every file, folder and link carries. */
  sourceDateEpoch: number;
  /** The pinned images of the build stages and of the runtime root (`with-build-image`, `with-runtime-image`). */
  buildImage: string;
  runtimeImage: string;
  /** `with-pnpm-version`, when given; otherwise the source's packageManager chose it. */
  pnpmVersion?: string;
  /** `with-prisma`'s settings, when given. */
  prismaSchemaEngineBinary?: string;
  prismaEnginesMirror?: string;
  /** The config the build read: its path in the source, or "--config" for one passed from elsewhere. */
  config: string;
}

export interface ReleaseManifest {
  schemaVersion: 1;
  /** When the release ran (RFC 3339); not the images' `created`, which `rebuild` records. */
  created: string;
  source: { url: string; revision: string; ref?: string };
  rebuild: RebuildRecord;
  gate: { passed: boolean; summary: string };
  /**
   * How signatures can be checked: the key mode, or the keyless identity; and, for a private
   * Sigstore (with-sigstore), the digest of the trusted_root.json to verify against.
   */
  signer: { mode: "key" | "keyless"; identity?: string; issuer?: string; transparencyLog: boolean; trustedRoot?: string };
  images: ReleasedImage[];
}

/** The manifest as written into the reports folder: stable key order, two-space indent, final newline. */
export function releaseManifestJson(manifest: ReleaseManifest): string {
  const images = [...manifest.images].sort((a, b) => a.app.localeCompare(b.app));
  return `${JSON.stringify({ ...manifest, images }, null, 2)}\n`;
}

/** What to tell the user when a step after publish failed: the digests now in the registry, unsigned. */
export function unsignedAfterFailure(pushed: readonly { app: string; reference: string }[], failure: string): string {
  const list = pushed.map((p) => `  ${p.app}: ${p.reference}`).join("\n");
  return (
    `${failure}\n` +
    `These images were published but are NOT signed or attested:\n${list}\n` +
    `Finish by hand with drydock sign/attest on these references (publishing the same digest again is harmless), or delete them from the registry.`
  );
}
