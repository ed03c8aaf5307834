/**
 * The real Dagger engine of the engine tier: `../shared/dagger-engine/kit.sh` builds the engine and
 * CLI v0.21.8 from source and runs them without Docker. This file builds the kit once into
 * `.cache/dagger-kit` (with the machine's Go build cache, so a rebuild after `.cache` is gone takes
 * minutes, and an unchanged kit is reused in seconds), starts the engine, and starts the lab
 * registry the tier serves images and the Trivy DB from.
 *
 * Nothing of the kit or the engine is changed. Two pieces of engine configuration are added, the
 * kind a platform team writes for a shared engine:
 * - `registries["10.199.0.2:5001"].http` (engine.json), so the engine can publish to the lab
 *   registry that the containers it runs (cosign, Trivy) reach too — the kit's own registry listens
 *   on the engine's loopback, which no container can reach;
 * - a second gRPC listener, `tcp://10.199.0.2:1234` (engine.toml), so a CLI can reach the engine
 *   as CI reaches a shared one: `_EXPERIMENTAL_DAGGER_RUNNER_HOST=tcp://…`.
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { failureMessage, lowPriority, run, type RunResult } from "../docker/cli.ts";
import { withFileLock } from "../file-lock.ts";
import { repoRoot, sharedDir } from "../paths.ts";

export type Log = (line: string) => void;

export const KIT_DIR = path.join(sharedDir, "dagger-engine");
export const KIT_SCRIPT = path.join(KIT_DIR, "kit.sh");
/** The kit's work folder: gitignored, reused by later runs. */
export const KIT_WORK = process.env.DAGGER_KIT_WORK ?? path.join(repoRoot, ".cache/dagger-kit");
/** The engine's address on the kit's veth pair (kit.sh: KIT_NET.2). */
export const ENGINE_ADDRESS = "10.199.0.2";
/** This machine's end of the veth pair (KIT_NET.1): where the engine's containers reach a service of the host. */
export const HOST_ADDRESS = "10.199.0.1";
/**
 * The lab registry: inside the engine's network namespace, on its veth address, so the engine,
 * the containers it runs and this host all reach it. go-containerregistry (Trivy, cosign, crane)
 * speaks plain HTTP to a private address by itself; the engine is told so in its config.
 */
export const LAB_REGISTRY = `${ENGINE_ADDRESS}:5001`;
/** The kit's own registry, reached by the engine only (it mirrors docker.io and holds lab/node). */
export const KIT_REGISTRY = "localhost:5000";

/** The steps of `kit.sh all` that build, before `start push_lab_images`. */
const BUILD_STEPS = ["prereqs", "src", "bins", "runc_cni", "rootfs", "npmpkgs", "tssdk", "images", "engine_root"];
const BUILD_TIMEOUT_MS = 45 * 60_000;
const STAMP = path.join(KIT_WORK, "drydock-kit.stamp");

export interface RunningKit {
  /** The environment the real `dagger` CLI needs: PATH with the kit's bin, the runner host, no telemetry. */
  env: Record<string, string>;
  /** The kit's `dagger` binary. */
  dagger: string;
  /** The TypeScript runtime's node image in the kit's registry, pinned: the test module copy's `dagger.baseImage`. */
  labNode: string;
  /** The pid whose network namespace is the engine's. */
  enginePid: number;
}

/** Why the tier cannot run on this machine, or undefined when it can. */
export function kitUnavailable(): string | undefined {
  if (!existsSync(KIT_SCRIPT)) return `no engine kit at ${KIT_SCRIPT} (the shared folder's dagger-engine/)`;
  if (!existsSync(path.join(KIT_DIR, "inputs"))) return `no ${path.join(KIT_DIR, "inputs")} beside the kit`;
  if (process.getuid?.() !== 0) return "the kit needs root (namespaces, mounts, a veth pair and NAT)";
  return undefined;
}

/** A fingerprint of the kit: its script and inputs. A changed kit is rebuilt, never reused. */
async function kitFingerprint(): Promise<string> {
  const hash = createHash("sha256");
  hash.update(await readFile(KIT_SCRIPT));
  hash.update(await readFile(path.join(KIT_DIR, "inputs", "dagger-v0.21.8-src.tar.xz")));
  return hash.digest("hex");
}

