/**
 * An OCI image layout, as the engine writes an image (Container.asTarball), with the image's times
 * set: the config's `created` and every history entry's `created` become its SOURCE_DATE_EPOCH, and the
 * history's `created_by` goes. Dagger v0.21.8 writes there when each layer's snapshot was made and
 * whether it came from its cache (engineutil/containerimage.go passes its exporter no epoch), so
 * two cold builds of one commit, whose layers are the same byte for byte, still got two digests.
 * With the times set, they get one: the digest a release publishes and a rebuild recomputes.
 *
 * Pure: the layout's small JSON files are read through `read`, and what to write and remove is
 * returned; the layers are neither read nor changed.
 */
import { createHash } from "node:crypto";

import { ReleaseError } from "./errors.js";
import { DOCKER_MANIFEST, DOCKER_MANIFEST_LIST, OCI_INDEX, OCI_MANIFEST } from "./manifest-reader.js";

const INDEX_TYPES = [OCI_INDEX, DOCKER_MANIFEST_LIST];
const MANIFEST_TYPES = [OCI_MANIFEST, DOCKER_MANIFEST];

/** What cosign load looks for on the root descriptor of index.json (cosign's pkg/oci/layout). */
const COSIGN_KIND = "kind";
const COSIGN_IMAGE_KIND = "dev.cosignproject.cosign/image";
const COSIGN_INDEX_KIND = "dev.cosignproject.cosign/imageIndex";

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
  [field: string]: unknown;
}

/** Reads a file of the layout by its path in it: `index.json`, `manifest.json`, `blobs/sha256/<hex>`. */
export type LayoutReader = (path: string) => Promise<string>;

export interface TimedLayout {
  /** Files to write, by their path in the layout: the new configs, manifests, index.json. */
  write: Record<string, string>;
  /** Files to remove: the configs and manifests the new ones replace. */
  remove: string[];
  /** The image's descriptor (its manifest, or the index of its platforms): its digest is the image's. */
  root: Descriptor;
}

/** `blobs/sha256/<hex>`: where a layout keeps the blob of `digest`. */
export function blobPath(digest: string): string {
  const hex = /^sha256:([a-f0-9]{64})$/.exec(digest)?.[1];
  if (hex === undefined) throw new ReleaseError(`image layout: found the digest ${JSON.stringify(digest)}, expected sha256:<64 hex>`);
  return `blobs/sha256/${hex}`;
}

/** The time a config states for a SOURCE_DATE_EPOCH (file-times.ts reads it from `--created`): RFC 3339, UTC. */
export function configTime(epoch: number): string {
  if (!Number.isSafeInteger(epoch) || epoch < 0) throw new ReleaseError(`image times: found ${epoch}, expected whole seconds from the Unix epoch on (a SOURCE_DATE_EPOCH)`);
  return new Date(epoch * 1000).toISOString().replace(".000Z", "Z");
}

/**
 * The layout's image with its times set to `epoch`, the image's SOURCE_DATE_EPOCH. `dockerManifest`:
 * whether the layout has a manifest.json (docker load's), whose config paths then follow the new configs.
 */
export async function withImageTimes(read: LayoutReader, epoch: number, dockerManifest: boolean): Promise<TimedLayout> {
  const time = configTime(epoch);
  const rewrite = new LayoutRewrite(read, time);
  const index = parseJson<{ manifests?: Descriptor[] }>(await read("index.json"), "index.json");
  if (!Array.isArray(index.manifests) || index.manifests.length !== 1) {
    throw new ReleaseError(`image layout: index.json lists ${index.manifests?.length ?? "no"} manifests, expected exactly one (the image, or the index of its platforms)`);
  }
  const root = await rewrite.descriptor(index.manifests[0]!, "index.json");
  rewrite.put("index.json", json({ ...index, manifests: [root] }));
  if (dockerManifest) rewrite.put("manifest.json", rewrite.dockerManifest(await read("manifest.json")));
  return { write: Object.fromEntries(rewrite.written), remove: [...rewrite.replaced].filter((path) => !rewrite.written.has(path)), root };
}

/** index.json for `cosign load --dir`: the root descriptor says whether it is an image or an index. */
export function cosignLoadIndex(indexJson: string): string {
  const index = parseJson<{ manifests: Descriptor[] }>(indexJson, "index.json");
  const [root] = index.manifests;
  if (index.manifests.length !== 1 || root === undefined) throw new ReleaseError("image layout: index.json must list exactly one manifest for cosign load");
  const kind = INDEX_TYPES.includes(root.mediaType) ? COSIGN_INDEX_KIND : COSIGN_IMAGE_KIND;
  return json({ ...index, manifests: [{ ...root, annotations: { ...root.annotations, [COSIGN_KIND]: kind } }] });
}

