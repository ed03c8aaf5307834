/**
 * Canned answers a test gives the fake engine: what a command prints and exits with, what a
 * file holds, what any other leaf returns. Later rules win, so a test can override a default
 * set up in `beforeEach`.
 */
import type { ArgValue, Chain, Step } from "./chain.js";

export interface Rule {
  /**
   * Which chains this rule answers. For `exitCode`/`stdout`/`stderr` it is called with the chain
   * ending in a `withExec` step; for `contents` and `leaves`, with the chain of the object that
   * owns the leaf (e.g. ending in `file(path: "/report.json")`).
   */
  readonly when: (chain: Chain) => boolean;
  /** Exit code of the matched command (default 0). Non-zero without `expect: ANY` fails the exec. */
  readonly exitCode?: number;
  /** What the matched command prints; a function reads it off the command's chain (a registry serving what was pushed). */
  readonly stdout?: string | ((chain: Chain) => string);
  readonly stderr?: string;
  /** Contents of the matched File. */
  readonly contents?: string;
  /** Answers for other leaves of the matched object, by field name; for lists of objects, a count. */
  readonly leaves?: Readonly<Record<string, unknown>>;
}

export interface ExecOutcome {
  readonly cmd: readonly string[];
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  /** True when the engine raises an error for this exec (exit code against `expect`). */
  readonly fails: boolean;
}

const isExecRule = (rule: Rule) => rule.exitCode !== undefined || rule.stdout !== undefined || rule.stderr !== undefined;

/** The outcome of the exec that `chain` ends in. */
export function execOutcome(rules: readonly Rule[], chain: Chain): ExecOutcome {
  const step = chain.at(-1);
  if (step?.field !== "withExec") throw new Error(`execOutcome needs a chain ending in withExec, got ${step?.field}`);
  const rule = lastMatching(rules, chain, isExecRule);
  const exitCode = rule?.exitCode ?? 0;
  const expect = typeof step.args["expect"] === "string" ? step.args["expect"] : "SUCCESS";
  const fails = (expect === "SUCCESS" && exitCode !== 0) || (expect === "FAILURE" && exitCode === 0);
  return { cmd: stringsOf(step.args["args"]), exitCode, stdout: typeof rule?.stdout === "function" ? rule.stdout(chain) : (rule?.stdout ?? ""), stderr: rule?.stderr ?? "", fails };
}

export function lastMatching(rules: readonly Rule[], chain: Chain, applies: (rule: Rule) => boolean): Rule | undefined {
  for (let i = rules.length - 1; i >= 0; i--) {
    const rule = rules[i]!;
    if (applies(rule) && rule.when(chain)) return rule;
  }
  return undefined;
}

export function stringsOf(value: ArgValue | undefined): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

// Predicates for `when`, so rules read as sentences: { when: execStartsWith("trivy", "image"), exitCode: 1 }.

/** The args of the `withExec` a chain ends in, or undefined when it ends in something else. */
export function execArgs(chain: Chain): string[] | undefined {
  const last = chain.at(-1);
  return last?.field === "withExec" ? stringsOf(last.args["args"]) : undefined;
}

/** Matches an exec whose argv starts with `prefix`. */
export const execStartsWith =
  (...prefix: string[]) =>
  (chain: Chain): boolean => {
    const args = execArgs(chain);
    return args !== undefined && prefix.every((word, i) => args[i] === word);
  };

/** Matches an exec whose argv contains every one of `words`. */
export const execIncludes =
  (...words: string[]) =>
  (chain: Chain): boolean => {
    const args = execArgs(chain);
    return args !== undefined && words.every((word) => args.includes(word));
  };

/** Matches a File chain ending in `file(path: …)` whose path is `path` or ends in `/path`. */
export const fileAt =
  (path: string) =>
  (chain: Chain): boolean => {
    const last = chain.at(-1);
    const p = last?.field === "file" ? last.args["path"] : undefined;
    return typeof p === "string" && pathMatches(p, path);
  };

/** Matches a chain containing a step `field` whose args include `args` (compared as JSON). */
export const hasStep =
  (field: string, args: Record<string, unknown> = {}) =>
  (chain: Chain): boolean =>
    chain.some((step: Step) => step.field === field && Object.entries(args).every(([k, v]) => JSON.stringify(step.args[k]) === JSON.stringify(v)));

/** `"/work/report.json"` matches key `"report.json"`, `"work/report.json"` and itself. */
export function pathMatches(path: string, key: string): boolean {
  return path === key || path.endsWith(`/${key.replace(/^\/+/, "")}`);
}