/** The kit's work folder, and the machine's Go build cache unless KIT_GOCACHE names another. */
async function kitEnv(): Promise<Record<string, string>> {
  const goCache = process.env.KIT_GOCACHE ?? (await goEnv("GOCACHE"));
  return { DAGGER_KIT_WORK: KIT_WORK, ...(goCache ? { KIT_GOCACHE: goCache } : {}) };
}

async function kit(steps: string[], log: Log, timeoutMs = BUILD_TIMEOUT_MS, how: { background?: boolean; signal?: AbortSignal } = {}): Promise<RunResult> {
  const started = Date.now();
  const command = ["bash", KIT_SCRIPT, ...steps];
  const [program, ...args] = how.background ? lowPriority(command) : command;
  const result = await run(program!, args, { cwd: KIT_WORK, env: await kitEnv(), timeoutMs, signal: how.signal });
  if (result.code !== 0) throw new Error(failureMessage(`kit.sh ${steps.join(" ")}`, result, 60));
  log(`kit.sh ${steps.join(" ")}: ${Math.round((Date.now() - started) / 1000)} s`);
  return result;
}

/** The machine's Go build cache, shared with the kit so a fresh work folder rebuilds from warm objects. */
async function goEnv(name: string): Promise<string | undefined> {
  const result = await run("go", ["env", name]).catch(() => undefined);
  return result?.code === 0 ? result.stdout.trim() || undefined : undefined;
}

/**
 * Build the kit unless this fingerprint's build is already in the work folder. One build at a
 * time: while another process builds it (the e2e's prefetch), this waits and reuses it.
 * `background`: at a low CPU priority, beside test files that need no engine.
 */
export async function ensureKitBuilt(log: Log, { background = false, signal }: { background?: boolean; signal?: AbortSignal } = {}): Promise<void> {
  await mkdir(KIT_WORK, { recursive: true });
  const fingerprint = await kitFingerprint();
  const isBuilt = async () => existsSync(path.join(KIT_WORK, "bin", "dagger")) && (await readFile(STAMP, "utf8").catch(() => "")) === fingerprint;
  if (await isBuilt()) {
    log(`reusing the engine kit in ${path.relative(repoRoot, KIT_WORK)}`);
    return;
  }
  await withFileLock(`${KIT_WORK}.lock`, async () => {
    if (await isBuilt()) return;
    // kit.sh's tssdk step runs `bun install -g typescript` in $DAGGER_KIT_WORK/npm, and bun adds
    // typescript to the nearest package.json above it and installs it there: inside this repository,
    // ours (seen twice: it rewrote package.json and replaced node_modules/typescript with TypeScript 7;
    // reproduced with a work folder inside any package). A package.json of the work folder's own
    // stops bun's search there.
    await writeFile(path.join(KIT_WORK, "package.json"), "{}\n");
    log(`building the engine kit into ${path.relative(repoRoot, KIT_WORK)} (cold: ~15 min on 2 cores; warm Go cache: a few)${background ? ", in the background" : ""}`);
    await rm(STAMP, { force: true });
    const before = await repositoryManifests();
    try {
      await kit(BUILD_STEPS, log, BUILD_TIMEOUT_MS, { background, signal });
    } catch (error) {
      const ended = await endBuildLeftovers(KIT_WORK);
      if (ended.length > 0) log(`ended what the interrupted kit build left running: ${ended.join("; ")}`);
      throw error;
    }
    const after = await repositoryManifests();
    if (after !== before) {
      throw new Error(`building the kit changed this repository's package.json or node_modules/typescript (a step of kit.sh installed into it); restore them with git checkout package.json && npm ci`);
    }
    await writeFile(STAMP, fingerprint);
  }, { what: "the engine kit", log });
}

/**
 * kit.sh's `images` step serves a temporary registry (`crane registry serve … --disk
 * <work>/registry-tmp`, on 127.0.0.1:5001) in the background and ends it at the step's end; a
 * build killed or failed in between leaves it running, holding the port the next build needs,
 * and `kit.sh stop` does not know it. End exactly those processes of `work`; returns what it ended.
 */
