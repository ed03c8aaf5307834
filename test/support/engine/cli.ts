/**
 * The real `dagger` CLI against the kit's engine, as a user types it: exit code, output and time.
 */
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
  const started = Date.now();
  const result = await run(kit.dagger, args, { cwd: options.cwd, env: { ...kit.env, ...options.env }, timeoutMs: options.timeoutMs ?? CALL_TIMEOUT_MS });
  return { ...result, seconds: (Date.now() - started) / 1000, line: `dagger ${args.join(" ")}` };
}

/** What a failed command said, for an assertion message: the engine's error lines, then the end of its output. */
export function described(result: CliResult): string {
  const plain = result.stderr.replaceAll(/\x1b\[[0-9;]*m/g, "");
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
  const started = Date.now();
  const result = await run("bash", ["-eo", "pipefail", "-c", line], { cwd: options.cwd, env: { ...kit.env, ...options.env }, timeoutMs: options.timeoutMs ?? CALL_TIMEOUT_MS });
  return { ...result, seconds: (Date.now() - started) / 1000, line };
}
