/**
 * Reads the Dagger plan of one app, as the fake engine recorded it, into the model of
 * test/support/dockerfile.ts, so the parity test can compare it with the Dockerfile's. The plan
 * is split into the Dockerfile's stages where the app's source is added; anything that fits no
 * stage is an error, never skipped.
 */
import path from "node:path/posix";
import { canonicalCommand, type BuildModel, type HealthcheckModel, type RunCommand, type SourceInputs } from "../../support/dockerfile.js";
import { containerState, type ExecRecord } from "../../support/fake-engine/container-state.js";
import { ObjectRef, renderChain, renderStep, type ArgValue, type Chain, type Step } from "../../support/fake-engine/index.js";

export type StageAspects = Pick<
  BuildModel,
  "appFolder" | "buildImage" | "stageParents" | "installInputs" | "install" | "generateInputs" | "generate" | "sourceAt" | "build" | "prune"
>;

export type RuntimeAspects = Omit<BuildModel, keyof StageAspects>;

/** The build stages read from a plan, and the stage a container of it is the end of. */
export interface PlanStages {
  aspects: StageAspects;
  /** "deps", "generate", "build" or "prune" for a container that ends that stage; an error for any other. */
  stageOf(container: Chain): string;
}

/**
 * The deps, generate, build and prune stages of a plan. `buildChain` is the synced build stage:
 * the app source is added to it two or three times — the install inputs (in deps), the generate
 * inputs when there is a generate stage, then the whole app (which starts the build stage). Every
 * command beyond that chain belongs to the prune stage, which continues it from the end of a stage.
 */
export function stagesOf(buildChain: Chain, execs: readonly ExecRecord[]): PlanStages {
  const installCopy = buildChain.findIndex((s) => s.field === "withDirectory" && sourceOf(s)?.chain.at(-1)?.field === "filter");
  const appDir = sourceOf(buildChain[installCopy])?.chain.slice(0, -1) ?? [];
  const copies = buildChain.flatMap((step, index) => {
    const include = appInputs(step, appDir);
    return include ? [{ index, include }] : [];
  });
  const [install, ...later] = copies;
  const build = later.at(-1);
  if (!install || install.index !== installCopy || !build) {
    throw new Error(`the build chain has no filtered install-input copy followed by the full app source:\n${renderChain(buildChain)}`);
  }
  if (later.length > 2) throw new Error(`expected the build chain to add the app source at most three times (install inputs, generate inputs, the whole app), found ${copies.length}:\n${renderChain(buildChain)}`);
  if (build.include.join() !== "**") throw new Error(`expected the build stage to add the whole app source, found ${renderStep(buildChain[build.index]!)}`);
  const generate = later.length === 2 ? later[0] : undefined;
  const at = (i: number) => path.resolve(containerState(buildChain.slice(0, i)).workdir ?? "/", text(buildChain[i]?.args["path"], "withDirectory path"));
  const inputs = (copy: { index: number; include: string[] }): SourceInputs => ({ include: [...copy.include].sort(), at: at(copy.index) });

  // A stage starts with its ENV (withEnvVariable) before its source, as in the Dockerfiles.
  const startOf = (copy: number) => {
    let start = copy;
    while (buildChain[start - 1]?.field === "withEnvVariable") start--;
    return start;
  };
  // Where each stage ends in the build chain (exclusive), in order.
  const ends: [string, number][] = [
    ["deps", startOf((generate ?? build).index)],
    ...(generate ? [["generate", startOf(build.index)] as [string, number]] : []),
    ["build", buildChain.length],
  ];
  const stageEndingAt = (length: number) => ends.find(([, end]) => end === length)?.[0];
  const stageHolding = (index: number) => ends.find(([, end]) => index < end)![0];

  const commands: Record<"deps" | "generate" | "build" | "prune", RunCommand[]> = { deps: [], generate: [], build: [], prune: [] };
  const pruneExecs: ExecRecord[] = [];
  let pruneFrom: string | undefined;
  for (const exec of execs) {
    // Docker RUN has nothing like expect: ANY or redirects; one here could be a build that fails open.
    if (Object.keys(exec.options).length > 0) throw new Error(`withExec options the Dockerfiles cannot express: ${renderStep(exec.chain.at(-1)!)}`);
    const shared = commonPrefix(exec.chain, buildChain);
    if (shared === exec.chain.length) {
      commands[stageHolding(shared - 1) as "deps" | "generate" | "build"].push(commandOf(exec));
      continue;
    }
    const from = stageEndingAt(shared);
    if (from === undefined) throw new Error(`a command outside the build chain, not continuing it from the end of a stage: ${renderChain(exec.chain)}`);
    if (pruneFrom !== undefined && pruneFrom !== from) throw new Error(`commands continuing both the ${pruneFrom} and the ${from} stage: the model has one prune stage`);
    pruneFrom = from;
    pruneExecs.push(exec);
    commands.prune.push(commandOf(exec));
  }
  const pruneEnd = pruneExecs.reduce<Chain | undefined>((longest, e) => (longest && longest.length >= e.chain.length ? longest : e.chain), undefined);
  const stray = pruneExecs.find((e) => commonPrefix(e.chain, pruneEnd ?? []) !== e.chain.length);
  if (stray) throw new Error(`prune commands on two branches, e.g. ${renderChain(stray.chain)}: the model has one prune stage`);
  for (const step of [...buildChain, ...(pruneEnd ?? [])]) {
    if (!COMPARED_STEPS.has(step.field) && !appInputs(step, appDir)) {
      throw new Error(`the build runs ${renderStep(step)}, which the parity model does not compare — add it to test/support/dockerfile.ts and here`);
    }
  }

  const stageOf = (container: Chain): string => {
    const shared = commonPrefix(container, buildChain);
    const stage = shared === container.length ? stageEndingAt(shared) : undefined;
    if (stage) return stage;
    const isPrune = pruneEnd !== undefined && commonPrefix(container, pruneEnd) === pruneEnd.length && !container.slice(pruneEnd.length).some((s) => s.field === "withExec");
    if (isPrune) return "prune";
    throw new Error(`a folder taken from a container that ends no stage of the build: ${renderChain(container)}`);
  };

  return {
    aspects: {
      appFolder: text(appDir.at(-1)?.args["path"], "app folder"),
      buildImage: text(buildChain.find((s) => s.field === "from")?.args["address"], "build image"),
      // The build chain is one line: generate continues deps, build continues the stage before it.
      stageParents: {
        ...(generate ? { generate: "deps" } : {}),
        build: generate ? "generate" : "deps",
        ...(pruneFrom ? { prune: pruneFrom } : {}),
      },
      installInputs: inputs(install),
      install: commands.deps,
      generateInputs: generate && inputs(generate),
      generate: commands.generate,
      sourceAt: at(build.index),
      build: commands.build,
      prune: commands.prune,
    },
    stageOf,
  };
}

