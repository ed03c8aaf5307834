/**
 * A command that ran in a container and failed, as the SDK reports it.
 *
 * Not `instanceof ExecError`: inside a real engine `@dagger.io/dagger` is the TypeScript runtime's
 * bundled SDK, whose index re-exports a fixed list without `ExecError` — importing it there is a
 * load-time SyntaxError that stops the whole module. The error object still carries the SDK's
 * name, code and fields, so it is recognised by those.
 */
export interface ExecFailure {
  /** The argv as the engine ran it. */
  readonly cmd: readonly string[];
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The SDK's name and code of an exec error (`ERROR_NAMES.ExecError`, `ERROR_CODES.ExecError`). */
const EXEC_ERROR_NAME = "ExecError";
const EXEC_ERROR_CODE = "D109";

/** The failed command's exit code and output, or undefined for any other error. */
export function execFailure(error: unknown): ExecFailure | undefined {
  if (!(error instanceof Error)) return undefined;
  const candidate = error as Error & Partial<Record<"code" | "cmd" | "exitCode" | "stdout" | "stderr", unknown>>;
  if (candidate.name !== EXEC_ERROR_NAME || candidate.code !== EXEC_ERROR_CODE) return undefined;
  if (typeof candidate.exitCode !== "number") return undefined;
  return {
    cmd: Array.isArray(candidate.cmd) ? candidate.cmd.map(String) : [],
    exitCode: candidate.exitCode,
    stdout: typeof candidate.stdout === "string" ? candidate.stdout : "",
    stderr: typeof candidate.stderr === "string" ? candidate.stderr : "",
  };
}
