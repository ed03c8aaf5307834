/**
 * The one error a bad `security-config.yml` raises: every problem of the file, one per line,
 * each naming the file, where in it, what was found and what was expected.
 */
import { DrydockError } from "../errors.js";

/** A place in the file, both counted from 1. */
export interface Position {
  readonly line: number;
  readonly column: number;
}

/**
 * One problem: `where` is a dotted path (`policy.ignores[2].expires`), a YAML position, or empty
 * for the whole file; `at` is where the path is written in the file, when it is.
 */
export interface ConfigIssue {
  readonly where: string;
  readonly problem: string;
  readonly at?: Position;
}

export class ConfigError extends DrydockError {
  override readonly name = "ConfigError";

  constructor(
    readonly file: string,
    readonly issues: readonly ConfigIssue[],
  ) {
    super(issues.map((issue) => formatIssue(file, issue)).join("\n"));
  }
}

/**
 * `file: where: problem (line L, column C)`: the position goes last so that `file: path: found …`
 * reads the same with and without it.
 */
export function formatIssue(file: string, { where, problem, at }: ConfigIssue): string {
  const position = at === undefined ? "" : ` (line ${at.line}, column ${at.column})`;
  return where === "" ? `${file}: ${problem}${position}` : `${file}: ${where}: ${problem}${position}`;
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** `["policy", "ignores", 2, "expires"]` → `policy.ignores[2].expires`, the way the YAML reads. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, segment) => {
    if (typeof segment === "number") return `${out}[${segment}]`;
    const key = String(segment);
    if (!IDENTIFIER.test(key)) return `${out}[${JSON.stringify(key)}]`;
    return out === "" ? key : `${out}.${key}`;
  }, "");
}
