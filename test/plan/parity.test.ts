/**
 * Dockerfile ↔ Dagger parity: drydock builds each image twice over — the Dagger plan and the
 * Dockerfile that test/e2e builds and runs for real — and this test keeps the two from drifting.
 * Both are read into one model (test/support/dockerfile.ts says what each field means and which
 * normalisations apply; parity/plan-model.ts reads the plan) and compared aspect by aspect, with
 * the defaults and with every optional argument given; a table of deliberate drifts proves the
 * comparison catches each kind.
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path/posix";
import { dag } from "@dagger.io/dagger";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NODE_IMAGE, PNPM_VERSION } from "../../dagger/src/images/defaults.ts";
import { ENTRYPOINT_CHECK, ENTRYPOINT_LINK } from "../../dagger/src/images/entrypoint.ts";
import { DEPLOY_STATE } from "../../dagger/src/images/deploy-state.ts";
import { STAMP_DIR, stampCommand } from "../../dagger/src/images/file-times.ts";
import { OPTIONAL_PEER_PRUNE } from "../../dagger/src/images/optional-peers.ts";
import { LAYOUT_PROGRAM } from "../../dagger/src/images/layout-program.ts";
import { FETCH_COMMAND, FETCH_FOLDER_SCRIPT, FETCH_SETTINGS_COMMAND, INSTALL_COMMAND, LOCAL_PACKAGES_BUILD, PNPM_VERSION_CHECK } from "../../dagger/src/images/steps.ts";
import { canonicalCommand, DockerfileModelError, readDockerfile, type BuildModel, type MigrateModel, type ParsedDockerfile, type RunCommand } from "../support/dockerfile.js";
import { execRecord } from "../support/fake-engine/container-state.js";
import { ObjectRef, renderChain, useFakeEngine, withEngine, type ArgValue, type Step } from "../support/fake-engine/index.js";
import { repoRoot } from "../support/paths.js";
import { drydock, EXAMPLE_APP, type DrydockArgs } from "../support/plan-helpers.js";
import { compareBuilds, describeDrifts } from "./parity/drift.js";
import { inputFiles, withInputFiles } from "./parity/files.js";
import { compareMigrations, describeMigrationDrifts, migrateOf } from "./parity/migrate-model.js";
import { runtimeOf, stagesOf } from "./parity/plan-model.js";
import { planOf } from "./parity/plan-of.js";

const APPS = ["backend", "frontend"] as const;
const EXAMPLE_WORKSPACE = "examples/workspace";
type App = (typeof APPS)[number];

const LABEL_ARGS = { VERSION: "1.4.0", REVISION: "0123abc", CREATED: "2026-11-27T10:00:00Z", SOURCE: "https://example.com/acme/shop", LICENSES: "MIT" };
const PRISMA_ARGS = { PRISMA_SCHEMA_ENGINE_BINARY: "/bin/false", PRISMA_ENGINES_MIRROR: "https://prisma-mirror.example.com/engines" };

/** The config of the variant that sets each app's shape: security-config.yml in a copy of the example app. */
const SHAPED_CONFIG =
  "apps:\n  backend:\n    image: shop-api\n    port: 8080\n    healthPath: /status/live\n    entrypoint: dist/src/main.js\n  frontend:\n    image: shop-web\n    port: 8081\n    healthPath: /_internal/health-check.v2\n    entrypoint: apps/web/server.js\n";

/**
 * Each way of building compared: the same inputs given to the Drydock constructor (and, with
 * `config`, in security-config.yml) and to `docker build --build-arg`.
 */
const VARIANTS: { name: string; drydock: Partial<DrydockArgs>; source?: string; config?: string; buildArgs: Record<App, Record<string, string>> }[] = [
  { name: "the defaults", drydock: {}, buildArgs: { backend: {}, frontend: {} } },
  {
    name: "every optional argument given",
    drydock: {
      imageVersion: LABEL_ARGS.VERSION,
      revision: LABEL_ARGS.REVISION,
      created: LABEL_ARGS.CREATED,
      sourceUrl: LABEL_ARGS.SOURCE,
      licenses: LABEL_ARGS.LICENSES,
      prismaSchemaEngineBinary: PRISMA_ARGS.PRISMA_SCHEMA_ENGINE_BINARY,
      prismaEnginesMirror: PRISMA_ARGS.PRISMA_ENGINES_MIRROR,
    },
    // Dockerfile.frontend declares no Prisma arguments (Docker would ignore them); the Dagger frontend build ignores them too.
    buildArgs: { backend: { ...LABEL_ARGS, ...PRISMA_ARGS }, frontend: LABEL_ARGS },
  },
  {
    name: "the app shapes set in the config",
    drydock: {},
    config: SHAPED_CONFIG,
    buildArgs: {
      backend: { TITLE: "shop-api", PORT: "8080", HEALTH_PATH: "/status/live", ENTRYPOINT: "dist/src/main.js" },
      frontend: { TITLE: "shop-web", PORT: "8081", HEALTH_PATH: "/_internal/health-check.v2", ENTRYPOINT: "apps/web/server.js" },
    },
  },
  {
    // examples/workspace: one root lockfile, the apps in services/, a local package both link to.
    name: "a pnpm workspace",
    drydock: {},
    source: EXAMPLE_WORKSPACE,
    buildArgs: {
      backend: { APP_DIR: "services/api", TITLE: "workspace-api", HEALTH_PATH: "/healthz" },
      frontend: { APP_DIR: "services/web", TITLE: "workspace-web", ENTRYPOINT: "services/web/server.js" },
    },
  },
  {
    // The reference app with the backend's Prisma schema and config removed: Dagger detects it, docker build is told.
    name: "a backend without Prisma",
    drydock: {},
    source: "no-prisma",
    buildArgs: { backend: { PRISMA: "off" }, frontend: {} },
  },
];
const [DEFAULTS, GIVEN, SHAPED] = VARIANTS.map((v) => v.name) as [string, string, string];

const engine = useFakeEngine();

const dockerfileOf = (app: App, buildArgs: Record<string, string> = {}): ParsedDockerfile =>
  readDockerfile(readFileSync(path.join(repoRoot, `Dockerfile.${app}`), "utf8"), `Dockerfile.${app}`, buildArgs);

const models = new Map<string, { dockerfile: ParsedDockerfile; dagger: BuildModel }>();
const modelsOf = (app: App, variant = DEFAULTS) => models.get(`${variant}/${app}`) ?? expect.fail(`no models of ${app} with ${variant}: the beforeAll that reads them failed`);

/** A copy of the example app with `config` as its security-config.yml. */
function exampleWithConfig(config: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "drydock-parity-"));
  made.push(dir);
  cpSync(path.join(repoRoot, EXAMPLE_APP), dir, { recursive: true, filter: (from) => !/\/(node_modules|dist|\.next)$/.test(from) });
  writeFileSync(path.join(dir, "security-config.yml"), config);
  return dir;
}
/** A copy of the example app whose backend has no Prisma schema or config. */
function exampleWithoutPrisma(): string {
  const dir = exampleWithConfig(readFileSync(path.join(repoRoot, EXAMPLE_APP, "security-config.yml"), "utf8"));
  rmSync(path.join(dir, "backend/prisma"), { recursive: true });
  rmSync(path.join(dir, "backend/prisma.config.ts"));
  return dir;
}
const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

beforeAll(async () => {
  for (const variant of VARIANTS) {
    const source = variant.source === "no-prisma" ? exampleWithoutPrisma() : variant.config === undefined ? (variant.source ?? EXAMPLE_APP) : exampleWithConfig(variant.config);
    // Inputs are compared as the files they select of the example (parity/files.ts).
    const tree = path.resolve(repoRoot, source);
    for (const app of APPS) {
      const dockerfile = dockerfileOf(app, variant.buildArgs[app]);
      models.set(`${variant.name}/${app}`, {
        dockerfile: { ...dockerfile, model: withInputFiles(dockerfile.model, tree, dockerfile.layout.args.slice(6)) },
        dagger: withInputFiles(await planOf(engine, app, variant.drydock, source), tree),
      });
    }
  }
  // Each example's layout program runs once per app, for real.
}, 60_000);

describe.each(VARIANTS.flatMap((variant) => APPS.map((app) => ({ app, variant: variant.name }))))("Dockerfile.$app and the Dagger plan with $variant", ({ app, variant }) => {
  it("agree on every compared aspect", () => {
    const { dockerfile, dagger } = modelsOf(app, variant);
    expect(describeDrifts(app, compareBuilds(dockerfile.model, dagger))).toBe("");
  });
});

