/**
 * An image's files and config, read from an archive (`docker save`, or Dagger's `export`, which
 * carries the same manifest.json): the layers applied in order with their whiteouts, each entry
 * with its type, mode, owner, content hash or link target (a hard link read as the file it names).
 * What the parity measurement compares.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { gunzipSync } from "node:zlib";
import { readSavedImage, tarEntries } from "../docker/image-archive.ts";

export interface ImageFile {
  type: "file" | "dir" | "symlink" | "hardlink" | "other";
  /** Permission bits, four octal digits. */
  mode: string;
  owner: string;
  /** Content of a regular file. */
  body?: Buffer;
  /** Target of a link. */
  link?: string;
}

export interface ImageConfig {
  User?: string;
  Env?: string[];
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
  WorkingDir?: string;
  Labels?: Record<string, string> | null;
  ExposedPorts?: Record<string, unknown> | null;
  Healthcheck?: { Test?: string[]; Interval?: number; Timeout?: number; StartPeriod?: number; Retries?: number } | null;
}

export interface ImageSnapshot {
  config: ImageConfig;
  /** By path without a leading slash (`app/dist/main.js`). */
  files: Map<string, ImageFile>;
}

const TYPES: Record<string, ImageFile["type"]> = { "0": "file", "5": "dir", "2": "symlink", "1": "hardlink" };

export async function readImageArchive(file: string): Promise<ImageSnapshot> {
  const archive = readSavedImage(await readFile(file), file);
  const manifest = JSON.parse(archive.entries.get("manifest.json")!.toString("utf8")) as Array<{ Config: string }>;
  const config = (JSON.parse(archive.entries.get(manifest[0]!.Config)!.toString("utf8")) as { config?: ImageConfig }).config ?? {};
  const files = new Map<string, ImageFile>();
  for (const layer of archive.layers) {
    const bytes = layer.bytes[0] === 0x1f && layer.bytes[1] === 0x8b ? gunzipSync(layer.bytes) : layer.bytes;
    for (const entry of tarEntries(bytes)) {
      const name = entry.name.replace(/^\.?\//, "").replace(/\/$/, "");
      const base = name.split("/").pop()!;
      const dir = name.slice(0, name.length - base.length);
      if (base === ".wh..wh..opq") {
        for (const existing of [...files.keys()]) if (existing.startsWith(dir) && existing !== dir.replace(/\/$/, "")) files.delete(existing);
        continue;
      }
      if (base.startsWith(".wh.")) {
        const removed = dir + base.slice(4);
        for (const existing of [...files.keys()]) if (existing === removed || existing.startsWith(`${removed}/`)) files.delete(existing);
        continue;
      }
      let type = TYPES[entry.type] ?? "other";
      let body: Buffer | undefined = type === "file" ? Buffer.from(entry.body) : undefined;
      // A hard link is its target's content under another name: one tar writes the second name of
      // a file as a link, another (the engine, after withTimestamps copies the tree) as the file
      // again. Both are the same file to whoever reads it, so both are read as files.
      const target = type === "hardlink" ? files.get(entry.linkName.replace(/^\.?\//, "")) : undefined;
      if (target?.body !== undefined) [type, body] = ["file", target.body];
      files.set(name, {
        type,
        mode: (entry.mode & 0o7777).toString(8).padStart(4, "0"),
        owner: `${entry.uid}:${entry.gid}`,
        ...(body !== undefined ? { body } : {}),
        ...(type === "symlink" || type === "hardlink" ? { link: entry.linkName } : {}),
      });
    }
  }
  return { config, files };
}

/** One line per file under `prefix`: path, type, mode, owner, and the sha256 of the content or the link target. */
export function fileTable(snapshot: ImageSnapshot, prefix: string, normalise: (body: Buffer, path: string) => Buffer = (b) => b, renamePath: (p: string) => string = (p) => p): string[] {
  return [...snapshot.files.entries()]
    .filter(([name]) => name === prefix.replace(/\/$/, "") || name.startsWith(prefix))
    .map(([name, f]) => {
      const what = f.body ? createHash("sha256").update(normalise(f.body, name)).digest("hex") : (f.link ?? "");
      return `${renamePath(name)} ${f.type} ${f.mode} ${f.owner} ${what}`;
    })
    .sort();
}
