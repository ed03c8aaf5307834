/**
 * The build plan of a pnpm workspace (examples/workspace) against the fake engine: one lockfile
 * at the repository root, the apps in services/api and services/web as members, and a shared
 * package in packages/shared that both link to. The source lands under /src as in the
 * repository, each app builds in its own folder there, the install sees the root's install
 * inputs and every project's package.json alone, and the shared package's files reach the build
 * (and the backend's pnpm deploy) before the app's source. A workspace that cannot be installed
 * from fails with a SourceError naming what is missing, before any command.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SourceError } from "../../dagger/src/source.ts";
import { globDirectory } from "../support/fake-engine/filesystem.js";
import { ObjectRef, useFakeEngine, withEngine, type Chain, type ExecRecord, type Step } from "../support/fake-engine/index.js";
import { drydock, onlyExec, refsOf, rejectionOf } from "../support/plan-helpers.js";
import { repoRoot } from "../support/paths.js";
import { stampTime } from "../support/shipped-folder.js";

const engine = useFakeEngine();

const NODE = "docker.io/library/node:24.13.1-alpine@sha256:4f696fbf39f383c1e486030ba6b289a5d9af541642fc78ab197e584a113b9c03";

/** The reference workspace, relative to the repository root (the fake engine's host root). */
const WORKSPACE = "examples/workspace";

/** The root's install inputs (manifest, lockfile, pnpm settings, pnpmfile), as Directory.filter patterns of the source. */
const ROOT_INSTALL_INPUTS = ["package.json", "pnpm-lock.yaml", "pnpm-workspace.yaml", ".pnpmfile.*"];

/**
 * The local packages both apps link to (`workspace:*`), as a Directory.filter of the source: the
 * TypeScript one, and the plain-JavaScript one it links to in turn.
 */
const SHARED = "packages/shared/**";
const LOCAL_PACKAGES = `/src <- filter(["${SHARED}","packages/time/**"])`;
const PACKAGES_BUILD = "pnpm --filter '{.}^...' --if-present run build";

const DEPLOY = "pnpm deploy --filter '{.}' --prod --offline --store-dir=/pnpm/store /deploy";

type Built = { sync(): Promise<unknown>; id(): Promise<string> };

const apps = [
  {
    name: "backend",
    folder: "services/api",
    build: (d: ReturnType<typeof drydock>): Promise<Built> => d.backend(),
    buildStage: (d: ReturnType<typeof drydock>): Promise<Built> => d.backendBuild(),
    /** The filter of the source the install gets: the root's install inputs, then the app's manifest, then every other project's. */
    installInclude: [...ROOT_INSTALL_INPUTS, "services/api/package.json", "packages/shared/package.json", "packages/time/package.json", "services/web/package.json"],
    /** What each step of the build stage adds after the install, in order: Prisma's inputs (generate), the shared package, the app's folder. */
    buildAdds: ['/src/services/api <- directory("services/api") filter(["prisma.config.ts","prisma.config.mts","prisma.config.cts","prisma.config.js","prisma.config.mjs","prisma.config.cjs","prisma/**","**/tsconfig*.json"])', LOCAL_PACKAGES, '/src/services/api <- directory("services/api")'],
  },
  {
    name: "frontend",
    folder: "services/web",
    build: (d: ReturnType<typeof drydock>): Promise<Built> => d.frontend(),
    buildStage: (d: ReturnType<typeof drydock>): Promise<Built> => d.frontendBuild(),
    installInclude: [...ROOT_INSTALL_INPUTS, "services/web/package.json", "packages/shared/package.json", "packages/time/package.json", "services/api/package.json"],
    buildAdds: [LOCAL_PACKAGES, '/src/services/web <- directory("services/web")'],
  },
] as const;

/** The files (not folders) a Directory taken from the host holds, read the way the fake engine reads the host. */
function filesOf(chain: Chain): string[] {
  const listing = globDirectory({ rules: [], hostRoot: repoRoot }, chain, "**");
  if (listing.kind !== "paths") throw new Error(`cannot list ${JSON.stringify(chain)}: ${"reason" in listing ? listing.reason : listing.kind}`);
  return listing.paths.filter((p) => !p.endsWith("/"));
}

/** Every file of the source a step sees: the union of the host directories its chain refers to, at their paths in the repository. */
function sourceFilesSeenBy(chain: Chain): string[] {
  const hostDirectories = refsOf(chain).filter((ref) => ref.chain[0]?.field === "host");
  const inSource = (c: Chain) =>
    c
      .slice(2)
      .filter((s) => s.field === "directory")
      .map((s) => `${String(s.args["path"])}/`)
      .join("");
  return [...new Set(hostDirectories.flatMap((ref) => filesOf(ref.chain).map((file) => inSource(ref.chain) + file)))].sort();
}