/**
 * Steps of a build stage that the model accounts for: they reach the compared commands as their
 * image, working directory, user, environment or mounts. Adding the app source is read apart.
 */
const COMPARED_STEPS = new Set([
  "container",
  "from",
  "withWorkdir",
  "withUser",
  "withEnvVariable",
  "withoutEnvVariable",
  "withSecretVariable",
  "withMountedCache",
  "withMountedSecret",
  "withMountedDirectory",
  "withMountedFile",
  "withMountedTemp",
  "withoutMount",
  "withExec",
]);

/** The include patterns a step adds of the app folder (`**` for all of it), or undefined for any other step. */
function appInputs(step: Step, appDir: Chain): string[] | undefined {
  const source = sourceOf(step)?.chain;
  if (step.field !== "withDirectory" || !source || appDir.length === 0) return undefined;
  if (renderChain(source) === renderChain(appDir)) return ["**"];
  const filter = source.at(-1);
  if (filter?.field !== "filter" || renderChain(source.slice(0, -1)) !== renderChain(appDir)) return undefined;
  const other = Object.keys(filter.args).filter((k) => k !== "include");
  if (other.length > 0) throw new Error(`a filter of the app source with ${other.join(", ")}, which the parity model does not compare: ${renderStep(filter)}`);
  return strings(filter.args["include"], "filter include");
}

function commonPrefix(a: Chain, b: Chain): number {
  let n = 0;
  while (n < a.length && n < b.length && renderStep(a[n]!) === renderStep(b[n]!)) n++;
  return n;
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

/** The runtime image's config, step by step; a step the model does not know fails rather than going uncompared. */
export function runtimeOf(imageChain: Chain, stageOf: PlanStages["stageOf"]): RuntimeAspects {
  const [root, ...steps] = imageChain;
  if (root?.field !== "container" || steps[0]?.field !== "withRootfs") {
    throw new Error(`expected the image to start as container.withRootfs(…), got ${renderChain(imageChain.slice(0, 2))}`);
  }
  const runtime: RuntimeAspects = {
    runtimeImage: "",
    removedFromRuntimeRoot: [],
    appFiles: [],
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
        const source = sourceOf(step)?.chain ?? [];
        const out = source.at(-1);
        if (out?.field !== "directory") throw new Error(`expected the app files as <stage>.directory(path), got ${renderStep(step)}`);
        const container = source.slice(0, -1);
        const owner = a["owner"];
        runtime.appFiles.push({
          from: stageOf(container),
          path: path.resolve(containerState(container).workdir ?? "/", text(out.args["path"], "app files source")),
          to: path.resolve(runtime.workdir ?? "/", text(a["path"], "app files path")),
          owner: owner === undefined ? undefined : text(owner, "owner"),
        });
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
