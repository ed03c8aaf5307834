/**
 * The one check of "pinned by digest", for every image drydock runs or builds on: the config's
 * scanner.trivyImage, the build and runtime images of the `with*` builders, and the base-image
 * labels. A tag can be re-pushed, a digest cannot.
 */
import { PinnedImageError } from "./errors.js";

/** One path component of an OCI repository name, per the distribution reference grammar. */
const NAME_COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
/** A repository name: components separated by "/". */
export const IMAGE_NAME = `${NAME_COMPONENT}(?:/${NAME_COMPONENT})*`;
/** An optional registry host (with port) ahead of the repository path. */
export const IMAGE_REGISTRY = "(?:[a-zA-Z0-9-]+(?:\\.[a-zA-Z0-9-]+)*(?::\\d+)?/)?";
export const IMAGE_TAG = "\\w[\\w.-]{0,127}";

/** `[registry/]name[:tag]@sha256:<64 hex>`; the config's JSON Schema carries it as the pattern. */
export const PINNED_IMAGE = new RegExp(`^${IMAGE_REGISTRY}${IMAGE_NAME}(?::${IMAGE_TAG})?@sha256:[a-f0-9]{64}$`);

export interface PinnedImage {
  /** The reference as given. */
  readonly ref: string;
  /** Registry and repository, e.g. `docker.io/library/node`. */
  readonly repository: string;
  /** The tag, when the reference has one (it documents; the digest decides). */
  readonly tag?: string;
  /** `sha256:<64 hex>`. */
  readonly digest: string;
  /** The reference without its digest (`docker.io/library/node:24.13.1-alpine`): org.opencontainers.image.base.name. */
  readonly baseName: string;
}

export const PINNED_IMAGE_EXPECTED = "an image pinned by digest (name:tag@sha256:<64 hex>)";

/** The parts of a pinned reference, or undefined when `ref` is not one. */
export function pinnedImage(ref: string): PinnedImage | undefined {
  if (!PINNED_IMAGE.test(ref)) return undefined;
  const at = ref.lastIndexOf("@");
  const baseName = ref.slice(0, at);
  // A ":" after the last "/" starts the tag; one before it is a registry port (`host:5000/…`).
  const colon = baseName.lastIndexOf(":");
  const tagged = colon > baseName.lastIndexOf("/");
  return {
    ref,
    repository: tagged ? baseName.slice(0, colon) : baseName,
    ...(tagged ? { tag: baseName.slice(colon + 1) } : {}),
    digest: ref.slice(at + 1),
    baseName,
  };
}

/** The parts of a pinned reference; a PinnedImageError naming `where` for anything else. */
export function parsePinnedImage(ref: string, where: string): PinnedImage {
  const parsed = pinnedImage(ref);
  if (!parsed) {
    throw new PinnedImageError({
      where,
      found: JSON.stringify(ref),
      expected: PINNED_IMAGE_EXPECTED,
      fix: `look the digest up with \`docker buildx imagetools inspect ${ref}\``,
    });
  }
  return parsed;
}
