/**
 * Image references as `docker push` writes them, and the rule that signing and verifying take a
 * digest: a tag can be moved to another image between the check and the use.
 */
import { OCI_TAG } from "./tags.js";
import { ReleaseError } from "./errors.js";

export interface ImageReference {
  /** `ghcr.io`, `127.0.0.1:5000`; `docker.io` when the reference names none. */
  registry: string;
  /** The repository path inside the registry: `acme/backend`. */
  path: string;
  tag?: string;
  /** `sha256:<64 hex>`. */
  digest?: string;
}

export interface DigestReference extends ImageReference {
  digest: string;
}

const DIGEST = /^sha256:[a-f0-9]{64}$/;
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;

/** Parse `[registry/]path[:tag][@sha256:…]`; a malformed reference is an error that says which part is wrong. */
export function parseReference(text: string, what = "image reference"): ImageReference {
  const ref = text.trim();
  const fail = (why: string): never => {
    throw new ReleaseError(`${what} ${JSON.stringify(text)}: ${why} — expected [registry/]repository[:tag]@sha256:<64 hex>, e.g. ghcr.io/acme/backend@sha256:…`);
  };
  if (ref === "") fail("it is empty");
  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) fail(`the digest ${JSON.stringify(digest)} is not sha256: followed by 64 lowercase hex digits`);
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf("/");
  const colon = rest.lastIndexOf(":");
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!OCI_TAG.test(tag)) fail(`the tag ${JSON.stringify(tag)} is not a valid tag`);
  }
  const parts = rest.split("/");
  const first = parts[0]!;
  const hasRegistry = parts.length > 1 && (first.includes(".") || first.includes(":") || first === "localhost");
  const registry = hasRegistry ? first : "docker.io";
  const pathParts = hasRegistry ? parts.slice(1) : parts;
  if (pathParts.length === 0 || pathParts.some((p) => !PATH_COMPONENT.test(p))) {
    fail("the repository must be lowercase letters, digits and . _ - separated by /");
  }
  if (hasRegistry && !/^[A-Za-z0-9.-]+(?::\d{1,5})?$|^\[[0-9a-fA-F:]+\](?::\d{1,5})?$/.test(registry)) fail(`the registry ${JSON.stringify(registry)} is not a host[:port]`);
  const path = (registry === "docker.io" && pathParts.length === 1 ? ["library", ...pathParts] : pathParts).join("/");
  return { registry, path, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}) };
}

/**
 * A reference with a digest, as cosign must be given; a tag alone is refused with how to get the
 * digest. A tag beside the digest is dropped: the digest is what is signed or checked.
 */
export function requireDigest(text: string, what = "image reference"): DigestReference {
  const parsed = parseReference(text, what);
  if (parsed.digest === undefined) {
    throw new ReleaseError(
      `${what} ${JSON.stringify(text)} has no digest: cosign signs and verifies an image by digest only, since a tag can be moved to another image in between. ` +
        `Use the reference publish returned (repository@sha256:…), or look the digest up with \`crane digest ${text}\` ` +
        `(or \`docker buildx imagetools inspect ${text} --format '{{json .Manifest.Digest}}'\`) and pass ${repositoryOf(parsed)}@sha256:<digest>`,
    );
  }
  return { registry: parsed.registry, path: parsed.path, digest: parsed.digest };
}

/** `registry/path`, as pushed. */
export function repositoryOf(ref: ImageReference): string {
  return `${ref.registry}/${ref.path}`;
}

/** `registry/path@sha256:…`: the form cosign is always given. */
export function digestRefString(ref: DigestReference): string {
  return `${repositoryOf(ref)}@${ref.digest}`;
}

/** `registry/path:tag`. */
export function taggedRefString(ref: ImageReference, tag: string): string {
  return `${repositoryOf(ref)}:${tag}`;
}
