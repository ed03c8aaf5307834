/**
 * What the engine answers for `<dir>.filter({ include: [link] }).changes(<empty>).asPatch()`:
 * Changeset.asPatch (core/changeset.go, Dagger v0.21.8) runs `git diff --binary --no-prefix
 * --no-index a b` over the two directories. Run here with the real git over a copy of the one link,
 * so fakes answer with what the engine writes rather than a text a test made up.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readlinkSync, rmSync, symlinkSync } from "node:fs";
import os from "node:os";
import path from "node:path";

/** The patch adding the symlink `link` (relative to `root`, posix) to an empty directory. */
export function symlinkPatch(root: string, link: string): string {
  const work = mkdtempSync(path.join(os.tmpdir(), "drydock-symlink-patch-"));
  try {
    mkdirSync(path.join(work, "a"));
    const copy = path.join(work, "b", link);
    mkdirSync(path.dirname(copy), { recursive: true });
    symlinkSync(readlinkSync(path.join(root, link)), copy);
    const run = spawnSync("git", ["diff", "--binary", "--no-prefix", "--no-index", "a", "b"], { cwd: work, encoding: "utf8" });
    // git diff exits 1 when the two differ, as they always do here.
    if (run.status !== 1) throw new Error(`git diff --no-index over a copy of ${path.join(root, link)}: exit ${run.status}: ${run.stderr}`);
    return run.stdout;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
