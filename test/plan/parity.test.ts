/**
 * Dockerfile ↔ Dagger parity: drydock builds each image twice over — the Dagger plan and the
 * Dockerfile that test/e2e builds and runs for real — and this test keeps the two from drifting.
 * Both are read into one model (test/support/dockerfile.ts says what each field means and which
 * normalisations apply) and compared aspect by aspect; a table of deliberate drifts proves the
 * comparison catches each kind.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path/posix";
import { isDeepStrictEqual } from "node:util";
import { dag } from "@dagger.io/dagger";
import picomatch from "picomatch";
import { beforeAll, describe, expect, it } from "vitest";
import { NODE_IMAGE, PNPM_VERSION } from "../../dagger/src/build/defaults.ts";
import { Drydock } from "../../dagger/src/index.ts";
import { canonicalCommand, DockerfileModelError, readDockerfile, type BuildModel, type HealthcheckModel, type ParsedDockerfile, type RunCommand } from "../support/dockerfile.js";
import { containerState, execRecord, type ExecRecord } from "../support/fake-engine/container-state.js";
import { ObjectRef, renderChain, renderStep, useFakeEngine, withEngine, type ArgValue, type Chain, type Step } from "../support/fake-engine/index.js";
import { repoRoot } from "../support/paths.js";

const APPS = ["backend", "frontend"] as const;
type App = (typeof APPS)[number];

/** What each compared field is, as a drift report names it. Typed by the model, so no field goes uncompared. */
const ASPECTS: Record<keyof BuildModel, string> = {
  appFolder: "app folder in the repository",
  buildImage: "base image of the build stages",
  runtimeImage: "base image of the runtime",
  installInputs: "files the install step sees",
  installInputsAt: "where the install inputs land",
  install: "install commands",
  sourceAt: "where the app source lands",
  build: "generate/build commands",
  prune: "prune commands",
  removedFromRuntimeRoot: "package-manager paths removed from the runtime root",
  appFiles: "production files copied into the runtime",
  user: "runtime user",
  workdir: "runtime working directory",
  env: "runtime environment",
  exposedPorts: "exposed ports",
  healthcheck: "healthcheck command and timing",
  entrypoint: "entrypoint",
  cmd: "default arguments (CMD)",
  labels: "OCI labels",
};

interface Drift {
  aspect: keyof BuildModel;
  dockerfile: unknown;
  dagger: unknown;
}

/** The aspects in which the two builds differ, in the order of ASPECTS. */
function compareBuilds(dockerfile: BuildModel, dagger: BuildModel): Drift[] {
  return (Object.keys(ASPECTS) as (keyof BuildModel)[])
    .filter((aspect) => !isDeepStrictEqual(dockerfile[aspect], dagger[aspect]))
    .map((aspect) => ({ aspect, dockerfile: dockerfile[aspect], dagger: dagger[aspect] }));
}

/** One block per drift: a line diff, `-` the Dockerfile's line, `+` the Dagger plan's. */
function describeDrifts(app: App, drifts: readonly Drift[]): string {
  return drifts
    .map((d) => [`${ASPECTS[d.aspect]} (- Dockerfile.${app}, + Dagger plan):`, ...lineDiff(linesOf(d.dockerfile), linesOf(d.dagger))].join("\n"))
    .join("\n\n");
}

function linesOf(value: unknown): string[] {
  const one = (v: unknown) => (v === undefined ? "(none)" : JSON.stringify(v));
  if (Array.isArray(value)) return value.map(one);
  if (value !== null && typeof value === "object") {
    return Object.entries(value)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => `${k}: ${one(v)}`);
  }
  return [one(value)];
}

/** A longest-common-subsequence diff: enough for lists of a few dozen lines. */
function lineDiff(before: string[], after: string[]): string[] {
  const common: number[][] = Array.from({ length: before.length + 1 }, () => new Array<number>(after.length + 1).fill(0));
  for (let i = before.length - 1; i >= 0; i--) {
    for (let j = after.length - 1; j >= 0; j--) {
      common[i]![j] = before[i] === after[j] ? common[i + 1]![j + 1]! + 1 : Math.max(common[i + 1]![j]!, common[i]![j + 1]!);
    }
  }
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < before.length || j < after.length) {
    if (i < before.length && j < after.length && before[i] === after[j]) {
      out.push(`    ${before[i++]}`);
      j++;
    } else if (i < before.length && (j === after.length || common[i + 1]![j]! >= common[i]![j + 1]!)) out.push(`  - ${before[i++]}`);
    else out.push(`  + ${after[j++]}`);
  }
  return out;
}

