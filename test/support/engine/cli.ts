/**
 * The real `dagger` CLI against the kit's engine, as a user types it: exit code, output and time.
 */
import { expect } from "vitest";
import { run, type RunResult } from "../docker/cli.ts";
import type { RunningKit } from "./kit.ts";

export interface CliResult extends RunResult {
  /** Wall time in seconds. */
  seconds: number;
  /** The command line, for messages. */
  line: string;
}

/** A first module load on 2 cores takes 1–2 minutes; builds and scans far longer. */
const CALL_TIMEOUT_MS = 25 * 60_000;

export async function dagger(kit: RunningKit, args: readonly string[], options: { cwd: string; env?: Record<string, string>; timeoutMs?: number }): Promise<CliResult> {
  return againIfSourceLost(async () => {
    const started = Date.now();
    const result = await run(kit.dagger, args, { cwd: options.cwd, env: { ...kit.env, ...options.env }, timeoutMs: options.timeoutMs ?? CALL_TIMEOUT_MS });
    return { ...result, seconds: (Date.now() - started) / 1000, line: `dagger ${args.join(" ")}` };
  });
}

/**
 * Dagger v0.21.8 sometimes loses a host directory it has just synced, before any function runs
 * (upstream: dagger/dagger#10390, "flaky errors during filesyncs about missing files"): a
 * `Host.directory ERROR` with `! <sync id>: not found`, which the CLI then reports as the argument
 * it was reading — `failed to get value for argument "source"` (a folder), `"trusted-root"` (a file
 * in one) — or as the module itself — `failed to load local module source context`. Seen in the
 * engine tier three times, in these three forms. A user reruns the command; so does the tier, once,
 * saying so. Any other failure is returned as it is.
 */
export function sourceLost(result: Pick<RunResult, "code" | "stderr">): boolean {
  if (result.code === 0) return false;
  const plain = withoutColours(result.stderr);
  const id = /Host\.directory ERROR[^\n]*\n[^\n]*! (\w+): not found/.exec(plain)?.[1];
  if (id === undefined) return false;
  return new RegExp(`failed to get value for argument "[\\w-]+": ${id}: not found|failed to load local module source context: ${id}: not found`).test(plain);
}

async function againIfSourceLost(call: () => Promise<CliResult>): Promise<CliResult> {
  const first = await call();
  if (!sourceLost(first)) return first;
  console.warn(`[engine] the engine lost the synced source before running (dagger/dagger#10390); running again: ${first.line}`);
  return call();
}

/** The CLI's output without its terminal colour codes. */
function withoutColours(text: string): string {
  return text.replaceAll(/\x1b\[[0-9;]*m/g, "");
}

/** Assert the command exited 0, showing what it said when not, and `context` (what else explains a failure). */
export function expectSuccess(result: CliResult, context = ""): void {
  expect(result.code, context === "" ? described(result) : `${described(result)}\n${context}`).toBe(0);
}

/** What a failed command said, for an assertion message: the engine's error lines, then the end of its output. */
export function described(result: CliResult): string {
  const plain = withoutColours(result.stderr);
  const errors = plain.split("\n").filter((line) => /\bERROR\b|^\s*\d+\s*:.*! |^Error: /.test(line)).slice(0, 40).join("\n");
  return `${result.line} exited ${result.code} after ${result.seconds.toFixed(1)} s\nerrors:\n${errors}\nstdout:\n${tail(result.stdout)}\nstderr:\n${tail(result.stderr)}`;
}

function tail(text: string, lines = 60): string {
  return text.trimEnd().split("\n").slice(-lines).join("\n");
}

/**
 * Run a command line of the README or a CI template as written, with bash: its `$(git …)`,
 * `$VAR` and continuations mean what they mean to the user. `dagger` is the kit's (on PATH).
 */
export async function shellLine(kit: RunningKit, line: string, options: { cwd: string; env?: Record<string, string>; timeoutMs?: number }): Promise<CliResult> {
  return againIfSourceLost(async () => {
    const started = Date.now();
    const result = await run("bash", ["-eo", "pipefail", "-c", line], { cwd: options.cwd, env: { ...kit.env, ...options.env }, timeoutMs: options.timeoutMs ?? CALL_TIMEOUT_MS });
    return { ...result, seconds: (Date.now() - started) / 1000, line };
  });
}
