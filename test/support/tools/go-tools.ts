/**
 * Build the tools the end-to-end suite drives (Trivy, cosign, crane) from their Go modules, at
 * the versions the module pins, into a gitignored cache that later runs reuse:
 * `<repo>/.cache/tools/<name>@<version>/<name>`. The machines this runs on reach the Go module
 * proxy and nothing else, so `go install pkg@version` is the one way to get the real binaries.
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rename, rm, rmdir, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { failureMessage, lowPriority, run, type RunResult } from "../docker/cli.ts";
import { withFileLock } from "../file-lock.ts";
import { repoRoot } from "../paths.ts";

export interface GoTool {
  /** The binary's name in the cache; also the cache folder's prefix. */
  name: string;
  /** The package `go install` builds, e.g. github.com/aquasecurity/trivy/cmd/trivy. */
  pkg: string;
  /** The module version, as Go writes it: v0.69.3. */
  version: string;
  /** Build environment on top of GOTOOLCHAIN=local. */
  env?: Record<string, string>;
  ldflags?: string;
  /** How long a build takes with an empty Go module cache, for the log line: "~10 min". */
  coldBuild?: string;
}

export type Log = (line: string) => void;

export interface BuildOptions {
  log?: Log;
  /**
   * Build at a low CPU priority (nice 10): the e2e's prefetch builds tools while test files that
   * need none of them run, and those come first. Default false.
   */
  background?: boolean;
  /** Stop the build (the e2e's teardown stops a prefetch still running). */
  signal?: AbortSignal;
}

export const TOOLS_CACHE = path.join(repoRoot, ".cache/tools");
/** Trivy took ~9 min on 2 cores with empty Go caches; nothing here should take 3 times that. */
const BUILD_TIMEOUT_MS = 30 * 60_000;
const STDERR_LINES = 30;
/**
 * GOTOOLCHAIN=local: build with the Go installed, never one a go.mod asks for (Go 1.27 removed
 * json.SkipFunc, which Trivy's tags use). GOWORK=off: no go.work of the developer's applies.
 */
const BASE_ENV = { GOTOOLCHAIN: "local", GOWORK: "off" };

/** Where a tool's binary lives in the cache (it may not be built yet). */
export function goToolPath(tool: GoTool): string {
  return path.join(TOOLS_CACHE, `${tool.name}@${tool.version}`, tool.name);
}

/**
 * Return the absolute path of the tool's binary, building it with `go install` on first use.
 * A binary built from another recipe (env, ldflags) is rebuilt, not reused. While another process
 * builds it (the e2e's prefetch), this waits for that build and reuses it.
 */
export async function ensureGoTool(tool: GoTool, options: BuildOptions | Log = {}): Promise<string> {
  const args = ["install", ...(tool.ldflags ? [`-ldflags=${tool.ldflags}`] : []), `${tool.pkg}@${tool.version}`];
  const recipe = JSON.stringify({ pkg: tool.pkg, version: tool.version, env: tool.env ?? {}, ldflags: tool.ldflags ?? "" });
  const source = `from its Go module${tool.coldBuild ? ` (first run: ${tool.coldBuild})` : ""}`;
  return ensureBinary(goToolPath(tool), recipe, `${tool.name} ${tool.version}`, source, options, (tmp) => ({
    args,
    env: { ...tool.env, GOBIN: tmp },
    // go install names the binary after the package's last element (before a /vN suffix).
    output: path.join(tmp, installedName(tool.pkg)),
  }));
}

/**
 * Build the Go program in `dir` (a module of its own, with go.mod and go.sum) into the same cache,
 * keyed by a hash of its files, so an edit rebuilds and an unchanged program is reused.
 */
export async function buildLocalGoProgram(dir: string, name: string, options: BuildOptions | Log = {}): Promise<string> {
  const hash = await hashGoFiles(dir);
  const recipe = JSON.stringify({ dir: path.relative(repoRoot, dir), hash });
  return ensureBinary(path.join(TOOLS_CACHE, `${name}@${hash}`, name), recipe, name, `from ${path.relative(repoRoot, dir)}`, options, (tmp) => {
    const output = path.join(tmp, name);
    // -buildvcs=false: the program sits inside drydock's git checkout, whose state is no input of it.
    return { args: ["build", "-trimpath", "-buildvcs=false", "-o", output, "."], env: { CGO_ENABLED: "0" }, cwd: dir, output };
  });
}

/**
 * The binary built from `recipe`: reused when there, else built once under the lock — a caller
 * that waited for another process's build reuses it. `source` says where it is built from, for the log.
 */
async function ensureBinary(binary: string, recipe: string, label: string, source: string, options: BuildOptions | Log, step: (tmp: string) => BuildStep): Promise<string> {
  const { log = () => {}, background = false, signal } = typeof options === "function" ? { log: options } : options;
  if (await isBuilt(binary, recipe)) {
    log(`reusing ${label} from ${path.relative(repoRoot, binary)}`);
    return binary;
  }
  return withBuildLock(binary, label, log, async () => {
    if (await isBuilt(binary, recipe)) {
      log(`reusing ${label} from ${path.relative(repoRoot, binary)}, built meanwhile`);
      return binary;
    }
    log(`building ${label} ${source}${background ? ", in the background" : ""}`);
    await buildInto(binary, recipe, label, log, { background, signal }, step);
    return binary;
  });
}

