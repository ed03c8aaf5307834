/**
 * What a published digest is — one image, or an index of one image per platform — from the bytes
 * the registry served for it. Nothing is believed before the bytes hash to the digest asked for:
 * the variants' digests come from content the digest itself vouches for. Free of Dagger.
 */
import { createHash } from "node:crypto";

import { ReleaseError } from "./errors.js";
import { DOCKER_MANIFEST, DOCKER_MANIFEST_LIST, OCI_INDEX, OCI_MANIFEST, READER_EXIT } from "./manifest-reader.js";
import { digestRefString, requireDigest } from "./reference.js";

/** One platform's image inside an index. */
export interface PlatformVariant {
  /** `linux/arm64`: os/architecture, and the variant where it tells platforms apart (arm/v7, not arm64/v8). */
  platform: string;
  digest: string;
  /** repository@sha256:… of this variant. */
  reference: string;
}

/** A published digest: one image (no variants), or an index and the image of each platform it lists. */
export interface PublishedSubject {
  /** repository@sha256:… as read. */
  reference: string;
  kind: "image" | "index";
  /** Empty for an image; in the index's order for an index. */
  variants: PlatformVariant[];
}

interface IndexEntry {
  mediaType?: unknown;
  digest?: unknown;
  platform?: { os?: unknown; architecture?: unknown; variant?: unknown };
  annotations?: Record<string, unknown>;
}

const DIGEST = /^sha256:[a-f0-9]{64}$/;
const IMAGE_TYPES = new Set([OCI_MANIFEST, DOCKER_MANIFEST]);
const INDEX_TYPES = new Set([OCI_INDEX, DOCKER_MANIFEST_LIST]);

/** One image by its digest, as a subject — for a reference known to be no index; a tag beside the digest is dropped, a tag alone refused. */
export function imageSubject(ref: string, what = "image reference"): PublishedSubject {
  return { reference: digestRefString(requireDigest(ref, what)), kind: "image", variants: [] };
}

/** An OCI platform as drydock names it: os/arch, with the variant only where it is not the architecture's default. */
export function platformName(os: string, architecture: string, variant?: string): string {
  const v = variant ?? "";
  const implied = (architecture === "arm64" && v === "v8") || (architecture === "amd64" && v === "v1");
  return v === "" || implied ? `${os}/${architecture}` : `${os}/${architecture}/${v}`;
}

/**
 * The subject `reference` names, from the reader's output: the served bytes must hash to the
 * digest, and an index must list each platform once with an image manifest by digest.
 * Attestation manifests an index may carry (`vnd.docker.reference.type: attestation-manifest`)
 * are no platform's image and are left out.
 */
