/**
 * Turns zod's validation issues into config issues that read `path: found X, expected Y`.
 */
import { z } from "zod";
import { formatPath, type ConfigIssue, type Position } from "./errors.js";
import { closestMatch } from "./suggest.js";

const TYPE_NAMES: Readonly<Record<string, string>> = {
  object: "a mapping",
  array: "a list",
  string: "a string",
  number: "a number",
  boolean: "true or false",
};

function countOf(n: number | bigint, one: string, many: string): string {
  return `${n} ${Number(n) === 1 ? one : many}`;
}

function isIntegerSchema(schema: unknown): boolean {
  const format = (schema as z.core.$ZodType | undefined)?._zod.def as { format?: unknown } | undefined;
  return typeof format?.format === "string" && /int/.test(format.format);
}

/**
 * The parse-level error map: an "expected …" phrase for every issue the schema does not
 * phrase itself (messages written in schema.ts take precedence over this map).
 */
export const expectation: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case "invalid_type":
      // z.int() reports a string as "expected number": it is a whole number that is wanted.
      if (isIntegerSchema(issue.inst)) return "expected a whole number";
      return `expected ${TYPE_NAMES[issue.expected] ?? issue.expected}`;
    case "invalid_value":
      return issue.values.length === 1
        ? `expected ${JSON.stringify(issue.values[0])}`
        : `expected one of ${issue.values.map(String).join(", ")}`;
    case "too_small":
      if (issue.origin === "string") return `expected at least ${countOf(issue.minimum, "character", "characters")}`;
      if (issue.origin === "array") return `expected at least ${countOf(issue.minimum, "entry", "entries")}`;
      return issue.inclusive ? `expected ${issue.minimum} or more` : `expected more than ${issue.minimum}`;
    case "too_big":
      if (issue.origin === "string") return `expected at most ${countOf(issue.maximum, "character", "characters")}`;
      if (issue.origin === "array") return `expected at most ${countOf(issue.maximum, "entry", "entries")}`;
      return issue.inclusive ? `expected ${issue.maximum} or less` : `expected less than ${issue.maximum}`;
    case "invalid_format":
      return issue.pattern === undefined ? `expected a valid ${issue.format}` : `expected text matching ${issue.pattern}`;
    case "not_multiple_of":
      return `expected a multiple of ${issue.divisor}`;
    default:
      return undefined;
  }
};

const LONGEST_SHOWN = 80;

/** A short, unambiguous rendering of an offending value: enough to find it in the file. */
export function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "an empty value";
  if (typeof value === "string") {
    const quoted = JSON.stringify(value);
    return quoted.length <= LONGEST_SHOWN ? quoted : `${quoted.slice(0, LONGEST_SHOWN - 21)}…${quoted.slice(-20)}`;
  }
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return `a list of ${countOf(value.length, "entry", "entries")}`;
  // The YAML reader yields nothing else: text, numbers, booleans, null, lists and mappings.
  return "a mapping";
}

/** Strips the wrappers that do not change which keys an object takes. */
function unwrap(schema: z.core.$ZodType): z.core.$ZodType {
  let current = schema;
  for (;;) {
    const def = current._zod.def;
    if ("innerType" in def) current = def.innerType as z.core.$ZodType;
    else if (def.type === "pipe" && "in" in def) current = def.in as z.core.$ZodType;
    else return current;
  }
}

/** The keys the object schema at `path` accepts, for "did you mean" and "expected one of". */
export function knownKeysAt(schema: z.core.$ZodType, path: readonly PropertyKey[]): string[] {
  let current = unwrap(schema);
  for (const segment of path) {
    const def = current._zod.def;
    if (def.type === "array" && "element" in def && typeof segment === "number") {
      current = unwrap(def.element as z.core.$ZodType);
    } else if (def.type === "object" && "shape" in def) {
      const next = (def.shape as Record<string, z.core.$ZodType>)[String(segment)];
      if (next === undefined) return [];
      current = unwrap(next);
    } else {
      return [];
    }
  }
  const def = current._zod.def;
  return def.type === "object" && "shape" in def ? Object.keys(def.shape as object) : [];
}

/** Where a zod path is written in the file (see yaml.ts); `key` for the key rather than its value. */
export type Locator = (path: readonly PropertyKey[], options?: { readonly key?: boolean }) => Position | undefined;

const nowhere: Locator = () => undefined;

/** Adds `at` only when known, so issues without a file position compare equal to plain ones. */
function placed(issue: ConfigIssue, at: Position | undefined): ConfigIssue {
  return at === undefined ? issue : { ...issue, at };
}

function unknownKeyIssues(schema: z.core.$ZodType, issue: z.core.$ZodIssueUnrecognizedKeys, locate: Locator): ConfigIssue[] {
  const known = knownKeysAt(schema, issue.path);
  return issue.keys.map((key) => {
    const suggestion = closestMatch(key, known);
    const hint = suggestion === undefined ? `expected one of: ${known.join(", ")}` : `did you mean "${suggestion}"?`;
    const path = [...issue.path, key];
    return placed({ where: formatPath(path), problem: `unknown key — ${hint}` }, locate(path, { key: true }));
  });
}

/**
 * One config issue per zod issue, and one per unknown key; `schema` is the one that was parsed,
 * `locate` finds each path in the file (a missing key: the mapping it is missing from).
 */
export function describeIssues(schema: z.core.$ZodType, issues: readonly z.core.$ZodIssue[], locate: Locator = nowhere): ConfigIssue[] {
  return issues.flatMap((issue): ConfigIssue[] => {
    if (issue.code === "unrecognized_keys") return unknownKeyIssues(schema, issue, locate);
    const where = formatPath(issue.path);
    const at = locate(issue.path);
    if (issue.input === undefined) return [placed({ where, problem: `missing, ${issue.message}` }, at)];
    // A check across entries names what it found itself: the whole entry would read "a mapping".
    const ownFound = issue.code === "custom" ? issue.params?.["found"] : undefined;
    const found = typeof ownFound === "string" ? ownFound : describeValue(issue.input);
    let problem = `found ${found}, ${issue.message}`;
    if (issue.code === "invalid_value" && typeof issue.input === "string") {
      const named = issue.values.filter((value): value is string => typeof value === "string");
      const suggestion = closestMatch(issue.input, named);
      if (suggestion !== undefined && suggestion !== issue.input) problem += ` — did you mean "${suggestion}"?`;
    }
    return [placed({ where, problem }, at)];
  });
}