/** One build of a binary at a time across processes: `<cache>/<name>@<version>.lock`. */
async function withBuildLock<T>(binary: string, label: string, log: Log, fn: () => Promise<T>): Promise<T> {
  const dir = path.dirname(binary);
  await mkdir(path.dirname(dir), { recursive: true });
  return withFileLock(`${dir}.lock`, fn, { what: label, log });
}

interface BuildStep {
  args: string[];
  env: Record<string, string>;
  cwd?: string;
  /** Where the go command leaves the binary, inside the temporary folder. */
  output: string;
}

async function isBuilt(binary: string, recipe: string): Promise<boolean> {
  if (!existsSync(binary)) return false;
  const stamp = await readFile(`${binary}.recipe`, "utf8").catch(() => "");
  return stamp === recipe;
}

/**
 * Run the build in a temporary folder beside the binary and rename the result into place, so an
 * interrupted build never leaves a half-written binary that a later run would take as built.
 */
async function buildInto(binary: string, recipe: string, label: string, log: Log, how: { background: boolean; signal?: AbortSignal }, step: (tmp: string) => BuildStep): Promise<void> {
  const dir = path.dirname(binary);
  await mkdir(dir, { recursive: true });
  await removeAbandonedBuilds(dir);
  const tmp = await mkdtemp(path.join(dir, ".build-"));
  try {
    const { args, env, cwd, output } = step(tmp);
    const started = Date.now();
    const result = await runGo(args, { env: { ...BASE_ENV, ...env }, cwd: cwd ?? tmp, ...how }, label);
    if (result.code !== 0) {
      throw new Error(failureMessage(`building ${label}: go ${args.join(" ")}`, { ...result, stdout: "" }, STDERR_LINES));
    }
    if (!existsSync(output)) throw new Error(`building ${label}: go ${args.join(" ")} succeeded but wrote no ${output}`);
    // The stamp goes last: a binary without the stamp of its recipe is rebuilt, never reused.
    await rm(`${binary}.recipe`, { force: true });
    await rename(output, binary);
    await writeFile(`${binary}.recipe`, recipe);
    log(`built ${label} in ${Math.round((Date.now() - started) / 1000)} s`);
  } catch (error) {
    await rm(tmp, { recursive: true, force: true });
    // Leave no empty folder of a tool that was never built; a folder with an older binary stays.
    await rmdir(dir).catch(() => {});
    throw error;
  }
  await rm(tmp, { recursive: true, force: true });
}

/** A build folder older than the build timeout is left by a build that was killed: reclaim its space. */
async function removeAbandonedBuilds(dir: string): Promise<void> {
  for (const entry of await readdir(dir)) {
    if (!entry.startsWith(".build-")) continue;
    const folder = path.join(dir, entry);
    const age = Date.now() - (await stat(folder).catch(() => ({ mtimeMs: Date.now() }))).mtimeMs;
    if (age > BUILD_TIMEOUT_MS) await rm(folder, { recursive: true, force: true });
  }
}

async function runGo(args: string[], options: { env: Record<string, string>; cwd: string; background: boolean; signal?: AbortSignal }, label: string): Promise<RunResult> {
  const { background, ...runOptions } = options;
  const [program, ...programArgs] = background ? lowPriority(["go", ...args]) : ["go", ...args];
  try {
    const result = await run(program!, programArgs, { ...runOptions, timeoutMs: BUILD_TIMEOUT_MS });
    // nice(1) exits 127 when it cannot find the program it runs: the same as go missing from PATH.
    if (background && result.code === 127) throw new Error("ENOENT: go");
    return result;
  } catch (error) {
    // Only go's absence: a missing nice(1) says "could not start nice" and is passed on as it is.
    if (/^could not start go: .*ENOENT|^ENOENT: go$/.test((error as Error).message)) {
      throw new Error(
        `building ${label} needs the Go toolchain, but \`go\` is not on PATH — install Go 1.26 (https://go.dev/dl/, ` +
          `or the golang package of your distribution) and put its bin folder on PATH; the tool is then built once ` +
          `into ${path.relative(repoRoot, TOOLS_CACHE)}/ and reused`,
      );
    }
    throw error;
  }
}

function installedName(pkg: string): string {
  const parts = pkg.split("/");
  const last = parts.at(-1) ?? pkg;
  return /^v\d+$/.test(last) && parts.length > 1 ? (parts.at(-2) ?? last) : last;
}

/** A short hash over the module's Go files (names and contents), in a stable order. */
async function hashGoFiles(dir: string): Promise<string> {
  const files = (await readdir(dir, { recursive: true, withFileTypes: true }))
    .filter((e) => e.isFile() && (e.name.endsWith(".go") || e.name === "go.mod" || e.name === "go.sum"))
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
  if (!files.includes("go.mod")) throw new Error(`${dir} holds no go.mod; expected a Go module of its own`);
  const hash = createHash("sha256");
  for (const file of files) hash.update(`${file}\0`).update(await readFile(path.join(dir, file))).update("\0");
  return hash.digest("hex").slice(0, 12);
}