/** A `withDirectory` of the source, as `<path> <- <steps after the source itself>`. */
function describeAdd(step: Step, source: string): string {
  const from = step.args["source"];
  if (!(from instanceof ObjectRef)) throw new Error(`withDirectory at ${String(step.args["path"])} takes no object: ${JSON.stringify(from)}`);
  const [host, root, ...rest] = from.chain;
  expect(host?.field, "a directory of the host").toBe("host");
  expect(root, "the source drydock was given").toMatchObject({ field: "directory", args: { path: source } });
  const steps = rest.map((s) =>
    s.field === "directory" ? `directory(${JSON.stringify(s.args["path"])})` : s.field === "filter" ? `filter(${JSON.stringify(s.args["include"])})` : `${s.field}(?)`,
  );
  return [`${String(step.args["path"])} <-`, ...steps].join(" ");
}

/** The steps of `exec`'s chain after its command matching `after` (the last one) and before `exec` itself. */
function stepsBetween(exec: ExecRecord, after: (args: readonly string[]) => boolean): Step[] {
  const chain = exec.chain.slice(0, -1);
  const at = chain.map((s) => s.field === "withExec" && after(s.args["args"] as string[])).lastIndexOf(true);
  expect(at, `a command before ${exec.args.join(" ").slice(0, 60)}`).toBeGreaterThanOrEqual(0);
  return chain.slice(at + 1);
}

const startsWith = (text: string) => (args: readonly string[]) => args.join(" ").startsWith(text);
const runs = (text: string) => (e: ExecRecord) => e.args.join(" ").startsWith(text) || (e.args[0] === "/bin/sh" && e.args[1] === "-c" && (e.args[2] ?? "").startsWith(text));

describe.each(apps)("the workspace's $name ($folder)", (app) => {
  it("installs from the root lockfile, seeing exactly the root's install inputs and every project's package.json", async () => {
    await withEngine(engine, async () => (await app.build(drydock(WORKSPACE))).sync());
    const install = onlyExec(engine, "pnpm", "install");
    expect(install.args).toEqual(["pnpm", "install", "--frozen-lockfile", "--offline", "--store-dir=/pnpm/store", "--filter", "{.}..."]);
    expect(install.workdir).toBe(`/src/${app.folder}`);
    const adds = install.chain.filter((s) => s.field === "withDirectory");
    expect(adds.map((s) => describeAdd(s, WORKSPACE))).toEqual([`/src <- filter(${JSON.stringify(app.installInclude)})`]);
    expect(sourceFilesSeenBy(install.chain)).toEqual(
      ["package.json", "packages/shared/package.json", "packages/time/package.json", "pnpm-lock.yaml", "pnpm-workspace.yaml", "services/api/package.json", "services/web/package.json"].sort(),
    );
    // The download sees the same inputs, and finds the root's lockfile from the app's folder.
    const download = onlyExec(engine, "pnpm", "fetch");
    expect(download.workdir).toBe(`/src/${app.folder}`);
    expect(sourceFilesSeenBy(download.chain)).toEqual(sourceFilesSeenBy(install.chain));
  });

  it(`runs every command after pnpm's own install in /src/${app.folder} of the pinned build image`, async () => {
    await withEngine(engine, async () => (await app.build(drydock(WORKSPACE))).sync());
    // Without the stamps that set the image's file times (build.test.ts tests them).
    const execs = engine.execs().filter((e) => stampTime(e.args) === undefined);
    expect(execs.length).toBeGreaterThan(0);
    // pnpm's own install comes first, in the image's working folder: the apps share it.
    const [check, npm, ...rest] = execs;
    expect([check?.args.slice(0, 2), npm?.args.slice(0, 3)]).toEqual([["node", "-e"], ["npm", "install", "--global"]]);
    for (const exec of [check!, npm!]) expect(exec).toMatchObject({ image: NODE, workdir: undefined });
    for (const exec of rest) expect(exec, exec.args.join(" ").slice(0, 80)).toMatchObject({ image: NODE, workdir: `/src/${app.folder}` });
  });

  it("adds the local packages at /src, and builds them, before the app's source in the build stage", async () => {
    await withEngine(engine, async () => (await app.buildStage(drydock(WORKSPACE))).sync());
    const build = onlyExec(engine, "pnpm", "run", "build");
    const adds = stepsBetween(build, startsWith("pnpm install --frozen-lockfile")).filter((s) => s.field === "withDirectory");
    expect(adds.map((s) => describeAdd(s, WORKSPACE))).toEqual(app.buildAdds);
    const shared = adds.find((s) => s.args["path"] === "/src" && describeAdd(s, WORKSPACE).includes(SHARED))!;
    // Sources only: dist/ is the package's build output, never in the source drydock reads.
    expect(sourceFilesSeenBy([shared])).toEqual([
      "packages/shared/package.json",
      "packages/shared/src/index.ts",
      "packages/shared/tsconfig.json",
      "packages/time/index.d.ts",
      "packages/time/index.js",
      "packages/time/package.json",
    ]);
    // The local packages are built right after they are added, before the app's source comes in.
    const afterPackages = stepsBetween(build, (args) => (args[2] ?? "").startsWith(PACKAGES_BUILD)).filter((s) => s.field === "withDirectory" || s.field === "withExec");
    expect(afterPackages.map((s) => describeAdd(s, WORKSPACE))).toEqual([app.buildAdds.at(-1)]);
  });

  it("installs the pnpm the root package.json names", async () => {
    await withEngine(engine, async () => (await app.build(drydock(WORKSPACE))).sync());
    expect(engine.execs().filter((e) => e.args[0] === "npm").map((e) => e.args.join(" "))).toEqual(["npm install --global pnpm@12.4.2"]);
  });
});