const engine = useFakeEngine();

/**
 * The Dagger plan of one app as the model: the build stage (`<app>Build`) and the image
 * (`<app>`) are synced, and every command, step and argument the engine recorded is read back.
 */
async function planOf(app: App): Promise<BuildModel> {
  // execs() spans everything recorded since the last reset: one app at a time keeps the other's out.
  engine.reset();
  await withEngine(engine, async () => {
    const drydock = new Drydock(dag.host().directory("examples/app"));
    // As `docker build --secret id=npmrc,… --secret id=ca,…`: the install steps then mount both.
    drydock.npmrc = dag.setSecret("parity-npmrc", "//registry.example/:_authToken=parity");
    drydock.caCertificates = dag.setSecret("parity-ca", "-----BEGIN CERTIFICATE-----");
    await (app === "backend" ? await drydock.backendBuild() : await drydock.frontendBuild()).sync();
    await (app === "backend" ? await drydock.backend() : await drydock.frontend()).sync();
  });
  const synced = engine.evaluations.filter((e) => e.leaf.field === "sync").map((e) => e.chain);
  const [buildChain, imageChain, ...more] = synced;
  if (!buildChain || !imageChain || more.length > 0) throw new Error(`expected two synced containers (the ${app} build stage, then the image), got ${synced.length}`);
  return { ...stagesOf(buildChain, engine.execs()), ...runtimeOf(imageChain) };
}

type StageAspects = Pick<BuildModel, "appFolder" | "buildImage" | "installInputs" | "installInputsAt" | "install" | "sourceAt" | "build" | "prune">;

/**
 * The deps, build and prune commands. The build stage is the synced build chain, split where the
 * full app source is added (the Dockerfile's `COPY <app>/ ./`, which starts its build stage);
 * every command beyond that chain belongs to the prune stage.
 */
function stagesOf(buildChain: Chain, execs: readonly ExecRecord[]): StageAspects {
  const at = (i: number) => path.resolve(containerState(buildChain.slice(0, i)).workdir ?? "/", text(buildChain[i]?.args["path"], "withDirectory path"));
  const installCopy = buildChain.findIndex((s) => s.field === "withDirectory" && sourceOf(s)?.chain.at(-1)?.field === "filter");
  const filter = sourceOf(buildChain[installCopy])?.chain.at(-1);
  const appDir = sourceOf(buildChain[installCopy])?.chain.slice(0, -1) ?? [];
  const sourceCopy = buildChain.findIndex((s) => s.field === "withDirectory" && sourceOf(s) && renderChain(sourceOf(s)!.chain) === renderChain(appDir));
  if (!filter || sourceCopy < 0) throw new Error(`the build chain has no filtered install-input copy followed by the full app source:\n${renderChain(buildChain)}`);
  const stages: Record<"install" | "build" | "prune", RunCommand[]> = { install: [], build: [], prune: [] };
  for (const exec of execs) {
    const step = exec.chain.length - 1;
    const inBuild = renderChain(exec.chain) === renderChain(buildChain.slice(0, exec.chain.length));
    if (!inBuild && renderChain(exec.chain.slice(0, buildChain.length)) !== renderChain(buildChain)) {
      throw new Error(`a command outside the build chain and its continuation: ${renderChain(exec.chain)}`);
    }
    // Docker RUN has nothing like expect: ANY or redirects; one here could be a build that fails open.
    if (Object.keys(exec.options).length > 0) throw new Error(`withExec options the Dockerfiles cannot express: ${renderStep(exec.chain.at(-1)!)}`);
    stages[!inBuild ? "prune" : step < sourceCopy ? "install" : "build"].push(commandOf(exec));
  }
  return {
    appFolder: text(appDir.at(-1)?.args["path"], "app folder"),
    buildImage: text(buildChain.find((s) => s.field === "from")?.args["address"], "build image"),
    installInputs: strings(filter.args["include"], "filter include").sort(),
    installInputsAt: at(installCopy),
    sourceAt: at(sourceCopy),
    ...stages,
  };
}

