/**
 * The pure parts of dagger/src/symlinks.ts: the paths asked about for an input, and a link's target
 * read back from the patch the engine writes of it — here the patch real git writes, as the
 * engine's Changeset.asPatch runs it (test/support/symlink-patch.ts).
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

import { literalPattern, pathPrefixes, symlinkTargetInPatch } from "../../dagger/src/symlinks.ts";
import { symlinkPatch } from "../support/symlink-patch.ts";

const dir = mkdtempSync(path.join(os.tmpdir(), "drydock-symlinks-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("pathPrefixes", () => {
  it.each([
    { input: "packages/evil/etc", prefixes: ["packages", "packages/evil", "packages/evil/etc"] },
    { input: "./backend//prisma/", prefixes: ["backend", "backend/prisma"] },
    { input: "package.json", prefixes: ["package.json"] },
    { input: ".", prefixes: [] },
  ])("$input", ({ input, prefixes }) => {
    expect(pathPrefixes(input)).toEqual(prefixes);
  });
});

describe("symlinkTargetInPatch, over the patch git writes of a link alone", () => {
  it.each([
    { name: "a link to /", link: "packages/evil", target: "/" },
    { name: "a relative link", link: "packages/shared", target: "../libs/shared" },
    { name: "a target with spaces and quotes", link: "a b/c", target: '../my "dir"/x y' },
    { name: "a target that is a number", link: "n", target: "42" },
  ])("$name", ({ link, target }) => {
    mkdirSync(path.dirname(path.join(dir, link)), { recursive: true });
    symlinkSync(target, path.join(dir, link));
    expect(symlinkTargetInPatch(symlinkPatch(dir, link))).toBe(target);
  });

  it("is undefined for a patch that adds a regular file, not a link", () => {
    const work = mkdtempSync(path.join(os.tmpdir(), "drydock-symlinks-file-"));
    try {
      mkdirSync(path.join(work, "a"));
      mkdirSync(path.join(work, "b"));
      writeFileSync(path.join(work, "b/file"), "/\n");
      const patch = spawnSync("git", ["diff", "--binary", "--no-prefix", "--no-index", "a", "b"], { cwd: work, encoding: "utf8" }).stdout;
      expect(patch).toContain("new file mode 100644");
      expect(symlinkTargetInPatch(patch)).toBeUndefined();
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });

  it("is undefined for an empty patch", () => {
    expect(symlinkTargetInPatch("")).toBeUndefined();
  });
});

describe("literalPattern", () => {
  it.each([
    { path: "packages/evil", pattern: "packages/evil" },
    { path: "a*/b?[c]", pattern: "a\\*/b\\?\\[c\\]" },
    { path: "!negated", pattern: "\\!negated" },
    { path: "back\\slash", pattern: "back\\\\slash" },
  ])("$path → $pattern", ({ path: p, pattern }) => {
    expect(literalPattern(p)).toBe(pattern);
  });
});
