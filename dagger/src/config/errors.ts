/**
 * The one error a bad `security-config.yml` raises: every problem of the file, one per line,
 * each naming the file, where in it, what was found and what was expected.
 */
import { DrydockError } from "../errors.js";

/** One problem: `where` is a dotted path (`policy.ignores[2].expires`), a YAML position, or empty for the whole file. */
export interface ConfigIssue {
  readonly where: string;
  readonly problem: string;
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

export function formatIssue(file: string, { where, problem }: ConfigIssue): string {
  return where === "" ? `${file}: ${problem}` : `${file}: ${where}: ${problem}`;
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
