/**
 * Replays a container chain to know what is in force at each exec: image, user, working
 * directory, environment, secret variables and mounts — what a plan test asserts on.
 */
import path from "node:path/posix";
import { ObjectRef, renderChain, type ArgValue, type Chain } from "./chain.js";
import { stringsOf } from "./rules.js";

export interface Mount {
  readonly kind: "cache" | "secret" | "directory" | "file" | "temp";
  /** Cache volume key, or the source object's chain (secrets: `setSecret(name: "…")`, never plaintext). */
  readonly source: string;
  /** The step's other arguments as sent: sharing, owner, mode… */
  readonly options: Readonly<Record<string, ArgValue>>;
}

export interface ContainerState {
  /** The `from` address the container started from, if any. */
  readonly image: string | undefined;
  readonly user: string | undefined;
  readonly workdir: string | undefined;
  readonly env: Readonly<Record<string, string>>;
  /** Secret variable name → the secret's chain (e.g. `setSecret(name: "token", plaintext: "***")`). */
  readonly secretEnv: Readonly<Record<string, string>>;
  /** Mount path → what is mounted there. */
  readonly mounts: Readonly<Record<string, Mount>>;
}

interface MutableState {
  image: string | undefined;
  user: string | undefined;
  workdir: string | undefined;
  env: Record<string, string>;
  secretEnv: Record<string, string>;
  mounts: Record<string, Mount>;
}

const str = (value: ArgValue | undefined): string | undefined => (typeof value === "string" ? value : undefined);

function describeSource(value: ArgValue | undefined): string {
  if (value instanceof ObjectRef) {
    const last = value.chain.at(-1);
    // A cache volume is named by its key; anything else by the chain that made it.
    if (value.type === "CacheVolume" && last?.field === "cacheVolume") return String(last.args["key"]);
    return renderChain(value.chain);
  }
  return value === undefined ? "" : JSON.stringify(value);
}

function withoutKey<T>(record: Record<string, T>, key: string): Record<string, T> {
  return Object.fromEntries(Object.entries(record).filter(([k]) => k !== key));
}

/** Container steps start where the chain last entered the Container type (or at the root without a schema). */
function containerStart(chain: Chain): number {
  for (let i = chain.length - 1; i > 0; i--) {
    if (chain[i]!.type === "Container" && chain[i - 1]!.type !== "Container") return i;
  }
  return 0;
}

export function containerState(chain: Chain): ContainerState {
  const state: MutableState = { image: undefined, user: undefined, workdir: undefined, env: {}, secretEnv: {}, mounts: {} };
  const resolve = (p: string) => path.resolve(state.workdir ?? "/", p);
  for (const step of chain.slice(containerStart(chain))) {
    const a = step.args;
    const at = str(a["path"]);
    switch (step.field) {
      case "from":
        // A new image brings its own config; the fake does not know it, so forget ours.
        Object.assign(state, { image: str(a["address"]), user: undefined, workdir: undefined, env: {}, secretEnv: {} });
        break;
      case "withUser":
        state.user = str(a["name"]);
        break;
      case "withoutUser":
        state.user = undefined;
        break;
      case "withWorkdir":
        state.workdir = at === undefined ? state.workdir : resolve(at);
        break;
      case "withoutWorkdir":
        state.workdir = undefined;
        break;
      case "withEnvVariable":
        state.env = { ...state.env, [String(a["name"])]: String(a["value"]) };
        break;
      case "withoutEnvVariable":
        state.env = withoutKey(state.env, String(a["name"]));
        break;
      case "withSecretVariable":
        state.secretEnv = { ...state.secretEnv, [String(a["name"])]: describeSource(a["secret"]) };
        break;
      case "withoutSecretVariable":
        state.secretEnv = withoutKey(state.secretEnv, String(a["name"]));
        break;
      case "withMountedCache":
        mount(state, resolve(at ?? ""), "cache", describeSource(a["cache"]), a, ["path", "cache"]);
        break;
      case "withMountedSecret":
        mount(state, resolve(at ?? ""), "secret", describeSource(a["source"]), a, ["path", "source"]);
        break;
      case "withMountedDirectory":
        mount(state, resolve(at ?? ""), "directory", describeSource(a["source"]), a, ["path", "source"]);
        break;
      case "withMountedFile":
        mount(state, resolve(at ?? ""), "file", describeSource(a["source"]), a, ["path", "source"]);
        break;
      case "withMountedTemp":
        mount(state, resolve(at ?? ""), "temp", "", a, ["path"]);
        break;
      case "withoutMount":
        state.mounts = withoutKey(state.mounts, resolve(at ?? ""));
        break;
    }
  }
  return state;
}

function mount(state: MutableState, at: string, kind: Mount["kind"], source: string, args: Readonly<Record<string, ArgValue>>, consumed: string[]) {
  const options = Object.fromEntries(Object.entries(args).filter(([k]) => !consumed.includes(k)));
  state.mounts = { ...state.mounts, [at]: { kind, source, options } };
}

/** One command the plan runs, with everything in force when it runs. */
export interface ExecRecord extends ContainerState {
  readonly args: readonly string[];
  /** The exec's other arguments as sent: expect, redirectStdout, useEntrypoint… */
  readonly options: Readonly<Record<string, ArgValue>>;
  /** The chain up to and including this exec. */
  readonly chain: Chain;
}

export function execRecord(chainToExec: Chain): ExecRecord {
  const step = chainToExec.at(-1)!;
  const { args, ...options } = step.args;
  return { ...containerState(chainToExec.slice(0, -1)), args: stringsOf(args), options, chain: chainToExec };
}
