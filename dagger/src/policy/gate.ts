/**
 * The security gate: the policy applied to a report's findings. Pure — the caller supplies
 * the day, so a run can be replayed and tested.
 *
 * Each finding lands in exactly one bucket, decided in this order:
 *  1. `ignored`: an active exception matches it.
 *  2. `belowThreshold`: its severity is not in `policy.failOn` for its kind.
 *  3. `unfixed`: a vulnerability without a fixed version, with `policy.ignoreUnfixed` on.
 *  4. `preExisting`: its identity is in the baseline (baseline mode only).
 *  5. `failing`: everything else.
 * What would have failed but was let through (by an exception, `ignoreUnfixed` or the baseline),
 * and what Trivy suppressed, is also listed once more in `allowed`, each with why, so summaries
 * can name those findings rather than only count them.
 * The gate passes when nothing is failing and no exception is in error (expired while still
 * matching a finding, or running longer than `policy.maxExceptionDays`).
 */
import { SEVERITIES, type Policy, type Severity } from "../config/schema.js";
import { FINDING_KINDS, type Finding, type FindingKind, type SuppressedFinding } from "../findings/findings.js";
import { utcDay } from "./dates.js";
import {
  compileExceptions,
  indexExceptions,
  matchingExceptions,
  type CompiledException,
  type ExceptionIndex,
  type ExceptionRef,
} from "./exceptions.js";

export type { ExceptionRef } from "./exceptions.js";

export interface GateInput {
  findings: readonly Finding[];
  suppressed: readonly SuppressedFinding[];
  policy: Policy;
  /** The gate's day; exceptions are compared with its UTC calendar day. */
  today: Date;
  /**
   * The identities of the accepted previous report's findings (`identitiesOf`): when given, only
   * findings not in it can fail. A set, read with the baseline, so a gate does not rebuild it.
   */
  baseline?: ReadonlySet<string>;
}

export interface IgnoredFinding {
  finding: Finding;
  exception: ExceptionRef;
}

/**
 * Why the gate let a finding through: an exception accepted it, `ignoreUnfixed` or the baseline
 * spared it although its severity fails, or Trivy left it out. A finding below its kind's
 * threshold that no exception names is not "allowed": the policy never asked about it.
 */
export const ALLOWED_BY = ["exception", "unfixed", "baseline", "suppressed"] as const;
export type AllowedBy = (typeof ALLOWED_BY)[number];

/** A finding the gate let through, and why; one entry per finding, the finding itself unchanged. */
export type AllowedFinding =
  /** An active exception of `policy.ignores` matches it (every severity, not only failing ones). */
  | { allowedBy: "exception"; finding: Finding; exception: ExceptionRef }
  /** A vulnerability at failing severity without a fixed version, with `policy.ignoreUnfixed` on. */
  | { allowedBy: "unfixed"; finding: Finding }
  /** At failing severity, and already in the baseline report (pre-existing). */
  | { allowedBy: "baseline"; finding: Finding }
  /** Trivy suppressed it: a VEX statement, its ignore file, or an exception in the scanned config. */
  | { allowedBy: "suppressed"; finding: Finding; status: string; statement?: string; source?: string };

export type NoticeCode =
  /** error: expired, and still matches findings. */
  | "exception-expired"
  /** error: expires further ahead than `maxExceptionDays`. */
  | "exception-too-long"
  /** warning: expires within `expiryWarningDays`. */
  | "exception-expiring"
  /** warning: active, but matches no finding. */
  | "exception-unused"
  /** warning: expired, and matches no finding. */
  | "exception-stale";

export interface GateNotice {
  code: NoticeCode;
  /** Plain text naming the exception (`policy.ignores[2] (CVE-…): …`), for error messages and summary.json. */
  message: string;
  /** The message without the exception's name, so a renderer can name it its own way (Markdown: code spans). */
  detail: string;
  exception: ExceptionRef;
  /** How many findings of this report the exception matches. */
  matched: number;
}

/** Findings per kind and severity. */
export type Counts = Record<FindingKind, Record<Severity, number>>;

export interface GateResult {
  passed: boolean;
  /** The gate's UTC day, `YYYY-MM-DD`. */
  evaluatedOn: string;
  /** The thresholds applied, so summaries can state them. */
  failOn: Policy["failOn"];
  ignoreUnfixed: boolean;
  baselineUsed: boolean;
  failing: Finding[];
  ignored: IgnoredFinding[];
  belowThreshold: Finding[];
  unfixed: Finding[];
  preExisting: Finding[];
  suppressed: SuppressedFinding[];
  /** Every finding of `ignored`, `unfixed`, `preExisting` and `suppressed` with why: report order, Trivy's suppressed ones last. */
  allowed: AllowedFinding[];
  warnings: GateNotice[];
  errors: GateNotice[];
  counts: { all: Counts; failing: Counts };
}