export function parseFetchedManifest(printed: string, reference: string): PublishedSubject {
  const ref = requireDigest(reference, "read manifest");
  const at = digestRefString(ref);
  let served: { contentType?: unknown; body?: unknown };
  try {
    served = JSON.parse(printed) as typeof served;
  } catch {
    throw new ReleaseError(`reading ${at} from the registry printed no manifest (${JSON.stringify(printed.slice(0, 120))}) — nothing is signed or verified on an answer that cannot be checked`);
  }
  if (typeof served.body !== "string") throw new ReleaseError(`reading ${at} from the registry printed no manifest body — nothing is signed or verified on an answer that cannot be checked`);
  const bytes = Buffer.from(served.body, "base64");
  const actual = `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
  if (actual !== ref.digest) {
    throw new ReleaseError(
      `the registry served ${actual} for ${at}: not the digest asked for — the registry, or something between, altered the manifest; do not sign, verify or deploy on it`,
    );
  }
  let doc: { mediaType?: unknown; manifests?: unknown; layers?: unknown };
  try {
    doc = JSON.parse(bytes.toString("utf8")) as typeof doc;
  } catch {
    throw new ReleaseError(`the manifest of ${at} is not JSON — it is no image or index drydock can sign`);
  }
  const contentType = typeof served.contentType === "string" ? served.contentType.split(";")[0]!.trim() : "";
  const mediaType = typeof doc.mediaType === "string" ? doc.mediaType : contentType;
  if (IMAGE_TYPES.has(mediaType) || (mediaType === "" && Array.isArray(doc.layers))) return { reference: at, kind: "image", variants: [] };
  if (!INDEX_TYPES.has(mediaType) && !(mediaType === "" && Array.isArray(doc.manifests))) {
    throw new ReleaseError(`${at} is a ${JSON.stringify(mediaType)}, neither an image manifest nor an index — publish an image and pass its digest`);
  }
  const entries = Array.isArray(doc.manifests) ? (doc.manifests as IndexEntry[]) : [];
  const variants: PlatformVariant[] = [];
  for (const [i, entry] of entries.entries()) {
    if (entry.annotations?.["vnd.docker.reference.type"] === "attestation-manifest") continue;
    const where = `${at}: manifests[${i}]`;
    if (typeof entry.digest !== "string" || !DIGEST.test(entry.digest)) throw new ReleaseError(`${where} has no sha256 digest (${JSON.stringify(entry.digest)}) — the index cannot be signed variant by variant`);
    if (typeof entry.mediaType !== "string" || !IMAGE_TYPES.has(entry.mediaType)) {
      throw new ReleaseError(`${where} is a ${JSON.stringify(entry.mediaType)}, not an image manifest — drydock signs an index of images, one per platform, not nested indexes`);
    }
    const { os, architecture, variant } = entry.platform ?? {};
    if (typeof os !== "string" || typeof architecture !== "string" || os === "" || architecture === "") {
      throw new ReleaseError(`${where} (${entry.digest}) names no platform — every image of an index drydock signs is one platform's`);
    }
    const platform = platformName(os, architecture, typeof variant === "string" ? variant : undefined);
    if (variants.some((v) => v.platform === platform)) throw new ReleaseError(`${at} lists ${platform} twice — an index drydock signs has one image per platform`);
    variants.push({ platform, digest: entry.digest, reference: digestRefString({ ...ref, digest: entry.digest }) });
  }
  if (variants.length === 0) throw new ReleaseError(`${at} is an index of no image — nothing to sign`);
  return { reference: at, kind: "index", variants };
}

/**
 * What release published must be what it built: one image for one platform (or an index of just
 * it), an index of exactly the platforms built otherwise.
 */
export function requirePublishedPlatforms(subject: PublishedSubject, platforms: readonly string[]): void {
  const listed = subject.kind === "image" ? [] : subject.variants.map((v) => v.platform);
  if (subject.kind === "image" && platforms.length === 1) return;
  const same = listed.length === platforms.length && platforms.every((p) => listed.includes(p));
  if (same) return;
  throw new ReleaseError(
    `${subject.reference} was published for ${platforms.join(", ")}, but the registry holds ${subject.kind === "image" ? "a single image" : `an index of ${listed.join(", ")}`} under that digest — ` +
      "nothing was signed; check that no other push raced this one, and release again",
  );
}

/** The message when the reader failed, by its exit code, with its own last lines. */
export function readFailureMessage(reference: string, exitCode: number, stderr: string): string {
  const said = stderr.trimEnd().split("\n").slice(-8).join("\n");
  const why =
    exitCode === READER_EXIT.refused
      ? "the registry refused the login (or none was given) — pass a login that may read it: --registry-username with --registry-password, or --registry-config with a Docker config.json (release: --username/--password or --registry-config)"
      : exitCode === READER_EXIT.notFound
        ? "the registry has no manifest with this digest — check the repository and digest (publish returns them)"
        : exitCode === READER_EXIT.unreachable
          ? "the registry could not be reached over HTTPS (nor over plain HTTP, which cosign too uses only for localhost, loopback and private addresses) — check the host and port, and that the engine's containers can reach it"
          : `the reader failed (exit ${exitCode})`;
  return `reading ${reference} from the registry, to learn whether it is one image or an index of platforms: ${why}\nthe reader said:\n${said}`;
}
