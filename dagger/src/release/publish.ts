/**
 * Publishing: one image, or one variant per platform as one index, pushed under each tag with the
 * OCI annotations, returning the reference with its digest — what sign, attest and verify take.
 */
import type { Container, Secret } from "@dagger.io/dagger";

import { ociAnnotations, type ReleaseMetadata } from "./annotations.js";
import { ReleaseError } from "./errors.js";
import { digestRefString, parseReference, repositoryOf, taggedRefString } from "./reference.js";
import { requireValidTag } from "./tags.js";

export interface RegistryAuth {
  username: string;
  password: Secret;
}

export interface PublishInput {
  /** One container per platform (the first publishes, the rest are its platformVariants), or one. */
  variants: readonly Container[];
  /** registry/path, without tag or digest: ghcr.io/acme/backend. */
  repository: string;
  tags: readonly string[];
  /** Annotations on each variant's manifest, from the release metadata. */
  metadata?: ReleaseMetadata;
  auth?: RegistryAuth;
}

export interface PublishResult {
  repository: string;
  digest: string;
  /** repository@sha256:…: what to sign and deploy. */
  reference: string;
  tags: string[];
}

/** Push under every tag; every push must name the same digest (pushing a digest again is harmless). */
export async function publish(input: PublishInput): Promise<PublishResult> {
  const parsed = parseReference(input.repository, "publish repository");
  if (parsed.tag !== undefined || parsed.digest !== undefined) {
    throw new ReleaseError(`publish repository ${JSON.stringify(input.repository)}: give the repository alone (e.g. ghcr.io/acme/backend) — tags come from --tags or git metadata`);
  }
  if (input.variants.length === 0) throw new ReleaseError("publish: no image to publish");
  if (input.tags.length === 0) throw new ReleaseError(`publish ${repositoryOf(parsed)}: no tag — pass --git-sha (and --git-ref) or --tags`);
  const tags = input.tags.map((t) => requireValidTag(t));
  const annotations = input.metadata ? ociAnnotations(input.metadata) : {};
  const annotate = (c: Container) => Object.entries(annotations).reduce((acc, [k, v]) => acc.withAnnotation(k, v), c);
  let [first, ...rest] = input.variants.map(annotate);
  if (input.auth) first = first!.withRegistryAuth(parsed.registry, input.auth.username, input.auth.password);
  let digest: string | undefined;
  for (const tag of tags) {
    const published = await first!.publish(taggedRefString(parsed, tag), rest.length > 0 ? { platformVariants: rest } : {});
    const pushed = /@(sha256:[a-f0-9]{64})$/.exec(published)?.[1];
    if (!pushed) throw new ReleaseError(`publish ${taggedRefString(parsed, tag)}: the engine returned ${JSON.stringify(published)}, with no digest`);
    if (digest !== undefined && pushed !== digest) {
      throw new ReleaseError(`publish ${repositoryOf(parsed)}: tag ${tag} got ${pushed}, the earlier tags ${digest} — the image is not reproducible between pushes; nothing was signed`);
    }
    digest = pushed;
  }
  const reference = digestRefString({ registry: parsed.registry, path: parsed.path, digest: digest! });
  return { repository: repositoryOf(parsed), digest: digest!, reference, tags };
}
