/**
 * An image (one container, or one per platform) as the OCI layout a release publishes: the engine's
 * own archive of it (Container.asTarball, every layer gzip), unpacked, with the image's times set
 * to its `created` (layout-times.ts). Two builds of one commit with the same layers then have one
 * digest, and a rebuild recomputes the released one.
 */
import { dag, ImageLayerCompression, type Container, type Directory } from "@dagger.io/dagger";

import { sourceDateEpoch } from "../images/file-times.js";
import { ReleaseError } from "./errors.js";
import { withImageTimes, type Descriptor } from "./layout-times.js";

/** Where the unpacking container reads the engine's archive, and unpacks it. */
const ARCHIVE_PATH = "/drydock/image.tar";
const UNPACKED_PATH = "/drydock/layout";

export interface ImageLayout {
  /** The OCI layout: index.json, oci-layout, blobs/sha256/…, and docker load's manifest.json. */
  layout: Directory;
  /** index.json's one descriptor: the image's manifest, or the index of its platforms. */
  root: Descriptor;
  /** index.json as the layout holds it. */
  indexJson: string;
}

/**
 * The layout of `variants` (the first is the image; the rest its other platforms, as one index),
 * its times set to `created`'s SOURCE_DATE_EPOCH, as its files' are. `tar` runs as root in `unpackImage` (the build image: the images
 * drydock pins all have it), on the archive alone: no source, no secret.
 */
export async function imageLayout(variants: readonly Container[], created: string, unpackImage: string): Promise<ImageLayout> {
  const [first, ...rest] = variants;
  if (first === undefined) throw new ReleaseError("internal: an image layout of no image");
  const archive = first.asTarball({ ...(rest.length > 0 ? { platformVariants: [...rest] } : {}), forcedCompression: ImageLayerCompression.Gzip });
  const unpacked = dag
    .container()
    .from(unpackImage)
    .withUser("0:0")
    .withMountedFile(ARCHIVE_PATH, archive)
    .withDirectory(UNPACKED_PATH, dag.directory())
    .withExec(["tar", "-xf", ARCHIVE_PATH, "-C", UNPACKED_PATH])
    .directory(UNPACKED_PATH);
  const entries = await unpacked.entries();
  const timed = await withImageTimes((path) => unpacked.file(path).contents(), sourceDateEpoch(created), entries.includes("manifest.json"));
  const layout = Object.entries(timed.write).reduce((out, [path, text]) => out.withNewFile(path, text), timed.remove.length > 0 ? unpacked.withoutFiles(timed.remove) : unpacked);
  return { layout, root: timed.root, indexJson: timed.write["index.json"]! };
}
