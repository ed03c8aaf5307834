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
import { LOCAL_PACKAGES_BUILD } from "../../../dagger/src/images/steps.js";
import { FileTimes } from "./file-times.js";

/** Whether a step is the local packages' build. */
const isPackagesBuild = (step: Step) => step.field === "withExec" && JSON.stringify(step.args["args"]) === JSON.stringify(LOCAL_PACKAGES_BUILD);

export type StageAspects = Pick<
  BuildModel,
  "appFolder" | "buildImage" | "stageParents" | "installInputs" | "install" | "generateInputs" | "generate" | "buildInputs" | "build" | "pruneInputs" | "prune"
>;

export type RuntimeAspects = Omit<BuildModel, keyof StageAspects>;

/** The build stages read from a plan, and the stage a container of it is the end of. */
export interface PlanStages {
  aspects: StageAspects;
  /** "deps", "generate", "build" or "prune" for a container that ends that stage; an error for any other. */
  stageOf(container: Chain): string;
}

/** Files of the Drydock source one withDirectory adds; `folder` is set when it adds one whole folder (the app's). */
interface SourceCopy extends SourceInputs {
  index: number;
  folder?: string;
}

/**
 * The deps, generate, build and prune stages of a plan. `buildChain` is the synced build stage:
 * files of the source are added to it as the stages start — the install inputs (in deps), the
 * generate inputs when there is a generate stage, then the local packages if any and the whole app
 * folder (which start the build stage). Every command beyond that chain belongs to the prune
 * stage, which continues it from the end of a stage, maybe after adding files of its own.
 */