export async function endBuildLeftovers(work: string): Promise<string[]> {
  const marker = `--disk ${path.join(work, "registry-tmp")}`;
  const ended: string[] = [];
  for (const pid of (await readdir("/proc")).filter((entry) => /^\d+$/.test(entry))) {
    const command = (await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "")).split("\0").join(" ").trim();
    if (!command.includes(" registry serve ") || !command.endsWith(marker)) continue;
    try {
      process.kill(Number(pid), "SIGTERM");
      ended.push(`pid ${pid} (${command})`);
    } catch {
      // Gone meanwhile.
    }
  }
  return ended;
}

/** The harness's own manifest and TypeScript, which no step of the kit may touch. */
async function repositoryManifests(): Promise<string> {
  const files = ["package.json", "package-lock.json", "node_modules/typescript/package.json"].map((f) => path.join(repoRoot, f));
  const texts = await Promise.all(files.map((f) => readFile(f, "utf8").catch(() => "(absent)")));
  return createHash("sha256").update(texts.join("\0")).digest("hex");
}

const socketPath = () => path.join(KIT_WORK, "rootfs/run/dagger/engine.sock");
const enginePidFile = () => path.join(KIT_WORK, "logs/engine-ns.pid");

function cliEnv(): Record<string, string> {
  return {
    _EXPERIMENTAL_DAGGER_RUNNER_HOST: `unix://${socketPath()}`,
    DO_NOT_TRACK: "1",
    DAGGER_NO_NAG: "1",
    DAGGER_NO_UPDATE_CHECK: "1",
    PATH: `${path.join(KIT_WORK, "bin")}:${process.env.PATH ?? ""}`,
  };
}

/** The engine's TCP listener, inside its network namespace (reached from this host over the veth). */
export const ENGINE_TCP = `tcp://${ENGINE_ADDRESS}:1234`;

/**
 * The engine's config with the lab registry and the TCP listener added (kit.sh engine_root writes
 * the rest); true when a file changed, so a running engine must restart to read it.
 */
async function configureEngine(): Promise<boolean> {
  const jsonFile = path.join(KIT_WORK, "rootfs/etc/dagger/engine.json");
  const config = JSON.parse(await readFile(jsonFile, "utf8")) as { registries?: Record<string, unknown> };
  const entry = { http: true };
  let changed = false;
  if (JSON.stringify(config.registries?.[LAB_REGISTRY]) !== JSON.stringify(entry)) {
    config.registries = { ...config.registries, [LAB_REGISTRY]: entry };
    await writeFile(jsonFile, `${JSON.stringify(config, null, 2)}\n`);
    changed = true;
  }
  const tomlFile = path.join(KIT_WORK, "rootfs/etc/dagger/engine.toml");
  const toml = `[grpc]\n  address = ["${ENGINE_TCP}"]\n`;
  if ((await readFile(tomlFile, "utf8").catch(() => "")) !== toml) {
    await writeFile(tomlFile, toml);
    changed = true;
  }
  return changed;
}

async function engineAnswers(): Promise<boolean> {
  if (!existsSync(socketPath())) return false;
  const result = await run(path.join(KIT_WORK, "bin", "dagger"), ["core", "version"], { env: cliEnv(), timeoutMs: 60_000 });
  return result.code === 0;
}

async function labRegistryAnswers(): Promise<boolean> {
  try {
    const response = await fetch(`http://${LAB_REGISTRY}/v2/`, { signal: AbortSignal.timeout(3_000) });
    return response.ok;
  } catch {
    return false;
  }
}

const LAB_NODE_FILE = () => path.join(KIT_WORK, "logs/drydock-lab-node.ref");
/** Written when a test run starts the engine, so the run's teardown stops what it started and nothing else. */
const STARTED_BY_RUN = () => path.join(KIT_WORK, "logs/drydock-started-by-run");

/**
 * Build (or reuse) the kit, start the engine unless it already answers, and start the lab
 * registry. Left running for later files of the run; `stopKit` ends it.
 */