function commandOf(exec: ExecRecord): RunCommand {
  return {
    args: canonicalCommand(exec.args),
    workdir: exec.workdir,
    user: exec.user,
    env: { ...exec.env },
    // A secret variable has no Dockerfile counterpart (Docker 20.10 has no secret env=): listing it makes it a drift.
    mounts: [...Object.entries(exec.mounts).map(([at, m]) => `${m.kind} ${at}`), ...Object.keys(exec.secretEnv).map((name) => `secret-env ${name}`)].sort(),
  };
}

type RuntimeAspects = Omit<BuildModel, keyof StageAspects>;

/** The runtime image's config, step by step; a step the model does not know fails rather than going uncompared. */
function runtimeOf(imageChain: Chain): RuntimeAspects {
  const [root, ...steps] = imageChain;
  if (root?.field !== "container" || steps[0]?.field !== "withRootfs") {
    throw new Error(`expected the image to start as container.withRootfs(…), got ${renderChain(imageChain.slice(0, 2))}`);
  }
  const runtime: RuntimeAspects = {
    runtimeImage: "",
    removedFromRuntimeRoot: [],
    appFiles: { from: "", to: "", owner: undefined },
    user: undefined,
    workdir: undefined,
    env: {},
    exposedPorts: [],
    healthcheck: undefined,
    entrypoint: [],
    cmd: [],
    labels: {},
  };
  for (const step of steps) {
    const a = step.args;
    switch (step.field) {
      case "withRootfs": {
        const [, from, rootfs, filter, ...rest] = sourceOf(step, "directory")?.chain ?? [];
        if (from?.field !== "from" || rootfs?.field !== "rootfs" || filter?.field !== "filter" || rest.length > 0) {
          throw new Error(`expected the runtime root as container.from(…).rootfs.filter(exclude: …), got ${renderStep(step)}`);
        }
        runtime.runtimeImage = text(from.args["address"], "runtime image");
        runtime.removedFromRuntimeRoot = strings(filter.args["exclude"], "filter exclude").sort();
        break;
      }
      case "withDirectory": {
        const out = sourceOf(step)?.chain.at(-1);
        if (out?.field !== "directory") throw new Error(`expected the app files as <prune stage>.directory(path), got ${renderStep(step)}`);
        const owner = a["owner"];
        runtime.appFiles = {
          from: text(out.args["path"], "app files source"),
          to: path.resolve(runtime.workdir ?? "/", text(a["path"], "app files path")),
          owner: owner === undefined ? undefined : text(owner, "owner"),
        };
        break;
      }
      case "withWorkdir":
        runtime.workdir = path.resolve(runtime.workdir ?? "/", text(a["path"], "workdir"));
        break;
      case "withEnvVariable":
        runtime.env[text(a["name"], "env name")] = text(a["value"], "env value");
        break;
      case "withUser":
        runtime.user = text(a["name"], "user");
        break;
      case "withExposedPort":
        // The schema's default protocol is TCP.
        runtime.exposedPorts.push(`${String(a["port"])}/${text(a["protocol"] ?? "TCP", "protocol").toLowerCase()}`);
        break;
      case "withDockerHealthcheck":
        runtime.healthcheck = healthcheckOf(a);
        break;
      case "withLabel":
        runtime.labels[text(a["name"], "label name")] = text(a["value"], "label value");
        break;
      case "withEntrypoint":
        runtime.entrypoint = strings(a["args"], "entrypoint");
        if (a["keepDefaultArgs"] !== true) runtime.cmd = [];
        break;
      case "withDefaultArgs":
        runtime.cmd = strings(a["args"], "default args");
        break;
      default:
        throw new Error(`the runtime image sets ${renderStep(step)}, which the parity model does not compare — add it to test/support/dockerfile.ts and here`);
    }
  }
  return runtime;
}

function healthcheckOf(a: Readonly<Record<string, ArgValue>>): HealthcheckModel {
  const optional = (name: string) => (a[name] === undefined ? undefined : text(a[name], name));
  const retries = a["retries"];
  return {
    args: strings(a["args"], "healthcheck args"),
    shell: a["shell"] === true,
    interval: optional("interval"),
    timeout: optional("timeout"),
    startPeriod: optional("startPeriod"),
    startInterval: optional("startInterval"),
    retries: typeof retries === "number" ? retries : undefined,
  };
}

function sourceOf(step: Step | undefined, argument = "source"): ObjectRef | undefined {
  const value = step?.args[argument];
  return value instanceof ObjectRef ? value : undefined;
}

function text(value: ArgValue | undefined, what: string): string {
  if (typeof value !== "string") throw new Error(`${what}: expected a string in the plan, got ${JSON.stringify(value)}`);
  return value;
}

