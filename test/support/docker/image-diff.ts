/**
 * Whether two image archives (`docker save`, or Dagger's `export`) hold the same image, and if not,
 * why: each difference named — the config field, or the layer and the file in it, with what about
 * the file differs (content, time, mode, owner, link, presence). What the reproducibility e2e
 * prints when two builds of one commit do not give one digest.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { gunzipSync } from "node:zlib";
import { readSavedImage, tarEntries, type TarEntry } from "./image-archive.ts";

/** The image an archive holds: its config's bytes and its layers', in order. */
export interface ArchivedImage {
  file: string;
  config: Buffer;
  layers: Buffer[];
  /** The manifest's digest from the OCI index, when the archive has one (Dagger's export does). */
  manifestDigest?: string;
}

export async function readArchivedImage(file: string): Promise<ArchivedImage> {
  const archive = readSavedImage(await readFile(file), file);
  const manifest = JSON.parse(archive.entries.get("manifest.json")!.toString("utf8")) as Array<{ Config: string }>;
  const index = archive.entries.get("index.json");
  const manifestDigest = index ? (JSON.parse(index.toString("utf8")) as { manifests?: Array<{ digest?: string }> }).manifests?.[0]?.digest : undefined;
  return { file, config: archive.entries.get(manifest[0]!.Config)!, layers: archive.layers.map((layer) => layer.bytes), ...(manifestDigest ? { manifestDigest } : {}) };
}

const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

/** The digests of the image's layers as stored (compressed): what its manifest lists. */
export function layerBlobDigests(image: ArchivedImage): string[] {
  return image.layers.map((layer) => `sha256:${sha256(layer)}`);
}

/** The image's ID: the digest of its config, which names every layer's uncompressed digest. */
export function imageId(image: ArchivedImage): string {
  return `sha256:${sha256(image.config)}`;
}

/** At most this many differences are listed; the count of the rest follows. */
const SHOWN = 40;

/**
 * One difference between two images: a config field, a file of a layer, a layer as a whole, or
 * the manifest. `text` is its line for a message.
 */
export interface ImageDifference {
  /** The config field, e.g. `created` or `history.3.created`, when the difference is one. */
  field?: string;
  /** The layer (from 1), when the difference is in one. */
  layer?: number;
  /** The file (no leading slash), when the difference is one of a layer's files. */
  file?: string;
  /** What about the file differs: `content`, `time`, `symlink time`, `mode`, `owner`, `type`, `link`, or `only in the first/second image`. */
  what?: string[];
  text: string;
}

/** Every difference between two images, most telling first; empty when they are the same image. */
export function differencesBetween(first: ArchivedImage, second: ArchivedImage): ImageDifference[] {
  const found = [...configDifferences(first.config, second.config)];
  const layerCount = Math.max(first.layers.length, second.layers.length);
  for (let i = 0; i < layerCount; i++) {
    const [a, b] = [first.layers[i], second.layers[i]];
    if (!a || !b) {
      found.push({ layer: i + 1, text: `layer ${i + 1}: only in ${a ? "the first" : "the second"} image` });
      continue;
    }
    const [plainA, plainB] = [uncompressed(a), uncompressed(b)];
    if (!plainA.equals(plainB)) found.push(...layerDifferences(i + 1, plainA, plainB));
  }
  if (found.length === 0 && first.manifestDigest !== second.manifestDigest) {
    found.push({ text: `manifest: ${String(first.manifestDigest)} ≠ ${String(second.manifestDigest)} though config and layers are the same (compression or media types differ)` });
  }
  return found;
}

/** differencesBetween as message lines, at most `shown` of them, then the count of the rest. */
export function imageDifferences(first: ArchivedImage, second: ArchivedImage, shown = SHOWN): string[] {
  const found = differencesBetween(first, second).map((difference) => difference.text);
  return found.length > shown ? [...found.slice(0, shown), `… and ${found.length - shown} more`] : found;
}

const files = new WeakMap<ArchivedImage, Map<string, Buffer>>();

