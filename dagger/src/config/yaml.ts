/**
 * Reads the text of a YAML config into plain data, strictly: YAML 1.2 core schema (so
 * `2026-01-31` and `yes` stay strings), one document, unique plain keys, no tags beyond the
 * core schema's.
 */
import { isAlias, isMap, isNode, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node, type Pair, type YAMLError } from "yaml";
import type { ConfigIssue, Position } from "./errors.js";

/**
 * Where in the file the value at `path` (as zod names it: keys and list indexes) is written, or
 * with `key` its key; a path that is not in the file (a missing key) gives the position of the
 * deepest part that is, so the author lands on the mapping it is missing from.
 */
export type Locate = (path: readonly PropertyKey[], options?: { readonly key?: boolean }) => Position | undefined;

export type YamlRead =
  | { readonly kind: "value"; readonly value: unknown; readonly locate: Locate }
  | { readonly kind: "empty" }
  | { readonly kind: "invalid"; readonly issues: readonly ConfigIssue[] };

/** yaml's own guard against "billion laughs" documents; the option only makes the limit visible. */
const MAX_ALIAS_COUNT = 100;

interface Located {
  readonly offset: number;
  readonly problem: string;
}

export function readYaml(text: string): YamlRead {
  const lines = new LineCounter();
  const doc = parseDocument(text, {
    version: "1.2",
    // An explicit schema wins over a `%YAML 1.1` directive, which would turn dates into Date objects.
    schema: "core",
    // Nor may an explicit !!timestamp, !!set, !!binary or !!omap: the config is text, numbers and booleans.
    resolveKnownTags: false,
    // Keys are checked below: yaml's own check misses a key repeated through an alias.
    uniqueKeys: false,
    prettyErrors: false,
    lineCounter: lines,
    // Warnings become errors below, so yaml need not print them. Not "silent": that level
    // also drops the error for a second document, whose settings would be silently ignored.
    logLevel: "error",
  });
  // A warning (such as an unknown tag, silently read as a string) still means the file does
  // not say what its author thinks it says.
  const problems = [...[...doc.errors, ...doc.warnings].map(fromYamlError), ...keyProblems(doc)];
  if (problems.length > 0) {
    const issues = problems
      .sort((a, b) => a.offset - b.offset)
      .map(({ offset, problem }) => {
        const { line, col } = lines.linePos(offset);
        return { where: `line ${line}, column ${col}`, problem };
      });
    return { kind: "invalid", issues };
  }
  // `---` alone parses as an implicit null scalar: no content at all, as good as an empty file.
  const contents = doc.contents;
  if (contents === null || (isScalar(contents) && contents.value === null && contents.source === "")) {
    return { kind: "empty" };
  }
  try {
    return { kind: "value", value: doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }), locate: locator(doc, lines) };
  } catch (error) {
    if (!(error instanceof ReferenceError)) throw error;
    return {
      kind: "invalid",
      issues: [
        {
          where: "",
          problem: `found aliases that expand more than ${MAX_ALIAS_COUNT} times, expected a plain config — ${error.message}`,
        },
      ],
    };
  }
}

function fromYamlError(error: YAMLError): Located {
  return { offset: error.pos[0], problem: `invalid YAML: ${error.message}` };
}

/**
 * Every key must be a plain scalar, once per mapping. A repeated key would let the later
 * value win silently; an alias or collection as a key can hide such a repeat.
 */
function keyProblems(doc: Document): Located[] {
  const problems: Located[] = [];
  visit(doc, {
    Map(_, map) {
      const seen = new Set<string>();
      for (const { key } of map.items) {
        if (!isScalar(key)) {
          const offset = isNode(key) ? (key.range?.[0] ?? 0) : 0;
          // A key node that is neither scalar, alias nor mapping is a sequence: yaml has no other node.
          const kind = isAlias(key) ? `the alias *${key.source}` : isMap(key) ? "a mapping" : "a list";
          problems.push({ offset, problem: `found ${kind} as a key, expected a plain key` });
          continue;
        }
        // The same text toJS() makes of the key, so 1 and "1" count as one key, as they become one.
        const name = key.value === null ? "" : String(key.value);
        if (seen.has(name)) {
          problems.push({
            offset: key.range?.[0] ?? 0,
            problem: `found the key ${JSON.stringify(name)} a second time in one mapping, expected each key once`,
          });
        }
        seen.add(name);
      }
    },
  });
  return problems;
}

/** The same text toJS() makes of a key, so a zod path segment finds it. */
function keyText(key: unknown): string {
  return isScalar(key) ? (key.value === null ? "" : String(key.value)) : "";
}

function locator(doc: Document, lines: LineCounter): Locate {
  const at = (node: Node | null | undefined): Position | undefined => {
    const offset = node?.range?.[0];
    if (offset === undefined) return undefined;
    const { line, col } = lines.linePos(offset);
    return { line, column: col };
  };
  return (path, options = {}) => {
    let node: Node | null | undefined = doc.contents;
    let found = at(node);
    for (const [index, segment] of path.entries()) {
      // An alias stands for its anchor's node: the path goes on inside that.
      if (isAlias(node)) node = node.resolve(doc);
      let next: Node | null | undefined;
      let keyNode: Node | undefined;
      if (isMap(node)) {
        const pair: Pair<unknown, unknown> | undefined = node.items.find(({ key }) => keyText(key) === String(segment));
        keyNode = isNode(pair?.key) ? pair.key : undefined;
        next = isNode(pair?.value) ? pair.value : (pair === undefined ? undefined : keyNode);
      } else if (isSeq(node) && typeof segment === "number") {
        const item: unknown = node.items[segment];
        next = isNode(item) ? item : undefined;
      }
      if (next === undefined) return found;
      const last = index === path.length - 1;
      found = (last && options.key && keyNode !== undefined ? at(keyNode) : at(next)) ?? found;
      node = next;
    }
    return found;
  };
}
