/**
 * Where an app installs from: its own lockfile, or the root lockfile of the pnpm workspace it is a
 * member of. Pure: the caller reads the files. Dockerfile.backend and Dockerfile.frontend decide
 * the same with LAYOUT_PROGRAM (images/layout-program.ts); test/unit/layout.test.ts runs both on
 * the same trees.
 */
import path from "node:path/posix";
import { parseAllDocuments } from "yaml";

import { SourceError } from "./errors.js";

/** How an app is laid out for its install. Every path is relative to the repository root (the source), "." for the root. */
export interface InstallLayout {
  /** The app's folder. */
  folder: string;
  /** The folder whose pnpm-lock.yaml the app installs from: the app's own, or "." for the repository's workspace. */
  root: string;
  /** Every other project of that lockfile (its importers but the root and the app), sorted: the install sees their package.json. */
  members: string[];
  /** The local packages the app links to, directly or through each other, sorted: its build and deploy need their files. */
  localPackages: string[];
}

/** What the layout is decided from; absent files are undefined. */
export interface LayoutFiles {
  /** The app's folder in the source, as the config names it. */
  folder: string;
  /** Where the folder comes from, for messages: `security-config.yml: apps.backend.path`. */
  setting: string;
  appLockfile?: string;
  rootLockfile?: string;
  rootHasWorkspaceFile: boolean;
}

/** The app folder as a path relative to the repository root, "." for the root itself. */
export function normalFolder(folder: string): string {
  return path.normalize(folder).replace(/\/$/, "") || ".";
}

/**
 * The layout of the app in `files.folder`. An app with its own pnpm-lock.yaml installs from it; one
 * without must be a project of the workspace at the repository root (its pnpm-lock.yaml lists the
 * folder as an importer). Anything else is an error that says which of the two is missing.
 */
export function installLayout(files: LayoutFiles): InstallLayout {
  const folder = normalFolder(files.folder);
  const where = `${files.setting}: ${JSON.stringify(folder)}`;
  if (files.appLockfile !== undefined) {
    const importers = insideRepository(lockfileImporters(files.appLockfile, `${folder}/pnpm-lock.yaml`), folder, where);
    // The app's folder may be a workspace of its own: its projects are the lockfile's other importers.
    const members = [...importers.keys()].filter((k) => k !== ".").map((k) => path.normalize(path.join(folder, k))).sort();
    return { folder, root: folder, members, localPackages: localPackagesOf(importers, folder, ".", where) };
  }
  if (files.rootLockfile === undefined || folder === ".") {
    if (files.rootHasWorkspaceFile && folder !== ".") {
      throw new SourceError({
        where,
        found: "no pnpm-lock.yaml in the app folder, and none at the repository root beside pnpm-workspace.yaml",
        expected: "a workspace member installs from the workspace's lockfile, at the repository root",
        fix: "run `pnpm install` at the repository root and commit pnpm-lock.yaml there",
      });
    }
    throw new SourceError({
      where,
      found: folder === "." ? "no pnpm-lock.yaml at the repository root" : "no pnpm-lock.yaml in the app folder, nor a pnpm workspace at the repository root",
      expected: "a lockfile: drydock installs with --frozen-lockfile",
      fix: `run \`pnpm install\` in ${folder === "." ? "the repository root" : folder} (or at the root of its pnpm workspace) and commit pnpm-lock.yaml`,
    });
  }
  const importers = insideRepository(lockfileImporters(files.rootLockfile, "pnpm-lock.yaml"), ".", where);
  if (!importers.has(folder)) {
    throw new SourceError({
      where,
      found: `no pnpm-lock.yaml in the app folder, and the repository root's pnpm-lock.yaml has no project "${folder}" (it has ${describeImporters(importers)})`,
      expected: "the app's own lockfile, or the app as a project of the workspace at the repository root",
      fix: files.rootHasWorkspaceFile
        ? `make pnpm-workspace.yaml's packages cover "${folder}", run \`pnpm install\` at the repository root and commit pnpm-lock.yaml (a stale lockfile lacks a new project) — or fix ${files.setting}`
        : `fix ${files.setting}, or make the repository a pnpm workspace (pnpm-workspace.yaml listing "${folder}") and run \`pnpm install\` at its root`,
    });
  }
  const members = [...importers.keys()].filter((k) => k !== "." && k !== folder).sort();
  return { folder, root: ".", members, localPackages: localPackagesOf(importers, ".", folder, where) };
}

