/**
 * Loads `security-config.yml`: a missing file means the defaults; anything else must be a
 * complete, valid config, or every problem in it is reported at once.
 */
import { ConfigError } from "./errors.js";
import { describeIssues, describeValue, expectation, knownKeysAt } from "./issues.js";
import { SecurityConfig } from "./schema.js";
import { readYaml } from "./yaml.js";

/** The config of a repository as read: `config.apps` holds exactly the apps the repository has. */
export interface RepositoryConfig {
  readonly config: SecurityConfig;
  /** True when there was no file, so every value is a default; summaries say so. */
  readonly usedDefaults: boolean;
  /** The file as the user named it, for messages. */
  readonly file: string;
}

/**
 * Parses the text of `file`, or returns the defaults when `text` is undefined (no such file).
 * Throws a ConfigError listing every problem: YAML syntax (with line and column), unknown keys
 * (with the closest known key), and each value that does not fit the schema.
 */
export function parseSecurityConfig(text: string | undefined, file: string): RepositoryConfig {
  if (text === undefined) return { config: SecurityConfig.parse({}), usedDefaults: true, file };

  const read = readYaml(text);
  if (read.kind === "invalid") throw new ConfigError(file, read.issues);
  const topLevelKeys = knownKeysAt(SecurityConfig, []).join(", ");
  if (read.kind === "empty") {
    // A file that exists but says nothing is more likely a mistake than a wish for the defaults.
    throw new ConfigError(file, [
      {
        where: "",
        problem: `found an empty file, expected a mapping of settings (${topLevelKeys}) — an empty file does not mean "use the defaults": delete it for that, or write "version: 1"`,
      },
    ]);
  }
  if (typeof read.value !== "object" || read.value === null || Array.isArray(read.value)) {
    throw new ConfigError(file, [
      { where: "", problem: `found ${describeValue(read.value)}, expected a mapping of settings (${topLevelKeys})` },
    ]);
  }

  const parsed = SecurityConfig.safeParse(read.value, { error: expectation, reportInput: true });
  if (!parsed.success) throw new ConfigError(file, describeIssues(SecurityConfig, parsed.error.issues, read.locate));
  return { config: parsed.data, usedDefaults: false, file };
}