describe.each(APPS)("Dockerfile.%s and the Dagger plan", (app) => {
  it("carry the health path the config names (HEALTH_PATH as the build argument) in the image's HEALTH_PATH", () => {
    const { dockerfile, dagger } = modelsOf(app, SHAPED);
    const expected = VARIANTS.find((v) => v.name === SHAPED)?.buildArgs[app]["HEALTH_PATH"];
    expect({ dockerfile: dockerfile.model.env["HEALTH_PATH"], dagger: dagger.env["HEALTH_PATH"] }).toEqual({ dockerfile: expected, dagger: expected });
  });

  it("check the entrypoint the config names (ENTRYPOINT as the build argument) and start the fixed link to it", () => {
    const { dockerfile, dagger } = modelsOf(app, SHAPED);
    const expected = VARIANTS.find((v) => v.name === SHAPED)?.buildArgs[app]["ENTRYPOINT"];
    const checks = (m: BuildModel) => [...m.build, ...m.prune].filter((c) => c.args[2] === ENTRYPOINT_CHECK).map((c) => c.args.slice(3));
    const link = ENTRYPOINT_LINK[app];
    const check = [app === "backend" ? "." : "/out", expected, `apps.${app}.entrypoint`, link];
    expect({ dockerfile: checks(dockerfile.model), dagger: checks(dagger) }).toEqual({ dockerfile: [check], dagger: [check] });
    expect({ dockerfile: dockerfile.model.entrypoint, dagger: dagger.entrypoint }).toEqual({ dockerfile: ["node", link], dagger: ["node", link] });
  });

  it("pin the base image of NODE_IMAGE as their build and runtime ARG defaults", () => {
    const { argDefaults } = modelsOf(app).dockerfile;
    expect({ build: argDefaults["BUILD_IMAGE"], runtime: argDefaults["RUNTIME_IMAGE"] }).toEqual({ build: NODE_IMAGE, runtime: NODE_IMAGE });
  });

  it("install the pnpm that the app's packageManager names", () => {
    const manifest = JSON.parse(readFileSync(path.join(repoRoot, EXAMPLE_APP, app, "package.json"), "utf8")) as { packageManager?: string };
    expect({ dockerfile: `pnpm@${modelsOf(app).dockerfile.argDefaults["PNPM_VERSION"]}`, dagger: `pnpm@${PNPM_VERSION}` }).toEqual({
      dockerfile: manifest.packageManager,
      dagger: manifest.packageManager,
    });
  });

  it("give the install step the lockfile, and the pnpmfile exactly when the lockfile records its checksum", () => {
    const folder = path.join(repoRoot, EXAMPLE_APP, app);
    // The inputs are the files they select of the example (parity/files.ts).
    const seen = modelsOf(app).dockerfile.model.installInputs.include.map((file) => path.relative(app, file));
    const recordsPnpmfile = readFileSync(path.join(folder, "pnpm-lock.yaml"), "utf8").split("\n").some((l) => l.startsWith("pnpmfileChecksum:"));
    expect({ lockfile: seen.includes("pnpm-lock.yaml"), pnpmfile: seen.some((f) => f.startsWith(".pnpmfile.")) }).toEqual({ lockfile: true, pnpmfile: recordsPnpmfile });
  });
});

describe.each(APPS)("Dockerfile.%s's dependency steps", (app) => {
  const SECRETS = ["secret /root/.npmrc", "secret /run/secrets/ca"];
  const steps = (m: BuildModel) => m.install.map((c) => ({ args: c.args, mounts: c.mounts, ca: c.env["NODE_EXTRA_CA_CERTS"] }));

  it("download with the secrets and no code of the app, then install offline with neither secret nor cache (as the Dagger plan)", () => {
    const expected = [
      { args: ["node", "-e", PNPM_VERSION_CHECK, PNPM_VERSION], mounts: [], ca: undefined },
      { args: ["npm", "install", "--global", `pnpm@${PNPM_VERSION}`], mounts: SECRETS, ca: "/run/secrets/ca" },
      { args: canonicalCommand(["/bin/sh", "-c", FETCH_FOLDER_SCRIPT]), mounts: [], ca: undefined },
      { args: [...FETCH_SETTINGS_COMMAND], mounts: [], ca: undefined },
      { args: [...FETCH_COMMAND], mounts: SECRETS, ca: "/run/secrets/ca" },
      { args: [...INSTALL_COMMAND], mounts: [], ca: undefined },
    ];
    expect({ dockerfile: steps(modelsOf(app).dockerfile.model), dagger: steps(modelsOf(app).dagger) }).toEqual({ dockerfile: expected, dagger: expected });
  });

  it("mount nothing — no secret, no cache — for any command after the install (as the Dagger plan)", () => {
    const later = (m: BuildModel) => [...m.generate, ...m.build, ...m.prune].flatMap((c) => c.mounts);
    expect({ dockerfile: later(modelsOf(app).dockerfile.model), dagger: later(modelsOf(app).dagger) }).toEqual({ dockerfile: [], dagger: [] });
  });
});

describe("Dockerfile.backend's prune", () => {
  it("removes pnpm's timestamps and hash order, then what only an optional peer leads to, right after pnpm deploy, with the Dagger plan's program texts and nothing mounted", () => {
    const removal = (m: BuildModel) => m.prune.slice(1, 4).map((c) => ({ args: c.args, mounts: c.mounts }));
    const expected = [
      { args: ["/bin/sh", "-c", "pnpm deploy --filter '{.}' --prod --offline --store-dir=/pnpm/store /deploy && mkdir /out && mv /deploy/package.json /deploy/node_modules /out/"], mounts: [] },
      { args: ["node", "-e", DEPLOY_STATE, "/out"], mounts: [] },
      { args: ["node", "-e", OPTIONAL_PEER_PRUNE, "/out"], mounts: [] },
    ];
    const { dockerfile, dagger } = modelsOf("backend");
    expect({ dockerfile: removal(dockerfile.model), dagger: removal(dagger) }).toEqual({ dockerfile: expected, dagger: expected });
  });
});

describe.each(APPS)("Dockerfile.%s's PNPM_VERSION", (app) => {
  const hostile = [
    "12.4.2 --registry=http://evil.example/",
    "npm:evil-pnpm@1.0.0 --foreground-scripts",
    "12.4.2\n--registry=http://evil.example/",
  ];

  it.each(hostile)("reaches the version check and npm as one argument each, check first: %j", (value) => {
    const [check, npm] = dockerfileOf(app, { PNPM_VERSION: value }).model.install;
    expect({ check: check?.args, npm: npm?.args }).toEqual({ check: ["node", "-e", PNPM_VERSION_CHECK, value], npm: ["npm", "install", "--global", `pnpm@${value}`] });
    expect(check?.mounts, "the check runs before any secret or cache is mounted").toEqual([]);
  });

  it.each([...hostile, "npm:evil-pnpm@1.0.0", "https://evil.example/pnpm.tgz", "12.4", `12.4.2+sha512.${"ab".repeat(64)}`, ""])(
    "is refused by the check's program, naming what it found: %j",
    (value) => {
      const run = spawnSync(process.execPath, ["-e", PNPM_VERSION_CHECK, value], { encoding: "utf8" });
      expect({ status: run.status, stderr: run.stderr.trim() }).toEqual({
        status: 1,
        stderr: `PNPM_VERSION: found ${JSON.stringify(value)}, expected MAJOR.MINOR.PATCH like 12.4.2 - set it to the version that packageManager names, without a +sha512 suffix`,
      });
    },
  );

  it("is accepted by the check's program when it is MAJOR.MINOR.PATCH", () => {
    expect(spawnSync(process.execPath, ["-e", PNPM_VERSION_CHECK, PNPM_VERSION]).status).toBe(0);
  });
});

describe.each(APPS)("Dockerfile.%s's label arguments", (app) => {
  // LABEL values are substituted by the Dockerfile frontend, never by a shell: hostile text stays text.
  it.each(["x\" other=\"y", "$(id)", "`id`", "a\nb", "-x", "../x", "a,b"])("land in their label verbatim and alone: %j", (value) => {
    const { labels } = dockerfileOf(app, { ...LABEL_ARGS, REVISION: value }).model;
    expect(labels["org.opencontainers.image.revision"]).toBe(value);
    expect(Object.keys(labels)).toHaveLength(9);
  });
});

describe("the Prisma engine arguments", () => {
  const KNOBS = Object.keys(PRISMA_ARGS);
  /** Every command of a model that gets a Prisma engine variable, with those variables. */
  const knobbed = (m: BuildModel) =>
    [...m.install, ...m.generate, ...m.build, ...m.prune]
      .map((c: RunCommand) => ({ args: c.args, knobs: Object.fromEntries(Object.entries(c.env).filter(([name]) => KNOBS.includes(name))) }))
      .filter((c) => Object.keys(c.knobs).length > 0);

  it.each([
    { variant: DEFAULTS, expected: [] },
    { variant: GIVEN, expected: [{ args: ["pnpm", "exec", "prisma", "generate"], knobs: PRISMA_ARGS }] },
  ])("reach prisma generate alone, and only when given: $variant", ({ variant, expected }) => {
    const { dockerfile, dagger } = modelsOf("backend", variant);
    expect({ dockerfile: knobbed(dockerfile.model), dagger: knobbed(dagger) }).toEqual({ dockerfile: expected, dagger: expected });
  });
});