function strings(value: ArgValue | undefined, what: string): string[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === "string")) throw new Error(`${what}: expected a list of strings in the plan, got ${JSON.stringify(value)}`);
  return [...(value as string[])];
}

const dockerfileOf = (app: App): ParsedDockerfile => readDockerfile(readFileSync(path.join(repoRoot, `Dockerfile.${app}`), "utf8"), `Dockerfile.${app}`);

const models = new Map<App, { dockerfile: ParsedDockerfile; dagger: BuildModel }>();
const modelsOf = (app: App) => models.get(app) ?? expect.fail(`no models of ${app}: the beforeAll that reads them failed`);

beforeAll(async () => {
  for (const app of APPS) models.set(app, { dockerfile: dockerfileOf(app), dagger: await planOf(app) });
});

describe.each(APPS)("Dockerfile.%s and the Dagger plan", (app) => {
  it("agree on every compared aspect", () => {
    const { dockerfile, dagger } = modelsOf(app);
    expect(describeDrifts(app, compareBuilds(dockerfile.model, dagger))).toBe("");
  });

  it("pin the base image of NODE_IMAGE as their build and runtime ARG defaults", () => {
    const { argDefaults } = modelsOf(app).dockerfile;
    expect({ build: argDefaults["BUILD_IMAGE"], runtime: argDefaults["RUNTIME_IMAGE"] }).toEqual({ build: NODE_IMAGE, runtime: NODE_IMAGE });
  });

  it("install the pnpm that the app's packageManager names", () => {
    const manifest = JSON.parse(readFileSync(path.join(repoRoot, "examples/app", app, "package.json"), "utf8")) as { packageManager?: string };
    expect({ dockerfile: `pnpm@${modelsOf(app).dockerfile.argDefaults["PNPM_VERSION"]}`, dagger: `pnpm@${PNPM_VERSION}` }).toEqual({
      dockerfile: manifest.packageManager,
      dagger: manifest.packageManager,
    });
  });

  it("give the install step the lockfile, and the pnpmfile exactly when the lockfile records its checksum", () => {
    const folder = path.join(repoRoot, "examples/app", app);
    const seesInstallInput = picomatch(modelsOf(app).dockerfile.model.installInputs, { dot: true });
    const seen = readdirSync(folder).filter((f) => seesInstallInput(f));
    const recordsPnpmfile = readFileSync(path.join(folder, "pnpm-lock.yaml"), "utf8").split("\n").some((l) => l.startsWith("pnpmfileChecksum:"));
    expect({ lockfile: seen.includes("pnpm-lock.yaml"), pnpmfile: seen.some((f) => f.startsWith(".pnpmfile.")) }).toEqual({ lockfile: true, pnpmfile: recordsPnpmfile });
  });
});

