/**
 * The OCI annotations a published manifest carries (and the labels its config carries): the
 * pre-defined keys of the OCI image spec, from what the pipeline knows.
 */
import { ReleaseError } from "./errors.js";

export interface ReleaseMetadata {
  /** Repository URL: org.opencontainers.image.source. */
  source: string;
  /** Commit: org.opencontainers.image.revision. */
  revision: string;
  /** Release version: org.opencontainers.image.version. */
  version: string;
  /** RFC 3339 build time: org.opencontainers.image.created. */
  created: string;
  /** SPDX expression: org.opencontainers.image.licenses. */
  licenses: string;
  /** org.opencontainers.image.title, e.g. drydock-backend. */
  title: string;
  /** The runtime base without digest: org.opencontainers.image.base.name. */
  baseName: string;
  /** `sha256:…` of the runtime base: org.opencontainers.image.base.digest. */
  baseDigest: string;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;

export const ANNOTATION_KEYS = {
  source: "org.opencontainers.image.source",
  revision: "org.opencontainers.image.revision",
  version: "org.opencontainers.image.version",
  created: "org.opencontainers.image.created",
  licenses: "org.opencontainers.image.licenses",
  title: "org.opencontainers.image.title",
  baseName: "org.opencontainers.image.base.name",
  baseDigest: "org.opencontainers.image.base.digest",
} as const satisfies Record<keyof ReleaseMetadata, string>;

/** The annotations, in a stable order; empty values are left out rather than published blank. */
export function ociAnnotations(meta: ReleaseMetadata): Record<string, string> {
  if (meta.created !== "" && !RFC3339.test(meta.created)) {
    throw new ReleaseError(`created ${JSON.stringify(meta.created)} is not an RFC 3339 time — pass e.g. $(date -u +%Y-%m-%dT%H:%M:%SZ)`);
  }
  if (meta.baseDigest !== "" && !/^sha256:[a-f0-9]{64}$/.test(meta.baseDigest)) {
    throw new ReleaseError(`base image digest ${JSON.stringify(meta.baseDigest)} is not sha256:<64 hex> — pin the base image by digest`);
  }
  const out: Record<string, string> = {};
  for (const [field, key] of Object.entries(ANNOTATION_KEYS) as [keyof ReleaseMetadata, string][]) {
    const value = meta[field].trim();
    if (value !== "") out[key] = value;
  }
  return out;
}

/** `name:tag@sha256:…` → the name and the digest, as the base.name and base.digest annotations want them. */
export function splitPinnedImage(pinned: string): { name: string; digest: string } {
  const m = /^(.+?)@(sha256:[a-f0-9]{64})$/.exec(pinned);
  if (!m) throw new ReleaseError(`${pinned} is not pinned by digest (name:tag@sha256:<64 hex>) — pin it so the release records what it was built on`);
  return { name: m[1]!, digest: m[2]! };
}