describe("the workspace's backend", () => {
  it("adds the local packages at /src and builds them before pnpm deploy, which deploys the app in its folder", async () => {
    await withEngine(engine, async () => (await drydock(WORKSPACE).backend()).sync());
    const deploy = engine.execs().filter(runs(DEPLOY));
    expect(deploy).toHaveLength(1);
    expect(deploy[0]!.workdir).toBe("/src/services/api");
    // The prune continues the packages stage: between Prisma's generate and the deploy, the local packages alone are added and built.
    const between = stepsBetween(deploy[0]!, startsWith("pnpm exec prisma generate"));
    expect(between.map((s) => s.field)).toEqual(["withDirectory", "withExec"]);
    expect(describeAdd(between[0]!, WORKSPACE)).toEqual(LOCAL_PACKAGES);
    expect((between[1]!.args["args"] as string[])[2]).toContain(PACKAGES_BUILD);
  });
});

describe("the workspace's frontend", () => {
  it("prunes on top of the build stage, adding nothing before its commands", async () => {
    await withEngine(engine, async () => (await drydock(WORKSPACE).frontend()).sync());
    const prune = engine.execs().filter(runs("test -d .next/standalone"));
    expect(prune).toHaveLength(1);
    expect(stepsBetween(prune[0]!, startsWith("pnpm run build")).map((s) => s.field)).toEqual([]);
  });
});

/** Temp copies of the workspace, edited per test, removed after the file. */
const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** A copy of examples/workspace with `edit` applied (paths relative to the copy's root). */
function workspaceWith(edit: (at: (file: string) => string) => void): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "drydock-workspace-"));
  made.push(dir);
  cpSync(path.join(repoRoot, WORKSPACE), dir, { recursive: true, filter: (from) => !/\/(node_modules|dist|\.next)$/.test(from) });
  edit((file) => path.join(dir, file));
  return dir;
}

const rewrite = (file: string, change: (text: string) => string) => writeFileSync(file, change(readFileSync(file, "utf8")));

describe("the pnpm of a workspace member", () => {
  it("is the one the root package.json names, not the member's own", async () => {
    const dir = workspaceWith((at) => {
      rewrite(at("package.json"), (text) => text.replace('"packageManager": "pnpm@12.4.2"', '"packageManager": "pnpm@12.5.0"'));
      // The root lockfile records the pnpm it was written with: the same one.
      rewrite(at("pnpm-lock.yaml"), (text) => text.replace("specifier: 12.4.2\n        version: 12.4.2", "specifier: 12.5.0\n        version: 12.5.0"));
    });
    expect(readFileSync(path.join(dir, "services/api/package.json"), "utf8")).toContain('"packageManager": "pnpm@12.4.2"');
    await withEngine(engine, async () => (await drydock(dir).backend()).sync());
    expect(engine.execs().filter((e) => e.args[0] === "npm").map((e) => e.args.join(" "))).toEqual(["npm install --global pnpm@12.5.0"]);
  });

  it("is refused when the root lockfile records another, naming the root's files", async () => {
    const dir = workspaceWith((at) => rewrite(at("package.json"), (text) => text.replace('"packageManager": "pnpm@12.4.2"', '"packageManager": "pnpm@12.5.0"')));
    const error = await rejectionOf(withEngine(engine, async () => (await drydock(dir).backend()).sync()));
    expect(error).toBeInstanceOf(SourceError);
    expect(error.message).toBe(
      'pnpm-lock.yaml: found pnpm "12.4.2" recorded (importers → . → packageManagerDependencies), expected the pnpm package.json names in packageManager, 12.5.0 — run `pnpm install` with pnpm 12.5.0 in the repository root and commit the lockfile, or set packageManager to "pnpm@12.4.2"',
    );
    expect(engine.queries.filter((q) => q.includes("withExec"))).toEqual([]);
  });
});