describe("the comparison", () => {
  const drifts: { name: string; app: App; drift: (m: BuildModel) => void; detected: (keyof BuildModel)[] }[] = [
    { name: "a changed runtime user", app: "backend", drift: (m) => void (m.user = "0:0"), detected: ["user"] },
    { name: "reordered build commands", app: "backend", drift: (m) => void m.build.reverse(), detected: ["build"] },
    { name: "an extra runtime environment variable", app: "backend", drift: (m) => void (m.env["DEBUG"] = "*"), detected: ["env"] },
    { name: "a missing OCI label", app: "frontend", drift: (m) => void delete m.labels["org.opencontainers.image.revision"], detected: ["labels"] },
    { name: "a changed constant label", app: "frontend", drift: (m) => void (m.labels["org.opencontainers.image.title"] = "frontend"), detected: ["labels"] },
    { name: "another pnpm version installed", app: "backend", drift: (m) => void (m.install[0]!.args[3] = "pnpm@12.5.0"), detected: ["install"] },
    { name: "the pnpm store mounted elsewhere", app: "backend", drift: (m) => void (m.install[1]!.mounts[0] = "cache /root/.pnpm-store"), detected: ["install"] },
    { name: "the npmrc secret left mounted for a build command", app: "backend", drift: (m) => void m.build[1]!.mounts.push("secret /root/.npmrc"), detected: ["build"] },
    { name: "the CA variable left set for a build command", app: "frontend", drift: (m) => void (m.build[0]!.env["NODE_EXTRA_CA_CERTS"] = "/run/secrets/ca"), detected: ["build"] },
    { name: "the build environment missing a variable", app: "frontend", drift: (m) => void delete m.build[0]!.env["NEXT_TELEMETRY_DISABLED"], detected: ["build"] },
    { name: "an install run as another user", app: "backend", drift: (m) => void (m.install[1]!.user = "1000"), detected: ["install"] },
    { name: "a prune command moved into the build stage", app: "backend", drift: (m) => void m.build.push(m.prune.shift()!), detected: ["build", "prune"] },
    { name: "a missing install input", app: "backend", drift: (m) => void (m.installInputs = m.installInputs.filter((f) => f !== ".pnpmfile.*")), detected: ["installInputs"] },
    { name: "a package manager left in the runtime root", app: "backend", drift: (m) => void m.removedFromRuntimeRoot.pop(), detected: ["removedFromRuntimeRoot"] },
    { name: "a slower healthcheck", app: "backend", drift: (m) => void (m.healthcheck!.interval = "30s"), detected: ["healthcheck"] },
    { name: "another health path", app: "frontend", drift: (m) => void (m.healthcheck!.args[2] = m.healthcheck!.args[2]!.replace("/api/health", "/healthz")), detected: ["healthcheck"] },
    { name: "another exposed port", app: "backend", drift: (m) => void (m.exposedPorts = ["8080/tcp"]), detected: ["exposedPorts"] },
    { name: "another entrypoint", app: "frontend", drift: (m) => void (m.entrypoint = ["node", ".next/standalone/server.js"]), detected: ["entrypoint"] },
    { name: "a default CMD", app: "backend", drift: (m) => void (m.cmd = ["--inspect"]), detected: ["cmd"] },
    { name: "another runtime base digest", app: "backend", drift: (m) => void (m.runtimeImage = m.runtimeImage.replace(/sha256:\w+/, `sha256:${"0".repeat(64)}`)), detected: ["runtimeImage"] },
    { name: "app files owned by the app user", app: "backend", drift: (m) => void (m.appFiles.owner = "1000:1000"), detected: ["appFiles"] },
    { name: "another working directory", app: "frontend", drift: (m) => void (m.workdir = "/srv"), detected: ["workdir"] },
  ];

  it.each(drifts)("detects $name", ({ app, drift, detected }) => {
    const dockerfile = structuredClone(modelsOf(app).dockerfile.model);
    drift(dockerfile);
    expect(compareBuilds(dockerfile, modelsOf(app).dagger).map((d) => d.aspect)).toEqual(detected);
  });

  it("reports a drift as a line diff of the Dockerfile's side against the Dagger plan's", () => {
    const dockerfile = structuredClone(modelsOf("backend").dockerfile.model);
    dockerfile.user = "0:0";
    dockerfile.removedFromRuntimeRoot = dockerfile.removedFromRuntimeRoot.filter((p) => p !== "usr/local/bin/corepack");
    dockerfile.labels["org.opencontainers.image.title"] = "api";
    expect(describeDrifts("backend", compareBuilds(dockerfile, modelsOf("backend").dagger))).toBe(
      [
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
  const app = [step("host"), step("directory", { path: "examples/app/backend" })];
  const deps = [
    step("container"),
    step("from", { address: NODE_IMAGE }),
    step("withWorkdir", { path: "/src" }),
    step("withDirectory", { path: "/src", source: dir(...app, step("filter", { include: ["package.json"] })) }),
  ];
  const build = [...deps, step("withExec", { args: ["pnpm", "install"] }), step("withDirectory", { path: "/src", source: dir(...app) })];
  const failOpen = [...deps, step("withExec", { args: ["pnpm", "install"], expect: "ANY" }), step("withDirectory", { path: "/src", source: dir(...app) })];
  const root = step("withRootfs", { directory: dir(step("container"), step("from", { address: NODE_IMAGE }), step("rootfs"), step("filter", { exclude: ["usr/local/bin/npm"] })) });

  it.each([
    { name: "a build without the filtered install-input copy", run: () => stagesOf(build.filter((s) => s.field !== "withDirectory"), []), error: "the build chain has no filtered install-input copy followed by the full app source" },
    { name: "a command outside the build chain", run: () => stagesOf(build, [execRecord([step("container"), step("withExec", { args: ["ls"] })])]), error: "a command outside the build chain and its continuation: container.withExec" },
    { name: "a command that fails open", run: () => stagesOf(failOpen, [execRecord(failOpen.slice(0, -1))]), error: 'withExec options the Dockerfiles cannot express: withExec(args: ["pnpm", "install"], expect: "ANY")' },
    { name: "an image that does not start from a root filesystem", run: () => runtimeOf([step("container"), step("from", { address: NODE_IMAGE })]), error: "expected the image to start as container.withRootfs(…)" },
    { name: "a runtime root built another way", run: () => runtimeOf([step("container"), step("withRootfs", { directory: dir(step("directory")) })]), error: "expected the runtime root as container.from(…).rootfs.filter(exclude: …)" },
    { name: "app files not taken from a directory of the prune stage", run: () => runtimeOf([step("container"), root, step("withDirectory", { path: "/app", source: dir(...app, step("withNewFile")) })]), error: "expected the app files as <prune stage>.directory(path)" },
    { name: "an image setting what the model does not compare", run: () => runtimeOf([step("container"), root, step("withAnnotation", { name: "a", value: "b" })]), error: 'the runtime image sets withAnnotation(name: "a", value: "b"), which the parity model does not compare' },
    { name: "a label that is not a string", run: () => runtimeOf([step("container"), root, step("withLabel", { name: "a", value: 1 })]), error: "label value: expected a string in the plan, got 1" },
    { name: "an entrypoint that is not a list of strings", run: () => runtimeOf([step("container"), root, step("withEntrypoint", { args: "node" })]), error: 'entrypoint: expected a list of strings in the plan, got "node"' },
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
  const read = (text: string) => readDockerfile(text, "Dockerfile.backend").model;

  it.each([
    { name: "reads a plain-word script as the argv it execs", args: ["/bin/sh", "-c", "pnpm run build"], expected: ["pnpm", "run", "build"] },
    { name: "collapses unquoted blank runs and trims", args: ["/bin/sh", "-c", "  pnpm   run\tbuild \n"], expected: ["pnpm", "run", "build"] },
    { name: "keeps a script with operators a script", args: ["/bin/sh", "-c", "mkdir /out &&     cp -a dist /out/"], expected: ["/bin/sh", "-c", "mkdir /out && cp -a dist /out/"] },
    { name: "keeps blanks inside quotes", args: ["/bin/sh", "-c", "echo 'a   b'  \"c   d\""], expected: ["/bin/sh", "-c", "echo 'a   b' \"c   d\""] },
    { name: "keeps a backslash-escaped blank", args: ["/bin/sh", "-c", "touch a\\  b"], expected: ["/bin/sh", "-c", "touch a\\  b"] },
    { name: "keeps a leading assignment a script", args: ["/bin/sh", "-c", "CI=1 pnpm test"], expected: ["/bin/sh", "-c", "CI=1 pnpm test"] },
    { name: "keeps a glob a script", args: ["/bin/sh", "-c", "rm -rf /tmp/*"], expected: ["/bin/sh", "-c", "rm -rf /tmp/*"] },
    { name: "leaves an exec-form command alone", args: ["pnpm", "run", "build"], expected: ["pnpm", "run", "build"] },
    { name: "treats only /bin/sh as the Dockerfile shell", args: ["sh", "-c", "pnpm run build"], expected: ["sh", "-c", "pnpm run build"] },
  ])("canonicalCommand $name", ({ args, expected }) => {
    expect(canonicalCommand(args)).toEqual(expected);
  });

  it.each([
    { name: "expands the stage's ARGs in a shell-form RUN", edit: ["RUN pnpm run build", "RUN pnpm run ${APP_DIR}"], read: (m: BuildModel) => m.build[1]?.args, expected: ["pnpm", "run", "backend"] },
    { name: "leaves an exec-form RUN unexpanded, as Docker does", edit: ["RUN pnpm run build", 'RUN ["pnpm", "run", "${APP_DIR}"]'], read: (m: BuildModel) => m.build[1]?.args, expected: ["pnpm", "run", "${APP_DIR}"] },
    { name: "leaves the script's own variables to the shell", edit: ["RUN pnpm run build", 'RUN for f in dist/*; do echo "$f"; done'], read: (m: BuildModel) => m.build[1]?.args, expected: ["/bin/sh", "-c", 'for f in dist/*; do echo "$f"; done'] },
    {
      name: "turns the leading NODE_EXTRA_CA_CERTS assignment into the command's environment",
      edit: ["RUN pnpm run build", "RUN NODE_EXTRA_CA_CERTS=/etc/proxy-ca.pem pnpm run build"],
      read: (m: BuildModel) => m.build[1] && { args: m.build[1].args, env: m.build[1].env },
      expected: { args: ["pnpm", "run", "build"], env: { NODE_EXTRA_CA_CERTS: "/etc/proxy-ca.pem" } },
    },
    { name: "keeps any other leading assignment in the script", edit: ["RUN pnpm run build", "RUN CI=1 pnpm run build"], read: (m: BuildModel) => m.build[1]?.args, expected: ["/bin/sh", "-c", "CI=1 pnpm run build"] },
    { name: "reads EXPOSE with a protocol", edit: ["EXPOSE 3000", "EXPOSE 3000/UDP"], read: (m: BuildModel) => m.exposedPorts, expected: ["3000/udp"] },
    { name: "reads COPY --chown as the app files' owner", edit: ["COPY --from=prune /out/ /app/", "COPY --from=prune --chown=1000:1000 /out/ /app/"], read: (m: BuildModel) => m.appFiles.owner, expected: "1000:1000" },
    {
      name: "reads HEALTHCHECK NONE as no healthcheck",
      edit: ["HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 \\\n  CMD", "HEALTHCHECK NONE\n# CMD"],
      read: (m: BuildModel) => m.healthcheck,
      expected: undefined,
    },
    {
      name: "lets ENV win over an ARG of the same name",
      edit: ["ARG PRISMA_ENGINES_MIRROR\n", "ENV PRISMA_ENGINES_MIRROR=https://env.example\nARG PRISMA_ENGINES_MIRROR=https://arg.example\nRUN echo ${PRISMA_ENGINES_MIRROR}\n"],
      read: (m: BuildModel) => m.build[0]?.args,
      expected: ["echo", "https://env.example"],
    },
  ])("$name", ({ edit: [from, to], read: pick, expected }) => {
    expect(pick(read(edited(from!, to!)))).toEqual(expected);
  });

  it.each([
    { name: "a missing stage", edit: ["FROM build AS prune", "FROM build AS trim"], error: 'Dockerfile.backend: no stage "prune" (found deps, build, trim, runtime-base, runtime-root, runtime) — the parity model reads the stages deps, build, prune, runtime-base, runtime-root, runtime' },
    { name: "a stage continuing another than expected", edit: ["FROM build AS prune", "FROM deps AS prune"], error: "Dockerfile.backend: stage prune starts FROM deps, expected FROM build" },
    { name: "an instruction the model does not know", edit: ['ENTRYPOINT ["node", "dist/main.js"]', 'ENTRYPOINT ["node", "dist/main.js"]\nSTOPSIGNAL SIGINT'], error: "STOPSIGNAL is not modelled by the parity test" },
    { name: "an instruction before the first FROM", edit: ["ARG BASE_NAME=", "ENV A=1\nARG BASE_NAME="], error: "ENV before the first FROM — only ARG may come first" },
    { name: "FROM with a flag", edit: ["FROM scratch AS runtime", "FROM --platform=linux/amd64 scratch AS runtime"], error: "FROM --platform=linux/amd64 is not modelled — expected FROM <image> AS <stage>" },
    { name: "FROM without an image", edit: ["FROM scratch AS runtime", "FROM"], error: "FROM without an image" },
    { name: "ARG without a name", edit: ["ARG SOURCE\n", "ARG\n"], error: "ARG without a name" },
    { name: "an instruction without arguments", edit: ["USER 1000:1000", "USER"], error: "USER without arguments — expected at least one" },
    { name: "a variable no ARG declares", edit: ['"${SOURCE}"', '"${SORCE}"'], error: "${SORCE} names no ARG or ENV in scope — declare it in this stage (ARG SORCE) or fix the name" },
    { name: "a substitution modifier", edit: ['"${LICENSES}"', '"${LICENSES:-MIT}"'], error: "${LICENSES:-MIT} — substitution modifiers are not modelled" },
    { name: "a single-quoted value with $", edit: ['org.opencontainers.image.title="drydock-backend"', "org.opencontainers.image.title='${VERSION}'"], error: "'${VERSION}' — a single-quoted value with $ is not modelled; use double quotes" },
    { name: "two defaults for one ARG", edit: ["FROM deps AS build\nARG APP_DIR=backend", "FROM deps AS build\nARG APP_DIR=api"], error: 'ARG APP_DIR defaults to "api" here but "backend" earlier' },
    { name: "a RUN flag other than --mount", edit: ["RUN pnpm run build", "RUN --network=none pnpm run build"], error: "RUN --network is not modelled — expected only --mount" },
    { name: "a bind mount", edit: ["--mount=type=cache,id=npm-cache,target=/root/.npm", "--mount=type=bind,target=/mnt"], error: "--mount=type=bind,target=/mnt is not modelled — expected type=cache with a target, or type=secret with an id or target" },
    { name: "a COPY flag other than --from and --chown", edit: ["COPY ${APP_DIR}/ ./", "COPY --chmod=644 ${APP_DIR}/ ./"], error: "COPY --chmod is not modelled — expected only --from and --chown" },
    { name: "a COPY without a destination", edit: ["COPY ${APP_DIR}/ ./", "COPY ./"], error: "COPY needs at least one source and a destination" },
    { name: "a second COPY in the build stage", edit: ["COPY ${APP_DIR}/ ./", "COPY ${APP_DIR}/ ./\nCOPY ${APP_DIR}/.env ./"], error: "stage build has 2 COPY instructions, expected one: the COPY of the app source" },
    { name: "a build stage copying a file, not the app folder", edit: ["COPY ${APP_DIR}/ ./", "COPY ${APP_DIR}/src ./"], error: "expected the build stage to copy one folder (`COPY <app>/ ./`), found COPY backend/src /src" },
    { name: "an install input outside the app folder", edit: ["COPY ${APP_DIR}/package.json", "COPY package.json"], error: 'the install inputs must come from the app folder "backend/"' },
    { name: "a runtime root not copied from runtime-base", edit: ["COPY --from=runtime-base / /rootfs/", "COPY --from=runtime-base /usr /rootfs/"], error: "expected COPY --from=runtime-base / <folder>, found COPY --from=runtime-base /usr /rootfs" },
    { name: "a runtime root cleaned by another command", edit: ["RUN rm -rf /rootfs/usr/local/lib/node_modules", "RUN rm -r /rootfs/usr/local/lib/node_modules"], error: "stage runtime-root must run one `rm -rf <paths>` without quotes or variables" },
    { name: "a removed path outside the runtime root", edit: ["/rootfs/opt/yarn-*", "/opt/yarn-*"], error: "rm -rf /opt/yarn-* is outside /rootfs/, the copied runtime root" },
    { name: "a RUN in the runtime stage", edit: ["FROM scratch AS runtime\n", "FROM scratch AS runtime\nRUN true\n"], error: "RUN in the runtime stage — it starts FROM scratch and may have no shell" },
    { name: "a runtime that does not start from the cleaned root", edit: ["COPY --from=runtime-root /rootfs/ /", "COPY --from=runtime-root /rootfs/ /base/"], error: "the runtime stage must start with COPY --from=runtime-root /rootfs /, found COPY --from=runtime-root /rootfs/ /base" },
    { name: "a runtime copying more than the prune output", edit: ["COPY --from=prune /out/ /app/", "COPY --from=prune /out/ /app/\nCOPY --from=build /src/.env /app/"], error: "the runtime stage must copy one folder --from=prune besides the root" },
    { name: "a HEALTHCHECK flag the model does not know", edit: ["--retries=3", "--retries=3 --foo=1"], error: "HEALTHCHECK --foo is not modelled — expected --interval, --timeout, --start-period, --start-interval, --retries" },
    { name: "a HEALTHCHECK without CMD", edit: ['  CMD ["node"', '  EXEC ["node"'], error: "— expected HEALTHCHECK [options] CMD <command>, or NONE" },
    { name: "a HEALTHCHECK command that is not JSON", edit: ['  CMD ["node", "-e",', "  CMD [\"node\", '-e',"], error: "does not parse as JSON" },
    { name: "a HEALTHCHECK command that is not all strings", edit: ['  CMD ["node", "-e",', '  CMD ["node", 1,'], error: "— expected a JSON array of strings" },
    { name: "a HEALTHCHECK retry count that is not a number", edit: ["--retries=3", "--retries=three"], error: "HEALTHCHECK --retries=three — expected a whole number" },
  ])("rejects $name, naming the file", ({ edit: [from, to], error }) => {
    const thrown = (() => {
      try {
        read(edited(from!, to!));
      } catch (e) {
        return e;
      }
    })();
    expect(thrown).toBeInstanceOf(DockerfileModelError);
    expect((thrown as Error).message).toContain(error);
    expect((thrown as Error).message).toMatch(/^Dockerfile\.backend[:\s]/);
  });
});