class LayoutRewrite {
  readonly written = new Map<string, string>();
  readonly replaced = new Set<string>();
  /** Old config path → new config path, for manifest.json. */
  private readonly configPaths = new Map<string, string>();

  constructor(
    private readonly read: LayoutReader,
    private readonly time: string,
  ) {}

  put(path: string, text: string): void {
    this.written.set(path, text);
  }

  /** A manifest or an index, rewritten below it; its new descriptor, every other field kept. */
  async descriptor(desc: Descriptor, where: string): Promise<Descriptor> {
    if (MANIFEST_TYPES.includes(desc.mediaType)) return this.blob(desc, await this.manifest(desc));
    if (INDEX_TYPES.includes(desc.mediaType)) return this.blob(desc, await this.index(desc));
    throw new ReleaseError(`image layout: ${where} names ${desc.digest} of media type ${JSON.stringify(desc.mediaType)}, expected an image manifest or index`);
  }

  private async index(desc: Descriptor): Promise<string> {
    const index = parseJson<{ manifests?: Descriptor[] }>(await this.read(blobPath(desc.digest)), `the index ${desc.digest}`);
    if (!Array.isArray(index.manifests) || index.manifests.length === 0) throw new ReleaseError(`image layout: the index ${desc.digest} lists no manifest`);
    const manifests: Descriptor[] = [];
    for (const child of index.manifests) {
      if (!MANIFEST_TYPES.includes(child.mediaType)) {
        throw new ReleaseError(`image layout: the index ${desc.digest} names ${child.digest} of media type ${JSON.stringify(child.mediaType)}, expected only image manifests (one per platform)`);
      }
      manifests.push(await this.descriptor(child, `the index ${desc.digest}`));
    }
    return json({ ...index, manifests });
  }

  private async manifest(desc: Descriptor): Promise<string> {
    const manifest = parseJson<{ config?: Descriptor }>(await this.read(blobPath(desc.digest)), `the manifest ${desc.digest}`);
    if (manifest.config === undefined) throw new ReleaseError(`image layout: the manifest ${desc.digest} has no config`);
    const configText = await this.read(blobPath(manifest.config.digest));
    const config = this.blob(manifest.config, json(this.timedConfig(parseJson(configText, `the config ${manifest.config.digest}`))));
    this.configPaths.set(blobPath(manifest.config.digest), blobPath(config.digest));
    return json({ ...manifest, config });
  }

  /** The config with every time set; the history keeps its entries (one per layer, and empty ones) without their descriptions. */
  private timedConfig(config: Record<string, unknown>): Record<string, unknown> {
    const history = Array.isArray(config["history"])
      ? (config["history"] as Record<string, unknown>[]).map(({ created_by: _description, ...entry }) => ({ ...entry, created: this.time }))
      : undefined;
    return { ...config, created: this.time, ...(history ? { history } : {}) };
  }

  /** `text` as the blob that replaces `desc`'s: written at its digest, the old one removed. */
  private blob(desc: Descriptor, text: string): Descriptor {
    const bytes = Buffer.from(text, "utf8");
    const digest = `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
    this.replaced.add(blobPath(desc.digest));
    this.put(blobPath(digest), text);
    return { ...desc, digest, size: bytes.length };
  }

  /** docker load's manifest.json, naming the new configs. */
  dockerManifest(text: string): string {
    const entries = parseJson<{ Config?: string }[]>(text, "manifest.json");
    if (!Array.isArray(entries)) throw new ReleaseError("image layout: manifest.json is not a list");
    return json(
      entries.map((entry) => {
        const config = entry.Config === undefined ? undefined : this.configPaths.get(entry.Config);
        if (config === undefined) throw new ReleaseError(`image layout: manifest.json names the config ${JSON.stringify(entry.Config)}, which no manifest of index.json has`);
        return { ...entry, Config: config };
      }),
    );
  }
}

function parseJson<T = Record<string, unknown>>(text: string, what: string): T {
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new ReleaseError(`image layout: ${what} is not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Compact JSON, as the engine writes its blobs; the same value gives the same bytes, so the same digest. */
function json(value: unknown): string {
  return JSON.stringify(value);
}