describe("the comparison", () => {
  const drifts: { name: string; app: App; variant?: string; drift: (m: BuildModel) => void; detected: (keyof BuildModel)[] }[] = [
    { name: "a changed runtime user", app: "backend", drift: (m) => void (m.user = "0:0"), detected: ["user"] },
    { name: "reordered prune commands", app: "backend", drift: (m) => void m.prune.reverse(), detected: ["prune"] },
    { name: "an extra runtime environment variable", app: "backend", drift: (m) => void (m.env["DEBUG"] = "*"), detected: ["env"] },
    { name: "a missing OCI label", app: "frontend", drift: (m) => void delete m.labels["org.opencontainers.image.revision"], detected: ["labels"] },
    { name: "a changed constant label", app: "frontend", drift: (m) => void (m.labels["org.opencontainers.image.title"] = "frontend"), detected: ["labels"] },
    { name: "a label left at its default when given", app: "backend", variant: GIVEN, drift: (m) => void (m.labels["org.opencontainers.image.version"] = "0.0.0-dev"), detected: ["labels"] },
    { name: "another pnpm version installed", app: "backend", drift: (m) => void (m.install[1]!.args[3] = "pnpm@12.5.0"), detected: ["install"] },
    { name: "the pnpm store mounted as a cache for the offline install", app: "backend", drift: (m) => void m.install[4]!.mounts.push("cache /pnpm/store"), detected: ["install"] },
    { name: "the npmrc secret mounted for the offline install", app: "frontend", drift: (m) => void m.install[4]!.mounts.push("secret /root/.npmrc"), detected: ["install"] },
    { name: "the CA variable set for the offline install", app: "backend", drift: (m) => void (m.install[5]!.env["NODE_EXTRA_CA_CERTS"] = "/run/secrets/ca"), detected: ["install"] },
    { name: "a download that runs the pnpmfile", app: "backend", drift: (m) => void (m.install[4]!.args = m.install[4]!.args.filter((a) => a !== "--ignore-pnpmfile")), detected: ["install"] },
    { name: "a download without the CA secret", app: "frontend", drift: (m) => void m.install[4]!.mounts.pop(), detected: ["install"] },
    { name: "a download that reads every pnpm setting of the repository", app: "frontend", drift: (m) => void (m.install[3]!.args[2] = m.install[3]!.args[2]!.replace("for(const key of KEEP)", "for(const key of Object.keys(repository))")), detected: ["install"] },
    { name: "a lockfile copy that keeps the pnpmfile checksum", app: "backend", drift: (m) => void (m.install[2]!.args[2] = m.install[2]!.args[2]!.replace("grep -v", "grep")), detected: ["install"] },
    { name: "the store mounted as a cache for pnpm deploy", app: "backend", drift: (m) => void m.prune[1]!.mounts.push("cache /pnpm/store"), detected: ["prune"] },
    { name: "no removal of what only optional peers lead to", app: "backend", drift: (m) => void m.prune.splice(2, 1), detected: ["prune"] },
    { name: "another optional-peer removal program", app: "backend", drift: (m) => void (m.prune[3]!.args[2] = m.prune[3]!.args[2]!.replace("meta[name].optional", "true")), detected: ["prune"] },
    { name: "another deploy-state program", app: "backend", drift: (m) => void (m.prune[2]!.args[2] = m.prune[2]!.args[2]!.replace(".modules.yaml", ".modules.yml")), detected: ["prune"] },
    {
      name: "pnpm's pre-run dependency check left on for the build",
      app: "frontend",
      drift: (m) => void delete m.build[1]!.env["pnpm_config_verify_deps_before_run"],
      detected: ["build"],
    },
    { name: "the npmrc secret left mounted for a build command", app: "backend", drift: (m) => void m.build[1]!.mounts.push("secret /root/.npmrc"), detected: ["build"] },
    { name: "the CA variable left set for a build command", app: "frontend", drift: (m) => void (m.build[1]!.env["NODE_EXTRA_CA_CERTS"] = "/run/secrets/ca"), detected: ["build"] },
    { name: "the build environment missing a variable", app: "frontend", drift: (m) => void delete m.build[1]!.env["NEXT_TELEMETRY_DISABLED"], detected: ["build"] },
    { name: "an install run as another user", app: "backend", drift: (m) => void (m.install[4]!.user = "1000"), detected: ["install"] },
    { name: "a prune command moved into the build stage", app: "backend", drift: (m) => void m.build.push(m.prune.shift()!), detected: ["build", "prune"] },
    { name: "prisma generate moved into the build stage", app: "backend", drift: (m) => void m.build.unshift(m.generate.pop()!), detected: ["generate", "build"] },
    { name: "prune FROM build instead of generate", app: "backend", drift: (m) => void (m.stageParents["prune"] = "build"), detected: ["stageParents"] },
    { name: "build FROM deps, past the generated client", app: "backend", drift: (m) => void (m.stageParents["build"] = "deps"), detected: ["stageParents"] },
    { name: "a generate stage that sees the whole source", app: "backend", drift: (m) => void (m.generateInputs = { include: ["**"], at: "/src" }), detected: ["generateInputs"] },
    { name: "a generate stage without the Prisma config", app: "backend", drift: (m) => void m.generateInputs!.include.shift(), detected: ["generateInputs"] },
    { name: "no generate stage", app: "backend", drift: (m) => void (m.generateInputs = undefined), detected: ["generateInputs"] },
    {
      name: "a Prisma engine argument also given to the build",
      app: "backend",
      variant: GIVEN,
      drift: (m) => void (m.build[1]!.env["PRISMA_ENGINES_MIRROR"] = PRISMA_ARGS.PRISMA_ENGINES_MIRROR),
      detected: ["build"],
    },
    { name: "a Prisma engine argument not given to generate", app: "backend", variant: GIVEN, drift: (m) => void delete m.generate[0]!.env["PRISMA_SCHEMA_ENGINE_BINARY"], detected: ["generate"] },
    { name: "a missing install input", app: "backend", drift: (m) => void (m.installInputs.include = m.installInputs.include.filter((f) => f !== "backend/.pnpmfile.mjs")), detected: ["installInputs"] },
    { name: "a package manager left in the runtime root", app: "backend", drift: (m) => void m.removedFromRuntimeRoot.pop(), detected: ["removedFromRuntimeRoot"] },
    { name: "a slower healthcheck", app: "backend", drift: (m) => void (m.healthcheck!.interval = "30s"), detected: ["healthcheck"] },
    { name: "another health path", app: "frontend", drift: (m) => void (m.healthcheck!.args[3] = "/healthz"), detected: ["healthcheck"] },
    { name: "another health probe program", app: "backend", drift: (m) => void (m.healthcheck!.args[2] = m.healthcheck!.args[2]!.replace("4000", "9000")), detected: ["healthcheck"] },
    { name: "another exposed port", app: "backend", drift: (m) => void (m.exposedPorts = ["8080/tcp"]), detected: ["exposedPorts"] },
    { name: "another entrypoint", app: "frontend", drift: (m) => void (m.entrypoint = ["node", ".next/standalone/server.js"]), detected: ["entrypoint"] },
    { name: "a default CMD", app: "backend", drift: (m) => void (m.cmd = ["--inspect"]), detected: ["cmd"] },
    { name: "another runtime base digest", app: "backend", drift: (m) => void (m.runtimeImage = m.runtimeImage.replace(/sha256:\w+/, `sha256:${"0".repeat(64)}`)), detected: ["runtimeImage"] },
    { name: "app files owned by the app user", app: "backend", drift: (m) => void (m.appFiles[0]!.owner = "1000:1000"), detected: ["appFiles"] },
    { name: "a missing dist copy", app: "backend", drift: (m) => void m.appFiles.pop(), detected: ["appFiles"] },
    { name: "the compiled code copied before the dependencies", app: "backend", drift: (m) => void m.appFiles.reverse(), detected: ["appFiles"] },
    { name: "dist taken from the prune stage", app: "backend", drift: (m) => void (m.appFiles[1]!.from = "prune"), detected: ["appFiles"] },
    { name: "another working directory", app: "frontend", drift: (m) => void (m.workdir = "/srv"), detected: ["workdir"] },
  ];

  it.each(drifts)("detects $name", ({ app, variant, drift, detected }) => {
    const dockerfile = structuredClone(modelsOf(app, variant).dockerfile.model);
    drift(dockerfile);
    expect(compareBuilds(dockerfile, modelsOf(app, variant).dagger).map((d) => d.aspect)).toEqual(detected);
  });

  it("reports a drift as a line diff of the Dockerfile's side against the Dagger plan's", () => {
    const dockerfile = structuredClone(modelsOf("backend").dockerfile.model);
    dockerfile.stageParents["prune"] = "build";
    dockerfile.removedFromRuntimeRoot = dockerfile.removedFromRuntimeRoot.filter((p) => p !== "usr/local/bin/corepack");
    dockerfile.user = "0:0";
    dockerfile.labels["org.opencontainers.image.title"] = "api";
    expect(describeDrifts("backend", compareBuilds(dockerfile, modelsOf("backend").dagger))).toBe(
      [
        "stage each build stage starts FROM (- Dockerfile.backend, + Dagger plan):",
        '    build: "generate"',
        '    generate: "deps"',
        '  - prune: "build"',
        '  + prune: "generate"',
        "",
        "package-manager paths removed from the runtime root (- Dockerfile.backend, + Dagger plan):",
        '    "opt/yarn-*"',
        '  + "usr/local/bin/corepack"',
        '    "usr/local/bin/npm"',
        '    "usr/local/bin/npx"',
        '    "usr/local/bin/yarn"',
        '    "usr/local/bin/yarnpkg"',
        '    "usr/local/lib/node_modules"',
        "",
        "runtime user (- Dockerfile.backend, + Dagger plan):",
        '  - "0:0"',
        '  + "1000:1000"',
        "",
        "OCI labels (- Dockerfile.backend, + Dagger plan):",
        '    org.opencontainers.image.base.digest: "sha256:4f696fbf39f383c1e486030ba6b289a5d9af541642fc78ab197e584a113b9c03"',
        '    org.opencontainers.image.base.name: "docker.io/library/node:24.13.1-alpine"',
        '    org.opencontainers.image.created: "1970-01-01T00:00:00Z"',
        '    org.opencontainers.image.description: "NestJS + Prisma backend, built by drydock"',
        '    org.opencontainers.image.licenses: "NOASSERTION"',
        '    org.opencontainers.image.revision: "unknown"',
        '    org.opencontainers.image.source: ""',
        '  - org.opencontainers.image.title: "api"',
        '  + org.opencontainers.image.title: "drydock-backend"',
        '    org.opencontainers.image.version: "0.0.0-dev"',
      ].join("\n"),
    );
  });
});

