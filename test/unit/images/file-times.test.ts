/**
 * The stamp that sets the image's file times (dagger/src/images/file-times.ts), run for real with
 * node on a tree like the one the image gets: nested folders, files, a symbolic link into the tree,
 * one out of it and a dangling one.
 */
import { spawnSync } from "node:child_process";
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { sourceDateEpoch, STAMP_DIR, STAMP_PROGRAM, stampCommand } from "../../../dagger/src/images/file-times.ts";

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A tree under a fresh folder, and a file outside it that a link points to. */
function tree(): { root: string; outside: string } {
  const base = mkdtempSync(path.join(os.tmpdir(), "drydock-stamp-"));
  made.push(base);
  const root = path.join(base, "stamp");
  mkdirSync(path.join(root, "app/node_modules/.pnpm/a@1.0.0/node_modules/a"), { recursive: true });
  writeFileSync(path.join(root, "app/node_modules/.pnpm/a@1.0.0/node_modules/a/index.js"), "module.exports = 1;\n");
  symlinkSync(".pnpm/a@1.0.0/node_modules/a", path.join(root, "app/node_modules/a"));
  symlinkSync("missing.js", path.join(root, "app/dangling"));
  const outside = path.join(base, "outside.txt");
  writeFileSync(outside, "not shipped\n");
  utimesSync(outside, 1_000_000, 1_000_000);
  symlinkSync(outside, path.join(root, "app/out-link"));
  return { root, outside };
}

/** Runs the stamp's argv as the build image would, on `root` instead of STAMP_DIR. */
function stamp(root: string, epoch: number) {
  const [command, ...args] = stampCommand(epoch).map((arg) => (arg === STAMP_DIR ? root : arg));
  return spawnSync(command!, args, { encoding: "utf8" });
}

/** Every entry under `root`, the root included, by path, with its own (not its target's) time. */
function times(root: string): Record<string, number> {
  const out: Record<string, number> = {};
  const walk = (p: string) => {
    const stat = lstatSync(p);
    out[path.relative(root, p) || "."] = Math.floor(stat.mtimeMs / 1000);
    if (stat.isDirectory()) for (const name of readdirSync(p)) walk(path.join(p, name));
  };
  walk(root);
  return out;
}

describe("the file-time stamp", () => {
  it("sets every file, folder and symbolic link itself to the epoch, the root included, and follows no link out of the tree", () => {
    const { root, outside } = tree();
    const result = stamp(root, 1_796_000_000);
    expect(result.status, result.stderr).toBe(0);
    const found = times(root);
    expect(Object.keys(found).sort()).toEqual(
      [".", "app", "app/dangling", "app/node_modules", "app/node_modules/.pnpm", "app/node_modules/.pnpm/a@1.0.0", "app/node_modules/.pnpm/a@1.0.0/node_modules", "app/node_modules/.pnpm/a@1.0.0/node_modules/a", "app/node_modules/.pnpm/a@1.0.0/node_modules/a/index.js", "app/node_modules/a", "app/out-link"].sort(),
    );
    expect(new Set(Object.values(found))).toEqual(new Set([1_796_000_000]));
    expect(Math.floor(statSync(outside).mtimeMs / 1000), "the file a link points to outside the tree").toBe(1_000_000);
  });

  it("sets the Unix epoch itself (the default created label)", () => {
    const { root } = tree();
    expect(stamp(root, 0).status).toBe(0);
    expect(new Set(Object.values(times(root)))).toEqual(new Set([0]));
  });

  it("refuses a time that is no whole number of seconds, naming what it found", () => {
    const { root } = tree();
    const result = spawnSync("node", ["-e", STAMP_PROGRAM, root, "1.5"], { encoding: "utf8" });
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe('file times: found "1.5", expected whole seconds since 1970');
    expect(() => stampCommand(-1)).toThrow("file times: expected seconds since 1970 as a whole number, got -1");
  });

  it("takes the epoch from the created label, and refuses one before 1970", () => {
    expect(sourceDateEpoch("2026-11-27T10:00:00+01:00")).toBe(Date.parse("2026-11-27T09:00:00Z") / 1000);
    expect(sourceDateEpoch("2026-11-27T09:00:00.999Z")).toBe(Date.parse("2026-11-27T09:00:00Z") / 1000);
    expect(() => sourceDateEpoch("yesterday")).toThrow('--created: found "yesterday", expected an RFC 3339 time from 1970-01-01T00:00:00Z on');
    expect(() => sourceDateEpoch("1969-12-31T23:59:59Z")).toThrow('--created: found "1969-12-31T23:59:59Z", expected an RFC 3339 time from 1970-01-01T00:00:00Z on');
  });
});
