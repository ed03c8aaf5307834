/**
 * The files a stage's inputs are, on a real example repository: the Dagger plan names them as
 * Directory.filter patterns, the Dockerfiles partly as what the layout program writes
 * (`layout:<part>`), so the parity test compares the files each selects, not the spelling.
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path/posix";
import picomatch from "picomatch";
import { LAYOUT_PROGRAM } from "../../../dagger/src/images/layout-program.ts";
import type { BuildModel, SourceInputs } from "../../support/dockerfile.js";

/** Folders no build of a committed repository sees: installed or built on a developer's machine (the .dockerignore and the module's ignore list keep them out). */
const NOT_SOURCE = new Set(["node_modules", ".next", "dist", ".git"]);

/** Every file of the repository at `root`, relative to it, sorted. */
export function repositoryFiles(root: string, dir = ""): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true })
    .flatMap((entry) => {
      const relative = dir === "" ? entry.name : `${dir}/${entry.name}`;
      if (NOT_SOURCE.has(entry.name)) return [];
      return entry.isDirectory() ? repositoryFiles(root, relative) : [relative];
    })
    .sort();
}

const layouts = new Map<string, Record<string, string[]>>();

/**
 * What the layout program writes for the app in `folder` of the repository at `root` (given the
 * Dockerfile's further arguments, e.g. PRISMA), by part, as repository paths; run once each.
 */
export function layoutOutput(root: string, folder: string, more: readonly string[] = []): Record<string, string[]> {
  const key = JSON.stringify([root, folder, ...more]);
  const known = layouts.get(key);
  if (known) return known;
  const output = runLayout(root, folder, more);
  layouts.set(key, output);
  return output;
}

function runLayout(root: string, folder: string, more: readonly string[]): Record<string, string[]> {
  const work = mkdtempSync(path.join(os.tmpdir(), "drydock-layout-"));
  try {
    const context = path.join(work, "context");
    cpSync(root, context, { recursive: true, filter: (from) => !NOT_SOURCE.has(path.basename(from)) });
    const out = path.join(work, "layout");
    const run = spawnSync(process.execPath, ["-e", LAYOUT_PROGRAM, context, folder, out, ...more], { encoding: "utf8" });
    if (run.status !== 0) throw new Error(`the layout program failed for ${folder} of ${root}: ${run.stderr}`);
    return Object.fromEntries(readdirSync(out).map((part) => [part, existsSync(path.join(out, part)) ? repositoryFiles(path.join(out, part)) : []]));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The files `inputs` selects of the repository at `root`: patterns matched against its files, `layout:<part>` read from the layout program's output. */
export function inputFiles(inputs: SourceInputs, root: string, folder: string, layoutArgs: readonly string[] = []): SourceInputs {
  let layout: Record<string, string[]> | undefined;
  const files = repositoryFiles(root);
  const selected = inputs.include.flatMap((pattern) => {
    const part = /^layout:([a-z]+)$/.exec(pattern)?.[1];
    if (part === undefined) {
      const matches = picomatch(pattern, { dot: true });
      return files.filter((file) => matches(file));
    }
    layout ??= layoutOutput(root, folder, layoutArgs);
    return layout[part] ?? [];
  });
  return { include: [...new Set(selected)].sort(), at: inputs.at };
}

/**
 * The model with every input as the files it selects; a stage input selecting none is no input.
 * `layoutArgs`: the layout program's arguments after its output folder, as the Dockerfile passes them.
 */
export function withInputFiles(model: BuildModel, root: string, layoutArgs: readonly string[] = []): BuildModel {
  const files = (inputs: SourceInputs) => inputFiles(inputs, root, model.appFolder, layoutArgs);
  const pruneInputs = model.pruneInputs && files(model.pruneInputs);
  return {
    ...model,
    installInputs: files(model.installInputs),
    generateInputs: model.generateInputs && files(model.generateInputs),
    buildInputs: files(model.buildInputs),
    pruneInputs: pruneInputs && pruneInputs.include.length > 0 ? pruneInputs : undefined,
  };
}
