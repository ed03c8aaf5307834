/**
 * How the source's config differs from the base branch's (--base-config): the keys whose
 * effective values differ. Both sides are compared as parsed, every default filled in, so
 * writing a default out, reordering keys or reformatting the YAML changes nothing.
 */
import { formatPath } from "./errors.js";
import type { RepositoryConfig } from "./load.js";

export interface ConfigChange {
  /** The source's config file, e.g. security-config.yml. */
  readonly file: string;
  /** False when the source has no such file, so drydock's defaults were compared. */
  readonly sourceHasFile: boolean;
  /** The base's config, as --base-config names it. */
  readonly base: string;
  /** The keys whose values differ, in the config's order, e.g. policy.ignores; empty when unchanged. A list compares whole. */
  readonly changed: readonly string[];
}

export function compareConfigs(source: RepositoryConfig, base: RepositoryConfig): ConfigChange {
  return { file: source.file, sourceHasFile: !source.usedDefaults, base: base.file, changed: changedKeys(source.config, base.config, []) };
}

/** `$schema` is for editors: it changes nothing drydock does. */
const IGNORED: ReadonlySet<string> = new Set(["$schema"]);

function changedKeys(ours: unknown, theirs: unknown, path: readonly string[]): string[] {
  if (isMapping(ours) && isMapping(theirs)) {
    const keys = [...new Set([...Object.keys(ours), ...Object.keys(theirs)])].filter((key) => !(path.length === 0 && IGNORED.has(key)));
    return keys.flatMap((key) => changedKeys(ours[key], theirs[key], [...path, key]));
  }
  return canonical(ours) === canonical(theirs) ? [] : [formatPath(path)];
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** JSON with every mapping's keys sorted, so two equal values read the same. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (isMapping(value)) {
    const entries = Object.keys(value)
      .filter((key) => value[key] !== undefined)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical(value[key])}`);
    return `{${entries.join(",")}}`;
  }
  return value === undefined ? "undefined" : JSON.stringify(value);
}
