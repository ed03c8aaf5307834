/**
 * The build plan of backend(), frontend(), backendBuild() and frontendBuild() against the fake
 * engine: which commands run in which order and where, the hardened runtime image, pinned
 * images, cache volumes, and the errors a broken source gets before anything runs.
 */
import { execFile, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import nodePath from "node:path";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { ENTRYPOINT_CHECK, entrypointCheck } from "../../dagger/src/images/entrypoint.ts";
import { PRISMA_CONFIG_FILES, TSCONFIG_FILES } from "../../dagger/src/images/prisma.ts";
import { DEPLOY_STATE } from "../../dagger/src/images/deploy-state.ts";
import { OPTIONAL_PEER_PRUNE } from "../../dagger/src/images/optional-peers.ts";
import { HEALTHCHECK_PROGRAM, requireUrlPath } from "../../dagger/src/images/runtime.ts";
import { STAMP_DIR, STAMP_PROGRAM, stampCommand } from "../../dagger/src/images/file-times.ts";
import { ArgumentError } from "../../dagger/src/objects/arguments.ts";
import { SourceError } from "../../dagger/src/source.ts";
import { containerState } from "../support/fake-engine/container-state.js";
import { ObjectRef, useFakeEngine, withEngine, type Chain, type Step } from "../support/fake-engine/index.js";
import { chainOf, drydock, MINIMAL_APPS, onlyExec, refsOf, rejectionOf, useTempSources } from "../support/plan-helpers.js";
import { answerPlatformProbes } from "../support/release/plan-answers.js";
import { shippedFolderOf, stampTime } from "../support/shipped-folder.js";

const engine = useFakeEngine();
const tempSource = useTempSources();

const NODE = "docker.io/library/node:24.13.1-alpine@sha256:4f696fbf39f383c1e486030ba6b289a5d9af541642fc78ab197e584a113b9c03";
const PINNED = /^[^@\s]+@sha256:[0-9a-f]{64}$/;

/**
 * One command of the plan, matched either as the start of an argv or inside a `sh -c` script
 * (the recipes may group RUN-line commands in one shell step, as the Dockerfiles do).
 */
const command = (text: string) => (args: readonly string[]) =>
  args.join(" ").startsWith(text) || (/(^|\/)sh$/.test(args[0] ?? "") && args[1] === "-c" && (args[2] ?? "").includes(text));

/** The built entrypoint's check and link (ENTRYPOINT_CHECK), as it starts. */
const ENTRYPOINT_CHECKED = "node -e const fs=require(\"fs\"),path=require(\"path\");const [root,entry,key,link]";

/**
 * The pnpm version check, the pnpm bootstrap, the download (from a copy of the lockfile of the
 * nearest folder upward that holds one, with only the pnpm settings a frozen download needs) and
 * the offline frozen install of the app in the working folder.
 */
const INSTALL = [
  "node -e const v=process.argv[1];",
  "npm install --global pnpm@12.4.2",
  `root=$PWD; while [ ! -f "$root/pnpm-lock.yaml" ]; do if [ "$root" = / ]; then echo "install: no pnpm-lock.yaml in $PWD or above" >&2; exit 1; fi; root=$(dirname "$root"); done && mkdir -p /pnpm/fetch /pnpm/settings && pnpm config list --json --ignore-pnpmfile --dir=/pnpm/fetch > /pnpm/settings/defaults.json && pnpm config list --json --ignore-pnpmfile --dir="$root" > /pnpm/settings/repository.json && echo '{}' > /pnpm/fetch/package.json && grep -v '^pnpmfileChecksum:' "$root/pnpm-lock.yaml" > /pnpm/fetch/pnpm-lock.yaml`,
  'node -e const fs=require("fs");const [defaultsFile,repositoryFile,out]=process.argv.slice(1);',
  "pnpm fetch --dir=/pnpm/fetch --ignore-pnpmfile --ignore-scripts --store-dir=/pnpm/store",
  "pnpm install --frozen-lockfile --offline --store-dir=/pnpm/store --filter {.}...",
];
/** The local packages the app links to, each built by its own build script, before the app and its production dependencies. */
const PACKAGES = "pnpm --filter '{.}^...' --if-present run build";
/** The backend's production dependencies: the app in the working folder, deployed from the store alone. */
const DEPLOY = "pnpm deploy --filter '{.}' --prod --offline --store-dir=/pnpm/store /deploy";
/** The drydock-owned removal of packages only an optional peer leads to, on the deployed folder. */
const OPTIONAL_PEERS = `node -e ${OPTIONAL_PEER_PRUNE} /out`;
/** The drydock-owned removal of pnpm's timestamps and hash order from the deployed folder (reproducible images). */
const DEPLOYED_STATE = `node -e ${DEPLOY_STATE} /out`;
/** Set for every command after the toolchain: pnpm 12 must not re-verify the cached install by timestamps. */
const PNPM_ENV = { pnpm_config_verify_deps_before_run: "false" };

const apps = [
  {
    name: "backend",
    /** The app's folder in the source, under /src: where every command of its build runs. */
    workdir: "/src/backend",
    build: (d: ReturnType<typeof drydock>) => d.backend(),
    buildStage: (d: ReturnType<typeof drydock>) => d.backendBuild(),
    /** The commands on the chain of the build stage, in order. */
    builtBy: [...INSTALL, "pnpm exec prisma generate", PACKAGES, "pnpm run build", ENTRYPOINT_CHECKED],
    /** Each folder the runtime image gets, and the commands that made it, in order, on the stages it continues. */
    appFiles: [
      {
        path: "/app",
        from: "/out",
        commands: [...INSTALL, "pnpm exec prisma generate", PACKAGES, DEPLOY, DEPLOYED_STATE, OPTIONAL_PEERS, "query_compiler_"],
      },
      { path: "/app/dist", from: "/src/backend/dist", commands: [...INSTALL, "pnpm exec prisma generate", PACKAGES, "pnpm run build", ENTRYPOINT_CHECKED] },
    ],
    buildEnv: PNPM_ENV,
    env: { PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", NODE_ENV: "production", PORT: "3000", HEALTH_PATH: "/health" },
    healthPath: "/health",
    entrypoint: ["node", "dist/.drydock-entrypoint"],
    title: "drydock-backend",
  },
  {
    name: "frontend",
    workdir: "/src/frontend",
    build: (d: ReturnType<typeof drydock>) => d.frontend(),
    buildStage: (d: ReturnType<typeof drydock>) => d.frontendBuild(),
    builtBy: [...INSTALL, PACKAGES, "pnpm run build"],
    appFiles: [
      {
        path: "/app",
        from: "/out",
        commands: [
          ...INSTALL,
          PACKAGES,
          "pnpm run build",
          `test -d .next/standalone || { echo 'prune: .next/standalone not found after next build - set output: "standalone" in next.config' >&2; exit 1; } && rel=$(node -e 'const r=require("./.next/required-server-files.json").relativeAppDir||"";if(!/^[A-Za-z0-9._~/-]*$/.test(r)||r.startsWith("/")||r.split("/").includes("..")){console.error("prune: relativeAppDir "+JSON.stringify(r)+" in .next/required-server-files.json is no folder inside the standalone output");process.exit(1)}console.log(r||".")') && mkdir /out && cp -a .next/standalone/. /out/ && cp -a .next/static "/out/$rel/.next/static" && if [ -d public ]; then cp -a public "/out/$rel/public"; fi`,
          ENTRYPOINT_CHECKED,
        ],
      },
    ],
    buildEnv: { ...PNPM_ENV, NEXT_TELEMETRY_DISABLED: "1" },
    env: {
      PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
      NODE_ENV: "production",
      PORT: "3000",
      HEALTH_PATH: "/api/health",
      NEXT_TELEMETRY_DISABLED: "1",
      HOSTNAME: "0.0.0.0",
    },
    healthPath: "/api/health",
    entrypoint: ["node", ".drydock-entrypoint"],
    title: "drydock-frontend",
  },
] as const;

/** Whether `execs` run exactly `commands`, one each, in order. */
function runsExactly(execs: readonly { args: readonly string[] }[], commands: readonly string[]): boolean {
  return execs.length === commands.length && commands.every((text, i) => command(text)(execs[i]!.args));
}

/** The commands a container chain ran, in order. */
const execsOf = (chain: Chain) => chain.filter((s) => s.field === "withExec").map((s) => ({ args: s.args["args"] as string[] }));

/** The build's commands, without the stamps that set the image's file times (tested on their own). */
const buildExecs = () => engine.execs().filter((e) => stampTime(e.args) === undefined);

/** The runtime image's own steps: from `withRootfs` on. */
function runtimeSteps(chain: Chain): Step[] {
  const start = chain.findIndex((s) => s.field === "withRootfs");
  expect(start, "the runtime image starts from withRootfs").toBeGreaterThanOrEqual(0);
  return chain.slice(start);
}

function stepArgs(steps: readonly Step[], field: string) {
  return steps.filter((s) => s.field === field).map((s) => s.args);
}

function refChain(value: unknown): Chain {
  if (!(value instanceof ObjectRef)) throw new Error(`expected an object argument, got ${JSON.stringify(value)}`);
  return value.chain;
}

describe.each(apps)("$name()", (app) => {
  /** Each folder the image copies in: where to, from which stage folder, at what file time, made by which commands. */
  const copiesOf = (chain: Chain) =>
    runtimeSteps(chain)
      .filter((s) => s.field === "withDirectory")
      .map((step) => {
        const { source, to, time } = shippedFolderOf(step);
        // A relative path is taken from the stage's working folder.
        const from = nodePath.posix.resolve(containerState(source.slice(0, -1)).workdir ?? "/", String(source.at(-1)?.args["path"]));
        return { path: to, from, times: time, ran: execsOf(source.slice(0, -1)) };
      });

  it("copies into the image the folders of its stages, each made by its stage's commands on the stages it continues, every file at SOURCE_DATE_EPOCH (0 by default)", async () => {
    const chain = await withEngine(engine, async () => chainOf(await app.build(drydock())));
    const copies = copiesOf(chain);
    expect(copies.map(({ path, from, times }) => ({ path, from, times }))).toEqual(app.appFiles.map(({ path, from }) => ({ path, from, times: 0 })));
    app.appFiles.forEach((files, i) => {
      const ran = copies[i]!.ran;
      expect(runsExactly(ran, files.commands), `${files.path} made by ${JSON.stringify(files.commands)}\nran: ${JSON.stringify(ran.map((e) => e.args))}`).toBe(true);
    });
  });

  it("gives every file the image copies in the time of its created label: two builds of one commit write the same layers", async () => {
    const created = "2026-11-27T10:00:00+01:00";
    const chain = await withEngine(engine, async () => chainOf(await app.build(drydock(undefined, { created }))));
    expect(copiesOf(chain).map(({ times }) => times)).toEqual(app.appFiles.map(() => Date.parse(created) / 1000));
  });

  it("sets the times of the image's folders in the pinned build image as root, symbolic links included, one stamp per folder", async () => {
    await withEngine(engine, async () => (await app.build(drydock(undefined, { created: "2026-11-27T10:00:00Z" }))).sync());
    const stamps = engine.execs().filter((e) => stampTime(e.args) !== undefined);
    expect(stamps.map((e) => ({ args: e.args, image: e.image, user: e.user, workdir: e.workdir, env: e.env, secretEnv: e.secretEnv, mounts: Object.keys(e.mounts) }))).toEqual(
      app.appFiles.map(() => ({ args: stampCommand(Date.parse("2026-11-27T10:00:00Z") / 1000), image: NODE, user: "0:0", workdir: undefined, env: {}, secretEnv: {}, mounts: [STAMP_DIR] })),
    );
    expect(stamps[0]!.args.slice(0, 3), "the fixed program that sets links' own times (lutimes)").toEqual(["node", "-e", STAMP_PROGRAM]);
  });

  it("runs every command after pnpm's own install in its folder under /src of the pinned build image, with pnpm's pre-run check off", async () => {
    await withEngine(engine, async () => (await app.build(drydock())).sync());
    const execs = buildExecs();
    expect(execs.length).toBeGreaterThan(0);
    // pnpm's own install comes first, in the image's working folder: the apps share it.
    const [check, npm, ...rest] = execs;
    expect([check?.args.slice(0, 2), npm?.args.slice(0, 3)]).toEqual([["node", "-e"], ["npm", "install", "--global"]]);
    for (const exec of [check!, npm!]) expect(exec).toMatchObject({ image: NODE, workdir: undefined, env: expect.objectContaining(PNPM_ENV) });
    for (const exec of rest) expect(exec).toMatchObject({ image: NODE, workdir: app.workdir, env: expect.objectContaining(PNPM_ENV) });
  });

  it("mounts no cache volume for any command: a volume is shared with every other build on the engine", async () => {
    await withEngine(engine, async () => (await app.build(drydock())).sync());
    const execs = engine.execs();
    expect(execs.length).toBeGreaterThan(0);
    expect(execs.filter((e) => Object.values(e.mounts).some((m) => m.kind === "cache")).map((e) => e.args.join(" "))).toEqual([]);
    expect(engine.stepsOf("withMountedCache")).toEqual([]);
  });

  it("keeps the pnpm store in the build's own filesystem, downloaded before and read by the offline steps", async () => {
    await withEngine(engine, async () => (await app.build(drydock())).sync());
    const storeUsers = engine.execs().filter((e) => e.args.join(" ").includes("--store-dir=")).map((e) => e.args.join(" "));
    expect(storeUsers.length).toBeGreaterThan(1);
    for (const exec of storeUsers) expect(exec).toMatch(/ --store-dir=\/pnpm\/store( |$)/);
    expect(storeUsers[0], "the download fills the store").toContain("pnpm fetch");
    for (const later of storeUsers.slice(1)) expect(later, "every later pnpm command reads the store offline").toContain("--offline");
  });

  it("gives the commands after the install only the environment the recipe names", async () => {
    await withEngine(engine, async () => (await app.build(drydock())).sync());
    const afterInstall = buildExecs().filter((e) => !INSTALL.some((text) => command(text)(e.args)));
    expect(afterInstall.length).toBeGreaterThan(0);
    for (const exec of afterInstall) {
      // The local packages are built before the app's stage sets its own variables (Next's telemetry switch).
      expect(exec.env, exec.args.join(" ")).toEqual(command(PACKAGES)(exec.args) ? PNPM_ENV : app.buildEnv);
      expect(exec.secretEnv).toEqual({});
    }
  });

  it("assembles a hardened runtime image: non-root numeric user, /app owned by root, healthcheck, entrypoint", async () => {
    const chain = await withEngine(engine, async () => chainOf(await app.build(drydock())));
    const steps = runtimeSteps(chain);
    expect(containerState(chain)).toMatchObject({ user: "1000:1000", workdir: "/app", env: app.env, secretEnv: {}, mounts: {} });
    expect(steps.filter((s) => s.field === "withExec"), "nothing runs in the runtime image").toEqual([]);
    expect(stepArgs(steps, "withExposedPort")).toEqual([{ port: 3000 }]);
    expect(stepArgs(steps, "withDockerHealthcheck")).toEqual([
      {
        args: ["node", "-e", HEALTHCHECK_PROGRAM],
        interval: "10s",
        timeout: "5s",
        startPeriod: "20s",
        retries: 3,
      },
    ]);
    expect(stepArgs(steps, "withEntrypoint")).toEqual([{ args: app.entrypoint }]);
    expect(steps.filter((s) => s.field === "withDirectory").map((s) => ({ path: shippedFolderOf(s).to, owner: s.args["owner"] }))).toEqual(app.appFiles.map((files) => ({ path: files.path, owner: "0:0" })));
  });

  it("starts the runtime image from the pinned base's filesystem without any package manager", async () => {
    const chain = await withEngine(engine, async () => chainOf(await app.build(drydock())));
    const rootfs = refChain(runtimeSteps(chain)[0]?.args["directory"]);
    expect(rootfs.map((s) => s.field)).toEqual(["container", "from", "rootfs", "filter"]);
    expect(rootfs[1]?.args).toEqual({ address: NODE });
    expect(rootfs[3]?.args["exclude"]).toEqual(
      expect.arrayContaining(["usr/local/lib/node_modules", "usr/local/bin/npm", "usr/local/bin/npx", "usr/local/bin/corepack", "usr/local/bin/yarn", "usr/local/bin/yarnpkg", "opt/yarn-*"]),
    );
  });

  it("labels the image with the nine OCI keys, from the constructor's arguments", async () => {
    const chain = await withEngine(engine, async () =>
      chainOf(await app.build(drydock(undefined, { imageVersion: "1.4.0", revision: "0123abc", created: "2026-11-27T10:00:00Z", sourceUrl: "https://example.com/acme/shop", licenses: "MIT" }))),
    );
    const labels = Object.fromEntries(stepArgs(runtimeSteps(chain), "withLabel").map((a) => [a["name"], a["value"]]));
    expect(labels).toEqual({
      "org.opencontainers.image.title": app.title,
      "org.opencontainers.image.description": expect.any(String),
      "org.opencontainers.image.source": "https://example.com/acme/shop",
      "org.opencontainers.image.licenses": "MIT",
      "org.opencontainers.image.version": "1.4.0",
      "org.opencontainers.image.revision": "0123abc",
      "org.opencontainers.image.created": "2026-11-27T10:00:00Z",
      "org.opencontainers.image.base.name": "docker.io/library/node:24.13.1-alpine",
      "org.opencontainers.image.base.digest": "sha256:4f696fbf39f383c1e486030ba6b289a5d9af541642fc78ab197e584a113b9c03",
    });
  });

  it("pins every image it starts from by digest", async () => {
    await withEngine(engine, async () => (await app.build(drydock())).sync());
    expect(engine.froms().length).toBeGreaterThan(0);
    for (const address of engine.froms()) expect(address).toMatch(PINNED);
  });

  it("builds on the engine's own platform unless given one, and on a given platform starts every container of the image on it", async () => {
    const startedOn = (chain: Chain) => {
      const containers = [chain, ...refsOf(chain).map((ref) => ref.chain)].filter((c) => c[0]?.field === "container");
      return new Set(containers.map((c) => JSON.stringify(c[0]!.args)));
    };
    const native = await withEngine(engine, async () => chainOf(await app.build(drydock())));
    expect(startedOn(native)).toEqual(new Set(["{}"]));
    // An engine that runs linux/arm64: node in the variant says so (the check every variant for a platform passes).
    answerPlatformProbes(engine);
    const arm64 = await withEngine(engine, async () => chainOf(await drydock().appImage(app.name as "backend" | "frontend", undefined, "linux/arm64")));
    // Build image, runtime base and runtime image alike: the install, the build and the copied folders are all arm64's.
    expect(startedOn(arm64)).toEqual(new Set([JSON.stringify({ platform: "linux/arm64" })]));
    expect(refsOf(arm64).filter((ref) => ref.chain[0]?.field === "container").length).toBeGreaterThan(1);
    const installs = execsOf(arm64).concat(...refsOf(arm64).map((ref) => execsOf(ref.chain)));
    expect(installs.some((e) => e.args.join(" ").startsWith("pnpm install --frozen-lockfile"))).toBe(true);
  });

  it("hands back the build stage after the build commands, for debugging", async () => {
    await withEngine(engine, async () => (await app.buildStage(drydock())).sync());
    const execs = engine.execs();
    expect(runsExactly(execs, app.builtBy), `ran: ${JSON.stringify(execs.map((e) => e.args))}`).toBe(true);
    expect(execs.at(-1)?.workdir).toBe(app.workdir);
  });
});

describe("the Prisma engine arguments", () => {
  const BINARY = { PRISMA_SCHEMA_ENGINE_BINARY: "/bin/false" };
  const MIRROR = { PRISMA_ENGINES_MIRROR: "https://mirror.example.com/prisma" };
  const isPrisma = (name: string) => name.startsWith("PRISMA_");

  it.each([
    { name: "neither given", args: {}, generateEnv: {} },
    { name: "the schema engine binary given", args: { prismaSchemaEngineBinary: "/bin/false" }, generateEnv: BINARY },
    { name: "the engines mirror given", args: { prismaEnginesMirror: MIRROR.PRISMA_ENGINES_MIRROR }, generateEnv: MIRROR },
    { name: "both given", args: { prismaSchemaEngineBinary: "/bin/false", prismaEnginesMirror: MIRROR.PRISMA_ENGINES_MIRROR }, generateEnv: { ...BINARY, ...MIRROR } },
  ])("reach the backend's prisma generate alone, as given, and no stage after it: $name", async ({ args, generateEnv }) => {
    const built = await withEngine(engine, async () => {
      const d = drydock(undefined, args);
      await (await d.backend()).sync();
      return chainOf(await d.backendBuild());
    });
    expect(onlyExec(engine, "pnpm", "exec", "prisma", "generate").env).toEqual({ ...PNPM_ENV, ...generateEnv });
    const others = engine.execs().filter((e) => e.args.join(" ") !== "pnpm exec prisma generate");
    expect(others.flatMap((e) => Object.keys(e.env).filter(isPrisma))).toEqual([]);
    expect(Object.keys(containerState(built).env).filter(isPrisma), "the build stage keeps no Prisma variable").toEqual([]);
  });

  it("leave the frontend's build alone", async () => {
    await withEngine(engine, async () => (await drydock(undefined, { prismaSchemaEngineBinary: "/bin/false", prismaEnginesMirror: MIRROR.PRISMA_ENGINES_MIRROR }).frontend()).sync());
    const execs = engine.execs();
    expect(execs.length).toBeGreaterThan(0);
    expect(execs.flatMap((e) => Object.keys(e.env).filter(isPrisma))).toEqual([]);
  });
});

/**
 * Prisma is detected in the backend's folder, never run: Prisma's config names the schema as a
 * string literal, or the default layout holds it. Without Prisma, no stage runs any `prisma`
 * command, no stage adds Prisma's files, and the production dependencies continue `deps` alone.
 */
describe("Prisma in the backend", () => {
  /** Every argument of every command of the plan, `sh -c` scripts included. */
  const everyArgument = () => engine.execs().flatMap((e) => e.args);
  /** The include patterns of every partial copy of the source (the install's, and generate's when there is one). */
  const partialCopies = () => engine.stepsOf("filter").map((s) => s.args["include"]);
  const GENERATE = "pnpm exec prisma generate";
  const backendWith = (files: Record<string, string>) => tempSource({ ...MINIMAL_APPS, ...files });

  it("builds a backend without prisma/ with no prisma command, no generate stage and no query-compiler prune", async () => {
    const chain = await withEngine(engine, async () => chainOf(await drydock(tempSource(MINIMAL_APPS)).backend()));
    expect(everyArgument().filter((arg) => /prisma|query_compiler/.test(arg))).toEqual([]);
    expect(JSON.stringify(partialCopies())).not.toContain("prisma");
    const deploy = engine.execs().find((e) => command(DEPLOY)(e.args));
    expect(runsExactly(execsOf(deploy!.chain), [...INSTALL, PACKAGES, DEPLOY]), "the dependencies continue deps, not the build").toBe(true);
    const prune = engine.execs().filter((e) => e.chain.some((s) => s.field === "withExec" && command(DEPLOY)(s.args["args"] as string[])));
    expect(prune.map((e) => e.args.join(" "))).toEqual([
      `/bin/sh -c ${DEPLOY} && mkdir /out && mv /deploy/package.json /deploy/node_modules /out/`,
      DEPLOYED_STATE,
      OPTIONAL_PEERS,
      String.raw`/bin/sh -c find /out/node_modules -type f \( -name '*.map' -o -name '*.d.ts' -o -name '*.d.mts' -o -name '*.d.cts' \) -delete`,
    ]);
    expect(stepArgs(runtimeSteps(chain), "withEntrypoint")).toEqual([{ args: ["node", "dist/.drydock-entrypoint"] }]);
  });

  it("builds the reference app as before: prisma generate on the config and prisma/ alone, then the query-compiler prune", async () => {
    await withEngine(engine, async () => (await drydock().backend()).sync());
    expect(partialCopies()).toContainEqual([...PRISMA_CONFIG_FILES, "prisma/**", TSCONFIG_FILES]);
    expect(engine.execs().filter((e) => e.args.join(" ") === GENERATE)).toHaveLength(1);
    expect(engine.execs().filter((e) => e.args.join(" ").includes("query_compiler_"))).toHaveLength(1);
  });

  it.each<{ name: string; files: Record<string, string>; include: string[] }>([
    { name: "a schema file elsewhere", files: { "backend/prisma.config.ts": 'export default defineConfig({\n  schema: "./db/main.prisma",\n});\n', "backend/db/main.prisma": "" }, include: [...PRISMA_CONFIG_FILES, "db/**", TSCONFIG_FILES] },
    { name: "a schema folder, in single quotes, from prisma.config.mts", files: { "backend/prisma.config.mts": "export default { schema: 'db/schema' }\n", "backend/db/schema/models.prisma": "" }, include: [...PRISMA_CONFIG_FILES, "db/schema/**", TSCONFIG_FILES] },
    { name: "a schema file at the root", files: { "backend/prisma.config.js": "module.exports = { schema: `schema.prisma` };\n", "backend/schema.prisma": "" }, include: [...PRISMA_CONFIG_FILES, "schema.prisma", TSCONFIG_FILES] },
    { name: "a computed path, with the default schema present", files: { "backend/prisma.config.ts": 'export default { schema: path.join("prisma", "schema.prisma") };\n', "backend/prisma/schema.prisma": "" }, include: [...PRISMA_CONFIG_FILES, "prisma/**", TSCONFIG_FILES] },
    { name: "no config, the default schema", files: { "backend/prisma/schema.prisma": "" }, include: [...PRISMA_CONFIG_FILES, "prisma/**", TSCONFIG_FILES] },
  ])("follows Prisma's config to the schema and generates from it alone: $name", async ({ files, include }) => {
    await withEngine(engine, async () => (await drydock(backendWith(files)).backend()).sync());
    expect(partialCopies()).toContainEqual(include);
    expect(engine.execs().filter((e) => e.args.join(" ") === GENERATE)).toHaveLength(1);
    expect(engine.execs().filter((e) => e.args.join(" ").includes("query_compiler_"))).toHaveLength(1);
  });

  it.each<{ name: string; files: Record<string, string>; message: string }>([
    {
      name: "a computed path and no default schema",
      files: { "backend/prisma.config.ts": "export default { schema: process.env.SCHEMA };\n" },
      message: 'backend/prisma.config.ts: found no `schema: "<path>"` string literal, and no backend/prisma/schema.prisma, expected the schema\'s path, which drydock reads from the config\'s text without running it — write the schema\'s path as a literal (schema: "db/schema.prisma"), or move the schema to prisma/schema.prisma',
    },
    {
      name: "a schema that is not there",
      files: { "backend/prisma.config.ts": 'export default { schema: "db/schema.prisma" };\n' },
      message: 'backend/prisma.config.ts: schema: found "db/schema.prisma", which is not in the source, expected the schema file or folder Prisma generates the client from — fix the path (relative to prisma.config.ts), or commit the schema',
    },
    {
      name: "a schema outside the backend's folder",
      files: { "backend/prisma.config.ts": 'export default { schema: "../shared/schema.prisma" };\n', "shared/schema.prisma": "" },
      message: 'backend/prisma.config.ts: schema: found "../shared/schema.prisma", expected a path inside backend, the only folder the backend\'s build gets — move the schema into the backend\'s folder and name it relative to the config',
    },
  ])("refuses a Prisma config with $name before any command, rather than build without the client", async ({ files, message }) => {
    const error = await rejectionOf(withEngine(engine, async () => (await drydock(backendWith(files)).backend()).sync()));
    expect(error).toBeInstanceOf(SourceError);
    expect(error.message).toBe(message);
    expect(engine.queries.filter((q) => q.includes("withExec"))).toEqual([]);
  });
});

describe("image arguments", () => {
  it.each([
    { argument: "--build-image", overrides: { buildImage: "node:24-alpine" }, found: "node:24-alpine" },
    { argument: "--runtime-image", overrides: { runtimeImage: "docker.io/library/node:24.13.1-alpine" }, found: "docker.io/library/node:24.13.1-alpine" },
    { argument: "--runtime-image", overrides: { runtimeImage: "node@sha256:1234" }, found: "node@sha256:1234" },
  ])("refuses $found for $argument before anything runs", async ({ argument, overrides, found }) => {
    const error = await rejectionOf(withEngine(engine, async () => (await drydock(undefined, overrides).backend()).sync()));
    expect(error).toBeInstanceOf(ArgumentError);
    expect(error.message).toBe(
      `${argument}: found "${found}", expected an image pinned by digest (name:tag@sha256:<64 hex>) — look the digest up with \`docker buildx imagetools inspect ${found}\``,
    );
    expect(engine.queries.filter((q) => q.includes("withExec"))).toEqual([]);
  });

  it("builds from the images it is given, each pinned", async () => {
    const mirror = `registry.example.com/mirror/node:24.13.1-alpine@sha256:${"a".repeat(64)}`;
    const runtime = `cgr.dev/chainguard/node:latest@sha256:${"b".repeat(64)}`;
    await withEngine(engine, async () => (await drydock(undefined, { buildImage: mirror, runtimeImage: runtime }).backend()).sync());
    expect(engine.froms().sort()).toEqual([mirror, runtime].sort());
  });
});

describe("a source that cannot be built", () => {
  it.each([
    {
      name: "a missing backend folder",
      remove: ["backend/package.json", "backend/pnpm-lock.yaml"],
      message: 'security-config.yml: apps.backend.path: folder "backend" not found in the source — set apps.backend.path in security-config.yml to the app\'s folder',
    },
    {
      name: "a backend without a lockfile",
      remove: ["backend/pnpm-lock.yaml"],
      message:
        'security-config.yml: apps.backend.path: "backend": found no pnpm-lock.yaml in the app folder, nor a pnpm workspace at the repository root, expected a lockfile: drydock installs with --frozen-lockfile — run `pnpm install` in backend (or at the root of its pnpm workspace) and commit pnpm-lock.yaml',
    },
    {
      name: "a backend without a manifest",
      remove: ["backend/package.json"],
      message: "backend/package.json not found in the source (the folder of apps.backend.path) — the app's manifest is required",
    },
  ])("fails on $name with a SourceError naming it, before any command", async ({ remove, message }) => {
    const dir = tempSource(Object.fromEntries(Object.entries(MINIMAL_APPS).filter(([file]) => !remove.includes(file))));
    const error = await rejectionOf(withEngine(engine, async () => (await drydock(dir).backend()).sync()));
    expect(error).toBeInstanceOf(SourceError);
    expect(error.message).toBe(message);
    expect(engine.queries.filter((q) => q.includes("withExec"))).toEqual([]);
  });

  it("names the config file and key when the configured folder is missing", async () => {
    const dir = tempSource({ ...MINIMAL_APPS, "ci/drydock.yml": "apps:\n  backend:\n    path: services/api\n" });
    const error = await rejectionOf(withEngine(engine, async () => (await drydock(dir, { config: "ci/drydock.yml" }).backend()).sync()));
    expect(error.message).toBe('ci/drydock.yml: apps.backend.path: folder "services/api" not found in the source — set apps.backend.path in ci/drydock.yml to the app\'s folder');
  });
});

describe("the config's apps", () => {
  it("builds the backend from the folder, port and image name the config names", async () => {
    const dir = tempSource({
      "security-config.yml": "apps:\n  backend:\n    path: services/api\n    port: 8080\n    image: shop-api\n",
      "services/api/package.json": MINIMAL_APPS["backend/package.json"]!,
      "services/api/pnpm-lock.yaml": MINIMAL_APPS["backend/pnpm-lock.yaml"]!,
    });
    const chain = await withEngine(engine, async () => chainOf(await drydock(dir).backend()));
    const install = engine.execs().find((e) => e.args[0] === "pnpm" && e.args[1] === "install");
    expect(install?.workdir).toBe("/src/services/api");
    // The install sees the folder's manifest, lockfile and pnpm settings, at their paths in the source, and nothing else.
    const sources = install?.chain.filter((s) => s.field === "withDirectory").map((s) => ({ path: s.args["path"], source: refChain(s.args["source"]) }));
    expect(sources?.map(({ path, source }) => [path, ...source.slice(1).map((s) => `${s.field} ${JSON.stringify(s.args["path"] ?? s.args["include"])}`)])).toEqual([
      ["/src", `directory ${JSON.stringify(dir)}`, `filter ${JSON.stringify(["services/api/package.json", "services/api/pnpm-lock.yaml", "services/api/pnpm-workspace.yaml", "services/api/.pnpmfile.*"])}`],
    ]);
    expect(containerState(chain).env["PORT"]).toBe("8080");
    expect(stepArgs(runtimeSteps(chain), "withExposedPort")).toEqual([{ port: 8080 }]);
    expect(stepArgs(runtimeSteps(chain), "withLabel")).toContainEqual({ name: "org.opencontainers.image.title", value: "shop-api" });
  });
  it.each([
    { name: "backend", yaml: "apps:\n  backend:\n    healthPath: /status/live\n", build: (d: ReturnType<typeof drydock>) => d.backend(), path: "/status/live" },
    { name: "frontend", yaml: "apps:\n  frontend:\n    healthPath: /_internal/health-check.v2\n", build: (d: ReturnType<typeof drydock>) => d.frontend(), path: "/_internal/health-check.v2" },
  ])("gives the $name image the health path the config names, as HEALTH_PATH for its fixed probe", async ({ yaml, build, path }) => {
    const dir = tempSource({ ...MINIMAL_APPS, "security-config.yml": yaml });
    const chain = await withEngine(engine, async () => chainOf(await build(drydock(dir))));
    expect(containerState(chain).env["HEALTH_PATH"]).toBe(path);
    expect(stepArgs(runtimeSteps(chain), "withDockerHealthcheck").map((a) => a["args"])).toEqual([["node", "-e", HEALTHCHECK_PROGRAM]]);
  });
  it.each([
    // The backend's build is checked in the app's folder ("."), the frontend's standalone output in /out.
    { name: "backend", key: "apps.backend.entrypoint", entrypoint: "dist/src/main.js", build: (d: ReturnType<typeof drydock>) => d.backend(), root: ".", workdir: "/src/backend", link: "dist/.drydock-entrypoint" },
    { name: "frontend", key: "apps.frontend.entrypoint", entrypoint: "apps/web/server.js", build: (d: ReturnType<typeof drydock>) => d.frontend(), root: "/out", workdir: "/src/frontend", link: ".drydock-entrypoint" },
  ])("checks the $name entrypoint the config names after the build, and starts the fixed link to it", async ({ name, key, entrypoint, build, root, workdir, link }) => {
    const dir = tempSource({ ...MINIMAL_APPS, "security-config.yml": `apps:\n  ${name}:\n    entrypoint: ${entrypoint}\n` });
    const chain = await withEngine(engine, async () => chainOf(await build(drydock(dir))));
    const checks = engine.execs().filter((e) => e.args[2] === ENTRYPOINT_CHECK);
    expect(checks.map((e) => e.args)).toEqual([entrypointCheck(root, entrypoint, key, link)]);
    expect(checks.map((e) => e.workdir)).toEqual([workdir]);
    expect(stepArgs(runtimeSteps(chain), "withEntrypoint")).toEqual([{ args: ["node", link] }]);
  });

  it.each(["/app/server.js", "../server.js", "--inspect=0.0.0.0", "server.js --inspect", "server.js'", "dist/$(id).js"])("refuses %j as apps.frontend.entrypoint before anything runs", async (entrypoint) => {
    const dir = tempSource({ ...MINIMAL_APPS, "security-config.yml": `apps:\n  frontend:\n    entrypoint: ${JSON.stringify(entrypoint)}\n` });
    const error = await rejectionOf(withEngine(engine, async () => (await drydock(dir).frontend()).sync()));
    expect(error.message).toContain(`apps.frontend.entrypoint: found ${JSON.stringify(entrypoint)}, expected `);
    expect(engine.queries.filter((q) => q.includes("withExec"))).toEqual([]);
  });

  it("refuses a backend entrypoint outside dist/, the only folder of its build the image gets", async () => {
    const dir = tempSource({ ...MINIMAL_APPS, "security-config.yml": "apps:\n  backend:\n    entrypoint: build/main.js\n" });
    const error = await rejectionOf(withEngine(engine, async () => (await drydock(dir).backend()).sync()));
    expect(error.message).toContain('apps.backend.entrypoint: found "build/main.js", expected a file under dist/');
  });
});

/**
 * Every configurable string, planted with what would break out of a shell word, a quoted string,
 * a program text, a Dockerfile line or a comma-separated list, or read as a flag or a parent path:
 * each is refused, naming the argument, what it found and what it expects, before anything runs.
 */
describe("hostile values", () => {
  const HOSTILE = [
    { name: "a double quote", plant: (v: string) => `${v}"` },
    { name: "a single quote", plant: (v: string) => `${v}'` },
    { name: "a command substitution", plant: (v: string) => `${v}$(id)` },
    { name: "backticks", plant: (v: string) => `${v}\`id\`` },
    { name: "a newline", plant: (v: string) => `${v}\nid` },
    { name: "a leading dash", plant: (v: string) => `-${v}` },
    { name: "a parent segment", plant: (v: string) => `${v}/../x` },
    { name: "a comma", plant: (v: string) => `${v},x` },
    { name: "a blank", plant: (v: string) => `${v} --registry=http://evil.example/` },
  ];
  const ARGUMENTS = [
    { argument: "--pnpm-version", key: "pnpmVersion", valid: "12.4.2" },
    { argument: "--image-version", key: "imageVersion", valid: "1.4.0" },
    { argument: "--revision", key: "revision", valid: "0123abc" },
    { argument: "--created", key: "created", valid: "2026-11-27T10:00:00Z" },
    { argument: "--source-url", key: "sourceUrl", valid: "https://example.com/acme/shop" },
    { argument: "--licenses", key: "licenses", valid: "MIT" },
    { argument: "--prisma-schema-engine-binary", key: "prismaSchemaEngineBinary", valid: "/bin/false" },
    { argument: "--prisma-engines-mirror", key: "prismaEnginesMirror", valid: "https://mirror.example.com/prisma" },
  ] as const;

  it.each(ARGUMENTS.flatMap((a) => HOSTILE.map((h) => ({ ...a, hostile: h.name, value: h.plant(a.valid) }))))(
    "refuses $argument with $hostile before anything runs",
    async ({ argument, key, value }) => {
      const error = await rejectionOf(withEngine(engine, async () => (await drydock(undefined, { [key]: value }).backend()).sync()));
      expect(error).toBeInstanceOf(ArgumentError);
      expect(error.message.startsWith(`${argument}: found ${JSON.stringify(value)}, expected `), error.message).toBe(true);
      expect(error.message).toMatch(/ — \S/);
      expect(engine.queries.filter((q) => q.includes("withExec"))).toEqual([]);
    },
  );

  it.each(ARGUMENTS)("accepts a plain $argument", async ({ key, valid }) => {
    await withEngine(engine, async () => (await drydock(undefined, { [key]: valid }).backend()).sync());
    expect(engine.execs().length).toBeGreaterThan(0);
  });

  it.each([
    { name: "an npm alias", value: "npm:evil-pnpm@1.0.0", fix: "packageManager" },
    { name: "a tarball URL", value: "https://evil.example/pnpm-12.4.2.tgz", fix: "packageManager" },
    { name: "a git URL", value: "github:evil/pnpm#main", fix: "packageManager" },
    { name: "a range", value: "^12.4.2", fix: "packageManager" },
    { name: "a dist-tag", value: "latest", fix: "packageManager" },
    {
      name: "packageManager's integrity form, which npm cannot verify",
      value: `12.4.2+sha512.${"ab".repeat(64)}`,
      fix: 'drop the "+sha512…" suffix: drydock installs pnpm with npm, which checks the registry\'s integrity but cannot verify packageManager\'s hash',
    },
  ])("refuses $name as --pnpm-version, saying what to pass", async ({ value, fix }) => {
    const error = await rejectionOf(withEngine(engine, async () => (await drydock(undefined, { pnpmVersion: value }).frontend()).sync()));
    expect(error.message).toContain(`--pnpm-version: found ${JSON.stringify(value)}, expected MAJOR.MINOR.PATCH like 12.4.2 — `);
    expect(error.message).toContain(fix);
  });

  it("refuses a --created before 1970, which no file time can hold, and says to pass the commit's time", async () => {
    const error = await rejectionOf(withEngine(engine, async () => (await drydock(undefined, { created: "1969-12-31T23:59:59Z" }).backend()).sync()));
    expect(error).toBeInstanceOf(ArgumentError);
    expect(error.message).toBe('--created: found "1969-12-31T23:59:59Z", expected an RFC 3339 time from 1970-01-01T00:00:00Z on, like 2026-11-27T10:00:00Z — pass the commit\'s time, --created=$(git log -1 --format=%cI)');
  });

  it.each([
    { argument: "--source-url", key: "sourceUrl", value: "https://gitlab-ci-token:glpat-s3cr3t-token@gitlab.example.com/acme/shop.git", fix: "CI_PROJECT_URL" },
    { argument: "--source-url", key: "sourceUrl", value: "https://ghp_s3cr3t-token@github.com/acme/shop", fix: "CI_PROJECT_URL" },
    { argument: "--prisma-engines-mirror", key: "prismaEnginesMirror", value: "https://user:s3cr3t-token@mirror.example.com/prisma", fix: "serve the mirror without credentials" },
  ])("refuses a $argument with credentials, without repeating them", async ({ argument, key, value, fix }) => {
    const error = await rejectionOf(withEngine(engine, async () => (await drydock(undefined, { [key]: value }).backend()).sync()));
    expect(error).toBeInstanceOf(ArgumentError);
    expect(error.message).toContain(`${argument}: found "https://***@`);
    expect(error.message).toContain(fix);
    expect(error.message).not.toContain("s3cr3t");
  });

  it.each([
    { name: "a double quote", path: 'api"' },
    { name: "a command substitution", path: "api$(id)" },
    { name: "backticks", path: "api`id`" },
    { name: "a newline", path: "api\nid" },
    { name: "a leading dash", path: "-api" },
    { name: "a dash-led segment", path: "services/-api" },
    { name: "a parent segment", path: "services/../api" },
    { name: "a comma", path: "api,x" },
    { name: "a blank", path: "my api" },
  ])("refuses an apps.backend.path with $name, naming the key", async ({ path }) => {
    const dir = tempSource({ ...MINIMAL_APPS, "security-config.yml": `apps:\n  backend:\n    path: ${JSON.stringify(path)}\n` });
    const error = await rejectionOf(withEngine(engine, async () => (await drydock(dir).backend()).sync()));
    expect(error.message).toContain(`apps.backend.path: found ${JSON.stringify(path)}, expected `);
    expect(engine.queries.filter((q) => q.includes("withExec"))).toEqual([]);
  });

  it.each(["drydock\"api", "api$(id)", "api`id`", "api\nid", "-api", "../api", "api,x", "Api"])("refuses %j as apps.frontend.image, naming the key", async (image) => {
    const dir = tempSource({ ...MINIMAL_APPS, "security-config.yml": `apps:\n  frontend:\n    image: ${JSON.stringify(image)}\n` });
    const error = await rejectionOf(withEngine(engine, async () => (await drydock(dir).frontend()).sync()));
    expect(error.message).toContain(`apps.frontend.image: found ${JSON.stringify(image)}, expected `);
  });

  it.each(apps)("gives $name's healthcheck a fixed program that reads the path from HEALTH_PATH", async (app) => {
    const chain = await withEngine(engine, async () => chainOf(await app.build(drydock())));
    const [healthcheck] = stepArgs(runtimeSteps(chain), "withDockerHealthcheck");
    expect(healthcheck?.["args"]).toEqual(["node", "-e", HEALTHCHECK_PROGRAM]);
    expect(containerState(chain).env["HEALTH_PATH"]).toBe(app.healthPath);
    expect(HEALTHCHECK_PROGRAM).not.toContain("/health");
  });

  it.each(["/health'+process.exit(0)+'", "/a/../b", "health", "/a b", "/a\n"])("refuses %j as a health path", (path) => {
    expect(() => requireUrlPath(path, "health path")).toThrow(`health path: found ${JSON.stringify(path)}, expected an absolute URL path`);
  });
});

describe("the healthcheck's program", () => {
  /** Run the probe with `healthPath` as HEALTH_PATH against a local server that answers 200 and records each path asked. */
  async function probe(healthPath: string | undefined): Promise<{ status: number | null; stderr: string; asked: string[] }> {
    const asked: string[] = [];
    const server = createServer((req, res) => {
      asked.push(req.url ?? "");
      res.end("ok");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const env = { PATH: process.env["PATH"] ?? "", PORT: String((server.address() as AddressInfo).port), ...(healthPath === undefined ? {} : { HEALTH_PATH: healthPath }) };
    try {
      return await new Promise((resolve) => {
        const child = execFile(process.execPath, ["-e", HEALTHCHECK_PROGRAM], { env, encoding: "utf8" }, (_error, _stdout, stderr) => resolve({ status: child.exitCode, stderr: stderr.trim(), asked }));
      });
    } finally {
      server.close();
    }
  }

  it.each(["/health", "/_internal/health-check.v2"])("probes HEALTH_PATH %j on PORT and exits 0 on a 2xx", async (path) => {
    expect(await probe(path)).toEqual({ status: 0, stderr: "", asked: [path] });
  });

  it.each([undefined, "", "health", "/a/../b", "/health?x=1", "/a b", "@evil.example/", "/health'+process.exit(0)+'"])(
    "exits 1 without probing when HEALTH_PATH is %j, naming what it found",
    async (path) => {
      expect(await probe(path)).toEqual({
        status: 1,
        stderr: `HEALTH_PATH: found ${JSON.stringify(path ?? "")}, expected an absolute URL path of letters, digits and . _ ~ / - (no .. segment)`,
        asked: [],
      });
    },
  );
});

describe("the entrypoint's check (ENTRYPOINT_CHECK)", () => {
  /** A build's output with `files`, checked for `entrypoint` as the backend's check runs. */
  function check(files: string[], entrypoint: string, key = "apps.backend.entrypoint", link = "dist/.drydock-entrypoint") {
    const root = mkdtempSync(nodePath.join(os.tmpdir(), "drydock-entry-"));
    try {
      for (const file of files) {
        mkdirSync(nodePath.dirname(nodePath.join(root, file)), { recursive: true });
        writeFileSync(nodePath.join(root, file), "");
      }
      const run = spawnSync(process.execPath, ["-e", ENTRYPOINT_CHECK, root, entrypoint, key, link], { encoding: "utf8" });
      const linked = (() => {
        try {
          return readlinkSync(nodePath.join(root, link));
        } catch {
          return undefined;
        }
      })();
      return { status: run.status, stderr: run.stderr.trim(), linked };
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }

  it.each([
    { files: ["dist/main.js"], entrypoint: "dist/main.js", link: "dist/.drydock-entrypoint", linked: "main.js" },
    { files: ["dist/src/main.js"], entrypoint: "dist/src/main.js", link: "dist/.drydock-entrypoint", linked: "src/main.js" },
    { files: ["server.js"], entrypoint: "server.js", link: ".drydock-entrypoint", linked: "server.js" },
    { files: ["apps/web/server.js"], entrypoint: "apps/web/server.js", link: ".drydock-entrypoint", linked: "apps/web/server.js" },
  ])("links $link to $entrypoint, relative, when the build wrote it", ({ files, entrypoint, link, linked }) => {
    expect(check(files, entrypoint, "apps.x.entrypoint", link)).toEqual({ status: 0, stderr: "", linked });
  });

  it("fails naming the file, the config key, the build argument and what dist/ holds, with a file of the same name", () => {
    expect(check(["dist/src/app.module.js", "dist/src/main.js", "dist/tsconfig.build.tsbuildinfo"], "dist/main.js")).toEqual({
      status: 1,
      stderr:
        'apps.backend.entrypoint: found no file "dist/main.js" after the build (dist/ holds dist/src/app.module.js, dist/src/main.js) - set apps.backend.entrypoint in security-config.yml (docker build: --build-arg ENTRYPOINT=...) to the file the build writes, e.g. dist/src/main.js',
      linked: undefined,
    });
  });

  it("says so when the build wrote no .js file at all", () => {
    expect(check([], "server.js", "apps.frontend.entrypoint", ".drydock-entrypoint").stderr).toBe(
      'apps.frontend.entrypoint: found no file "server.js" after the build (the app holds no .js file) - set apps.frontend.entrypoint in security-config.yml (docker build: --build-arg ENTRYPOINT=...) to the file the build writes',
    );
  });

  // A `docker build --build-arg ENTRYPOINT=…` reaches the check unchecked.
  it.each(["/etc/passwd", "../main.js", "dist/../../etc/passwd", "--inspect=0.0.0.0", "dist/main.js --inspect", "", "dist/.hidden.js"])("refuses %j as ENTRYPOINT, linking nothing", (entrypoint) => {
    const result = check(["dist/main.js"], entrypoint);
    expect(result.status).toBe(1);
    expect(result.stderr.startsWith(`apps.backend.entrypoint: found ${JSON.stringify(entrypoint)}, expected a file path relative to the app`), result.stderr).toBe(true);
    expect(result.linked).toBeUndefined();
  });

  it("refuses a backend ENTRYPOINT outside dist/, which the image does not get", () => {
    expect(check(["src/main.js"], "src/main.js")).toEqual({
      status: 1,
      stderr: 'apps.backend.entrypoint: found "src/main.js", expected a file under dist/ - only dist/ of the build reaches the image - set apps.backend.entrypoint in security-config.yml (docker build: --build-arg ENTRYPOINT=...)',
      linked: undefined,
    });
  });
});
