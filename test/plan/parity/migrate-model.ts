/**
 * Reads the Dagger plan of the backend's migrations image (images/migrations.ts), as the fake
 * engine recorded it, into the MigrateModel of test/support/dockerfile.ts: the image's own steps,
 * the engine stage whose folder it takes, and the commands that stage's input went through. Like
 * plan-model.ts, any step the model does not know is an error, never skipped.
 */
import path from "node:path/posix";
import { isDeepStrictEqual } from "node:util";
import { canonicalCommand, type MigrateModel, type RunCommand } from "../../support/dockerfile.js";
import { containerState, execRecord } from "../../support/fake-engine/container-state.js";
import { ObjectRef, renderChain, renderStep, type ArgValue, type Chain, type Step } from "../../support/fake-engine/index.js";
import { FileTimes } from "./file-times.js";

/** The migrations image's chain (synced) as the model. */
export function migrateOf(imageChain: Chain): MigrateModel {
  const [root, ...steps] = imageChain;
  if (root?.field !== "container" || steps[0]?.field !== "withRootfs") throw new Error(`expected the migrations image to start as container.withRootfs(…), got ${renderChain(imageChain.slice(0, 2))}`);
  const model: MigrateModel = {
    deps: [],
    engineImage: "",
    engineCopies: [],
    engine: [],
    runtimeImage: "",
    removedFromRuntimeRoot: [],
    appFiles: [],
    prismaFiles: { include: [], to: "", owner: undefined },
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
        const [, from, rootfs, filter, ...rest] = chainOf(a["directory"], step);
        if (from?.field !== "from" || rootfs?.field !== "rootfs" || filter?.field !== "filter" || rest.length > 0) throw new Error(`expected the runtime root as container.from(…).rootfs.filter(exclude: …), got ${renderStep(step)}`);
        model.runtimeImage = text(from.args["address"], "runtime image");
        model.removedFromRuntimeRoot = strings(filter.args["exclude"], "filter exclude").sort();
        break;
      }
      case "withDirectory": {
        const { source, to, owner } = times.unwrap(step);
        if (source[0]?.field === "host") {
          // host.directory(<repository>).directory(<app folder>).filter(include: …): the Prisma files.
          const filter = source.at(-1);
          if (source.length !== 4 || source[2]?.field !== "directory" || filter?.field !== "filter" || Object.keys(filter.args).some((k) => k !== "include")) {
            throw new Error(`expected the Prisma files as a filter of the app folder, got ${renderChain(source)}`);
          }
          model.prismaFiles = { include: strings(filter.args["include"], "filter include"), to, owner };
          break;
        }
        const engine = stageFolder(source, step);
        model.appFiles.push({ from: "migrate-engine", path: engine.path, to, owner });
        readEngineStage(engine.container, model);
        break;
      }
      case "withWorkdir":
        model.workdir = path.resolve(model.workdir ?? "/", text(a["path"], "workdir"));
        break;
      case "withEnvVariable":
        model.env[text(a["name"], "env name")] = text(a["value"], "env value");
        break;
      case "withUser":
        model.user = text(a["name"], "user");
        break;
      case "withLabel":
        model.labels[text(a["name"], "label name")] = text(a["value"], "label value");
        break;
      case "withEntrypoint":
        model.entrypoint = strings(a["args"], "entrypoint");
        if (a["keepDefaultArgs"] !== true) model.cmd = [];
        break;
      default:
        throw new Error(`the migrations image sets ${renderStep(step)}, which the parity model does not compare — add it to test/support/dockerfile.ts and here`);
    }
  }
  times.check(model.labels["org.opencontainers.image.created"]);
  return model;
}

