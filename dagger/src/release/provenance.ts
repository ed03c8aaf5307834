/**
 * A SLSA provenance v1 predicate (https://slsa.dev/spec/v1.0/provenance) from what the pipeline
 * knows: the source revision and URL, the builder, the build arguments, and the digests of the
 * base image, the tool images and the lockfiles. Attached with `cosign attest --type slsaprovenance1`.
 */
import { ReleaseError } from "./errors.js";

export const SLSA_PROVENANCE_V1 = "https://slsa.dev/provenance/v1";
/**
 * What a drydock build means: the fields of externalParameters below, versioned with the module.
 * A URN, since no page documents it at a stable URL yet; replace with that page's URL once one exists.
 */
export const DRYDOCK_BUILD_TYPE = "urn:drydock:build-type:v1";

/** A SLSA ResourceDescriptor: at least one of uri, digest, content. */
export interface ResourceDescriptor {
  uri?: string;
  digest?: Record<string, string>;
  name?: string;
  downloadLocation?: string;
  mediaType?: string;
  annotations?: Record<string, unknown>;
}

export interface ProvenanceInput {
  /** The app built: "backend" or "frontend". */
  app: string;
  /** The platform of this variant: linux/amd64. */
  platform: string;
  /** Repository URL, e.g. https://github.com/acme/shop (may be empty when unknown). */
  sourceUrl: string;
  /** The commit built. */
  revision: string;
  /** The git ref built, e.g. refs/tags/v1.2.3. */
  gitRef?: string;
  /** Who ran the build: a URI, e.g. https://github.com/acme/shop/.github/workflows/release.yml@refs/heads/main. */
  builderId: string;
  /** The drydock module version (and engine version), for builder.version. */
  builderVersion?: Record<string, string>;
  /** The user-controlled parameters: build arguments, config path, image version… */
  buildArguments: Record<string, string>;
  /** Pinned images the build and scan ran in (`name:tag@sha256:…`), by role: base, build, trivy… */
  images: Record<string, string>;
  /** Lockfiles by path, with their sha256 (hex). */
  lockfiles: Record<string, string>;
  /** A unique ID of this run (GitHub: run id and attempt). */
  invocationId?: string;
  startedOn?: string;
  finishedOn?: string;
}

const HEX64 = /^[a-f0-9]{64}$/;
const GIT_SHA = /^[a-f0-9]{40}([a-f0-9]{24})?$/;
const URI = /^[a-z][a-z0-9+.-]*:\S+$/i;

export interface SlsaProvenanceV1 {
  buildDefinition: {
    buildType: string;
    externalParameters: Record<string, unknown>;
    internalParameters?: Record<string, unknown>;
    resolvedDependencies?: ResourceDescriptor[];
  };
  runDetails: {
    builder: { id: string; version?: Record<string, string>; builderDependencies?: ResourceDescriptor[] };
    metadata?: { invocationId?: string; startedOn?: string; finishedOn?: string };
    byproducts?: ResourceDescriptor[];
  };
}

/** The predicate; refuses what would make it lie (a short or non-hex revision, an unpinned image, a builder that is no URI). */
export function slsaProvenance(input: ProvenanceInput): SlsaProvenanceV1 {
  if (!GIT_SHA.test(input.revision)) {
    throw new ReleaseError(`provenance: revision ${JSON.stringify(input.revision)} is not a full commit SHA (40 hex) — pass --git-sha $(git rev-parse HEAD)`);
  }
  if (!URI.test(input.builderId)) {
    throw new ReleaseError(`provenance: builder id ${JSON.stringify(input.builderId)} is not a URI — e.g. https://github.com/<owner>/<repo>/.github/workflows/release.yml@refs/heads/main`);
  }
  const source: ResourceDescriptor = {
    ...(input.sourceUrl ? { uri: `git+${input.sourceUrl.replace(/^git\+/, "")}${input.gitRef ? `@${input.gitRef}` : ""}` } : {}),
    digest: { gitCommit: input.revision },
  };
  const images = Object.entries(input.images)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([role, pinned]): ResourceDescriptor => {
      const m = /^(.+?)@sha256:([a-f0-9]{64})$/.exec(pinned);
      if (!m) throw new ReleaseError(`provenance: the ${role} image ${pinned} is not pinned by digest — pin it (name:tag@sha256:…)`);
      return { name: role, uri: `pkg:docker/${encodeURIComponent(m[1]!).replace(/%2F/g, "/").replace(/%3A/g, ":")}`, digest: { sha256: m[2]! } };
    });
  const lockfiles = Object.entries(input.lockfiles)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([file, sha256]): ResourceDescriptor => {
      if (!HEX64.test(sha256)) throw new ReleaseError(`provenance: lockfile ${file} digest ${JSON.stringify(sha256)} is not 64 lowercase hex`);
      return { name: file, digest: { sha256 } };
    });
  const metadata = {
    ...(input.invocationId ? { invocationId: input.invocationId } : {}),
    ...(input.startedOn ? { startedOn: input.startedOn } : {}),
    ...(input.finishedOn ? { finishedOn: input.finishedOn } : {}),
  };
  return {
    buildDefinition: {
      buildType: DRYDOCK_BUILD_TYPE,
      externalParameters: {
        source: { ...(input.sourceUrl ? { uri: input.sourceUrl } : {}), ...(input.gitRef ? { ref: input.gitRef } : {}), revision: input.revision },
        app: input.app,
        platform: input.platform,
        buildArguments: sortKeys(input.buildArguments),
      },
      resolvedDependencies: [source, ...images, ...lockfiles],
    },
    runDetails: {
      builder: { id: input.builderId, ...(input.builderVersion ? { version: sortKeys(input.builderVersion) } : {}) },
      ...(Object.keys(metadata).length > 0 ? { metadata } : {}),
    },
  };
}

function sortKeys(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}