describe("reading the Dagger plan", () => {
  const step = (field: string, args: Record<string, ArgValue> = {}): Step => ({ field, args });
  const dir = (...chain: Step[]) => new ObjectRef(`fake-id:Directory:${renderChain(chain)}`, "Directory", chain);
  const repository = [step("host"), step("directory", { path: "examples/app" })];
  const app = [...repository, step("directory", { path: "backend" })];
  const folder = step("directory", { path: "backend" });
  /** The source's files (the repository root, or `backend`, maybe filtered) added at `at`. */
  const copy = (at: string, ...source: Step[]) => step("withDirectory", { path: at, source: dir(...repository, ...source) });
  const exec = (...args: string[]) => step("withExec", { args });
  const deps = [step("container"), step("from", { address: NODE_IMAGE }), step("withWorkdir", { path: "/src/backend" }), copy("/src", step("filter", { include: ["backend/package.json"] })), exec("pnpm", "install")];
  const generate = [...deps, copy("/src/backend", folder, step("filter", { include: ["prisma/**"] })), exec("pnpm", "exec", "prisma", "generate")];
  const packagesBuild = exec(...LOCAL_PACKAGES_BUILD);
  const build = [...generate, packagesBuild, copy("/src/backend", folder), exec("pnpm", "run", "build")];
  const frontendBuild = [...deps, packagesBuild, copy("/src/backend", folder), exec("pnpm", "run", "build")];
  const sharedPackage = copy("/src", step("filter", { include: ["packages/shared/**"] }));
  const withPackages = [...deps, sharedPackage, packagesBuild, copy("/src/backend", folder), exec("pnpm", "run", "build")];
  const PACKAGES_BUILD = LOCAL_PACKAGES_BUILD.join(" ");
  const failOpen = [...deps.slice(0, -1), step("withExec", { args: ["pnpm", "install"], expect: "ANY" }), packagesBuild, copy("/src/backend", folder)];
  /** The image's copy of `folder` to /app as file-times.ts writes it: a tree stamped with `time` (by `command`), copied to "/". */
  const shipped = (folder: ObjectRef, time: number, command: string[] = stampCommand(time)) =>
    step("withDirectory", {
      path: "/",
      owner: "0:0",
      source: dir(
        step("container"),
        step("from", { address: NODE_IMAGE }),
        step("withUser", { name: "0:0" }),
        step("withMountedDirectory", { path: STAMP_DIR, source: dir(step("directory"), step("withDirectory", { path: "app", source: folder })) }),
        step("withExec", { args: command }),
        step("directory", { path: STAMP_DIR }),
      ),
    });
  const root = step("withRootfs", { directory: dir(step("container"), step("from", { address: NODE_IMAGE }), step("rootfs"), step("filter", { exclude: ["usr/local/bin/npm"] })) });
  const stageOf = stagesOf(build, [execRecord([...generate, exec("pnpm", "deploy")])]).stageOf;
  const allExecs = (chain: Step[]) => chain.flatMap((s, i) => (s.field === "withExec" ? [execRecord(chain.slice(0, i + 1))] : []));

  it.each([
    {
      name: "reads which stage each build stage continues",
      read: () => stagesOf(build, [...allExecs(build), execRecord([...generate, exec("pnpm", "deploy")])]).aspects.stageParents,
      expected: { generate: "deps", build: "generate", prune: "generate" },
    },
    {
      name: "reads a plan without a generate stage",
      read: () => {
        const { stageParents, generateInputs, generate: commands } = stagesOf(frontendBuild, [...allExecs(frontendBuild), execRecord([...frontendBuild, exec("cp")])]).aspects;
        return { stageParents, generateInputs, commands };
      },
      expected: { stageParents: { build: "deps", prune: "build" }, generateInputs: undefined, commands: [] },
    },
    {
      name: "reads the commands of each stage",
      read: () => {
        const { install, generate: commands, build: built, prune } = stagesOf(build, [...allExecs(build), execRecord([...generate, packagesBuild, exec("pnpm", "deploy")])]).aspects;
        return [install, commands, built, prune].map((stage) => stage.map((c) => c.args.join(" ")));
      },
      expected: [["pnpm install"], ["pnpm exec prisma generate"], [PACKAGES_BUILD, "pnpm run build"], [PACKAGES_BUILD, "pnpm deploy"]],
    },
    { name: "reads the generate inputs as the filter's patterns, from the repository root", read: () => stagesOf(build, []).aspects.generateInputs, expected: { include: ["backend/prisma/**"], at: "/src" } },
    { name: "reads the install inputs and the app folder", read: () => (({ installInputs, buildInputs, appFolder }) => ({ installInputs, buildInputs, appFolder }))(stagesOf(build, []).aspects), expected: { installInputs: { include: ["backend/package.json"], at: "/src" }, buildInputs: { include: ["backend/**"], at: "/src" }, appFolder: "backend" } },
    {
      name: "reads the local packages and their build right before the app folder as the build stage's",
      read: () => (({ buildInputs, stageParents }) => ({ buildInputs, stageParents }))(stagesOf(withPackages, allExecs(withPackages)).aspects),
      expected: { buildInputs: { include: ["backend/**", "packages/shared/**"], at: "/src" }, stageParents: { build: "deps" } },
    },
    {
      name: "reads the local packages, built, as the prune stage's own when it shares them with the build, continuing the stage before",
      read: () => (({ pruneInputs, stageParents, prune }) => ({ pruneInputs, stageParents, prune: prune.map((c) => c.args.join(" ")) }))(stagesOf(withPackages, [...allExecs(withPackages), execRecord([...deps, sharedPackage, packagesBuild, exec("pnpm", "deploy")])]).aspects),
      expected: { pruneInputs: { include: ["packages/shared/**"], at: "/src" }, stageParents: { build: "deps", prune: "deps" }, prune: [PACKAGES_BUILD, "pnpm deploy"] },
    },
    { name: "names the end of each stage", read: () => [deps, generate, build].map((chain) => stageOf(chain)), expected: ["deps", "generate", "build"] },
    { name: "names the prune stage's end", read: () => stageOf([...generate, exec("pnpm", "deploy"), step("withoutMount", { path: "/pnpm/store" })]), expected: "prune" },
  ])("$name", ({ read, expected }) => {
    expect(read()).toEqual(expected);
  });

  it.each([
    { name: "a build without the install-input copy", run: () => stagesOf(build.filter((s) => s.field !== "withDirectory"), []), error: "the build chain has no install-input copy followed by the whole app folder" },
    { name: "a command outside the build chain", run: () => stagesOf(build, [execRecord([step("container"), exec("ls")])]), error: "a command outside the build chain, not continuing it from the end of a stage: container.withExec" },
    { name: "a command branching off in the middle of a stage", run: () => stagesOf(build, [execRecord([...deps.slice(0, 3), exec("ls")])]), error: "a command outside the build chain, not continuing it from the end of a stage" },
    { name: "a command that fails open", run: () => stagesOf(failOpen, [execRecord(failOpen.slice(0, -2))]), error: 'withExec options the Dockerfiles cannot express: withExec(args: ["pnpm", "install"], expect: "ANY")' },
    { name: "two copies between the install inputs and the build", run: () => stagesOf([...generate, copy("/src/backend", folder, step("filter", { include: ["src/**"] })), exec("x"), packagesBuild, copy("/src/backend", folder)], []), error: "expected at most one copy (the generate inputs) between the install inputs and the build stage, found 2" },
    { name: "a build that does not build the local packages", run: () => stagesOf([...generate, copy("/src/backend", folder), exec("pnpm", "run", "build")], []), error: "the build chain does not build the local packages before the app folder" },
    { name: "a build stage adding part of the source", run: () => stagesOf(generate, []), error: "the build chain has no install-input copy followed by the whole app folder" },
    { name: "files added after the whole app folder", run: () => stagesOf([...build, copy("/src", step("filter", { include: ["x/**"] }))], []), error: "files of the source added after the whole app folder" },
    { name: "an app folder landing elsewhere than its path", run: () => stagesOf([...deps, step("withDirectory", { path: "/app", source: dir(...app) })], []), error: "the folder backend of the source lands in /app, not at its path below one folder" },
    {
      name: "a source filter with excludes",
      run: () => stagesOf([...deps.slice(0, 3), copy("/src", step("filter", { include: ["package.json"], exclude: ["x"] })), copy("/src/backend", folder)], []),
      error: 'a filter of the source with exclude, which the parity model does not compare: filter(include: ["package.json"], exclude: ["x"])',
    },
    {
      name: "prune commands continuing two stages",
      run: () => stagesOf(build, [execRecord([...build, exec("a")]), execRecord([...generate, exec("b")])]),
      error: "commands continuing both the build and the generate stage: the model has one prune stage",
    },
    { name: "a build step the model does not compare", run: () => stagesOf([...build.slice(0, -1), step("withNewFile", { path: ".env", contents: "A=1" }), exec("pnpm", "run", "build")], []), error: 'the build runs withNewFile(path: ".env", contents: "A=1"), which the parity model does not compare' },
    { name: "a prune step the model does not compare", run: () => stagesOf(build, [execRecord([...build, step("withFile", { path: "x" }), exec("cp")])]), error: 'the build runs withFile(path: "x"), which the parity model does not compare' },
    { name: "prune commands on two branches", run: () => stagesOf(build, [execRecord([...build, exec("a")]), execRecord([...build, exec("b")])]), error: "prune commands on two branches" },
    { name: "a folder taken from the middle of a stage", run: () => stageOf(deps.slice(0, 2)), error: "a folder taken from a container that ends no stage of the build: container.from" },
    { name: "a folder taken past the prune commands", run: () => stageOf([...generate, exec("pnpm", "deploy"), exec("rm")]), error: "a folder taken from a container that ends no stage of the build" },
    { name: "an image that does not start from a root filesystem", run: () => runtimeOf([step("container"), step("from", { address: NODE_IMAGE })], stageOf), error: "expected the image to start as container.withRootfs(…)" },
    { name: "a runtime root built another way", run: () => runtimeOf([step("container"), step("withRootfs", { directory: dir(step("directory")) })], stageOf), error: "expected the runtime root as container.from(…).rootfs.filter(exclude: …)" },
    { name: "app files not taken from a directory of a stage", run: () => runtimeOf([step("container"), root, shipped(dir(...app, step("withNewFile")), 0)], stageOf), error: "expected the app files as <stage>.directory(path)" },
    { name: "app files with the times the build wrote", run: () => runtimeOf([step("container"), root, step("withDirectory", { path: "/app", source: dir(...app) })], stageOf), error: 'expected the image\'s files as withDirectory(path: "/", source: <a stamped tree>) (file-times.ts), got another step' },
    {
      name: "app files whose stamp follows symbolic links",
      run: () => runtimeOf([step("container"), root, shipped(dir(...app), 0, ["find", "/stamp", "-exec", "touch", "--date=@0", "{}", "+"])], stageOf),
      error: 'the stamp runs ["find","/stamp","-exec","touch","--date=@0","{}","+"]',
    },
    {
      name: "app files stamped by another program",
      run: () => runtimeOf([step("container"), root, shipped(dir(...app), 0, ["node", "-e", "require('fs')", STAMP_DIR, "0"])], stageOf),
      error: `the stamp runs ["node","-e","require('fs')","/stamp","0"]`,
    },
    {
      name: "app files with a time other than the created label's",
      run: () => runtimeOf([step("container"), root, shipped(dir(...build, step("directory", { path: "dist" })), 5), step("withLabel", { name: "org.opencontainers.image.created", value: "1970-01-01T00:00:00Z" })], stageOf),
      error: "expected every file time to be the created label's (1970-01-01T00:00:00Z: 0), got 5 at",
    },
    { name: "an image setting what the model does not compare", run: () => runtimeOf([step("container"), root, step("withAnnotation", { name: "a", value: "b" })], stageOf), error: 'the runtime image sets withAnnotation(name: "a", value: "b"), which the parity model does not compare' },
    { name: "a label that is not a string", run: () => runtimeOf([step("container"), root, step("withLabel", { name: "a", value: 1 })], stageOf), error: "label value: expected a string in the plan, got 1" },
    { name: "an entrypoint that is not a list of strings", run: () => runtimeOf([step("container"), root, step("withEntrypoint", { args: "node" })], stageOf), error: 'entrypoint: expected a list of strings in the plan, got "node"' },
  ])("rejects $name", ({ run, error }) => {
    expect(run).toThrow(error);
  });
});