/** The engine stage: from the runtime base, its user, the folder of the deps stage it copies, its commands. */
function readEngineStage(container: Chain, model: MigrateModel): void {
  const [root, from, ...steps] = container;
  if (root?.field !== "container" || from?.field !== "from") throw new Error(`expected the engine stage to start as container.from(…), got ${renderChain(container.slice(0, 2))}`);
  model.engineImage = text(from.args["address"], "engine stage image");
  steps.forEach((step, index) => {
    if (step.field === "withDirectory") {
      const deps = stageFolder(chainOf(step.args["source"], step), step);
      const to = path.resolve(containerState(container.slice(0, index + 2)).workdir ?? "/", text(step.args["path"], "withDirectory path"));
      model.engineCopies.push({ from: "migrate-deps", path: deps.path, to, owner: step.args["owner"] === undefined ? "0:0" : text(step.args["owner"], "owner") });
      model.deps = commandsOf(deps.container);
    } else if (!ENGINE_STEPS.has(step.field)) {
      throw new Error(`the engine stage runs ${renderStep(step)}, which the parity model does not compare — add it to test/support/dockerfile.ts and here`);
    }
  });
  model.engine = commandsOf(container);
}

/** Steps of the engine stage that reach its commands as their user, environment or mounts. */
const ENGINE_STEPS = new Set(["withUser", "withWorkdir", "withEnvVariable", "withoutEnvVariable", "withMountedSecret", "withoutMount", "withExec"]);

/** Every command of a chain, in order, with what is in force when it runs. */
function commandsOf(chain: Chain): RunCommand[] {
  return chain.flatMap((step, index) => {
    if (step.field !== "withExec") return [];
    const exec = execRecord(chain.slice(0, index + 1));
    if (Object.keys(exec.options).length > 0) throw new Error(`withExec options the Dockerfiles cannot express: ${renderStep(step)}`);
    return [
      {
        args: canonicalCommand(exec.args),
        workdir: exec.workdir,
        user: exec.user,
        env: { ...exec.env },
        mounts: [...Object.entries(exec.mounts).map(([at, m]) => `${m.kind} ${at}`), ...Object.keys(exec.secretEnv).map((name) => `secret-env ${name}`)].sort(),
      },
    ];
  });
}

/** `<container>.directory(<path>)`: the container and the folder's absolute path in it. */
function stageFolder(source: Chain, step: Step): { container: Chain; path: string } {
  const out = source.at(-1);
  if (out?.field !== "directory") throw new Error(`expected a folder of a stage, <container>.directory(path), got ${renderStep(step)}`);
  const container = source.slice(0, -1);
  return { container, path: path.resolve(containerState(container).workdir ?? "/", text(out.args["path"], "folder")) };
}

function chainOf(value: ArgValue | undefined, step: Step): Chain {
  if (!(value instanceof ObjectRef)) throw new Error(`expected an object argument in ${renderStep(step)}`);
  return value.chain;
}

function text(value: ArgValue | undefined, what: string): string {
  if (typeof value !== "string") throw new Error(`${what}: expected a string in the plan, got ${JSON.stringify(value)}`);
  return value;
}

function strings(value: ArgValue | undefined, what: string): string[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === "string")) throw new Error(`${what}: expected a list of strings in the plan, got ${JSON.stringify(value)}`);
  return [...(value as string[])];
}

/** The aspects of two migrations models that differ, in the order of the model's fields. */
export function compareMigrations(dockerfile: MigrateModel, dagger: MigrateModel): { aspect: keyof MigrateModel; dockerfile: unknown; dagger: unknown }[] {
  return (Object.keys(dockerfile) as (keyof MigrateModel)[])
    .filter((aspect) => !isDeepStrictEqual(dockerfile[aspect], dagger[aspect]))
    .map((aspect) => ({ aspect, dockerfile: dockerfile[aspect], dagger: dagger[aspect] }));
}

/** One block per drift: the aspect, then the Dockerfile's value (-) and the Dagger plan's (+), as JSON. */
export function describeMigrationDrifts(drifts: ReturnType<typeof compareMigrations>): string {
  return drifts.map((d) => `${d.aspect} (- Dockerfile.backend's migrate target, + Dagger plan):\n  - ${JSON.stringify(d.dockerfile)}\n  + ${JSON.stringify(d.dagger)}`).join("\n\n");
}