describe("a workspace that cannot be installed from", () => {
  it.each<{ name: string; app: "backend" | "frontend"; edit: (at: (file: string) => string) => void; message: string }>([
    {
      name: "a member the root lockfile does not list",
      app: "frontend",
      edit: (at) => {
        mkdirSync(at("services/admin"));
        writeFileSync(at("services/admin/package.json"), '{ "name": "@drydock-workspace/admin", "packageManager": "pnpm@12.4.2" }\n');
        rewrite(at("security-config.yml"), (text) => text.replace("path: services/web", "path: services/admin"));
      },
      message:
        'security-config.yml: apps.frontend.path: "services/admin": found no pnpm-lock.yaml in the app folder, and the repository root\'s pnpm-lock.yaml has no project "services/admin" (it has "packages/shared", "packages/time", "services/api", "services/web"), expected the app\'s own lockfile, or the app as a project of the workspace at the repository root — make pnpm-workspace.yaml\'s packages cover "services/admin", run `pnpm install` at the repository root and commit pnpm-lock.yaml (a stale lockfile lacks a new project) — or fix security-config.yml: apps.frontend.path',
    },
    {
      name: "a workspace root (pnpm-workspace.yaml) without pnpm-lock.yaml",
      app: "backend",
      edit: (at) => rmSync(at("pnpm-lock.yaml")),
      message:
        'security-config.yml: apps.backend.path: "services/api": found no pnpm-lock.yaml in the app folder, and none at the repository root beside pnpm-workspace.yaml, expected a workspace member installs from the workspace\'s lockfile, at the repository root — run `pnpm install` at the repository root and commit pnpm-lock.yaml there',
    },
    {
      name: "no lockfile anywhere",
      app: "backend",
      edit: (at) => {
        rmSync(at("pnpm-lock.yaml"));
        rmSync(at("pnpm-workspace.yaml"));
      },
      message:
        'security-config.yml: apps.backend.path: "services/api": found no pnpm-lock.yaml in the app folder, nor a pnpm workspace at the repository root, expected a lockfile: drydock installs with --frozen-lockfile — run `pnpm install` in services/api (or at the root of its pnpm workspace) and commit pnpm-lock.yaml',
    },
    {
      name: "a linked local package missing from the source",
      app: "backend",
      edit: (at) => rmSync(at("packages/shared"), { recursive: true }),
      message:
        'security-config.yml: apps.backend.path: "services/api": found no folder "packages/shared" in the source, which the app\'s lockfile links to, expected the local package, in the source — keep it in the source (check the module\'s ignore list and --source), or run `pnpm install` and commit the lockfile',
    },
    {
      name: "a linked local package missing from the source, for the frontend",
      app: "frontend",
      edit: (at) => rmSync(at("packages/shared"), { recursive: true }),
      message:
        'security-config.yml: apps.frontend.path: "services/web": found no folder "packages/shared" in the source, which the app\'s lockfile links to, expected the local package, in the source — keep it in the source (check the module\'s ignore list and --source), or run `pnpm install` and commit the lockfile',
    },
    {
      name: "a link leaving the repository",
      app: "backend",
      edit: (at) => rewrite(at("pnpm-lock.yaml"), (text) => text.replace("version: link:../../packages/shared", "version: link:../../../outside")),
      message:
        'security-config.yml: apps.backend.path: "services/api": found a dependency of "services/api" linked to "../../../outside", outside the repository, expected local packages inside the source drydock is given — pass the repository root as --source (the build context for docker build), or publish the package and depend on a version',
    },
    {
      name: "a workspace root without package.json",
      app: "backend",
      edit: (at) => rmSync(at("package.json")),
      message:
        'security-config.yml: apps.backend.path: "services/api": found no package.json at the repository root, expected the workspace\'s root manifest beside its pnpm-lock.yaml — commit the workspace root\'s package.json',
    },
  ])("fails on $name with a SourceError naming it, before any command", async ({ app, edit, message }) => {
    const dir = workspaceWith(edit);
    const error = await rejectionOf(withEngine(engine, async () => (await (app === "backend" ? drydock(dir).backend() : drydock(dir).frontend())).sync()));
    expect(error).toBeInstanceOf(SourceError);
    expect(error.message).toBe(message);
    expect(engine.queries.filter((q) => q.includes("withExec"))).toEqual([]);
  });
});
