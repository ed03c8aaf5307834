/**
 * The two ways drydock decides how an app installs must agree: `installLayout` (the Dagger plan,
 * turned into Directory filters by `installInputPatterns`) and LAYOUT_PROGRAM (the first stage of
 * Dockerfile.backend and Dockerfile.frontend). Both run here over the same trees — the reference
 * examples and small repositories written per case — and must take the same decision: the same
 * files for the install, the same local packages, or the same error. So must the two ways of finding
 * the backend's Prisma: `detectPrisma` (its `inputs` as Directory filters) and the program's PRISMA
 * argument (what it writes to <out>/prisma, or its PRISMA: error).
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ExistsType, type Directory } from "@dagger.io/dagger";
import picomatch from "picomatch";
import { afterAll, describe, expect, it } from "vitest";

import { SourceError } from "../../dagger/src/errors.ts";
import { installInputPatterns } from "../../dagger/src/images/app.ts";
import { LAYOUT, LAYOUT_PROGRAM } from "../../dagger/src/images/layout-program.ts";
import { detectPrisma, PRISMA_CONFIG_FILES, TSCONFIG_FILES, type PrismaSchema } from "../../dagger/src/images/prisma.ts";
import { appPnpmVersion } from "../../dagger/src/pnpm-version.ts";
import { appSource } from "../../dagger/src/source.ts";
import { installLayout, normalFolder, type InstallLayout } from "../../dagger/src/workspace.ts";
import { repoRoot } from "../support/paths.ts";
import { symlinkPatch } from "../support/symlink-patch.ts";

// ---------------------------------------------------------------------------------------------
// Trees

const tempDirs: string[] = [];
afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), `drydock-layout-${prefix}-`));
  tempDirs.push(dir);
  return dir;
}

/** A repository in a temporary folder: each path (relative, posix) with its text. */
function tree(files: Record<string, string>): string {
  const dir = tempDir("tree");
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  }
  return dir;
}

/** A package.json. */
const manifest = (name: string) => `${JSON.stringify({ name, version: "1.0.0", private: true }, null, 2)}\n`;

/** Build outputs and installs: absent from both build contexts (.dockerignore, the module's ignore list). */
const BUILD_OUTPUTS = new Set([".next", "dist"]);

/** The files under `dir`, relative and posix, sorted; folders named in `skip` are left out. */
function filesUnder(dir: string, skip: ReadonlySet<string>): string[] {
  if (!existsSync(dir)) return [];
  const found: string[] = [];
  const walk = (relative: string) => {
    for (const entry of readdirSync(path.join(dir, relative), { withFileTypes: true })) {
      const child = relative === "" ? entry.name : `${relative}/${entry.name}`;
      if (entry.isDirectory()) {
        if (!skip.has(entry.name)) walk(child);
      } else {
        found.push(child);
      }
    }
  };
  walk("");
  return found.sort();
}

/** The source files of a repository: without node_modules and build outputs. */
const sourceFiles = (context: string) => filesUnder(context, new Set(["node_modules", ...BUILD_OUTPUTS]));

// ---------------------------------------------------------------------------------------------
// pnpm lockfiles, as pnpm 12 writes them: its own pin, then the project's, two YAML documents.

type Dependencies = Record<string, string>;
interface Importer {
  dependencies?: Dependencies;
  devDependencies?: Dependencies;
  optionalDependencies?: Dependencies;
}

