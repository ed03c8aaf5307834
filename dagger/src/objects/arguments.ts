/** Checks of the Drydock constructor's arguments that their GraphQL types cannot express. */

export class ArgumentError extends Error {
  override name = "ArgumentError";
}

const PINNED_BY_DIGEST = /^[^\s@]+@sha256:[a-f0-9]{64}$/;

/** An image argument, refused unless pinned by digest: a tag can be re-pushed, a digest cannot. */
export function requirePinnedImage(ref: string, argument: string): string {
  if (!PINNED_BY_DIGEST.test(ref)) {
    throw new ArgumentError(
      `${argument}: found "${ref}", expected an image pinned by digest (name:tag@sha256:<64 hex>) — look the digest up with \`docker buildx imagetools inspect ${ref}\``,
    );
  }
  return ref;
}