/** Apply the policy to a report's findings. */
export function evaluateGate(input: GateInput): GateResult {
  const { findings, suppressed, policy, today, baseline } = input;
  if (!(today instanceof Date) || Number.isNaN(today.getTime())) {
    throw new Error(`evaluateGate: today: expected a valid Date, found ${String(today)}`);
  }
  const evaluatedOn = utcDay(today);
  const exceptions = compileExceptions(policy, evaluatedOn);
  const rules: FindingRules = {
    exceptions: indexExceptions(exceptions),
    failingSeverities: {
      vulnerability: new Set(policy.failOn.vulnerabilities),
      secret: new Set(policy.failOn.secrets),
      misconfiguration: new Set(policy.failOn.misconfigurations),
    },
    ignoreUnfixed: policy.ignoreUnfixed,
    baseline,
    matchCounts: new Map(),
  };

  const result: GateResult = {
    passed: false,
    evaluatedOn,
    failOn: policy.failOn,
    ignoreUnfixed: policy.ignoreUnfixed,
    baselineUsed: baseline !== undefined,
    failing: [],
    ignored: [],
    belowThreshold: [],
    unfixed: [],
    preExisting: [],
    suppressed: [...suppressed],
    allowed: [],
    warnings: [],
    errors: [],
    counts: { all: emptyCounts(), failing: emptyCounts() },
  };

  placeFindings(findings, rules, result);
  for (const entry of suppressed) result.allowed.push({ allowedBy: "suppressed", ...entry });
  for (const exception of exceptions) {
    judgeException(exception, rules.matchCounts.get(exception) ?? 0, policy, evaluatedOn, result);
  }
  result.passed = result.failing.length === 0 && result.errors.length === 0;
  return result;
}

/** What placeFinding needs of the policy, prepared once per gate run. */
interface FindingRules {
  exceptions: ExceptionIndex;
  failingSeverities: Record<FindingKind, ReadonlySet<Severity>>;
  ignoreUnfixed: boolean;
  baseline: ReadonlySet<string> | undefined;
  /** How many findings each exception matches, filled in as findings are placed. */
  matchCounts: Map<CompiledException, number>;
}

/**
 * Every finding in its bucket. The loop and its body are small functions of their own, not part
 * of evaluateGate: V8 optimises them within the first few thousand findings, cheaply, and keeps
 * the code from one gate run to the next. As evaluateGate's loop, they were compiled again with
 * all of evaluateGate in the middle of most runs (measured on 100,000 findings: 17–50 ms of
 * compiling, the loop running unoptimised meanwhile).
 */
function placeFindings(findings: readonly Finding[], rules: FindingRules, result: GateResult): void {
  for (const finding of findings) placeFinding(finding, rules, result);
}

/** Put one finding in its bucket (see the top of this file), and count it. */
function placeFinding(finding: Finding, rules: FindingRules, result: GateResult): void {
  result.counts.all[finding.kind][finding.severity] += 1;
  const applied = appliedException(finding, rules);
  if (applied) {
    const exception = { index: applied.index, ignore: applied.ignore };
    result.ignored.push({ finding, exception });
    result.allowed.push({ allowedBy: "exception", finding, exception });
  } else if (!rules.failingSeverities[finding.kind].has(finding.severity)) {
    result.belowThreshold.push(finding);
  } else if (rules.ignoreUnfixed && finding.kind === "vulnerability" && !finding.fixedVersion) {
    result.unfixed.push(finding);
    result.allowed.push({ allowedBy: "unfixed", finding });
  } else if (rules.baseline?.has(finding.identity)) {
    result.preExisting.push(finding);
    result.allowed.push({ allowedBy: "baseline", finding });
  } else {
    result.failing.push(finding);
    result.counts.failing[finding.kind][finding.severity] += 1;
  }
}

/** The first active exception that matches the finding; every matching one is counted, active or not. */
function appliedException(finding: Finding, rules: FindingRules): CompiledException | undefined {
  const matching = matchingExceptions(rules.exceptions, finding);
  // Most findings match no exception: they get no iterator and no closure.
  if (matching.length === 0) return undefined;
  for (const exception of matching) rules.matchCounts.set(exception, (rules.matchCounts.get(exception) ?? 0) + 1);
  return matching.find((exception) => exception.standing === "active");
}

/**
 * An expired exception fails the gate only while it still matches something: the finding is
 * back and the exception needs a decision. One that matches nothing is only stale, so cleaning
 * it up is not urgent enough to block a release.
 */
function judgeException(
  exception: CompiledException,
  matched: number,
  policy: Policy,
  today: string,
  result: GateResult,
): void {
  const { index, ignore, standing, daysLeft } = exception;
  const ref = { index, ignore };
  const name = `policy.ignores[${index}] (${ignore.id})`;
  const findings = matched === 1 ? "1 finding" : `${matched} findings`;
  const notice = (code: NoticeCode, detail: string): GateNotice => ({ code, message: `${name}: ${detail}`, detail, exception: ref, matched });

  if (standing === "expired") {
    if (matched > 0) {
      result.errors.push(
        notice("exception-expired", `expired on ${ignore.expires} and still matches ${findings} — renew the exception with a new reason or fix the findings`),
      );
    } else {
      result.warnings.push(notice("exception-stale", `expired on ${ignore.expires} and matches no finding — remove it`));
    }
    return;
  }
  if (standing === "too-long") {
    result.errors.push(
      notice(
        "exception-too-long",
        `expires ${ignore.expires}, ${daysLeft} days after ${today}, but exceptions may run at most ${policy.maxExceptionDays} days (policy.maxExceptionDays) — set an earlier expiry; it is not applied until then`,
      ),
    );
  } else if (daysLeft < policy.expiryWarningDays) {
    // It stops holding daysLeft + 1 days from now, so "within N days" is daysLeft < N (0: never warn).
    const when = daysLeft === 0 ? "today is its last day" : daysLeft === 1 ? "1 day left" : `${daysLeft} days left`;
    result.warnings.push(notice("exception-expiring", `expires on ${ignore.expires} (${when}) — renew it or fix the finding`));
  }
  if (matched === 0) {
    result.warnings.push(notice("exception-unused", `matches no finding in this report — remove it if the finding is gone`));
  }
}

function emptyCounts(): Counts {
  const perSeverity = () => Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  return Object.fromEntries(FINDING_KINDS.map((kind) => [kind, perSeverity()])) as Counts;
}
