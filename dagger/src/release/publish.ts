/**
 * Publishing: one image, or one variant per platform as one index, pushed under each tag with the
 * OCI annotations, returning the reference with its digest — what sign, attest and verify take.
 *
 * Not the engine's Container.publish: Dagger v0.21.8 writes into the image's config when each
 * layer's snapshot was made, so every cold build would publish another digest. The image goes as
 * its OCI layout with its times set to its `created` (image-layout.ts), pushed by `cosign load`
 * with cosign's registry login: the digest is the layout's, the same for every build of one commit
 * whose layers are the same, and the one a rebuild recomputes.
 */
import type { Container } from "@dagger.io/dagger";

import { ociAnnotations, type ReleaseMetadata } from "./annotations.js";
import { loadArgs } from "./cosign-args.js";
import { COSIGN_OWNER, cosignContainer, runCosign, type CosignRun } from "./cosign.js";
import { ReleaseError } from "./errors.js";
import { imageLayout, type ImageLayout } from "./image-layout.js";
import { cosignLoadIndex } from "./layout-times.js";
import { digestRefString, parseReference, repositoryOf, taggedRefString } from "./reference.js";
import { requireValidTag } from "./tags.js";

/** Where cosign reads the layout it pushes. */
export const LAYOUT_DIR = "/drydock/layout";

export interface PublishInput {
  /** One container per platform (the first is the image, the rest its platform variants), or one. */
  variants: readonly Container[];
  /** registry/path, without tag or digest: ghcr.io/acme/backend. */
  repository: string;
  tags: readonly string[];
  /** Annotations on each variant's manifest, from the release metadata. */
  metadata?: ReleaseMetadata;
  /** The image's time (with-labels --created, RFC 3339): its config's and history's times. */
  created: string;
  /** An image with `tar` that unpacks the engine's archive: the build image. */
  unpackImage: string;
  /** cosign's image, registry login (config.json or user and password) and registry flags: what pushes. */
  run: CosignRun;
}

export interface PublishResult {
  repository: string;
  digest: string;
  /** repository@sha256:…: what to sign and deploy. */
  reference: string;
  tags: string[];
}

/** Push the image's layout under every tag: one digest, the layout's, for all of them. */
export async function publish(input: PublishInput): Promise<PublishResult> {
  const parsed = parseReference(input.repository, "publish repository");
  if (parsed.tag !== undefined || parsed.digest !== undefined) {
    throw new ReleaseError(`publish repository ${JSON.stringify(input.repository)}: give the repository alone (e.g. ghcr.io/acme/backend) — tags come from --tags or git metadata`);
  }
  if (input.variants.length === 0) throw new ReleaseError("publish: no image to publish");
  if (input.tags.length === 0) throw new ReleaseError(`publish ${repositoryOf(parsed)}: no tag — pass --git-sha (and --git-ref) or --tags`);
  const tags = input.tags.map((t) => requireValidTag(t));
  const { layout, root, indexJson } = await annotatedLayout(input.variants, input.metadata, input.created, input.unpackImage);
  const forCosign = layout.withNewFile("index.json", cosignLoadIndex(indexJson));
  const pusher = cosignContainer(input.run).withMountedDirectory(LAYOUT_DIR, forCosign, { owner: COSIGN_OWNER });
  for (const tag of tags) {
    const ref = taggedRefString(parsed, tag);
    await runCosign(pusher, loadArgs(LAYOUT_DIR, ref, input.run), { operation: "load", ref });
  }
  const reference = digestRefString({ registry: parsed.registry, path: parsed.path, digest: root.digest });
  return { repository: repositoryOf(parsed), digest: root.digest, reference, tags };
}

/**
 * The layout publish pushes: the variants with the release's OCI annotations on each manifest, as
 * one image or index, its times set to `created`. What `rebuild` recomputes.
 */
export async function annotatedLayout(variants: readonly Container[], metadata: ReleaseMetadata | undefined, created: string, unpackImage: string): Promise<ImageLayout> {
  const annotations = metadata ? ociAnnotations(metadata) : {};
  const annotate = (c: Container) => Object.entries(annotations).reduce((acc, [k, v]) => acc.withAnnotation(k, v), c);
  return imageLayout(variants.map(annotate), created, unpackImage);
}