/** The importers of the lockfile in `root`, each a folder inside the repository; one outside is an error, as the build would read its manifest. */
function insideRepository(importers: Map<string, string[]>, root: string, where: string): Map<string, string[]> {
  for (const key of importers.keys()) {
    const folder = path.normalize(path.join(root, key));
    if (path.isAbsolute(key) || folder === ".." || folder.startsWith("../")) {
      throw new SourceError({
        where,
        found: `the project "${key}" in ${path.join(root, "pnpm-lock.yaml")}, outside the repository`,
        expected: "the projects of the lockfile inside the source drydock is given",
        fix: "fix the workspace and run `pnpm install`, or pass the repository root as --source",
      });
    }
  }
  return importers;
}

/** Each importer of a lockfile and the local folders its dependencies link to (`link:<path>`, relative to the importer). */
export function lockfileImporters(text: string, file: string): Map<string, string[]> {
  const importers = new Map<string, string[]>();
  // parseAllDocuments never throws: it records what it could not read on each document.
  const documents = parseAllDocuments(text);
  for (const document of Array.isArray(documents) ? documents : [documents]) {
    const [error] = document.errors;
    if (error) throw new SourceError({ where: file, found: `text that is not YAML (${error.message.split("\n")[0]})`, expected: "a lockfile written by pnpm", fix: "resolve any merge conflict, run `pnpm install` and commit the lockfile it writes" });
  }
  // pnpm 11 and later write two documents: pnpm's own install, then the project's.
  for (const document of Array.isArray(documents) ? documents : [documents]) {
    const data: unknown = document.toJS();
    const found = isRecord(data) ? data["importers"] : undefined;
    if (!isRecord(found)) continue;
    for (const [key, importer] of Object.entries(found)) {
      const links = importers.get(key) ?? [];
      for (const kind of ["dependencies", "devDependencies", "optionalDependencies"]) {
        const deps = isRecord(importer) ? importer[kind] : undefined;
        for (const dep of Object.values(isRecord(deps) ? deps : {})) {
          const version = isRecord(dep) ? dep["version"] : undefined;
          if (typeof version === "string" && version.startsWith("link:")) links.push(version.slice("link:".length));
        }
      }
      importers.set(key, links);
    }
  }
  return importers;
}

/**
 * The folders the importer `importer` of the lockfile in `root` links to (`link:<path>`), and those
 * they link to, relative to the repository. A link leaving the repository is an error: the build
 * would miss its files.
 */
function localPackagesOf(importers: Map<string, string[]>, root: string, importer: string, where: string): string[] {
  const inRepository = (key: string) => path.normalize(path.join(root, key));
  const app = inRepository(importer);
  const found = new Set<string>();
  const queue = [importer];
  while (queue.length > 0) {
    const from = queue.pop()!;
    for (const link of importers.get(from) ?? []) {
      const key = path.normalize(path.join(from, link));
      const folder = inRepository(key);
      if (path.isAbsolute(link) || folder === ".." || folder.startsWith("../")) {
        throw new SourceError({
          where,
          found: `a dependency of "${inRepository(from)}" linked to "${link}", outside the repository`,
          expected: "local packages inside the source drydock is given",
          fix: "pass the repository root as --source (the build context for docker build), or publish the package and depend on a version",
        });
      }
      if (folder === app || found.has(folder)) continue;
      found.add(folder);
      queue.push(key);
    }
  }
  return [...found].sort();
}

function describeImporters(importers: Map<string, string[]>): string {
  const names = [...importers.keys()].filter((k) => k !== ".").map((k) => `"${k}"`);
  if (names.length === 0) return "only the root project";
  return names.length > 5 ? `${names.slice(0, 5).join(", ")} and ${names.length - 5} more` : names.join(", ");
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