describe("reading a Dockerfile", () => {
  /** Dockerfile.backend with one edit; an edit that no longer applies fails rather than testing the unedited file. */
  function edited(from: string, to: string): string {
    const text = readFileSync(path.join(repoRoot, "Dockerfile.backend"), "utf8");
    if (!text.includes(from)) throw new Error(`Dockerfile.backend no longer contains ${JSON.stringify(from)}: update this test's edit`);
    return text.replace(from, to);
  }
  const read = (text: string, buildArgs: Record<string, string> = {}) => readDockerfile(text, "Dockerfile.backend", buildArgs).model;
  const unedited = ["RUN pnpm run build", "RUN pnpm run build"] as const;

  it.each([
    { name: "reads a plain-word script as the argv it execs", args: ["/bin/sh", "-c", "pnpm run build"], expected: ["pnpm", "run", "build"] },
    { name: "collapses unquoted blank runs and trims", args: ["/bin/sh", "-c", "  pnpm   run\tbuild \n"], expected: ["pnpm", "run", "build"] },
    { name: "keeps a script with operators a script", args: ["/bin/sh", "-c", "mkdir /out &&     cp -a dist /out/"], expected: ["/bin/sh", "-c", "mkdir /out && cp -a dist /out/"] },
    { name: "keeps blanks inside quotes, and removes the quotes of plain quoted words", args: ["/bin/sh", "-c", "echo 'a   b'  \"c   d\""], expected: ["echo", "a   b", "c   d"] },
    { name: "reads a quoted word joined to plain text as one word", args: ["/bin/sh", "-c", 'npm install --global "pnpm@12.4.2"'], expected: ["npm", "install", "--global", "pnpm@12.4.2"] },
    { name: "keeps blanks inside quotes of a script", args: ["/bin/sh", "-c", "echo 'a   b'  \"c   d\" | cat"], expected: ["/bin/sh", "-c", "echo 'a   b' \"c   d\" | cat"] },
    { name: "keeps a script with $ in double quotes a script", args: ["/bin/sh", "-c", 'echo "$HOME"'], expected: ["/bin/sh", "-c", 'echo "$HOME"'] },
    { name: "keeps a script with an unterminated quote a script", args: ["/bin/sh", "-c", "echo 'a"], expected: ["/bin/sh", "-c", "echo 'a"] },
    { name: "keeps a quoted leading assignment a script", args: ["/bin/sh", "-c", "CI='1' pnpm test"], expected: ["/bin/sh", "-c", "CI='1' pnpm test"] },
    { name: "keeps a backslash-escaped blank", args: ["/bin/sh", "-c", "touch a\\  b"], expected: ["/bin/sh", "-c", "touch a\\  b"] },
    { name: "keeps a leading assignment a script", args: ["/bin/sh", "-c", "CI=1 pnpm test"], expected: ["/bin/sh", "-c", "CI=1 pnpm test"] },
    { name: "keeps a glob a script", args: ["/bin/sh", "-c", "rm -rf /tmp/*"], expected: ["/bin/sh", "-c", "rm -rf /tmp/*"] },
    { name: "leaves an exec-form command alone", args: ["pnpm", "run", "build"], expected: ["pnpm", "run", "build"] },
    { name: "treats only /bin/sh as the Dockerfile shell", args: ["sh", "-c", "pnpm run build"], expected: ["sh", "-c", "pnpm run build"] },
  ])("canonicalCommand $name", ({ args, expected }) => {
    expect(canonicalCommand(args)).toEqual(expected);
  });

  it.each([
    { name: "reads which stage each build stage continues", edit: unedited, read: (m: BuildModel) => m.stageParents, expected: { generate: "deps", build: "generate", prune: "generate" } },
    { name: "reads the generate stage's COPY as what the layout stage found of Prisma", edit: unedited, read: (m: BuildModel) => m.generateInputs, expected: { include: ["layout:prisma"], at: "/src" } },
    { name: "reads the install inputs as what the layout stage wrote", edit: unedited, read: (m: BuildModel) => m.installInputs, expected: { include: ["layout:install"], at: "/src" } },
    { name: "reads the build stage's files as the local packages and the whole app folder", edit: unedited, read: (m: BuildModel) => m.buildInputs, expected: { include: ["backend/**", "layout:packages"], at: "/src" } },
    { name: "reads the prune stage's files as the local packages", edit: unedited, read: (m: BuildModel) => m.pruneInputs, expected: { include: ["layout:packages"], at: "/src" } },
    { name: "reads the layout stage's command apart, with the context mounted", edit: unedited, read: () => readDockerfile(edited(...unedited), "Dockerfile.backend").layout, expected: { args: ["node", "-e", LAYOUT_PROGRAM, "/context", "backend", "/layout", "--pnpm=12.4.2", "--prisma=on"], workdir: undefined, user: undefined, env: {}, mounts: ["bind-context /context"] } },
    {
      name: "reads the whole app folder copied by the generate stage as **",
      edit: ["COPY --from=layout /layout/prisma/ /src/", "ARG APP_DIR=backend\nWORKDIR /src/${APP_DIR}\nCOPY ${APP_DIR}/ ./"],
      read: (m: BuildModel) => m.generateInputs,
      expected: { include: ["backend/**"], at: "/src" },
    },
    { name: "reads a nested file as its path below the folder it lands in", edit: ["COPY --from=layout /layout/prisma/ /src/", "ARG APP_DIR=backend\nCOPY ${APP_DIR}/prisma/schema.prisma ./prisma/"], read: (m: BuildModel) => m.generateInputs, expected: { include: ["backend/prisma/schema.prisma"], at: "/src" } },
    { name: "reads PRISMA=off as no generate stage, the prune continuing deps", edit: unedited, read: () => (({ stageParents, generateInputs, generate }) => ({ stageParents, generateInputs, generate }))(readDockerfile(edited(...unedited), "Dockerfile.backend", { PRISMA: "off" }).model), expected: { stageParents: { build: "deps", prune: "deps" }, generateInputs: undefined, generate: [] } },
    { name: "reads the prune variant PRISMA chooses, after the parts it continues", edit: unedited, read: () => readDockerfile(edited(...unedited), "Dockerfile.backend", { PRISMA: "off" }).model.prune.map((c) => c.args.join(" ").slice(0, 40)), expected: [`/bin/sh -c ${LOCAL_PACKAGES_BUILD[2].slice(0, 29)}`, "/bin/sh -c pnpm deploy --filter '{.}' --", `node -e ${DEPLOY_STATE.slice(0, 32)}`, `node -e ${OPTIONAL_PEER_PRUNE.slice(0, 32)}`, "/bin/sh -c find /out/node_modules -type "] },
    { name: "reads a build stage that skips generate", edit: ["FROM generate AS build-packages", "FROM deps AS build-packages"], read: (m: BuildModel) => m.stageParents, expected: { generate: "deps", build: "deps", prune: "deps" } },
    {
      name: "reads the runtime copies in order, with their owners",
      edit: unedited,
      read: (m: BuildModel) => m.appFiles,
      expected: [
        { from: "prune", path: "/out", to: "/app", owner: "0:0" },
        { from: "build", path: "/src/backend/dist", to: "/app/dist", owner: "0:0" },
      ],
    },
    { name: "expands the stage's ARGs in a shell-form RUN", edit: ["RUN pnpm run build", "RUN pnpm run ${APP_DIR}"], read: (m: BuildModel) => m.build[1]?.args, expected: ["pnpm", "run", "backend"] },
    { name: "leaves an exec-form RUN unexpanded, as Docker does", edit: ["RUN pnpm run build", 'RUN ["pnpm", "run", "${APP_DIR}"]'], read: (m: BuildModel) => m.build[1]?.args, expected: ["pnpm", "run", "${APP_DIR}"] },
    { name: "leaves the script's own variables to the shell", edit: ["RUN pnpm run build", 'RUN for f in dist/*; do echo "$f"; done'], read: (m: BuildModel) => m.build[1]?.args, expected: ["/bin/sh", "-c", 'for f in dist/*; do echo "$f"; done'] },
    {
      name: "turns the leading NODE_EXTRA_CA_CERTS assignment into the command's environment",
      edit: ["RUN pnpm run build", "RUN NODE_EXTRA_CA_CERTS=/etc/proxy-ca.pem pnpm run build"],
      read: (m: BuildModel) => m.build[1] && { args: m.build[1].args, env: m.build[1].env },
      expected: { args: ["pnpm", "run", "build"], env: { pnpm_config_verify_deps_before_run: "false", NODE_EXTRA_CA_CERTS: "/etc/proxy-ca.pem" } },
    },
    { name: "keeps any other leading assignment in the script", edit: ["RUN pnpm run build", "RUN CI=1 pnpm run build"], read: (m: BuildModel) => m.build[1]?.args, expected: ["/bin/sh", "-c", "CI=1 pnpm run build"] },
    { name: "gives later stages the ENV of the stage they continue", edit: unedited, read: (m: BuildModel) => m.prune.map((c) => c.env), expected: [{ pnpm_config_verify_deps_before_run: "false" }, { pnpm_config_verify_deps_before_run: "false" }, { pnpm_config_verify_deps_before_run: "false" }, { pnpm_config_verify_deps_before_run: "false" }, { pnpm_config_verify_deps_before_run: "false" }] },
    { name: "reads EXPOSE with a protocol", edit: ["EXPOSE ${PORT}", "EXPOSE ${PORT}/UDP"], read: (m: BuildModel) => m.exposedPorts, expected: ["3000/udp"] },
    { name: "reads COPY --chown as the app files' owner", edit: ["COPY --from=prune /out/ /app/", "COPY --from=prune --chown=1000:1000 /out/ /app/"], read: (m: BuildModel) => m.appFiles[0]?.owner, expected: "1000:1000" },
    {
      name: "reads HEALTHCHECK NONE as no healthcheck",
      edit: ["HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 \\\n  CMD", "HEALTHCHECK NONE\n# CMD"],
      read: (m: BuildModel) => m.healthcheck,
      expected: undefined,
    },
    {
      name: "lets ENV win over an ARG of the same name",
      edit: ["ARG PRISMA_ENGINES_MIRROR\n", "ENV PRISMA_ENGINES_MIRROR=https://env.example\nARG PRISMA_ENGINES_MIRROR=https://arg.example\nRUN echo ${PRISMA_ENGINES_MIRROR}\n"],
      read: (m: BuildModel) => m.generate[0]?.args,
      expected: ["echo", "https://env.example"],
    },
  ])("$name", ({ edit: [from, to], read: pick, expected }) => {
    expect(pick(read(edited(from, to)))).toEqual(expected);
  });

  it.each<{ name: string; buildArgs: Record<string, string>; read: (m: BuildModel) => unknown; expected: unknown }>([
    {
      name: "hands an ARG without a default to its stage's RUN lines when given",
      buildArgs: { PRISMA_ENGINES_MIRROR: "https://mirror.example" },
      read: (m: BuildModel) => [...m.install, ...m.generate, ...m.build, ...m.prune].map((c) => c.env["PRISMA_ENGINES_MIRROR"]),
      expected: [undefined, undefined, undefined, undefined, undefined, undefined, "https://mirror.example", undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined],
    },
    {
      name: "hands an ARG without a default to no RUN line when not given",
      buildArgs: {},
      read: (m: BuildModel) => m.generate[0]?.env,
      expected: { pnpm_config_verify_deps_before_run: "false" },
    },
    {
      name: "counts an ARG with a default as a parameter of the Dockerfile, not of the command's environment",
      buildArgs: { APP_DIR: "api" },
      read: (m: BuildModel) => ({ appFolder: m.appFolder, env: m.build[1]?.env }),
      expected: { appFolder: "api", env: { pnpm_config_verify_deps_before_run: "false" } },
    },
    {
      name: "lets a given build argument win over the ARG's default",
      buildArgs: { VERSION: "2.0.0", BASE_DIGEST: `sha256:${"1".repeat(64)}` },
      read: (m: BuildModel) => [m.labels["org.opencontainers.image.version"], m.runtimeImage],
      expected: ["2.0.0", `docker.io/library/node:24.13.1-alpine@sha256:${"1".repeat(64)}`],
    },
  ])("$name", ({ buildArgs, read: pick, expected }) => {
    expect(pick(read(edited(...unedited), buildArgs))).toEqual(expected);
  });

  it.each([
    { name: "a missing stage", edit: ["FROM prune-${PRISMA} AS prune", "FROM prune-${PRISMA} AS trim"], error: 'Dockerfile.backend: no stage "prune" (found layout, deps, generate-on, generate-off, generate, build-packages, build, prune-deps, prune-on, prune-off, trim, runtime-base, runtime-root, migrate-deps, migrate-engine, migrate, runtime) — the parity model reads the stages layout, deps, generate (optional), build, prune, runtime-base, runtime-root, runtime' },
    { name: "a stage the model does not know", edit: ["FROM ${RUNTIME_IMAGE} AS runtime-base", "FROM deps AS test\nRUN pnpm test\n\nFROM ${RUNTIME_IMAGE} AS runtime-base"], error: "Dockerfile.backend: stage test is not modelled — the parity model reads the stages layout, deps, generate (optional), build, prune" },
    { name: "a build stage continuing a later one", edit: ["FROM build-packages AS build", "FROM prune AS build"], error: "Dockerfile.backend: stage build starts FROM prune, expected FROM one of the build stages before it (deps, generate)" },
    { name: "a build stage starting from an image", edit: ["FROM prune-${PRISMA} AS prune", "FROM ${BUILD_IMAGE} AS prune"], error: `Dockerfile.backend: stage prune starts FROM ${NODE_IMAGE}, expected FROM one of the build stages before it (deps, generate, build)` },
    { name: "a runtime not starting from scratch", edit: ["FROM scratch AS runtime", "FROM runtime-root AS runtime"], error: "Dockerfile.backend: stage runtime starts FROM runtime-root, expected FROM scratch" },
    { name: "an instruction the model does not know", edit: ['ENTRYPOINT ["node", "dist/.drydock-entrypoint"]', 'ENTRYPOINT ["node", "dist/.drydock-entrypoint"]\nSTOPSIGNAL SIGINT'], error: "STOPSIGNAL is not modelled by the parity test" },
    { name: "an instruction before the first FROM", edit: ["ARG BASE_NAME=", "ENV A=1\nARG BASE_NAME="], error: "ENV before the first FROM — only ARG may come first" },
    { name: "FROM with a flag", edit: ["FROM scratch AS runtime", "FROM --platform=linux/amd64 scratch AS runtime"], error: "FROM --platform=linux/amd64 is not modelled — expected FROM <image> AS <stage>" },
    { name: "FROM without an image", edit: ["FROM scratch AS runtime", "FROM"], error: "FROM without an image" },
    { name: "ARG without a name", edit: ["ARG SOURCE\n", "ARG\n"], error: "ARG without a name" },
    { name: "an instruction without arguments", edit: ["USER 1000:1000", "USER"], error: "USER without arguments — expected at least one" },
    { name: "a variable no ARG declares", edit: ['"${SOURCE}"', '"${SORCE}"'], error: "${SORCE} names no ARG or ENV in scope — declare it in this stage (ARG SORCE) or fix the name" },
    { name: "a substitution modifier", edit: ['"${LICENSES}"', '"${LICENSES:-MIT}"'], error: "${LICENSES:-MIT} — substitution modifiers are not modelled" },
    { name: "a single-quoted value with $", edit: ['org.opencontainers.image.title="${TITLE}"', "org.opencontainers.image.title='${VERSION}'"], error: "'${VERSION}' — a single-quoted value with $ is not modelled; use double quotes" },
    { name: "two defaults for one ARG", edit: ["FROM build-packages AS build\nARG APP_DIR=backend", "FROM build-packages AS build\nARG APP_DIR=api"], error: 'ARG APP_DIR defaults to "api" here but "backend" earlier' },
    { name: "a RUN flag other than --mount", edit: ["RUN pnpm run build", "RUN --network=none pnpm run build"], error: "RUN --network is not modelled — expected only --mount" },
    { name: "a bind mount of another stage", edit: ["--mount=type=secret,id=npmrc,target=/root/.npmrc,required=false", "--mount=type=bind,target=/mnt,from=deps"], error: "--mount=type=bind,target=/mnt,from=deps is not modelled — expected type=cache with a target, type=secret with an id or target, or type=bind of the whole context with a target" },
    { name: "a COPY flag other than --from and --chown", edit: ["COPY ${APP_DIR}/ ./", "COPY --chmod=644 ${APP_DIR}/ ./"], error: "COPY --chmod is not modelled — expected only --from and --chown" },
    { name: "a COPY without a destination", edit: ["COPY ${APP_DIR}/ ./", "COPY ./"], error: "COPY needs at least one source and a destination" },
    { name: "a second COPY in the build stage", edit: ["COPY ${APP_DIR}/ ./", "COPY ${APP_DIR}/ ./\nCOPY ${APP_DIR}/.env ./"], error: "stage build has 2 COPY instructions, expected one: the COPY of the app source" },
    { name: "a layout stage that copies", edit: ["FROM ${BUILD_IMAGE} AS layout\nARG APP_DIR=backend\n", "FROM ${BUILD_IMAGE} AS layout\nARG APP_DIR=backend\nCOPY . /context/\n"], error: "stage layout must run exactly one command and copy nothing, found 1 RUN and 1 COPY" },
    { name: "a layout part that is no folder", edit: ["COPY --from=layout /layout/install/ /src/", "COPY --from=layout /layout/install/package.json /src/"], error: "expected COPY --from=layout /layout/<part>/ <folder>/, found COPY --from=layout /layout/install/package.json /src" },
    { name: "a build stage copying a file, not the app folder", edit: ["COPY ${APP_DIR}/ ./", "COPY ${APP_DIR}/src ./"], error: "expected the build stage to copy one folder (`COPY <app>/ ./`), found COPY backend/src /src" },
    { name: "an install input outside the build context", edit: ["COPY --from=layout /layout/install/ /src/", "COPY ../package.json /src/"], error: "the deps stage's source must come from the build context or the layout stage, found COPY ../package.json /src" },
    { name: "a generate input from another stage", edit: ["COPY --from=layout /layout/prisma/ /src/", "COPY --from=deps /src/backend/prisma/ /src/"], error: "the generate stage's source must come from the build context or the layout stage, found COPY --from=deps /src/backend/prisma/ /src" },
    { name: "a generate input copied to a new file name", edit: ["COPY --from=layout /layout/prisma/ /src/", "ARG APP_DIR=backend\nCOPY ${APP_DIR}/prisma.config.* ./prisma.config.ts"], error: 'COPY backend/prisma.config.* to a file name is not modelled — end the destination with "/" so the file keeps its name' },
    { name: "a folder copied under another name", edit: ["COPY --from=layout /layout/prisma/ /src/", "ARG APP_DIR=backend\nCOPY ${APP_DIR}/prisma/ ./schema/"], error: "COPY puts backend/prisma/ in /src/backend/schema, not in <folder>/backend/prisma where a filtered copy of the repository keeps it" },
    { name: "generate inputs landing in two folders", edit: ["COPY --from=layout /layout/prisma/ /src/", "ARG APP_DIR=backend\nCOPY ${APP_DIR}/prisma.config.* /tmp/backend/\nCOPY ${APP_DIR}/prisma/ ./prisma/"], error: "the generate stage's files put the repository root in /src here but in /tmp before — a filtered copy puts all of it below one folder" },
    { name: "a generate stage that copies nothing", edit: ["COPY --from=layout /layout/prisma/ /src/\n", ""], error: "Dockerfile.backend: stage generate copies no source — expected COPY <app>/<file>… ./" },
    { name: "a runtime root not copied from runtime-base", edit: ["COPY --from=runtime-base / /rootfs/", "COPY --from=runtime-base /usr /rootfs/"], error: "expected COPY --from=runtime-base / <folder>, found COPY --from=runtime-base /usr /rootfs" },
    { name: "a runtime root cleaned by another command", edit: ["RUN rm -rf /rootfs/usr/local/lib/node_modules", "RUN rm -r /rootfs/usr/local/lib/node_modules"], error: "stage runtime-root must run one `rm -rf <paths>` without quotes or variables" },
    { name: "a removed path outside the runtime root", edit: ["/rootfs/opt/yarn-*", "/opt/yarn-*"], error: "rm -rf /opt/yarn-* is outside /rootfs/, the copied runtime root" },
    { name: "a RUN in the runtime stage", edit: ["FROM scratch AS runtime\n", "FROM scratch AS runtime\nRUN true\n"], error: "RUN in the runtime stage — it starts FROM scratch and may have no shell" },
    { name: "a runtime that does not start from the cleaned root", edit: ["FROM scratch AS runtime\nCOPY --from=runtime-root /rootfs/ /", "FROM scratch AS runtime\nCOPY --from=runtime-root /rootfs/ /base/"], error: "the runtime stage must start with COPY --from=runtime-root /rootfs /, found COPY --from=runtime-root /rootfs/ /base" },
    { name: "a runtime copying from the build context", edit: ["COPY --from=build /src/${APP_DIR}/dist/ /app/dist/", "COPY backend/.env /app/"], error: "the runtime stage may copy, besides the root, one folder of a build stage (deps, generate, build, prune) per COPY, found COPY backend/.env /app" },
    { name: "a runtime copying two folders in one COPY", edit: ["COPY --from=build /src/${APP_DIR}/dist/ /app/dist/", "COPY --from=build /src/dist/ /src/prisma/ /app/"], error: "one folder of a build stage (deps, generate, build, prune) per COPY, found COPY --from=build /src/dist/ /src/prisma/ /app" },
    { name: "a HEALTHCHECK flag the model does not know", edit: ["--retries=3", "--retries=3 --foo=1"], error: "HEALTHCHECK --foo is not modelled — expected --interval, --timeout, --start-period, --start-interval, --retries" },
    { name: "a HEALTHCHECK without CMD", edit: ['  CMD ["node"', '  EXEC ["node"'], error: "— expected HEALTHCHECK [options] CMD <command>, or NONE" },
    { name: "a HEALTHCHECK command that is not JSON", edit: ['  CMD ["node", "-e",', "  CMD [\"node\", '-e',"], error: "does not parse as JSON" },
    { name: "a HEALTHCHECK command that is not all strings", edit: ['  CMD ["node", "-e",', '  CMD ["node", 1,'], error: "— expected a JSON array of strings" },
    { name: "a HEALTHCHECK retry count that is not a number", edit: ["--retries=3", "--retries=three"], error: "HEALTHCHECK --retries=three — expected a whole number" },
  ])("rejects $name, naming the file", ({ edit: [from, to], error }) => {
    expectModelError(() => read(edited(from!, to!)), error);
  });

  it("rejects a build argument no ARG declares, naming the file", () => {
    expectModelError(
      () => read(edited(...unedited), { PRISMA_ENGINE_MIRROR: "https://mirror.example" }),
      "Dockerfile.backend: build argument PRISMA_ENGINE_MIRROR is declared by no ARG — fix the name, or declare it where it is used",
    );
  });

  function expectModelError(run: () => unknown, error: string): void {
    const thrown = (() => {
      try {
        run();
      } catch (e) {
        return e;
      }
    })();
    expect(thrown).toBeInstanceOf(DockerfileModelError);
    expect((thrown as Error).message).toContain(error);
    expect((thrown as Error).message).toMatch(/^Dockerfile\.backend[:\s]/);
  }
});

