/**
 * The policy's exceptions (`policy.ignores`), compiled once per gate run: their standing on
 * the gate's day and a matcher for findings.
 */
import picomatch from "picomatch";
import { canonicalFindingId, idEnding, UNKNOWN_ENDING } from "../config/finding-id.js";
import type { Ignore, Policy } from "../config/schema.js";
import type { Finding } from "../findings/findings.js";
import { daysBetween } from "./dates.js";
import { purlMatcher, type PurlMatcher } from "../purl.js";

/**
 * - `active`: holds today.
 * - `expired`: its last day has passed.
 * - `too-long`: expires further ahead than `maxExceptionDays`. Such an exception is not
 *   applied: honouring it would let a config edit sidestep the review period the limit enforces.
 */
export type ExceptionStanding = "active" | "expired" | "too-long";

export interface ExceptionRef {
  /** Position in `policy.ignores`, so messages can say `policy.ignores[2]`. */
  index: number;
  ignore: Ignore;
}

export interface CompiledException extends ExceptionRef {
  standing: ExceptionStanding;
  /** Days from the gate's day to the last day the exception holds (0: today is its last day). */
  daysLeft: number;
  matches(finding: Finding): boolean;
}

export function compileExceptions(policy: Policy, today: string): CompiledException[] {
  return policy.ignores.map((ignore, index) => {
    const daysLeft = daysBetween(today, ignore.expires);
    if (Number.isNaN(daysLeft)) {
      throw new Error(`policy.ignores[${index}].expires: expected a date written YYYY-MM-DD, found ${JSON.stringify(ignore.expires)}`);
    }
    const standing: ExceptionStanding =
      daysLeft < 0 ? "expired" : daysLeft > policy.maxExceptionDays ? "too-long" : "active";
    const inPaths = ignore.paths ? pathMatcher(ignore.paths) : undefined;
    const inPurls = ignore.purls ? purlMatcher(ignore.purls) : undefined;
    return {
      index,
      ignore,
      standing,
      daysLeft,
      matches: (finding) => (!inPaths || inPaths(finding)) && (!inPurls || matchesPurl(inPurls, finding)),
    };
  });
}

/** Purls name packages, so only vulnerabilities can match an exception restricted by purl. */
function matchesPurl(inPurls: PurlMatcher, finding: Finding): boolean {
  return finding.kind === "vulnerability" && inPurls(finding.purl);
}

/**
 * An exception limited to `paths` matches a finding when any glob matches its target, its
 * package path or its secret's file. Paths are compared without a leading slash: Trivy writes
 * image paths without one, and people write them either way.
 */
function pathMatcher(globs: readonly string[]): (finding: Finding) => boolean {
  const isMatch = picomatch(globs.map(withoutLeadingSlash), { dot: true });
  return (finding) =>
    [finding.target, finding.pkgPath, finding.location?.file].some(
      (path) => path !== undefined && isMatch(withoutLeadingSlash(path)),
    );
}

function withoutLeadingSlash(path: string): string {
  return path.replace(/^\/+/, "");
}

const NONE: readonly CompiledException[] = [];

/**
 * Exceptions by the ID they accept. IDs compare in their canonical spelling (`cve-2024-1234` in
 * a config is still that CVE), and a finding is looked up by its ID and every alias, so an
 * exception written `DS002`, `AVD-DS-0002` or `DS-0002` accepts the same check.
 *
 * Plain data read by functions, not a class. A class instance gets its hidden class by adding
 * its fields one by one, and V8 keeps such hidden classes only while an instance lives: each gate
 * run's index had a new one, so the optimised loop over the findings, compiled against the last
 * run's, was thrown away and compiled again (measured on 100,000 findings with a full GC between
 * runs: about 40 ms more in every other run). An object literal's hidden class lives with the
 * code that builds it.
 */
export interface ExceptionIndex {
  readonly byId: ReadonlyMap<string, readonly CompiledException[]>;
  /** How the canonical IDs end (idEnding): a name that ends otherwise cannot canonicalise to one of them. */
  readonly endings: ReadonlySet<number>;
}

export function indexExceptions(exceptions: readonly CompiledException[]): ExceptionIndex {
  const byId = new Map<string, CompiledException[]>();
  const endings = new Set<number>();
  for (const exception of exceptions) {
    // The same spelling rules as the config's duplicate check: DS002, ds-2 and DS-0002 are one ID.
    const key = canonicalFindingId(exception.ignore.id);
    const list = byId.get(key);
    if (list) list.push(exception);
    else byId.set(key, [exception]);
    endings.add(idEnding(key));
  }
  return { byId, endings };
}

/** Every exception that matches the finding, in config order. */
export function matchingExceptions(index: ExceptionIndex, finding: Finding): readonly CompiledException[] {
  if (index.byId.size === 0) return NONE;
  let found = addMatching(index, undefined, finding.id, finding);
  // Most findings have no aliases: no iterator for them.
  if (finding.aliases.length > 0) for (const alias of finding.aliases) found = addMatching(index, found, alias, finding);
  return found ? found.sort((a, b) => a.index - b.index) : NONE;
}

/** Allocates only when an exception names the finding: this runs once per finding of a large report. */
function addMatching(
  index: ExceptionIndex,
  found: CompiledException[] | undefined,
  name: string,
  finding: Finding,
): CompiledException[] | undefined {
  // Canonicalising costs three passes over the name and a pattern; the ending, one look at its last characters.
  const ending = idEnding(name);
  if (ending !== UNKNOWN_ENDING && !index.endings.has(ending)) return found;
  const candidates = index.byId.get(canonicalFindingId(name));
  if (!candidates) return found;
  let result = found;
  for (const exception of candidates) {
    if (!result?.includes(exception) && exception.matches(finding)) (result ??= []).push(exception);
  }
  return result;
}