/** A key as pnpm writes it: quoted when YAML would read it otherwise (`'@scope/x':`). */
const yamlKey = (key: string) => (/^[@'"]/.test(key) ? `'${key}'` : key);

const PNPM_DOCUMENT = `---
lockfileVersion: '9.0'

importers:

  .:
    configDependencies: {}
    packageManagerDependencies:
      pnpm:
        specifier: 12.4.2
        version: 12.4.2

packages:

  pnpm@12.4.2:
    resolution: {integrity: sha512-AAAA}
    hasBin: true

snapshots:

  pnpm@12.4.2: {}
`;

/** A pnpm 12 lockfile with these importers; a dependency whose version is not `link:` resolves from the registry. */
function lockfile(importers: Record<string, Importer>): string {
  const lines = ["---", "lockfileVersion: '9.0'", "", "settings:", "  autoInstallPeers: true", "  excludeLinksFromLockfile: false", "", "importers:", ""];
  for (const [key, importer] of Object.entries(importers)) {
    const kinds = (["dependencies", "devDependencies", "optionalDependencies"] as const).filter((kind) => importer[kind] !== undefined);
    if (kinds.length === 0) {
      lines.push(`  ${yamlKey(key)}: {}`, "");
      continue;
    }
    lines.push(`  ${yamlKey(key)}:`);
    for (const kind of kinds) {
      lines.push(`    ${kind}:`);
      for (const [name, version] of Object.entries(importer[kind]!)) {
        lines.push(`      ${yamlKey(name)}:`, `        specifier: ${version.startsWith("link:") ? version : `^${version}`}`, `        version: ${version}`);
      }
    }
    lines.push("");
  }
  // Entries at two spaces that are not importers: the program must stop reading at `packages:`.
  lines.push("packages:", "", "  left-pad@1.3.0:", "    resolution: {integrity: sha512-BBBB}", "", "snapshots:", "", "  left-pad@1.3.0: {}", "");
  return `${PNPM_DOCUMENT}\n${lines.join("\n")}`;
}

// ---------------------------------------------------------------------------------------------
// The two deciders

interface ProgramRun {
  status: number | null;
  stderr: string;
  /** What it wrote under <out>/install and <out>/packages, repo-relative. */
  install: string[];
  packages: string[];
}

/** LAYOUT_PROGRAM as the Dockerfiles run it: `node -e LAYOUT_PROGRAM <context> <APP_DIR> <out>`. */
function runProgram(context: string, folder: string): ProgramRun {
  const out = tempDir("out");
  const run = spawnSync(process.execPath, ["-e", LAYOUT_PROGRAM, context, folder, out], { encoding: "utf8" });
  // node_modules is not skipped here: the program must leave it out itself.
  return {
    status: run.status,
    stderr: run.stderr,
    install: filesUnder(path.join(out, "install"), BUILD_OUTPUTS),
    packages: filesUnder(path.join(out, "packages"), BUILD_OUTPUTS),
  };
}

const SETTING = "security-config.yml: apps.backend.path";

/** installLayout over the files of `context`, read as source.ts reads them from the source. */
function tsLayout(context: string, given: string): InstallLayout {
  const folder = normalFolder(given);
  const isFile = (p: string) => existsSync(path.join(context, p)) && statSync(path.join(context, p)).isFile();
  const read = (p: string) => (isFile(p) ? readFileSync(path.join(context, p), "utf8") : undefined);
  return installLayout({
    folder: given,
    setting: SETTING,
    appLockfile: read(path.posix.join(folder, "pnpm-lock.yaml")),
    rootLockfile: folder === "." ? undefined : read("pnpm-lock.yaml"),
    rootHasWorkspaceFile: isFile("pnpm-workspace.yaml"),
  });
}

/** What the Dagger plan's filters keep of the repository: the install inputs and the local packages' files. */
function planFiles(context: string, layout: InstallLayout): { install: string[]; packages: string[] } {
  const files = sourceFiles(context);
  const kept = (patterns: string[]) => {
    if (patterns.length === 0) return [];
    const isMatch = picomatch(patterns, { dot: true });
    return files.filter((file) => isMatch(file));
  };
  return { install: kept(installInputPatterns(layout)), packages: kept(layout.localPackages.map((dir) => `${dir}/**`)) };
}

/** Both deciders over one tree: they must succeed and keep the same files. Returns what they decided. */
function expectAgreement(context: string, folder: string): { layout: InstallLayout; install: string[]; packages: string[] } {
  const layout = tsLayout(context, folder);
  const program = runProgram(context, folder);
  expect(program.stderr).toBe("");
  expect(program.status).toBe(0);
  const plan = planFiles(context, layout);
  expect(program.install).toEqual(plan.install);
  expect(program.packages).toEqual(plan.packages);
  return { layout, install: program.install, packages: program.packages };
}

/** Both deciders over one tree: they must fail, and say the same. */
function expectBothFail(context: string, folder: string, phrases: string[]): void {
  let error: unknown;
  try {
    tsLayout(context, folder);
  } catch (caught) {
    error = caught;
  }
  expect(error).toBeInstanceOf(SourceError);
  const program = runProgram(context, folder);
  expect(program.status).toBe(1);
  expect(program.stderr.startsWith("APP_DIR: ")).toBe(true);
  for (const phrase of phrases) {
    expect((error as SourceError).message).toContain(phrase);
    expect(program.stderr).toContain(phrase);
  }
}

/** The program alone fails (installLayout does not check these: source.ts does, before it). */
function expectProgramFails(context: string, folder: string, phrases: string[]): void {
  const program = runProgram(context, folder);
  expect(program.status).toBe(1);
  expect(program.stderr.startsWith("APP_DIR: ")).toBe(true);
  for (const phrase of phrases) expect(program.stderr).toContain(phrase);
}

// ---------------------------------------------------------------------------------------------

describe("LAYOUT_PROGRAM in the Dockerfiles", () => {
  it("has no single quote, backslash or newline: it sits verbatim in RUN node -e '…'", () => {
    expect(LAYOUT_PROGRAM).not.toMatch(/['\\\n]/);
  });

  // Both check PNPM_VERSION; only the backend passes PRISMA: the frontend's layout writes no <out>/prisma.
  it.each([
    { file: "Dockerfile.backend", tail: ' "--pnpm=${PNPM_VERSION}" "--prisma=${PRISMA}"' },
    { file: "Dockerfile.frontend", tail: ' "--pnpm=${PNPM_VERSION}"' },
  ])("$file runs it verbatim, once", ({ file, tail }) => {
    const text = readFileSync(path.join(repoRoot, file), "utf8").replaceAll("\\\n", "");
    expect(text.split(LAYOUT_PROGRAM)).toHaveLength(2);
    expect(text).toContain(`node -e '${LAYOUT_PROGRAM}' ${LAYOUT.context} "\${APP_DIR}" ${LAYOUT.out}${tail}\n`);
  });
});

describe("the reference examples", () => {
  /** examples/app's backend with the lockfile of examples/app-nopnpmfile and no pnpmfile, as its README assembles it. */
  function noPnpmfileVariant(): string {
    const dir = tempDir("nopnpmfile");
    mkdirSync(path.join(dir, "backend"));
    for (const file of ["package.json", "pnpm-workspace.yaml"]) copyFileSync(path.join(repoRoot, "examples/app/backend", file), path.join(dir, "backend", file));
    copyFileSync(path.join(repoRoot, "examples/app-nopnpmfile/backend/pnpm-lock.yaml"), path.join(dir, "backend/pnpm-lock.yaml"));
    return dir;
  }

  // packages/shared (TypeScript, built by its own script) and packages/time (plain JavaScript), which it links to.
  const sharedFiles = [
    "packages/shared/package.json",
    "packages/shared/src/index.ts",
    "packages/shared/tsconfig.json",
    "packages/time/index.d.ts",
    "packages/time/index.js",
    "packages/time/package.json",
  ];
  const workspaceInstall = ["package.json", "packages/shared/package.json", "packages/time/package.json", "pnpm-lock.yaml", "pnpm-workspace.yaml", "services/api/package.json", "services/web/package.json"];

  it.each([
    {
      name: "examples/app backend (own lockfile, pnpmfile, pnpm-workspace.yaml)",
      context: () => path.join(repoRoot, "examples/app"),
      folder: "backend",
      layout: { folder: "backend", root: "backend", members: [], localPackages: [] },
      install: ["backend/.pnpmfile.mjs", "backend/package.json", "backend/pnpm-lock.yaml", "backend/pnpm-workspace.yaml"],
      packages: [],
    },
    {
      name: "examples/app frontend (own lockfile)",
      context: () => path.join(repoRoot, "examples/app"),
      folder: "frontend",
      layout: { folder: "frontend", root: "frontend", members: [], localPackages: [] },
      install: ["frontend/package.json", "frontend/pnpm-lock.yaml", "frontend/pnpm-workspace.yaml"],
      packages: [],
    },
    {
      name: "examples/app backend with examples/app-nopnpmfile's lockfile",
      context: noPnpmfileVariant,
      folder: "backend",
      layout: { folder: "backend", root: "backend", members: [], localPackages: [] },
      install: ["backend/package.json", "backend/pnpm-lock.yaml", "backend/pnpm-workspace.yaml"],
      packages: [],
    },
    {
      name: "examples/workspace services/api (root workspace, links packages/shared and through it packages/time)",
      context: () => path.join(repoRoot, "examples/workspace"),
      folder: "services/api",
      layout: { folder: "services/api", root: ".", members: ["packages/shared", "packages/time", "services/web"], localPackages: ["packages/shared", "packages/time"] },
      install: workspaceInstall,
      packages: sharedFiles,
    },
    {
      name: "examples/workspace services/web (root workspace, links packages/shared and through it packages/time)",
      context: () => path.join(repoRoot, "examples/workspace"),
      folder: "services/web",
      layout: { folder: "services/web", root: ".", members: ["packages/shared", "packages/time", "services/api"], localPackages: ["packages/shared", "packages/time"] },
      install: workspaceInstall,
      packages: sharedFiles,
    },
  ])("$name", ({ context, folder, layout, install, packages }) => {
    const decided = expectAgreement(context(), folder);
    expect(decided.layout).toEqual(layout);
    expect(decided.install).toEqual(install);
    expect(decided.packages).toEqual(packages);
  });
});

/** A repository and the app folder in it, and what both deciders must decide. */
interface LayoutCase {
  name: string;
  files: Record<string, string>;
  folder: string;
  layout: InstallLayout;
  install: string[];
  packages: string[];
}

/** A repository and the app folder in it, and phrases both error messages must hold. */
interface ErrorCase {
  name: string;
  files: Record<string, string>;
  folder: string;
  phrases: string[];
}

describe("synthetic repositories: the same layout", () => {
  it.each<LayoutCase>([
    {
      name: "an app with its own lockfile linking to a sibling folder (link: in devDependencies too)",
      files: {
        "backend/package.json": manifest("backend"),
        "backend/pnpm-lock.yaml": lockfile({
          ".": { dependencies: { "@acme/shared": "link:../shared", express: "5.1.0" }, devDependencies: { "@acme/tools": "link:../tools/dev" } },
        }),
        "backend/.pnpmfile.cjs": "module.exports = {};\n",
        "backend/src/main.js": "",
        "shared/package.json": manifest("@acme/shared"),
        "shared/index.js": "",
        "shared/lib/util.js": "",
        "shared/.npmignore": "",
        "shared/node_modules/left-pad/index.js": "",
        "tools/dev/package.json": manifest("@acme/tools"),
        "tools/other/package.json": manifest("other"),
        "frontend/package.json": manifest("frontend"),
      },
      folder: "backend",
      layout: { folder: "backend", root: "backend", members: [], localPackages: ["shared", "tools/dev"] },
      install: ["backend/.pnpmfile.cjs", "backend/package.json", "backend/pnpm-lock.yaml"],
      packages: ["shared/.npmignore", "shared/index.js", "shared/lib/util.js", "shared/package.json", "tools/dev/package.json"],
    },
    {
      name: "a workspace member linking a→b→c, c back to a and to the app, and to a quoted importer",
      files: {
        "package.json": manifest("root"),
        "pnpm-workspace.yaml": "packages:\n  - apps/*\n  - packages/*\n  - '@tools/*'\n",
        "pnpm-lock.yaml": lockfile({
          ".": {},
          "apps/api": { dependencies: { "@acme/a": "link:../../packages/a", zod: "4.0.0" } },
          "apps/web": { dependencies: { "@acme/c": "link:../../packages/c" } },
          "packages/a": { dependencies: { "@acme/b": "link:../b" } },
          "packages/b": { optionalDependencies: { "@acme/c": "link:../c" } },
          "packages/c": { dependencies: { "@acme/a": "link:../a", api: "link:../../apps/api", "@tools/lint": "link:../../@tools/lint" } },
          "packages/unused": {},
          "@tools/lint": {},
        }),
        "apps/api/package.json": manifest("api"),
        "apps/api/src/main.js": "",
        "apps/web/package.json": manifest("web"),
        "packages/a/package.json": manifest("@acme/a"),
        "packages/a/index.js": "",
        "packages/b/package.json": manifest("@acme/b"),
        "packages/c/package.json": manifest("@acme/c"),
        "packages/c/node_modules/.bin/tool": "",
        "packages/unused/package.json": manifest("unused"),
        "@tools/lint/package.json": manifest("@tools/lint"),
        "@tools/lint/rules.js": "",
      },
      folder: "apps/api",
      layout: {
        folder: "apps/api",
        root: ".",
        members: ["@tools/lint", "apps/web", "packages/a", "packages/b", "packages/c", "packages/unused"],
        localPackages: ["@tools/lint", "packages/a", "packages/b", "packages/c"],
      },
      install: [
        "@tools/lint/package.json",
        "apps/api/package.json",
        "apps/web/package.json",
        "package.json",
        "packages/a/package.json",
        "packages/b/package.json",
        "packages/c/package.json",
        "packages/unused/package.json",
        "pnpm-lock.yaml",
        "pnpm-workspace.yaml",
      ],
      packages: ["@tools/lint/package.json", "@tools/lint/rules.js", "packages/a/index.js", "packages/a/package.json", "packages/b/package.json", "packages/c/package.json"],
    },
    {
      name: "a workspace member named as ./folder/",
      files: {
        "package.json": manifest("root"),
        "pnpm-workspace.yaml": "packages:\n  - services/*\n",
        "pnpm-lock.yaml": lockfile({ ".": {}, "services/api": { dependencies: { pg: "8.0.0" } } }),
        "services/api/package.json": manifest("api"),
      },
      folder: "./services/api/",
      layout: { folder: "services/api", root: ".", members: [], localPackages: [] },
      install: ["package.json", "pnpm-lock.yaml", "pnpm-workspace.yaml", "services/api/package.json"],
      packages: [],
    },
    {
      name: "the app at the repository root, a workspace with a package it links",
      files: {
        "package.json": manifest("root"),
        "pnpm-workspace.yaml": "packages:\n  - packages/*\n",
        "pnpm-lock.yaml": lockfile({ ".": { dependencies: { "@acme/util": "link:packages/util" } }, "packages/util": {}, "packages/docs": {} }),
        ".pnpmfile.cjs": "module.exports = {};\n",
        "src/main.js": "",
        "packages/util/package.json": manifest("@acme/util"),
        "packages/util/index.js": "",
        "packages/docs/package.json": manifest("docs"),
      },
      folder: ".",
      layout: { folder: ".", root: ".", members: ["packages/docs", "packages/util"], localPackages: ["packages/util"] },
      install: [".pnpmfile.cjs", "package.json", "packages/docs/package.json", "packages/util/package.json", "pnpm-lock.yaml", "pnpm-workspace.yaml"],
      packages: ["packages/util/index.js", "packages/util/package.json"],
    },
    {
      name: "an app whose own lockfile is a workspace, a project of which links out of the app (the root's workspace is not its)",
      files: {
        "package.json": manifest("root"),
        "pnpm-workspace.yaml": "packages:\n  - other\n",
        "pnpm-lock.yaml": lockfile({ ".": {}, other: {} }),
        "other/package.json": manifest("other"),
        "apps/shop/package.json": manifest("shop"),
        "apps/shop/pnpm-workspace.yaml": "packages:\n  - libs/*\n",
        "apps/shop/pnpm-lock.yaml": lockfile({
          ".": { dependencies: { "@shop/ui": "link:libs/ui" } },
          "libs/ui": { dependencies: { "@acme/tokens": "link:../../../../shared/tokens" } },
          "libs/unused": {},
        }),
        "apps/shop/libs/ui/package.json": manifest("@shop/ui"),
        "apps/shop/libs/ui/button.js": "",
        "apps/shop/libs/unused/package.json": manifest("unused"),
        "shared/tokens/package.json": manifest("@acme/tokens"),
        "shared/tokens/colors.json": "{}",
      },
      folder: "apps/shop",
      layout: { folder: "apps/shop", root: "apps/shop", members: ["apps/shop/libs/ui", "apps/shop/libs/unused"], localPackages: ["apps/shop/libs/ui", "shared/tokens"] },
      install: ["apps/shop/libs/ui/package.json", "apps/shop/libs/unused/package.json", "apps/shop/package.json", "apps/shop/pnpm-lock.yaml", "apps/shop/pnpm-workspace.yaml"],
      packages: ["apps/shop/libs/ui/button.js", "apps/shop/libs/ui/package.json", "shared/tokens/colors.json", "shared/tokens/package.json"],
    },
  ])("$name", ({ files, folder, layout, install, packages }) => {
    const decided = expectAgreement(tree(files), folder);
    expect(decided.layout).toEqual(layout);
    expect(decided.install).toEqual(install);
    expect(decided.packages).toEqual(packages);
  });

  // A checkout with core.autocrlf=true has such a lockfile: the program once took "\r" (an empty
  // line of it) for a top-level key and left the importers section at once.
  it("a workspace lockfile with CRLF line ends", () => {
    const context = tree({
      "package.json": manifest("root"),
      "pnpm-workspace.yaml": "packages:\n  - services/*\n  - packages/*\n",
      "pnpm-lock.yaml": lockfile({ ".": {}, "services/api": { dependencies: { "@acme/shared": "link:../../packages/shared" } }, "packages/shared": {} }).replaceAll("\n", "\r\n"),
      "services/api/package.json": manifest("api"),
      "packages/shared/package.json": manifest("@acme/shared"),
    });
    expect(expectAgreement(context, "services/api").layout.localPackages).toEqual(["packages/shared"]);
  });
});

describe("synthetic repositories: the same error", () => {
  it.each<ErrorCase>([
    {
      name: "no lockfile in the app nor at the root",
      files: { "backend/package.json": manifest("backend") },
      folder: "backend",
      phrases: ["no pnpm-lock.yaml in", "nor a pnpm workspace at the repository root", "expected a lockfile: drydock installs with --frozen-lockfile"],
    },
    {
      name: "no lockfile for an app at the repository root",
      files: { "package.json": manifest("root"), "pnpm-workspace.yaml": "packages:\n  - packages/*\n" },
      folder: ".",
      phrases: ["no pnpm-lock.yaml", "expected a lockfile: drydock installs with --frozen-lockfile"],
    },
    {
      name: "a workspace at the root without its lockfile",
      files: { "package.json": manifest("root"), "pnpm-workspace.yaml": "packages:\n  - services/*\n", "services/api/package.json": manifest("api") },
      folder: "services/api",
      phrases: ["no pnpm-lock.yaml in", "and none at the repository root beside pnpm-workspace.yaml", "a workspace member installs from the"],
    },
    {
      name: "a root lockfile that does not list the app",
      files: {
        "package.json": manifest("root"),
        "pnpm-workspace.yaml": "packages:\n  - services/web\n",
        "pnpm-lock.yaml": lockfile({ ".": {}, "services/web": {} }),
        "services/api/package.json": manifest("api"),
        "services/web/package.json": manifest("web"),
      },
      folder: "services/api",
      phrases: ['pnpm-lock.yaml has no project "services/api"', "pnpm-workspace.yaml", "commit pnpm-lock.yaml"],
    },
    {
      name: "a root lockfile of a plain project, without a workspace",
      files: { "package.json": manifest("root"), "pnpm-lock.yaml": lockfile({ ".": { dependencies: { zod: "4.0.0" } } }), "backend/package.json": manifest("backend") },
      folder: "backend",
      phrases: ['pnpm-lock.yaml has no project "backend"', "pnpm-workspace.yaml"],
    },
    {
      name: "an app's own lockfile listing a project outside the repository",
      files: {
        "backend/package.json": manifest("backend"),
        "backend/pnpm-lock.yaml": lockfile({ ".": {}, "../../evil": {} }),
      },
      folder: "backend",
      phrases: ['the project "../../evil" in backend/pnpm-lock.yaml, outside the'],
    },
    {
      name: "an app's own link leaving the repository",
      files: {
        "backend/package.json": manifest("backend"),
        "backend/pnpm-lock.yaml": lockfile({ ".": { dependencies: { "@acme/outside": "link:../../outside" } } }),
      },
      folder: "backend",
      phrases: ['a dependency of "backend" linked to "../../outside", outside the', "or publish the package and depend on a version"],
    },
    {
      name: "an absolute link",
      files: {
        "backend/package.json": manifest("backend"),
        "backend/pnpm-lock.yaml": lockfile({ ".": { dependencies: { "@acme/opt": "link:/opt/lib" } } }),
      },
      folder: "backend",
      phrases: ['a dependency of "backend" linked to "/opt/lib", outside the'],
    },
    {
      name: "a link leaving the repository through a chain of workspace packages",
      files: {
        "package.json": manifest("root"),
        "pnpm-workspace.yaml": "packages:\n  - apps/*\n  - packages/*\n",
        "pnpm-lock.yaml": lockfile({
          ".": {},
          "apps/api": { dependencies: { "@acme/a": "link:../../packages/a" } },
          "packages/a": { dependencies: { "@acme/far": "link:../../../far" } },
        }),
        "apps/api/package.json": manifest("api"),
        "packages/a/package.json": manifest("@acme/a"),
      },
      folder: "apps/api",
      phrases: ['a dependency of "packages/a" linked to "../../../far", outside the'],
    },
  ])("$name", ({ files, folder, phrases }) => {
    expectBothFail(tree(files), folder, phrases);
  });

  const perApp = {
    "backend/package.json": manifest("backend"),
    "backend/pnpm-lock.yaml": lockfile({ ".": { dependencies: { "@acme/shared": "link:../shared" } } }),
  };

  it("a linked folder that is missing: the program fails (source.ts checks it for the plan)", () => {
    const context = tree(perApp);
    expect(tsLayout(context, "backend").localPackages).toEqual(["shared"]);
    expectProgramFails(context, "backend", ['found no folder "shared", which "backend" links to (link:../shared in its lockfile)']);
  });

  it.each([
    { given: "/backend", phrases: ['found "/backend", expected a folder inside the build context'] },
    { given: "..", phrases: ['found "..", expected a folder inside the build context'] },
    { given: "../backend", phrases: ['found "../backend", expected a folder inside the build context'] },
    { given: "backend/../../backend", phrases: ['found "backend/../../backend", expected a folder inside the build context'] },
    { given: "frontend", phrases: ['found no folder "frontend" in the build context'] },
    { given: "backend/src", phrases: ["found no backend/src/package.json, expected the app manifest"] },
  ])("APP_DIR=$given: the program fails", ({ given, phrases }) => {
    expectProgramFails(tree({ ...perApp, "backend/src/main.js": "", "shared/package.json": manifest("@acme/shared") }), given, phrases);
  });
});

// ---------------------------------------------------------------------------------------------
// The backend's Prisma: detectPrisma (the Dagger plan) and the program's PRISMA argument (Dockerfile.backend)

/**
 * A folder on disk as detectPrisma and appSource read a Directory: `exists` (following a symlink
 * unless told not to, as Dagger's does), `file(path).contents()`, `directory`, `entries`, and a
 * link's target as symlinks.ts reads it — filter, changes, asPatch — answered with the patch git
 * writes, as the engine's is.
 */
function diskDirectory(root: string): Directory {
  const isLink = (full: string) => {
    try {
      return lstatSync(full).isSymbolicLink();
    } catch {
      return false;
    }
  };
  const fake = {
    exists: async (p: string, opts?: { expectedType?: ExistsType; doNotFollowSymlinks?: boolean }) => {
      const full = path.join(root, p);
      if ((opts?.doNotFollowSymlinks === true || opts?.expectedType === ExistsType.SymlinkType) && isLink(full)) {
        return opts.expectedType === undefined || opts.expectedType === ExistsType.SymlinkType;
      }
      if (opts?.expectedType === ExistsType.SymlinkType || !existsSync(full)) return false;
      const stat = statSync(full);
      switch (opts?.expectedType) {
        case ExistsType.RegularType:
          return stat.isFile();
        case ExistsType.DirectoryType:
          return stat.isDirectory();
        case undefined:
          return true;
        default:
          throw new Error(`diskDirectory: detectPrisma asked for ${opts?.expectedType}, which this fake does not answer`);
      }
    },
    file: (p: string) => ({ contents: async () => readFileSync(path.join(root, p), "utf8") }),
    directory: (p: string) => diskDirectory(path.join(root, p)),
    entries: async (opts?: { path?: string }) => readdirSync(path.join(root, opts?.path ?? ".")),
    filter: ({ include }: { include: string[] }) => ({ changes: () => ({ asPatch: () => ({ contents: async () => symlinkPatch(root, include[0]!) }) }) }),
  };
  return fake as unknown as Directory;
}

/** detectPrisma over the app folder `folder` of `context`: what it found, or the error it threw. */
async function tsPrisma(context: string, folder: string): Promise<{ schema: PrismaSchema | undefined } | { error: unknown }> {
  try {
    return { schema: await detectPrisma(diskDirectory(path.join(context, folder)), folder) };
  } catch (error) {
    return { error };
  }
}

interface PrismaRun {
  status: number | null;
  stderr: string;
  /** Whether it made <out>/prisma at all. */
  wrote: boolean;
  /** What it wrote under <out>/prisma, repo-relative. */
  prisma: string[];
}

/** LAYOUT_PROGRAM as Dockerfile.backend runs it: `node -e LAYOUT_PROGRAM <context> <APP_DIR> <out> [--prisma=<PRISMA>]`. */
function runPrismaProgram(context: string, folder: string, prisma?: string): PrismaRun {
  const out = tempDir("out");
  const args = ["-e", LAYOUT_PROGRAM, context, folder, out, ...(prisma === undefined ? [] : [`--prisma=${prisma}`])];
  const run = spawnSync(process.execPath, args, { encoding: "utf8" });
  return { status: run.status, stderr: run.stderr, wrote: existsSync(path.join(out, "prisma")), prisma: filesUnder(path.join(out, "prisma"), new Set()) };
}

/** The files of the app folder detectPrisma's `inputs` keep (as Directory.filter would), repo-relative. */
function prismaPlanFiles(context: string, folder: string, schema: PrismaSchema | undefined): string[] {
  if (schema === undefined) return [];
  const isMatch = picomatch([...schema.inputs], { dot: true });
  return sourceFiles(path.join(context, folder))
    .filter((file) => isMatch(file))
    .map((file) => path.posix.join(folder, file));
}

/**
 * Both over one tree, the program with PRISMA=on when detectPrisma finds a schema and off when it
 * finds none: they must succeed and keep the same files. Returns what they decided.
 */
async function expectPrismaAgreement(context: string, folder: string): Promise<{ schema: PrismaSchema | undefined; files: string[] }> {
  const ts = await tsPrisma(context, folder);
  if ("error" in ts) throw ts.error;
  const program = runPrismaProgram(context, folder, ts.schema === undefined ? "off" : "on");
  expect(program.stderr).toBe("");
  expect(program.status).toBe(0);
  expect(program.wrote).toBe(true);
  expect(program.prisma).toEqual(prismaPlanFiles(context, folder, ts.schema));
  return { schema: ts.schema, files: program.prisma };
}

/** Both over one tree, the program with PRISMA=on and with off: they must fail, and say the same. */
async function expectPrismaBothFail(context: string, folder: string, phrases: string[]): Promise<void> {
  const ts = await tsPrisma(context, folder);
  expect("error" in ts ? ts.error : ts.schema).toBeInstanceOf(SourceError);
  const message = (ts as { error: SourceError }).error.message;
  for (const prisma of ["on", "off"]) {
    const program = runPrismaProgram(context, folder, prisma);
    expect(program.status).toBe(1);
    expect(program.stderr.startsWith("PRISMA: ")).toBe(true);
    for (const phrase of phrases) {
      expect(message).toContain(phrase);
      expect(program.stderr).toContain(phrase);
    }
  }
}

/** The program alone, with this PRISMA, fails (the on/off checks are the Dockerfile's: the plan detects, it is not told). */
function expectPrismaProgramFails(context: string, folder: string, prisma: string, phrases: string[]): void {
  const program = runPrismaProgram(context, folder, prisma);
  expect(program.status).toBe(1);
  expect(program.stderr.startsWith("PRISMA: ")).toBe(true);
  for (const phrase of phrases) expect(program.stderr).toContain(phrase);
}

/** A backend with its own lockfile (so the install layout passes) and these files in its folder. */
function backendTree(files: Record<string, string>, folder = "backend"): string {
  const inApp = (file: string) => path.posix.join(folder, file);
  return tree({
    [inApp("package.json")]: manifest("backend"),
    [inApp("pnpm-lock.yaml")]: lockfile({ ".": { dependencies: { "@prisma/client": "7.0.0" } } }),
    [inApp("src/main.ts")]: "",
    ...Object.fromEntries(Object.entries(files).map(([file, text]) => [inApp(file), text])),
  });
}

const MODEL = "model User {\n  id Int @id\n}\n";
const GENERATOR = 'generator client {\n  provider = "prisma-client"\n  output   = "../src/generated/prisma"\n}\n';
const config = (schema: string) => `import { defineConfig } from "prisma/config";\n\nexport default defineConfig({\n  ${schema}\n});\n`;

/** A backend's files and what both must decide: the schema (undefined: no Prisma), the inputs, the files written. */
interface PrismaCase {
  name: string;
  files: Record<string, string>;
  folder?: string;
  schema: string | undefined;
  inputs?: string[];
  prisma: string[];
}

/** A backend's files and phrases both error messages must hold. */
interface PrismaErrorCase {
  name: string;
  files: Record<string, string>;
  phrases: string[];
}

describe("the backend's Prisma: detectPrisma and PRISMA=on|off decide the same", () => {
  it("examples/app backend (config naming prisma/schema.prisma, with migrations)", async () => {
    const decided = await expectPrismaAgreement(path.join(repoRoot, "examples/app"), "backend");
    expect(decided.schema).toEqual({ path: "prisma/schema.prisma", inputs: [...PRISMA_CONFIG_FILES, "prisma/**", TSCONFIG_FILES] });
    expect(decided.files).toContain("backend/prisma.config.ts");
    expect(decided.files).toContain("backend/prisma/schema.prisma");
    expect(decided.files.some((file) => file.startsWith("backend/prisma/migrations/"))).toBe(true);
    expect(decided.files).toContain("backend/tsconfig.json");
    expect(decided.files.every((file) => file === "backend/prisma.config.ts" || file.startsWith("backend/prisma/") || /^backend\/tsconfig[^/]*[.]json$/.test(file))).toBe(true);
  });

  it.each<PrismaCase>([
    {
      // Prisma's generator takes the import extension of its code from the nearest tsconfig.json above its output:
      // every tsconfig*.json of the app folder goes with the schema, node_modules' never.
      name: "the app's TypeScript settings, at the root and beside the output, with the schema",
      files: {
        "prisma/schema.prisma": GENERATOR + MODEL,
        "tsconfig.json": '{ "extends": "./tsconfig.base.json" }\n',
        "tsconfig.base.json": '{ "compilerOptions": { "module": "nodenext" } }\n',
        "src/generated/tsconfig.json": "{}\n",
        "node_modules/x/tsconfig.json": "{}\n",
        "tsconfig.notes.txt": "",
      },
      schema: "prisma/schema.prisma",
      inputs: [...PRISMA_CONFIG_FILES, "prisma/**", TSCONFIG_FILES],
      prisma: ["backend/prisma/schema.prisma", "backend/src/generated/tsconfig.json", "backend/tsconfig.base.json", "backend/tsconfig.json"],
    },
    {
      name: "no config, the default layout (migrations beside the schema)",
      files: { "prisma/schema.prisma": GENERATOR + MODEL, "prisma/migrations/0_init/migration.sql": "CREATE TABLE x();\n", "prisma/migrations/migration_lock.toml": "" },
      schema: "prisma/schema.prisma",
      inputs: [...PRISMA_CONFIG_FILES, "prisma/**", TSCONFIG_FILES],
      prisma: ["backend/prisma/migrations/0_init/migration.sql", "backend/prisma/migrations/migration_lock.toml", "backend/prisma/schema.prisma"],
    },
    {
      name: "neither a config nor the default schema: no Prisma (PRISMA=off writes an empty folder)",
      files: { "src/other.prisma": MODEL, "schema.prisma": MODEL },
      schema: undefined,
      prisma: [],
    },
    {
      name: 'a config naming "db/schema.prisma"',
      files: { "prisma.config.ts": config('schema: "db/schema.prisma",'), "db/schema.prisma": MODEL, "db/seed.sql": "", "prisma/schema.prisma": "// not this one\n" },
      schema: "db/schema.prisma",
      inputs: [...PRISMA_CONFIG_FILES, "db/**", TSCONFIG_FILES],
      prisma: ["backend/db/schema.prisma", "backend/db/seed.sql", "backend/prisma.config.ts"],
    },
    {
      name: "a single-quoted literal",
      files: { "prisma.config.ts": config("schema: 'db/schema.prisma',"), "db/schema.prisma": MODEL },
      schema: "db/schema.prisma",
      prisma: ["backend/db/schema.prisma", "backend/prisma.config.ts"],
    },
    {
      name: "a backtick literal (no substitution)",
      files: { "prisma.config.ts": config("schema: `db/schema.prisma`,"), "db/schema.prisma": MODEL },
      schema: "db/schema.prisma",
      prisma: ["backend/db/schema.prisma", "backend/prisma.config.ts"],
    },
    {
      name: "a quoted key, a tab before the literal and spaces inside it",
      files: { "prisma.config.ts": config('"schema":\t" db/schema.prisma ",'), "db/schema.prisma": MODEL },
      schema: "db/schema.prisma",
      prisma: ["backend/db/schema.prisma", "backend/prisma.config.ts"],
    },
    {
      name: 'a schema folder, "prisma/schema" with several .prisma files (migrations beside it left out)',
      files: {
        "prisma.config.ts": config('schema: "prisma/schema",'),
        "prisma/schema/schema.prisma": GENERATOR,
        "prisma/schema/user.prisma": MODEL,
        "prisma/schema/post.prisma": "model Post {\n  id Int @id\n}\n",
        "prisma/schema/nested/tag.prisma": "model Tag {\n  id Int @id\n}\n",
        "prisma/migrations/0_init/migration.sql": "",
      },
      schema: "prisma/schema",
      inputs: [...PRISMA_CONFIG_FILES, "prisma/schema/**", TSCONFIG_FILES],
      prisma: ["backend/prisma.config.ts", "backend/prisma/schema/nested/tag.prisma", "backend/prisma/schema/post.prisma", "backend/prisma/schema/schema.prisma", "backend/prisma/schema/user.prisma"],
    },
    {
      name: 'a schema folder named with a trailing slash, "./db/"',
      files: { "prisma.config.ts": config('schema: "./db/",'), "db/a.prisma": GENERATOR, "db/b.prisma": MODEL },
      schema: "db",
      inputs: [...PRISMA_CONFIG_FILES, "db/**", TSCONFIG_FILES],
      prisma: ["backend/db/a.prisma", "backend/db/b.prisma", "backend/prisma.config.ts"],
    },
    {
      name: 'the schema at the app root, "schema.prisma": the file alone',
      files: { "prisma.config.ts": config('schema: "schema.prisma",'), "schema.prisma": MODEL, "seed.ts": "", "prisma/readme.md": "" },
      schema: "schema.prisma",
      inputs: [...PRISMA_CONFIG_FILES, "schema.prisma", TSCONFIG_FILES],
      prisma: ["backend/prisma.config.ts", "backend/schema.prisma"],
    },
    {
      name: '"./prisma/schema.prisma", normalised',
      files: { "prisma.config.ts": config('schema: "./prisma//schema.prisma",'), "prisma/schema.prisma": MODEL },
      schema: "prisma/schema.prisma",
      inputs: [...PRISMA_CONFIG_FILES, "prisma/**", TSCONFIG_FILES],
      prisma: ["backend/prisma.config.ts", "backend/prisma/schema.prisma"],
    },
    {
      // Documented on SCHEMA_LITERAL: the first literal in the text, a commented-out one included.
      name: "a commented-out literal first: both take it, not the live one after it",
      files: {
        "prisma.config.ts": config('// schema: "legacy/schema.prisma",\n  schema: "db/schema.prisma",'),
        "legacy/schema.prisma": MODEL,
        "db/schema.prisma": MODEL,
      },
      schema: "legacy/schema.prisma",
      inputs: [...PRISMA_CONFIG_FILES, "legacy/**", TSCONFIG_FILES],
      prisma: ["backend/legacy/schema.prisma", "backend/prisma.config.ts"],
    },
    {
      name: "a computed path (path.join) with the default schema present: the default",
      files: { "prisma.config.ts": `import path from "node:path";\n${config('schema: path.join("db", "schema.prisma"),')}`, "db/schema.prisma": MODEL, "prisma/schema.prisma": MODEL },
      schema: "prisma/schema.prisma",
      inputs: [...PRISMA_CONFIG_FILES, "prisma/**", TSCONFIG_FILES],
      prisma: ["backend/prisma.config.ts", "backend/prisma/schema.prisma"],
    },
    {
      name: "prisma.config.mjs alone",
      files: { "prisma.config.mjs": 'export default { schema: "db/schema.prisma" };\n', "db/schema.prisma": MODEL },
      schema: "db/schema.prisma",
      prisma: ["backend/db/schema.prisma", "backend/prisma.config.mjs"],
    },
    {
      name: "two configs: prisma.config.ts wins over prisma.config.js, and both are kept",
      files: {
        "prisma.config.ts": config('schema: "db/schema.prisma",'),
        "prisma.config.js": 'module.exports = { schema: "other/schema.prisma" };\n',
        "db/schema.prisma": MODEL,
        "other/schema.prisma": MODEL,
      },
      schema: "db/schema.prisma",
      inputs: [...PRISMA_CONFIG_FILES, "db/**", TSCONFIG_FILES],
      prisma: ["backend/db/schema.prisma", "backend/prisma.config.js", "backend/prisma.config.ts"],
    },
    {
      name: "an app deeper in the repository (services/api)",
      folder: "services/api",
      files: { "prisma.config.cts": config('schema: "db/schema.prisma",'), "db/schema.prisma": MODEL },
      schema: "db/schema.prisma",
      prisma: ["services/api/db/schema.prisma", "services/api/prisma.config.cts"],
    },
    {
      name: "the app at the repository root (APP_DIR=.)",
      folder: ".",
      files: { "prisma/schema.prisma": MODEL },
      schema: "prisma/schema.prisma",
      prisma: ["prisma/schema.prisma"],
    },
  ])("$name", async ({ files, folder = "backend", schema, inputs, prisma }) => {
    const decided = await expectPrismaAgreement(backendTree(files, folder), folder);
    expect(decided.schema?.path).toBe(schema);
    if (inputs !== undefined) expect(decided.schema?.inputs).toEqual(inputs);
    expect(decided.files).toEqual(prisma);
  });

  it.each<PrismaErrorCase>([
    {
      name: "a computed path (path.join) without the default schema",
      files: { "prisma.config.ts": `import path from "node:path";\n${config('schema: path.join("db", "schema.prisma"),')}`, "db/schema.prisma": MODEL },
      phrases: ["backend/prisma.config.ts: ", 'schema: "<path>"', "string literal, and no backend/prisma/schema.prisma", "move the schema to prisma/schema.prisma"],
    },
    {
      name: "a config with no schema key and no default schema",
      files: { "prisma.config.ts": config('migrations: { path: "db/migrations" },') },
      phrases: ["backend/prisma.config.ts: ", "string literal, and no backend/prisma/schema.prisma"],
    },
    {
      name: "an absolute path",
      files: { "prisma.config.ts": config('schema: "/srv/db/schema.prisma",'), "prisma/schema.prisma": MODEL },
      phrases: ["backend/prisma.config.ts: schema: found ", '"/srv/db/schema.prisma"', "expected a path inside backend", "move the schema into the backend"],
    },
    {
      name: "a Windows drive path",
      files: { "prisma.config.ts": config('schema: "C:/db/schema.prisma",') },
      phrases: ["backend/prisma.config.ts: schema: found ", '"C:/db/schema.prisma"', "expected a path inside backend"],
    },
    {
      name: '"../shared/schema.prisma", leaving the app folder (present in the repository)',
      files: { "prisma.config.ts": config('schema: "../shared/schema.prisma",'), "../shared/schema.prisma": MODEL },
      phrases: ["backend/prisma.config.ts: schema: found ", '"../shared/schema.prisma"', "expected a path inside backend"],
    },
    {
      name: '"db/../../x.prisma", leaving it after normalising',
      files: { "prisma.config.ts": config('schema: "db/../../x.prisma",'), "db/schema.prisma": MODEL },
      phrases: ["backend/prisma.config.ts: schema: found ", '"db/../../x.prisma"', "expected a path inside backend"],
    },
    {
      name: '".", naming the app folder itself',
      files: { "prisma.config.ts": config('schema: ".",'), "prisma/schema.prisma": MODEL },
      phrases: ["backend/prisma.config.ts: schema: found ", '"."', "expected a path inside backend"],
    },
    {
      name: "a literal naming a missing file (the default schema present: no fallback)",
      files: { "prisma.config.ts": config('schema: "db/schema.prisma",'), "prisma/schema.prisma": MODEL },
      phrases: ["backend/prisma.config.ts: schema: found ", '"db/schema.prisma", which is not in the', "commit the schema"],
    },
    {
      name: "a commented-out literal first, naming a file that is gone: fails though the live one exists",
      files: { "prisma.config.ts": config('// schema: "legacy/schema.prisma",\n  schema: "db/schema.prisma",'), "db/schema.prisma": MODEL },
      phrases: ["backend/prisma.config.ts: schema: found ", '"legacy/schema.prisma", which is not in the'],
    },
    {
      name: "two configs: the ts one's missing schema fails though the js one's exists",
      files: { "prisma.config.ts": config('schema: "db/schema.prisma",'), "prisma.config.js": 'module.exports = { schema: "other/schema.prisma" };\n', "other/schema.prisma": MODEL },
      phrases: ["backend/prisma.config.ts: schema: found ", '"db/schema.prisma", which is not in the'],
    },
  ])("both fail: $name", async ({ files, phrases }) => {
    await expectPrismaBothFail(backendTree(files), "backend", phrases);
  });

  describe("the program alone: the PRISMA argument", () => {
    const withSchema = () => backendTree({ "prisma/schema.prisma": MODEL });
    const withoutPrisma = () => backendTree({});

    it("PRISMA=off with a schema fails", () => {
      expectPrismaProgramFails(withSchema(), "backend", "off", ["found the Prisma schema backend/prisma/schema.prisma, expected none with PRISMA=off"]);
    });

    it("PRISMA=off with a config naming a schema fails", () => {
      const context = backendTree({ "prisma.config.ts": config('schema: "db/schema.prisma",'), "db/schema.prisma": MODEL });
      expectPrismaProgramFails(context, "backend", "off", ["found the Prisma schema backend/db/schema.prisma, expected none with PRISMA=off"]);
    });

    it("PRISMA=on without Prisma fails", () => {
      expectPrismaProgramFails(withoutPrisma(), "backend", "on", ["found no Prisma schema in backend", "expected one with PRISMA=on", "--build-arg PRISMA=off"]);
    });

    it.each(["maybe", "", "ON", "true"])("PRISMA=%j fails", (prisma) => {
      expectPrismaProgramFails(withSchema(), "backend", prisma, [`found ${JSON.stringify(prisma)}, expected on (the backend uses Prisma) or off`]);
    });

    it("without the fourth argument (Dockerfile.frontend) it writes no prisma folder, whatever the source holds", () => {
      for (const context of [withSchema(), withoutPrisma(), path.join(repoRoot, "examples/app")]) {
        const program = runPrismaProgram(context, "backend");
        expect(program.stderr).toBe("");
        expect(program.status).toBe(0);
        expect(program.wrote).toBe(false);
      }
    });

    it("a Prisma failure comes after the install layout's: APP_DIR is checked first", () => {
      const program = runPrismaProgram(withSchema(), "frontend", "maybe");
      expect(program.status).toBe(1);
      expect(program.stderr.startsWith("APP_DIR: ")).toBe(true);
    });
  });
});

/**
 * `--pnpm=<PNPM_VERSION>`: the pnpm the Dockerfile installs must be the one the install root's
 * package.json names in packageManager — the one the Dagger build installs (appPnpmVersion), so
 * both refuse the same manifests.
 */
describe("the pnpm version: --pnpm and appPnpmVersion refuse the same manifests", () => {
  const LOCKFILE = "lockfileVersion: '9.0'\n\nimporters:\n\n  .:\n    dependencies: {}\n";
  const app = (packageManager: unknown) => tree({ "api/package.json": JSON.stringify({ name: "api", ...(packageManager === undefined ? {} : { packageManager }) }), "api/pnpm-lock.yaml": LOCKFILE });
  const runWith = (context: string, folder: string, pnpm: string) => {
    const run = spawnSync(process.execPath, ["-e", LAYOUT_PROGRAM, context, folder, tempDir("out"), `--pnpm=${pnpm}`], { encoding: "utf8" });
    return { status: run.status, stderr: run.stderr.trim() };
  };
  const dagger = (context: string, folder: string) => appPnpmVersion({ manifest: readFileSync(path.join(context, folder, "package.json"), "utf8"), lockfile: LOCKFILE }, folder);

  it.each(["examples/app/backend", "examples/app/frontend"])("accepts the version %s names", (folder) => {
    expect(runWith(repoRoot, folder, "12.4.2")).toEqual({ status: 0, stderr: "" });
  });

  it("reads a workspace member's pnpm from the workspace root's package.json", () => {
    expect(runWith(repoRoot, "examples/workspace/services/api", "12.4.2").status, "examples/workspace is no root here").not.toBe(0);
    expect(runWith(path.join(repoRoot, "examples/workspace"), "services/api", "12.4.2")).toEqual({ status: 0, stderr: "" });
    expect(runWith(path.join(repoRoot, "examples/workspace"), "services/api", "12.5.0").stderr).toBe(
      'PNPM_VERSION: found packageManager "pnpm@12.4.2" in package.json, expected "pnpm@12.5.0" (PNPM_VERSION), or pnpm would switch versions - pass --build-arg PNPM_VERSION=<the version packageManager names>, or set packageManager to "pnpm@12.5.0"',
    );
  });

  it.each([
    { name: "another version", packageManager: "pnpm@12.5.0", docker: 'found packageManager "pnpm@12.5.0" in api/package.json, expected "pnpm@12.4.2" (PNPM_VERSION)', dagger: undefined },
    { name: "no packageManager", packageManager: undefined, docker: "found no packageManager in api/package.json", dagger: "no such field" },
    { name: "another package manager", packageManager: "yarn@4.1.0", docker: 'found packageManager "yarn@4.1.0" in api/package.json', dagger: '"yarn@4.1.0"' },
    { name: "a hash suffix", packageManager: `pnpm@12.4.2+sha512.${"ab".repeat(64)}`, docker: 'expected "pnpm@12.4.2" - drop the +sha suffix', dagger: 'drop the "+sha512…" suffix' },
  ])("refuses $name", ({ packageManager, docker, dagger: daggerSays }) => {
    const context = app(packageManager);
    const run = runWith(context, "api", "12.4.2");
    expect(run.status).toBe(1);
    expect(run.stderr.startsWith("PNPM_VERSION: ")).toBe(true);
    expect(run.stderr).toContain(docker);
    // The Dagger build installs packageManager's version, so "another version" is no error there: it installs 12.5.0.
    if (daggerSays === undefined) expect(dagger(context, "api")).toBe("12.5.0");
    else expect(() => dagger(context, "api")).toThrow(daggerSays);
  });

  it("refuses a malformed PNPM_VERSION with the deps stage's own words, whichever stage fails first", () => {
    expect(runWith(app("pnpm@12.4.2"), "api", "npm:evil@1.0.0").stderr).toBe(
      'PNPM_VERSION: found "npm:evil@1.0.0", expected MAJOR.MINOR.PATCH like 12.4.2 - set it to the version that packageManager names, without a +sha512 suffix',
    );
  });
});

describe("what only one side reads", () => {
  it("a lockfile that is not YAML (a merge conflict) is refused by installLayout, naming the file; the program finds no project in it", () => {
    const text = `${lockfile({ ".": {}, "services/api": {} })}<<<<<<< HEAD\n  services/web: {}\n=======\n>>>>>>> main\n`;
    expect(() => installLayout({ folder: "services/api", setting: SETTING, rootLockfile: text, rootHasWorkspaceFile: true })).toThrow("pnpm-lock.yaml: found text that is not YAML");
  });

  it("a workspace root without package.json fails the program, naming it (source.ts refuses it on the Dagger side)", () => {
    const context = tree({ "pnpm-workspace.yaml": "packages:\n  - services/*\n", "pnpm-lock.yaml": lockfile({ ".": {}, "services/api": {} }), "services/api/package.json": manifest("api") });
    const run = runProgram(context, "services/api");
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("APP_DIR: found no package.json, expected the manifest beside pnpm-lock.yaml - commit it");
  });

});

// ---------------------------------------------------------------------------------------------
// Symlinks: LAYOUT_PROGRAM's noLink and symlinks.ts's refuseSymlinks (through appSource and
// detectPrisma) refuse a symlink on the path of any input, and leave a link inside an input folder
// a link. The bind mount of the layout stage resolves a link in the build stage's own filesystem,
// the engine inside the source: reading through it, the two builds would differ, and the first
// read the build image's /etc.

/** A folder outside every tree: a manifest and a file no build may read. */
const OUTSIDE = tree({ "package.json": manifest("outside"), "secret.txt": "OUTSIDE\n" });

/** `tree(files)` and these symlinks (path → target, written as given). */
function treeWithLinks(files: Record<string, string>, links: Record<string, string>): string {
  return addLinks(tree(files), links);
}

function addLinks(dir: string, links: Record<string, string>): string {
  for (const [link, target] of Object.entries(links)) {
    mkdirSync(path.dirname(path.join(dir, link)), { recursive: true });
    symlinkSync(target, path.join(dir, link));
  }
  return dir;
}

/** appSource, the Dagger build's reading of the source, over the tree on disk: what it found, or what it threw. */
async function daggerSource(context: string, folder: string): Promise<unknown> {
  try {
    return await appSource(diskDirectory(context), folder, { file: "security-config.yml", key: "apps.backend.path" });
  } catch (error) {
    return error;
  }
}

/** Both refuse the tree, saying the same. Returns what the program wrote before it stopped. */
async function expectBothRefuse(context: string, folder: string, phrases: string[]): Promise<ProgramRun> {
  const error = await daggerSource(context, folder);
  expect(error).toBeInstanceOf(SourceError);
  const program = runProgram(context, folder);
  expect(program.status, program.stderr).toBe(1);
  expect(program.stderr.startsWith("APP_DIR: ")).toBe(true);
  for (const phrase of phrases) {
    expect((error as SourceError).message).toContain(phrase);
    expect(program.stderr).toContain(phrase);
  }
  return program;
}

const ownLockfile = (importer: Importer = {}) => ({ "backend/package.json": manifest("backend"), "backend/pnpm-lock.yaml": lockfile({ ".": importer }) });
const workspaceFiles = (importers: Record<string, Importer>) => ({
  "package.json": manifest("root"),
  "pnpm-workspace.yaml": "packages:\n  - services/*\n  - packages/*\n",
  "pnpm-lock.yaml": lockfile({ ".": {}, "services/api": {}, ...importers }),
  "services/api/package.json": manifest("api"),
});

describe("symlinks: both refuse a link on the path of an input", () => {
  it("a folder linked to / and a local package in it (packages/evil -> /, link:../packages/evil/etc): nothing of /etc is copied", async () => {
    const context = treeWithLinks(ownLockfile({ dependencies: { evil: "link:../packages/evil/etc" } }), { "packages/evil": "/" });
    const program = await expectBothRefuse(context, "backend", [
      'packages/evil: found a symlink to "/", expected a folder inside the ',
      ", not a link (packages/evil/etc, a local package the app links to)",
      "replace the link with the folder it points to, or drop the package from pnpm-workspace.yaml and the dependencies, and run ",
    ]);
    expect(program.packages).toEqual([]);
  });

  it.each<{ name: string; files: Record<string, string>; links: Record<string, string>; folder: string; phrases: string[] }>([
    {
      name: "a workspace project behind a link out of the repository",
      files: workspaceFiles({ "packages/ext": {} }),
      links: { "packages/ext": OUTSIDE },
      folder: "services/api",
      phrases: [`packages/ext: found a symlink to ${JSON.stringify(OUTSIDE)}, expected a folder inside the `, "(packages/ext/package.json, an input of the install)", "or drop the project from pnpm-workspace.yaml"],
    },
    {
      name: "a local package that is a link to a folder inside the repository",
      files: { ...ownLockfile({ dependencies: { "@acme/shared": "link:../shared" } }), "libs/shared/package.json": manifest("@acme/shared") },
      links: { shared: "libs/shared" },
      folder: "backend",
      phrases: ['shared: found a symlink to "libs/shared", expected a folder inside the ', "(shared, a local package the app links to)"],
    },
    {
      name: "the app folder, a link to a folder inside the repository",
      files: { "real/backend/package.json": manifest("backend"), "real/backend/pnpm-lock.yaml": lockfile({ ".": {} }) },
      links: { backend: "real/backend" },
      folder: "backend",
      phrases: ['backend: found a symlink to "real/backend", expected a folder inside the ', ", not a link (backend, the app folder)", "replace the link with the folder it points to, or "],
    },
    {
      name: "the app folder below a link",
      files: { "real/backend/package.json": manifest("backend"), "real/backend/pnpm-lock.yaml": lockfile({ ".": {} }) },
      links: { apps: "real" },
      folder: "apps/backend",
      phrases: ['apps: found a symlink to "real", expected a folder inside the ', "(apps/backend, the app folder)"],
    },
    {
      name: "the app's manifest, a link to a file beside it",
      files: { "backend/pnpm-lock.yaml": lockfile({ ".": {} }), "backend/real.json": manifest("backend") },
      links: { "backend/package.json": "real.json" },
      folder: "backend",
      phrases: ['backend/package.json: found a symlink to "real.json", expected a file inside the ', "(backend/package.json, an input of the install)", "replace the link with the file it points to"],
    },
    {
      name: "the workspace's lockfile, a link",
      files: { ...workspaceFiles({}), "pnpm-lock.yaml": "", "locks/pnpm-lock.yaml": lockfile({ ".": {}, "services/api": {} }) },
      links: { "pnpm-lock.yaml": "locks/pnpm-lock.yaml" },
      folder: "services/api",
      phrases: ['pnpm-lock.yaml: found a symlink to "locks/pnpm-lock.yaml", expected a file inside the ', "(pnpm-lock.yaml, an input of the install)"],
    },
    {
      name: "pnpm-workspace.yaml, a link",
      files: { ...workspaceFiles({}), "pnpm-workspace.yaml": "", "config/workspace.yaml": "packages:\n  - services/*\n" },
      links: { "pnpm-workspace.yaml": "config/workspace.yaml" },
      folder: "services/api",
      phrases: ['pnpm-workspace.yaml: found a symlink to "config/workspace.yaml", expected a file inside the ', "(pnpm-workspace.yaml, an input of the install)"],
    },
    {
      name: "a pnpmfile linked out of the repository",
      files: ownLockfile(),
      links: { "backend/.pnpmfile.cjs": "/etc/passwd" },
      folder: "backend",
      phrases: ['backend/.pnpmfile.cjs: found a symlink to "/etc/passwd", expected a file inside the ', "(backend/.pnpmfile.cjs, an input of the install)"],
    },
  ])("$name", async ({ files, links, folder, phrases }) => {
    // tree() writes the files first; a link replaces a placeholder written at its path.
    const context = tree(files);
    for (const link of Object.keys(links)) rmSync(path.join(context, link), { force: true });
    const program = await expectBothRefuse(addLinks(context, links), folder, phrases);
    expect([...program.install, ...program.packages].filter((file) => file.startsWith("packages/ext/"))).toEqual([]);
  });
});

describe("symlinks: a link inside an input folder is copied as the link it is, by both", () => {
  it("links in a local package, to a file beside them, to / and out of the repository", async () => {
    const context = treeWithLinks(
      { ...ownLockfile({ dependencies: { "@acme/shared": "link:../shared" } }), "shared/package.json": manifest("@acme/shared"), "shared/index.js": "" },
      { "shared/alias.js": "index.js", "shared/root": "/", "shared/out": OUTSIDE },
    );
    const decided = expectAgreement(context, "backend");
    expect(decided.packages).toEqual(["shared/alias.js", "shared/index.js", "shared/out", "shared/package.json", "shared/root"]);
    expect(await daggerSource(context, "backend")).toMatchObject({ layout: { localPackages: ["shared"] } });
    const out = tempDir("out");
    expect(spawnSync(process.execPath, ["-e", LAYOUT_PROGRAM, context, "backend", out], { encoding: "utf8" }).status).toBe(0);
    const copied = (link: string) => readlinkSync(path.join(out, "packages/shared", link));
    expect([copied("alias.js"), copied("root"), copied("out")]).toEqual(["index.js", "/", OUTSIDE]);
  });

  it("links in the app's own source: no input of the layout", async () => {
    const context = treeWithLinks({ ...ownLockfile(), "backend/src/main.ts": "" }, { "backend/src/alias.ts": "main.ts", "backend/src/etc": "/etc" });
    expect(expectAgreement(context, "backend").install).toEqual(["backend/package.json", "backend/pnpm-lock.yaml"]);
    expect(await daggerSource(context, "backend")).toMatchObject({ layout: { folder: "backend" } });
  });
});

describe("symlinks: both refuse a link on the path of what prisma generate reads", () => {
  it.each<{ name: string; files: Record<string, string>; outside?: Record<string, string>; links: Record<string, string>; phrases: string[] }>([
    {
      name: "the default schema's folder, a link to /",
      files: {},
      links: { "backend/prisma": "/" },
      phrases: ['backend/prisma: found a symlink to "/", expected a folder inside the ', "(backend/prisma/schema.prisma, an input of prisma generate)"],
    },
    {
      name: "the schema a config names, below a link",
      files: { "prisma.config.ts": config('schema: "db/schema.prisma",') },
      outside: { "shared-db/schema.prisma": MODEL },
      links: { "backend/db": "../shared-db" },
      phrases: ['backend/db: found a symlink to "../shared-db", expected a folder inside the ', "(backend/db/schema.prisma, an input of prisma generate)", "or name the real path in backend/prisma.config.ts"],
    },
    {
      name: "the config, a link",
      files: { "prisma/schema.prisma": MODEL },
      outside: { "config/prisma.config.ts": config('schema: "prisma/schema.prisma",') },
      links: { "backend/prisma.config.ts": "../config/prisma.config.ts" },
      phrases: ['backend/prisma.config.ts: found a symlink to "../config/prisma.config.ts", expected a file inside the ', "(backend/prisma.config.ts, an input of prisma generate)"],
    },
    {
      name: "the default schema file, a link",
      files: {},
      outside: { "shared/schema.prisma": MODEL },
      links: { "backend/prisma/schema.prisma": "../../shared/schema.prisma" },
      phrases: ['backend/prisma/schema.prisma: found a symlink to "../../shared/schema.prisma", expected a file inside the '],
    },
  ])("$name", async ({ files, outside = {}, links, phrases }) => {
    const context = backendTree(files);
    for (const [file, text] of Object.entries(outside)) {
      mkdirSync(path.dirname(path.join(context, file)), { recursive: true });
      writeFileSync(path.join(context, file), text);
    }
    await expectPrismaBothFail(addLinks(context, links), "backend", phrases);
  });

  it("a link inside the schema folder is copied as the link it is", async () => {
    const context = addLinks(backendTree({ "prisma.config.ts": config('schema: "prisma/schema",'), "prisma/schema/schema.prisma": GENERATOR }), { "backend/prisma/schema/host.prisma": "/etc/hostname" });
    expect((await expectPrismaAgreement(context, "backend")).files).toEqual(["backend/prisma.config.ts", "backend/prisma/schema/host.prisma", "backend/prisma/schema/schema.prisma"]);
  });
});