/** The image's regular files by path (no leading slash), each from the last layer that holds it. */
export function filesOf(image: ArchivedImage): Map<string, Buffer> {
  let found = files.get(image);
  if (!found) {
    found = new Map();
    for (const layer of image.layers) for (const entry of tarEntries(uncompressed(layer))) if (entry.type === "0") found.set(entry.name.replace(/^\.?\//, ""), entry.body);
    files.set(image, found);
  }
  return found;
}

function uncompressed(layer: Buffer): Buffer {
  return layer[0] === 0x1f && layer[1] === 0x8b ? gunzipSync(layer) : layer;
}

type Json = Record<string, unknown>;

/** Config fields that differ, one each (a nested object by its sub-fields; diff_ids and history by index). */
function configDifferences(a: Buffer, b: Buffer): ImageDifference[] {
  if (a.equals(b)) return [];
  const [left, right] = [JSON.parse(a.toString("utf8")) as Json, JSON.parse(b.toString("utf8")) as Json];
  const found: ImageDifference[] = [];
  const compare = (path: string[], x: unknown, y: unknown) => {
    if (JSON.stringify(x) === JSON.stringify(y)) return;
    const bothObjects = x !== null && y !== null && typeof x === "object" && typeof y === "object";
    if (bothObjects) {
      const keys = Array.isArray(x) && Array.isArray(y) ? [...Array(Math.max(x.length, y.length)).keys()].map(String) : [...new Set([...Object.keys(x as Json), ...Object.keys(y as Json)])];
      for (const key of keys) compare([...path, key], (x as Json)[key], (y as Json)[key]);
      return;
    }
    const field = path.join(".");
    found.push({ field, text: `config.${field}: ${short(x)} ≠ ${short(y)}` });
  };
  compare([], left, right);
  return found.length > 0 ? found : [{ text: "config: the same fields, written differently (key order or spacing)" }];
}

function short(value: unknown): string {
  const text = JSON.stringify(value) ?? "absent";
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}

/** What differs between two versions of one layer, file by file. */
function layerDifferences(layer: number, a: Buffer, b: Buffer): ImageDifference[] {
  const [left, right] = [byName(tarEntries(a)), byName(tarEntries(b))];
  const found: ImageDifference[] = [];
  for (const file of [...new Set([...left.keys(), ...right.keys()])].sort()) {
    const [x, y] = [left.get(file), right.get(file)];
    const what = !x || !y ? [{ kind: `only in ${x ? "the first" : "the second"} image`, text: `only in ${x ? "the first" : "the second"} image` }] : entryDifferences(x, y);
    if (what.length > 0) found.push({ layer, file, what: what.map((w) => w.kind), text: `layer ${layer}: ${file}: ${what.map((w) => w.text).join(", ")}` });
  }
  if (found.length === 0) found.push({ layer, text: `layer ${layer}: the same files, in another order or with other tar headers` });
  return found;
}

function byName(entries: readonly TarEntry[]): Map<string, TarEntry> {
  return new Map(entries.map((entry) => [entry.name.replace(/^\.?\//, "").replace(/\/$/, ""), entry]));
}

/** What about one file differs: each kind (`content`, `time`…) with its line. */
function entryDifferences(x: TarEntry, y: TarEntry): { kind: string; text: string }[] {
  const found: { kind: string; text: string }[] = [];
  const add = (kind: string, detail = "") => found.push({ kind, text: `${kind}${detail}` });
  if (x.type !== y.type) add("type", ` ${x.type} ≠ ${y.type}`);
  if (!x.body.equals(y.body)) add("content");
  if (x.mtime !== y.mtime) add(x.type === "2" && y.type === "2" ? "symlink time" : "time", ` ${x.mtime} ≠ ${y.mtime}`);
  if (x.mode !== y.mode) add("mode", ` ${x.mode.toString(8)} ≠ ${y.mode.toString(8)}`);
  if (x.uid !== y.uid || x.gid !== y.gid) add("owner", ` ${x.uid}:${x.gid} ≠ ${y.uid}:${y.gid}`);
  if (x.linkName !== y.linkName) add("link", ` ${x.linkName} ≠ ${y.linkName}`);
  return found;
}