describe("Dockerfile.backend's migrate target and the Dagger plan's migrations image", () => {
  // Every variant with Prisma: a backend without it has no migrations image (the Dagger function
  // refuses, test/plan/migrations.test.ts; the Dockerfile's prune fails the build, test/unit/images).
  const withPrisma = VARIANTS.filter((variant) => variant.source !== "no-prisma");
  const migrations = new Map<string, { dockerfile: MigrateModel; dagger: MigrateModel }>();
  const migrationsOf = (variant = DEFAULTS) => migrations.get(variant) ?? expect.fail(`no migrations models with ${variant}: the beforeAll that reads them failed`);

  /** The plan of the migrations image: `app --name=backend migrations`, synced, with both secrets given as for planOf. */
  async function migrationsPlanOf(args: Partial<DrydockArgs>, source: string): Promise<MigrateModel> {
    engine.reset();
    await withEngine(engine, async () => {
      const d = drydock(source, {
        ...args,
        npmrc: dag.setSecret("parity-npmrc", "//registry.example/:_authToken=parity"),
        caCertificates: dag.setSecret("parity-ca", "-----BEGIN CERTIFICATE-----"),
      });
      await (await (await d.app("backend")).migrations()).sync();
    });
    const synced = engine.evaluations.filter((e) => e.leaf.field === "sync").map((e) => e.chain);
    if (synced.length !== 1) throw new Error(`expected one synced container (the migrations image), got ${synced.length}`);
    return migrateOf(synced[0]!);
  }

  /** The model with its Prisma files as the files of the app folder they select (the Dockerfile's from the layout program's output). */
  function withPrismaFiles(model: MigrateModel, tree: string, folder: string, layoutArgs: readonly string[]): MigrateModel {
    const inFolder = (pattern: string) => (pattern.startsWith("layout:") ? pattern : path.join(folder, pattern));
    const files = inputFiles({ include: model.prismaFiles.include.map(inFolder), at: "/" }, tree, folder, layoutArgs).include;
    return { ...model, prismaFiles: { ...model.prismaFiles, include: files.map((file) => path.relative(folder, file)) } };
  }

  beforeAll(async () => {
    for (const variant of withPrisma) {
      const source = variant.config === undefined ? (variant.source ?? EXAMPLE_APP) : exampleWithConfig(variant.config);
      const tree = path.resolve(repoRoot, source);
      const parsed = dockerfileOf("backend", variant.buildArgs.backend);
      if (!parsed.migrate) throw new Error("Dockerfile.backend has no migrate target");
      const layoutArgs = parsed.layout.args.slice(6);
      migrations.set(variant.name, {
        dockerfile: withPrismaFiles(parsed.migrate, tree, parsed.model.appFolder, layoutArgs),
        dagger: withPrismaFiles(await migrationsPlanOf(variant.drydock, source), tree, parsed.model.appFolder, layoutArgs),
      });
    }
  }, 60_000);

  it.each(withPrisma.map((variant) => variant.name))("agree on every compared aspect with %s", (variant) => {
    const { dockerfile, dagger } = migrationsOf(variant);
    expect(describeMigrationDrifts(compareMigrations(dockerfile, dagger))).toBe("");
  });

  it("ship the Prisma config, schema and migrations, the CLI's files from the engine stage, on the runtime root as 1000:1000, the migration as entrypoint", () => {
    const { dockerfile } = migrationsOf();
    // What prisma generate reads (prisma.ts's inputs): the config, the schema's folder with the migrations, the TypeScript settings; no source.
    expect(dockerfile.prismaFiles).toEqual({
      include: expect.arrayContaining(["prisma.config.ts", "prisma/migrations/20261127000000_init/migration.sql", "prisma/migrations/migration_lock.toml", "prisma/schema.prisma"]),
      to: "/app",
      owner: "0:0",
    });
    expect(dockerfile.prismaFiles.include.filter((file) => file.startsWith("src/"))).toEqual([]);
    expect(dockerfile.appFiles).toEqual([{ from: "migrate-engine", path: "/migrate", to: "/app", owner: "0:0" }]);
    expect(dockerfile.engineCopies).toEqual([{ from: "migrate-deps", path: "/migrate", to: "/migrate", owner: "0:0" }]);
    expect({ user: dockerfile.user, entrypoint: dockerfile.entrypoint, cmd: dockerfile.cmd, healthcheck: dockerfile.healthcheck, ports: dockerfile.exposedPorts }).toEqual({
      user: "1000:1000",
      entrypoint: ["node", "node_modules/prisma/build/index.js", "migrate", "deploy"],
      cmd: [],
      healthcheck: undefined,
      ports: [],
    });
    expect(dockerfile.removedFromRuntimeRoot).toEqual(modelsOf("backend").dockerfile.model.removedFromRuntimeRoot);
  });

  it("name the image after the backend's (TITLE, apps.backend.image), with -migrations", () => {
    const { dockerfile, dagger } = migrationsOf(SHAPED);
    expect([dockerfile.labels["org.opencontainers.image.title"], dagger.labels["org.opencontainers.image.title"]]).toEqual(["shop-api-migrations", "shop-api-migrations"]);
  });

  it.each([
    { variant: DEFAULTS, prune: {}, engine: {} },
    { variant: GIVEN, prune: { PRISMA_SCHEMA_ENGINE_BINARY: "/bin/false" }, engine: { PRISMA_ENGINES_MIRROR: "https://prisma-mirror.example.com/engines" } },
  ])("hand PRISMA_SCHEMA_ENGINE_BINARY to the prune alone and PRISMA_ENGINES_MIRROR to the engine fetch alone, when given: $variant", ({ variant, prune, engine: fetch }) => {
    const knobs = (c: RunCommand) => Object.fromEntries(Object.entries(c.env).filter(([name]) => name.startsWith("PRISMA_")));
    for (const model of Object.values(migrationsOf(variant))) {
      const own = model.deps.slice(-3);
      expect(own.map((c) => c.args.slice(0, 3).join(" ").slice(0, 24))).toEqual(["/bin/sh -c pnpm deploy -", "node -e const fs=require", "node -e const fs=require"]);
      expect(own[1]!.args).toEqual(["node", "-e", DEPLOY_STATE, "/migrate"]);
      expect([knobs(own[0]!), knobs(own[1]!), knobs(own[2]!), knobs(model.engine[0]!)]).toEqual([{}, {}, prune, fetch]);
    }
  });

  it("give the engine fetch the CA certificates alone, as root, and nothing else a secret", () => {
    for (const model of Object.values(migrationsOf())) {
      expect(model.engine.map((c) => ({ user: c.user, mounts: c.mounts, ca: c.env["NODE_EXTRA_CA_CERTS"] }))).toEqual([{ user: "0:0", mounts: ["secret /run/secrets/ca"], ca: "/run/secrets/ca" }]);
      expect(model.deps.slice(-3).flatMap((c) => c.mounts)).toEqual([]);
    }
  });

  const drifts: { name: string; drift: (m: MigrateModel) => void; detected: (keyof MigrateModel)[] }[] = [
    { name: "a root user", drift: (m) => void (m.user = "0:0"), detected: ["user"] },
    { name: "production dependencies only (no CLI)", drift: (m) => void (m.deps.at(-3)!.args[2] = m.deps.at(-3)!.args[2]!.replace("--offline", "--prod --offline")), detected: ["deps"] },
    { name: "the npmrc mounted for the engine fetch", drift: (m) => void m.engine[0]!.mounts.push("secret /root/.npmrc"), detected: ["engine"] },
    { name: "the engine fetched in the build image", drift: (m) => void (m.engineImage = "docker.io/library/node:other"), detected: ["engineImage"] },
    { name: "a missing label", drift: (m) => void delete m.labels["org.opencontainers.image.revision"], detected: ["labels"] },
    { name: "the Prisma files without the migrations", drift: (m) => void (m.prismaFiles.include = m.prismaFiles.include.filter((f) => !f.includes("migrations/"))), detected: ["prismaFiles"] },
    { name: "a package manager left in the root", drift: (m) => void m.removedFromRuntimeRoot.pop(), detected: ["removedFromRuntimeRoot"] },
  ];
  it.each(drifts)("catches $name", ({ drift, detected }) => {
    const { dockerfile, dagger } = migrationsOf();
    const drifted = structuredClone(dagger);
    drift(drifted);
    expect(compareMigrations(dockerfile, drifted).map((d) => d.aspect)).toEqual(detected);
  });

  /** Dockerfile.backend with one edit in its migrations stages. */
  function edited(from: string, to: string): string {
    const text = readFileSync(path.join(repoRoot, "Dockerfile.backend"), "utf8");
    if (!text.includes(from)) throw new Error(`Dockerfile.backend no longer contains ${JSON.stringify(from)}: update this test's edit`);
    return text.replace(from, to);
  }
  it.each([
    { name: "a RUN in the migrate stage", edit: ["FROM scratch AS migrate\n", "FROM scratch AS migrate\nRUN true\n"], error: "RUN in the migrate stage — it starts FROM scratch and may have no shell" },
    { name: "an engine stage on the build image", edit: ["FROM runtime-base AS migrate-engine", "FROM deps AS migrate-engine"], error: "Dockerfile.backend: stage migrate-engine starts FROM deps, expected FROM runtime-base" },
    { name: "a migrate stage without the migrate-deps stage", edit: ["FROM build-packages AS migrate-deps", "FROM build-packages AS migrate-dependencies"], error: "Dockerfile.backend: stage migrate-dependencies is not modelled" },
    { name: "Prisma files of another folder", edit: ["COPY --from=layout /layout/prisma/${APP_DIR}/ /app/", "COPY --from=layout /layout/prisma/ /app/"], error: "expected COPY --from=layout /layout/prisma/<app folder>/ <folder>/, found COPY --from=layout /layout/prisma/ /app" },
  ])("rejects $name, naming the file", ({ edit: [from, to], error }) => {
    const thrown = (() => {
      try {
        readDockerfile(edited(from!, to!), "Dockerfile.backend");
      } catch (e) {
        return e;
      }
    })();
    expect(thrown).toBeInstanceOf(DockerfileModelError);
    expect((thrown as Error).message).toContain(error);
  });
});
