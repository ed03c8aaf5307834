/**
 * `summary.json`: the gate's result for machines (CI annotations, dashboards, the next run's
 * baseline bookkeeping).
 *
 * Shape, version 1 (`"schema": "drydock.gate-summary", "version": 1`); fields are only ever
 * added within a version:
 *   name, passed, evaluatedOn (YYYY-MM-DD, UTC), usedDefaultConfig, configFile, dbAgeDays?,
 *   policy { failOn { vulnerabilities, secrets, misconfigurations }, ignoreUnfixed },
 *   baselineUsed,
 *   totals { findings, failing, ignored, belowThreshold, unfixed, preExisting, suppressed },
 *   counts { all, failing }: { vulnerability|secret|misconfiguration: { UNKNOWN…CRITICAL: n } },
 *   errors[], warnings[]: { code, message, exception { index, id, expires }, matched },
 *   failing[], unfixed[], preExisting[]: SummaryFinding,
 *   ignored[]: SummaryFinding & { exception { index, id, reason, expires } },
 *   suppressed[]: SummaryFinding & { status, statement?, source? },
 *   allowed[]: SummaryAllowed — every finding of ignored, unfixed, preExisting and suppressed
 *     once more, each with `allowedBy` ("exception" | "unfixed" | "baseline" | "suppressed") and
 *     the exception or the suppression that let it through (added in version 1; the four lists
 *     above stay for readers that predate it),
 *   notes[]: what the run itself said, e.g. that the DB could not be refreshed (Markdown;
 *   summaries of `gate` have an empty list).
 * Findings below their kind's threshold are counted, not listed: they are most of a large
 * report and the Trivy report itself holds them.
 */
import type { Finding, FindingKind, SecretLocation } from "./findings.js";
import type { AllowedBy, AllowedFinding, Counts, ExceptionRef, GateNotice, GateResult } from "../policy/gate.js";
import type { Severity } from "../config/schema.js";
import { dbAgeDays, type GateReportMeta } from "./meta.js";

export const SUMMARY_SCHEMA = "drydock.gate-summary";
export const SUMMARY_VERSION = 1;

export interface SummaryFinding {
  kind: FindingKind;
  id: string;
  severity: Severity;
  target: string;
  identity: string;
  title?: string;
  primaryUrl?: string;
  pkgName?: string;
  pkgPath?: string;
  installedVersion?: string;
  fixedVersion?: string;
  location?: SecretLocation;
}

export interface SummaryException {
  index: number;
  id: string;
  reason: string;
  expires: string;
}

/** A finding the gate let through, and why: the exception, or Trivy's suppression, where one applies. */
export type SummaryAllowed = SummaryFinding & {
  allowedBy: AllowedBy;
  exception?: SummaryException;
  status?: string;
  statement?: string;
  source?: string;
};

export interface SummaryNotice {
  code: GateNotice["code"];
  message: string;
  exception: { index: number; id: string; expires: string };
  matched: number;
}

export interface GateSummary {
  schema: typeof SUMMARY_SCHEMA;
  version: typeof SUMMARY_VERSION;
  name: string;
  passed: boolean;
  evaluatedOn: string;
  usedDefaultConfig: boolean;
  configFile: string;
  dbAgeDays?: number;
  policy: { failOn: GateResult["failOn"]; ignoreUnfixed: boolean };
  baselineUsed: boolean;
  totals: {
    findings: number;
    failing: number;
    ignored: number;
    belowThreshold: number;
    unfixed: number;
    preExisting: number;
    suppressed: number;
  };
  counts: { all: Counts; failing: Counts };
  errors: SummaryNotice[];
  warnings: SummaryNotice[];
  failing: SummaryFinding[];
  unfixed: SummaryFinding[];
  preExisting: SummaryFinding[];
  ignored: (SummaryFinding & { exception: SummaryException })[];
  suppressed: (SummaryFinding & { status: string; statement?: string; source?: string })[];
  allowed: SummaryAllowed[];
  notes: string[];
}

/** The gate's result as the versioned `summary.json` object (serialise with JSON.stringify). */
export function summarizeResult(result: GateResult, meta: GateReportMeta): GateSummary {
  const ageDays = dbAgeDays(meta, result.evaluatedOn);
  return {
    schema: SUMMARY_SCHEMA,
    version: SUMMARY_VERSION,
    name: meta.name,
    passed: result.passed,
    evaluatedOn: result.evaluatedOn,
    usedDefaultConfig: meta.usedDefaultConfig,
    configFile: meta.configFile,
    ...(ageDays === undefined ? {} : { dbAgeDays: ageDays }),
    policy: { failOn: result.failOn, ignoreUnfixed: result.ignoreUnfixed },
    baselineUsed: result.baselineUsed,
    totals: {
      findings:
        result.failing.length +
        result.ignored.length +
        result.belowThreshold.length +
        result.unfixed.length +
        result.preExisting.length,
      failing: result.failing.length,
      ignored: result.ignored.length,
      belowThreshold: result.belowThreshold.length,
      unfixed: result.unfixed.length,
      preExisting: result.preExisting.length,
      suppressed: result.suppressed.length,
    },
    counts: result.counts,
    errors: result.errors.map(summarizeNotice),
    warnings: result.warnings.map(summarizeNotice),
    failing: result.failing.map(summarizeFinding),
    unfixed: result.unfixed.map(summarizeFinding),
    preExisting: result.preExisting.map(summarizeFinding),
    ignored: result.ignored.map(({ finding, exception }) => ({ ...summarizeFinding(finding), exception: summarizeException(exception) })),
    suppressed: result.suppressed.map(({ finding, status, statement, source }) => ({
      ...summarizeFinding(finding),
      status,
      statement,
      source,
    })),
    allowed: result.allowed.map(summarizeAllowed),
    notes: [...(meta.notes ?? [])],
  };
}

function summarizeAllowed(entry: AllowedFinding): SummaryAllowed {
  const finding = { ...summarizeFinding(entry.finding), allowedBy: entry.allowedBy };
  switch (entry.allowedBy) {
    case "exception":
      return { ...finding, exception: summarizeException(entry.exception) };
    case "suppressed":
      return { ...finding, status: entry.status, statement: entry.statement, source: entry.source };
    case "unfixed":
    case "baseline":
      return finding;
  }
}

function summarizeException({ index, ignore }: ExceptionRef): SummaryException {
  return { index, id: ignore.id, reason: ignore.reason, expires: ignore.expires };
}

function summarizeFinding(f: Finding): SummaryFinding {
  return {
    kind: f.kind,
    id: f.id,
    severity: f.severity,
    target: f.target,
    identity: f.identity,
    title: f.title,
    primaryUrl: f.primaryUrl,
    pkgName: f.pkgName,
    pkgPath: f.pkgPath,
    installedVersion: f.installedVersion,
    fixedVersion: f.fixedVersion,
    location: f.location,
  };
}

function summarizeNotice(n: GateNotice): SummaryNotice {
  return {
    code: n.code,
    message: n.message,
    exception: { index: n.exception.index, id: n.exception.ignore.id, expires: n.exception.ignore.expires },
    matched: n.matched,
  };
}