export async function ensureKitRunning(log: Log): Promise<RunningKit> {
  await ensureKitBuilt(log);
  const configChanged = await configureEngine();
  if (configChanged || !(await engineAnswers())) {
    const started = await kit(["start", "push_lab_images"], log, 10 * 60_000);
    const labNode = /^(localhost:5000\/lab\/node:[^@\s]+@sha256:[a-f0-9]{64})$/m.exec(started.stdout)?.[1];
    if (!labNode) throw new Error(`kit.sh push_lab_images printed no lab/node reference:\n${started.stdout}`);
    await writeFile(LAB_NODE_FILE(), labNode);
    await writeFile(STARTED_BY_RUN(), new Date().toISOString());
  }
  const enginePid = Number((await readFile(enginePidFile(), "utf8")).trim());
  if (!(await labRegistryAnswers())) await startLabRegistry(enginePid, log);
  return { env: cliEnv(), dagger: path.join(KIT_WORK, "bin", "dagger"), labNode: (await readFile(LAB_NODE_FILE(), "utf8")).trim(), enginePid };
}

/** crane's registry inside the engine's network namespace, on the engine's veth address. */
async function startLabRegistry(enginePid: number, log: Log): Promise<void> {
  const disk = path.join(KIT_WORK, "lab-registry");
  await rm(disk, { recursive: true, force: true });
  await mkdir(disk, { recursive: true });
  const script = [
    `nohup nsenter --net=/proc/${enginePid}/ns/net "$1" registry serve --address "$2" --disk "$3" >"$4" 2>&1 &`,
    'echo $! > "$5"',
  ].join("\n");
  const logs = path.join(KIT_WORK, "logs");
  const result = await run("sh", ["-c", script, "sh", path.join(KIT_WORK, "bin/crane"), LAB_REGISTRY, disk, path.join(logs, "lab-registry.log"), path.join(logs, "lab-registry.pid")]);
  if (result.code !== 0) throw new Error(failureMessage("starting the lab registry", result));
  for (let i = 0; i < 50; i++) {
    if (await labRegistryAnswers()) {
      log(`lab registry on ${LAB_REGISTRY} (inside the engine's network)`);
      return;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the lab registry did not answer on http://${LAB_REGISTRY}/v2/; see ${path.join(logs, "lab-registry.log")}`);
}

/** At the end of a test run: stop the engine if this run started it. */
export async function stopKitIfStartedByRun(): Promise<boolean> {
  if (!existsSync(STARTED_BY_RUN())) return false;
  await stopKit();
  await rm(STARTED_BY_RUN(), { force: true });
  return true;
}

/** Stop the lab registry and the engine (kit.sh stop); the work folder and the engine's cache stay. */
export async function stopKit(): Promise<void> {
  const pidFile = path.join(KIT_WORK, "logs/lab-registry.pid");
  const pid = Number((await readFile(pidFile, "utf8").catch(() => "")).trim());
  if (pid > 0) {
    try {
      process.kill(pid);
    } catch {
      // already gone
    }
    await rm(pidFile, { force: true });
  }
  await run("bash", [KIT_SCRIPT, "stop"], { env: await kitEnv(), timeoutMs: 60_000 });
}

/** Stop the engine and delete its state (every cache, volume and loaded module): the next start is a new engine's. */
export async function resetEngineState(): Promise<void> {
  await stopKit();
  await rm(STARTED_BY_RUN(), { force: true });
  await rm(path.join(KIT_WORK, "rootfs/var/lib/dagger"), { recursive: true, force: true });
  await mkdir(path.join(KIT_WORK, "rootfs/var/lib/dagger"), { recursive: true });
}

/** Run crane (the kit's) inside the engine's network, where the kit's registry is localhost:5000. */
export async function craneInEngine(args: readonly string[], options: { timeoutMs?: number } = {}): Promise<string> {
  const result = await run("bash", [KIT_SCRIPT, "crane", ...args], { env: await kitEnv(), timeoutMs: options.timeoutMs ?? 10 * 60_000 });
  if (result.code !== 0) throw new Error(failureMessage(`kit.sh crane ${args.join(" ")}`, result));
  return result.stdout.trim();
}
