/**
 * Run the Docker CLI from tests and benchmarks: one place that knows which client to use,
 * turns BuildKit on, and turns a failed command into an error that shows what Docker said.
 */
import { spawn } from "node:child_process";

/**
 * Debian's docker.io client. The /usr/local/bin client some machines carry has no buildx
 * plugin, and with DOCKER_BUILDKIT=1 it refuses to build at all.
 */
export const DOCKER = process.env.DRYDOCK_DOCKER ?? "/usr/bin/docker";

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Bytes written to the command's stdin. */
  input?: string | Buffer;
  /** Extra environment for the command (added to this process's environment). */
  env?: Record<string, string>;
  /** Kill the command after this many milliseconds and report it as failed (exit code 124, like timeout(1)). */
  timeoutMs?: number;
  /** Working directory of the command. */
  cwd?: string;
  /** Kill the command when this aborts and report it as failed (exit code 130, as after Ctrl-C). */
  signal?: AbortSignal;
}

/** A command line run at a low CPU priority (nice 10): for builds in the background of a test run. */
export function lowPriority(command: readonly string[]): string[] {
  return ["nice", "-n", "10", ...command];
}

/** Run any program and capture its output; never throws for a non-zero exit. */
export function run(program: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: [options.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            child.kill("SIGKILL");
          }, options.timeoutMs);
    let aborted = false;
    const abort = () => {
      aborted = true;
      child.kill("SIGKILL");
    };
    if (options.signal?.aborted) abort();
    options.signal?.addEventListener("abort", abort, { once: true });
    child.stdout?.on("data", (b: Buffer) => out.push(b));
    child.stderr?.on("data", (b: Buffer) => err.push(b));
    child.on("error", (e) => {
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", abort);
      reject(new Error(`could not start ${program}: ${e.message}`));
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", abort);
      resolve({
        code: timedOut ? 124 : aborted ? 130 : (code ?? 1),
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8") + (timedOut ? `\n(killed after ${options.timeoutMs} ms)` : aborted ? "\n(killed: the run was stopping)" : ""),
      });
    });
    if (child.stdin) {
      // A command that exits before reading all its input closes the pipe; its exit code tells the story.
      child.stdin.on("error", () => {});
      child.stdin.end(options.input);
    }
  });
}

/** Run `docker ARGS` with BuildKit on; never throws for a non-zero exit. */
export function dockerTry(args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return run(DOCKER, args, { ...options, env: { DOCKER_BUILDKIT: "1", ...options.env } });
}

/** Run `docker ARGS` and return its trimmed stdout; a non-zero exit throws with the end of Docker's output. */
export async function docker(args: readonly string[], options: RunOptions = {}): Promise<string> {
  const result = await dockerTry(args, options);
  if (result.code !== 0) throw new Error(failureMessage(`docker ${args.join(" ")}`, result));
  return result.stdout.trim();
}

/** "<command> exited <code>:" followed by the last lines of its output, for error messages. */
export function failureMessage(command: string, result: RunResult, lines = 40): string {
  const tail = (result.stderr + result.stdout).trim().split("\n").slice(-lines).join("\n");
  return `${command} exited ${result.code}:\n${tail}`;
}

/** True when a local image (or any object `docker inspect` knows) exists under that reference. */
export async function imageExists(ref: string): Promise<boolean> {
  return (await dockerTry(["image", "inspect", "--format", "{{.Id}}", ref])).code === 0;
}