export function stagesOf(buildChain: Chain, execs: readonly ExecRecord[]): PlanStages {
  const copyAt = (chain: Chain, index: number) => sourceCopy(chain[index], containerState(chain.slice(0, index)).workdir, index);
  const copies = buildChain.flatMap((_, index) => copyAt(buildChain, index) ?? []);
  const appCopy = copies.findIndex((c) => c.folder !== undefined);
  if (appCopy < 1) throw new Error(`the build chain has no install-input copy followed by the whole app folder:\n${renderChain(buildChain)}`);
  // The build stage starts with the local packages (their copy, when there are any) and their build,
  // right before the app folder: Dockerfile's build-packages, a part of the build stage.
  const packagesBuild = buildChain.findIndex(isPackagesBuild);
  if (packagesBuild < 0 || packagesBuild > copies[appCopy]!.index) throw new Error(`the build chain does not build the local packages before the app folder:\n${renderChain(buildChain)}`);
  const packagesCopy = copies.findIndex((c) => c.index === packagesBuild - 1);
  const buildStart = packagesCopy >= 1 ? packagesCopy : appCopy;
  const buildStartIndex = packagesCopy >= 1 ? copies[packagesCopy]!.index : packagesBuild;
  const [install, ...middle] = copies.slice(0, buildStart);
  const buildCopies = copies.slice(buildStart, appCopy + 1);
  if (copies.length > appCopy + 1) throw new Error(`files of the source added after the whole app folder: ${renderStep(buildChain[copies[appCopy + 1]!.index]!)}`);
  if (middle.length > 1) throw new Error(`expected at most one copy (the generate inputs) between the install inputs and the build stage, found ${middle.length}:\n${renderChain(buildChain)}`);
  const generate = middle[0];
  const inputsOf = (list: readonly SourceCopy[]): SourceInputs => {
    const at = list[0]!.at;
    const stray = list.find((c) => c.at !== at);
    if (stray) throw new Error(`files of one stage put the repository root in ${at} and in ${stray.at}: ${renderStep(buildChain[stray.index]!)}`);
    return { include: list.flatMap((c) => c.include).sort(), at };
  };

  // A stage starts with its ENV (withEnvVariable) before its source, as in the Dockerfiles.
  const startOf = (copy: number) => {
    let start = copy;
    while (buildChain[start - 1]?.field === "withEnvVariable") start--;
    return start;
  };
  // Where each stage ends in the build chain (exclusive), in order.
  const ends: [string, number][] = [
    ["deps", startOf(generate ? generate.index : buildStartIndex)],
    ...(generate ? [["generate", startOf(buildStartIndex)] as [string, number]] : []),
    ["build", buildChain.length],
  ];
  const stageEndingAt = (length: number) => ends.find(([, end]) => end === length)?.[0];
  const stageHolding = (index: number) => ends.find(([, end]) => index < end)![0];
  /**
   * Where a chain leaves the build chain. The prune stage may start as the build stage does (the
   * local packages, added and built) and still continue the stage before it: as in the
   * Dockerfiles, where both continue the part build-packages, those shared steps are the prune
   * stage's own.
   */
  const branchPoint = (chain: Chain) => {
    let shared = commonPrefix(chain, buildChain);
    while (shared < chain.length && stageEndingAt(shared) === undefined && shared > 0 && (copyAt(buildChain, shared - 1) || shared - 1 === packagesBuild)) shared--;
    return shared;
  };

  const commands: Record<"deps" | "generate" | "build" | "prune", RunCommand[]> = { deps: [], generate: [], build: [], prune: [] };
  const pruneExecs: ExecRecord[] = [];
  let pruneFrom: string | undefined;
  for (const exec of execs) {
    // Docker RUN has nothing like expect: ANY or redirects; one here could be a build that fails open.
    if (Object.keys(exec.options).length > 0) throw new Error(`withExec options the Dockerfiles cannot express: ${renderStep(exec.chain.at(-1)!)}`);
    const shared = branchPoint(exec.chain);
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
  if (pruneEnd) {
    // Commands the prune stage shares with the build stage (the local packages' build) run once, but belong to both.
    const from = branchPoint(pruneEnd);
    const sharedUpTo = commonPrefix(pruneEnd, buildChain);
    const shared = execs.filter((e) => e.chain.length > from && e.chain.length <= sharedUpTo && commonPrefix(e.chain, pruneEnd) === e.chain.length);
    commands.prune.unshift(...shared.map(commandOf));
  }
  const stray = pruneExecs.find((e) => commonPrefix(e.chain, pruneEnd ?? []) !== e.chain.length);
  if (stray) throw new Error(`prune commands on two branches, e.g. ${renderChain(stray.chain)}: the model has one prune stage`);
  const pruneCopies = pruneEnd ? pruneEnd.flatMap((_, index) => (index >= branchPoint(pruneEnd) ? (copyAt(pruneEnd, index) ?? []) : [])) : [];
  for (const [chain, index] of [...buildChain.map((_, i) => [buildChain, i] as const), ...(pruneEnd ?? []).map((_, i) => [pruneEnd!, i] as const)]) {
    const step = chain[index]!;
    if (!COMPARED_STEPS.has(step.field) && !copyAt(chain, index)) {
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
      appFolder: copies[appCopy]!.folder!,
      buildImage: text(buildChain.find((s) => s.field === "from")?.args["address"], "build image"),
      // The build chain is one line: generate continues deps, build continues the stage before it.
      stageParents: {
        ...(generate ? { generate: "deps" } : {}),
        build: generate ? "generate" : "deps",
        ...(pruneFrom ? { prune: pruneFrom } : {}),
      },
      installInputs: inputsOf([install!]),
      install: commands.deps,
      generateInputs: generate && inputsOf([generate]),
      generate: commands.generate,
      buildInputs: inputsOf(buildCopies),
      build: commands.build,
      pruneInputs: pruneCopies.length > 0 ? inputsOf(pruneCopies) : undefined,
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

/**
 * The files of the Drydock source (`host.directory(<example>)`) a withDirectory adds, as patterns
 * relative to the repository root and the place the repository root lands; undefined for any other step.
 */
function sourceCopy(step: Step | undefined, workdir: string | undefined, index: number): SourceCopy | undefined {
  const source = sourceOf(step)?.chain;
  if (step?.field !== "withDirectory" || !source || source[0]?.field !== "host" || source[1]?.field !== "directory") return undefined;
  const rest = source.slice(2);
  const lands = path.resolve(workdir ?? "/", text(step.args["path"], "withDirectory path"));
  const folderStep = rest[0]?.field === "directory" ? rest[0] : undefined;
  const filter = rest.at(-1)?.field === "filter" ? rest.at(-1) : undefined;
  if (rest.length !== (folderStep ? 1 : 0) + (filter ? 1 : 0)) throw new Error(`a copy of the source the parity model does not read: ${renderChain(source)}`);
  if (filter) {
    const other = Object.keys(filter.args).filter((k) => k !== "include");
    if (other.length > 0) throw new Error(`a filter of the source with ${other.join(", ")}, which the parity model does not compare: ${renderStep(filter)}`);
  }
  const folder = folderStep ? path.normalize(text(folderStep.args["path"], "source folder")).replace(/\/$/, "") || "." : ".";
  const at = folder === "." ? lands : lands.endsWith(`/${folder}`) ? lands.slice(0, -folder.length - 1) || "/" : undefined;
  if (at === undefined) throw new Error(`the folder ${folder} of the source lands in ${lands}, not at its path below one folder: ${renderStep(step)}`);
  const include = filter ? strings(filter.args["include"], "filter include").map((p) => path.join(folder, p)) : [folder === "." ? "**" : `${folder}/**`];
  return { index, include, at, ...(!filter ? { folder } : {}) };
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
  const times = new FileTimes();
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
        const { source, to, owner } = times.unwrap(step);
        const out = source.at(-1);
        if (out?.field !== "directory") throw new Error(`expected the app files as <stage>.directory(path), got ${renderStep(step)}`);
        const container = source.slice(0, -1);
        runtime.appFiles.push({
          from: stageOf(container),
          path: path.resolve(containerState(container).workdir ?? "/", text(out.args["path"], "app files source")),
          to,
          owner,
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
  times.check(runtime.labels["org.opencontainers.image.created"]);
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
