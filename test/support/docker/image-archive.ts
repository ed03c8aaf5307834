/**
 * Read what `docker save` writes: a tar holding manifest.json, the image config and one tar per
 * layer. Used to prove that no byte of a planted canary or a build secret is in any layer.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { docker } from "./cli.ts";

export interface SavedImage {
  /** Every regular file of the archive by name (layers, config, manifest). */
  entries: Map<string, Buffer>;
  /** The layer tars manifest.json lists, in order, with their bytes. */
  layers: Array<{ name: string; bytes: Buffer }>;
}

/** `docker save` the image into `dir` and read the archive back. */
export async function saveImage(image: string, dir: string): Promise<SavedImage> {
  const file = path.join(dir, `${image.replace(/[^a-z0-9]+/gi, "_")}.tar`);
  await docker(["save", "--output", file, image]);
  return readSavedImage(await readFile(file), file);
}

/** Split a `docker save` archive (`file` names it in errors) into its entries and listed layers. */
export function readSavedImage(archive: Buffer, file: string): SavedImage {
  const entries = readTar(archive);
  const manifestBytes = entries.get("manifest.json");
  if (!manifestBytes) throw new Error(`${file}: no manifest.json; found ${[...entries.keys()].slice(0, 10).join(", ") || "no files"}`);
  const manifest = JSON.parse(manifestBytes.toString("utf8")) as Array<{ Config: string; Layers: string[] }>;
  const first = manifest[0];
  if (!first) throw new Error(`${file}: manifest.json lists no image; expected one`);
  const layers = first.Layers.map((name) => {
    const bytes = entries.get(name);
    if (!bytes) throw new Error(`${file}: manifest.json lists layer ${name}, which the archive does not hold`);
    return { name, bytes };
  });
  if (!entries.has(first.Config)) throw new Error(`${file}: manifest.json names config ${first.Config}, which the archive does not hold`);
  return { entries, layers };
}

export interface TarEntry {
  name: string;
  /** The tar type flag: "0" file, "5" directory, "2" symlink, "1" hard link, … */
  type: string;
  body: Buffer;
  /** Permission bits (and setuid/setgid/sticky). */
  mode: number;
  uid: number;
  gid: number;
  /** A link's target (symlink or hard link); empty for other entries. */
  linkName: string;
  /** Modification time in seconds (a pax header's, fractions and all, over the ustar field). */
  mtime: number;
}

/** Entries of a (ustar, GNU or pax) tar archive held in memory; long names and link targets are resolved. */
export function tarEntries(archive: Buffer): TarEntry[] {
  const entries: TarEntry[] = [];
  let offset = 0;
  let longName: string | undefined;
  let longLink: string | undefined;
  let paxMtime: number | undefined;
  while (offset + 512 <= archive.length) {
    const header = archive.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) break;
    const size = parseInt(field(header, 124, 12).trim() || "0", 8);
    const type = String.fromCharCode(header[156] ?? 0).replace("\0", "0");
    const prefix = field(header, 345, 155);
    const name = longName ?? (prefix ? `${prefix}/${field(header, 0, 100)}` : field(header, 0, 100));
    const linkName = longLink ?? field(header, 157, 100);
    const mtime = paxMtime ?? octal(header, 136, 12);
    longName = undefined;
    longLink = undefined;
    paxMtime = undefined;
    const body = archive.subarray(offset + 512, offset + 512 + size);
    if (type === "L") longName = field(body, 0, body.length);
    else if (type === "K") longLink = field(body, 0, body.length);
    else if (type === "x") {
      const pax = body.toString("utf8");
      longName = /\d+ path=([^\n]*)\n/.exec(pax)?.[1];
      longLink = /\d+ linkpath=([^\n]*)\n/.exec(pax)?.[1];
      const paxTime = /\d+ mtime=([^\n]*)\n/.exec(pax)?.[1];
      paxMtime = paxTime === undefined ? undefined : Number(paxTime);
    } else if (type !== "g") {
      entries.push({ name, type, body, mode: octal(header, 100, 8), uid: octal(header, 108, 8), gid: octal(header, 116, 8), linkName, mtime });
    }
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return entries;
}

function octal(header: Buffer, start: number, length: number): number {
  return parseInt(field(header, start, length).trim() || "0", 8);
}

/** Regular files of a tar archive by name. */
export function readTar(archive: Buffer): Map<string, Buffer> {
  return new Map(tarEntries(archive).filter((e) => e.type === "0").map((e) => [e.name, e.body]));
}

function field(header: Buffer, start: number, length: number): string {
  return header.subarray(start, start + length).toString("utf8").replace(/\0.*$/s, "");
}
