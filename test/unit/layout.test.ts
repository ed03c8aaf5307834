/**
 * The two ways drydock decides how an app installs must agree: `installLayout` (the Dagger plan,
 * turned into Directory filters by `installInputPatterns`) and LAYOUT_PROGRAM (the first stage of
 * Dockerfile.backend and Dockerfile.frontend). Both run here over the same trees — the reference
 * examples and small repositories written per case — and must take the same decision: the same
 * files for the install, the same local packages, or the same error.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import picomatch from "picomatch";
import { afterAll, describe, expect, it } from "vitest";

import { SourceError } from "../../dagger/src/errors.ts";
import { installInputPatterns } from "../../dagger/src/images/app.ts";
import { LAYOUT, LAYOUT_PROGRAM } from "../../dagger/src/images/layout-program.ts";
import { installLayout, normalFolder, type InstallLayout } from "../../dagger/src/workspace.ts";
import { repoRoot } from "../support/paths.ts";

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

  it.each(["Dockerfile.backend", "Dockerfile.frontend"])("%s runs it verbatim, once", (file) => {
    const text = readFileSync(path.join(repoRoot, file), "utf8").replaceAll("\\\n", "");
    expect(text.split(LAYOUT_PROGRAM)).toHaveLength(2);
    expect(text).toContain(`node -e '${LAYOUT_PROGRAM}' ${LAYOUT.context} "\${APP_DIR}" ${LAYOUT.out}\n`);
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

  const sharedFiles = ["packages/shared/index.d.ts", "packages/shared/index.js", "packages/shared/package.json"];
  const workspaceInstall = ["package.json", "packages/shared/package.json", "pnpm-lock.yaml", "pnpm-workspace.yaml", "services/api/package.json", "services/web/package.json"];

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
      name: "examples/workspace services/api (root workspace, links packages/shared)",
      context: () => path.join(repoRoot, "examples/workspace"),
      folder: "services/api",
      layout: { folder: "services/api", root: ".", members: ["packages/shared", "services/web"], localPackages: ["packages/shared"] },
      install: workspaceInstall,
      packages: sharedFiles,
    },
    {
      name: "examples/workspace services/web (root workspace, links packages/shared)",
      context: () => path.join(repoRoot, "examples/workspace"),
      folder: "services/web",
      layout: { folder: "services/web", root: ".", members: ["packages/shared", "services/api"], localPackages: ["packages/shared"] },
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
