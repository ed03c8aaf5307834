/**
 * The reproducibility e2e's account of why two builds are not one image: real tar archives (GNU
 * tar) shaped as `docker save` writes them, differing in one thing each.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { differencesBetween, imageDifferences, imageId, readArchivedImage } from "../../support/docker/image-diff.ts";

const scratch = mkdtempSync(path.join(os.tmpdir(), "image-diff-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface Shape {
  files?: Record<string, string>;
  time?: number;
  owner?: string;
  created?: string;
}

let made = 0;
/** An archive of a one-layer image with `files` under app/, every file at `time`, owned by `owner`. */
async function archive({ files = { "app/main.js": "console.log(1)\n", "app/package.json": "{}\n" }, time = 0, owner = "0", created = "1970-01-01T00:00:00Z" }: Shape = {}) {
  const dir = path.join(scratch, String(made++));
  const tree = path.join(dir, "tree");
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(tree, name)), { recursive: true });
    writeFileSync(path.join(tree, name), text);
  }
  const tarFlags = [`--mtime=@${time}`, `--owner=${owner}`, `--group=${owner}`, "--numeric-owner", "--sort=name", "--format=gnu"];
  execFileSync("tar", [...tarFlags, "-cf", path.join(dir, "layer.tar"), "-C", tree, "."]);
  writeFileSync(path.join(dir, "config.json"), JSON.stringify({ created, config: { User: "1000:1000" }, rootfs: { type: "layers" } }));
  writeFileSync(path.join(dir, "manifest.json"), JSON.stringify([{ Config: "config.json", Layers: ["layer.tar"] }]));
  execFileSync("tar", [...tarFlags, "-cf", path.join(dir, "image.tar"), "-C", dir, "manifest.json", "config.json", "layer.tar"]);
  return readArchivedImage(path.join(dir, "image.tar"));
}

describe("imageDifferences", () => {
  it("finds none between two archives of one image, which have one ID", async () => {
    const [a, b] = [await archive(), await archive()];
    expect(imageDifferences(a, b)).toEqual([]);
    expect(imageId(a)).toBe(imageId(b));
  });

  it("names the file whose content differs, and its layer", async () => {
    expect(imageDifferences(await archive(), await archive({ files: { "app/main.js": "console.log(2)\n", "app/package.json": "{}\n" } }))).toEqual(["layer 1: app/main.js: content"]);
  });

  it("names every file whose time differs, with both times", async () => {
    const lines = imageDifferences(await archive(), await archive({ time: 1796500000 }));
    expect(lines).toContain("layer 1: app/main.js: time 0 ≠ 1796500000");
    expect(lines).toContain("layer 1: app/package.json: time 0 ≠ 1796500000");
  });

  it("names a file only one image has, and an owner that differs", async () => {
    expect(imageDifferences(await archive(), await archive({ files: { "app/main.js": "console.log(1)\n", "app/package.json": "{}\n", "app/.modules.yaml": "x" } }))).toEqual(["layer 1: app/.modules.yaml: only in the second image"]);
    expect(imageDifferences(await archive(), await archive({ owner: "1000" }))).toContain("layer 1: app/main.js: owner 0:0 ≠ 1000:1000");
  });

  it("gives each difference as fields too: the config field, or the layer, the file and the kinds of what differs", async () => {
    const times = differencesBetween(await archive(), await archive({ time: 1796500000, owner: "1000" }));
    expect(times.find((d) => d.file === "app/main.js")).toEqual({ layer: 1, file: "app/main.js", what: ["time", "owner"], text: "layer 1: app/main.js: time 0 ≠ 1796500000, owner 0:0 ≠ 1000:1000" });
    const added = differencesBetween(await archive(), await archive({ files: { "app/main.js": "console.log(1)\n", "app/package.json": "{}\n", "app/.modules.yaml": "x" } }));
    expect(added).toEqual([{ layer: 1, file: "app/.modules.yaml", what: ["only in the second image"], text: "layer 1: app/.modules.yaml: only in the second image" }]);
    const created = differencesBetween(await archive(), await archive({ created: "2026-12-06T02:00:00Z" }));
    expect(created).toEqual([{ field: "created", text: 'config.created: "1970-01-01T00:00:00Z" ≠ "2026-12-06T02:00:00Z"' }]);
  });

  it("names the config field that differs, with both values", async () => {
    const [a, b] = [await archive(), await archive({ created: "2026-12-06T02:00:00Z" })];
    expect(imageDifferences(a, b)).toEqual(['config.created: "1970-01-01T00:00:00Z" ≠ "2026-12-06T02:00:00Z"']);
    expect(imageId(a)).not.toBe(imageId(b));
  });
});
