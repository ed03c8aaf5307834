/**
 * `summary.json`: the gate's result for machines (CI annotations, dashboards, the next run's
 * baseline bookkeeping). Its JSON Schema is summary.schema.json at the repository root
 * (summary-schema.ts; `npm run schema` writes it).
 *
 * Shape, version 2 (`"schema": "drydock.gate-summary", "version": 2`); fields are only ever
 * added within a version:
 *   name, passed, evaluatedOn (YYYY-MM-DD, UTC), usedDefaultConfig, configFile, dbAgeDays?,
 *   policy { failOn { vulnerabilities, secrets, misconfigurations }, ignoreUnfixed },
 *   baselineUsed,
 *   totals { findings, failing, ignored, belowThreshold, unfixed, preExisting, suppressed },
 *   counts { all, failing }: { vulnerability|secret|misconfiguration: { UNKNOWN…CRITICAL: n } },
 *   errors[], warnings[]: { code, message, exception { index, id, expires }, matched },
 *   failing[]: SummaryFinding,
 *   allowed[]: SummaryAllowed — every finding the gate let through, once, in report order
 *     (Trivy's suppressed ones last), each with `allowedBy` ("exception" | "unfixed" |
 *     "baseline" | "suppressed") and the exception { index, id, reason, expires } or the
 *     suppression (status, statement?, source?) that let it through,
 *   notes[]: what the run itself said, e.g. that the DB could not be refreshed (Markdown;
 *   summaries of `gate` have an empty list),
 *   scanner? { trivyImage, dbRepositories[], defaultTrivyImage, defaultDbRepositories }: the
 *     scanner that produced the report (not in summaries of `gate`, which ran none),
 *   configChange? { file, sourceHasFile, base, changed, keys[] }: how the source's config differs
 *     from the base branch's, when the caller passed it (--base-config); keys are dotted paths.
 * Findings below their kind's threshold are counted, not listed: they are most of a large
 * report and the Trivy report itself holds them.
 *
 * Version 1 listed every allowed finding twice: in `allowed` and again in one of `ignored[]`,
 * `unfixed[]`, `preExisting[]` or `suppressed[]` (the same entries without `allowedBy`), which
 * doubled the file (34 MiB at 100,000 findings). Version 2 drops those four lists; a reader
 * selects them from `allowed` by `allowedBy` ("exception" is v1's `ignored`, "baseline" its
 * `preExisting`). Everything else is as in version 1.
 */
import type { Finding, FindingKind, SecretLocation } from "../findings/findings.js";
import type { AllowedBy, AllowedFinding, Counts, ExceptionRef, GateNotice, GateResult } from "../policy/gate.js";
import type { Severity } from "../config/schema.js";
import { dbAgeDays, type GateReportMeta } from "./meta.js";
import type { ScannerUsed } from "../config/scanner.js";

export const SUMMARY_SCHEMA = "drydock.gate-summary";
export const SUMMARY_VERSION = 2;

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
  allowed: SummaryAllowed[];
  notes: string[];
  scanner?: ScannerUsed;
  configChange?: { file: string; sourceHasFile: boolean; base: string; changed: boolean; keys: string[] };
}

/**
 * The fields before the finding lists (`failing`, `allowed`) and after them: summary.json's key
 * order is head, lists, tail, both in summarizeResult and in summaryJsonText.
 */
type SummaryHead = Omit<GateSummary, SummaryListKey | SummaryTailKey>;
type SummaryListKey = "failing" | "allowed";
type SummaryTailKey = "notes" | "scanner" | "configChange";
type SummaryTail = Pick<GateSummary, SummaryTailKey>;

/**
 * Findings serialised per JSON.stringify call in summaryJsonText. A chunk's text (about 400 bytes a
 * finding) is past V8's large-object threshold (128 KiB), where the young-generation GC never copies it.
 */
const LIST_CHUNK = 1024;

/** The gate's result as the versioned `summary.json` object (serialise with JSON.stringify). */
export function summarizeResult(result: GateResult, meta: GateReportMeta): GateSummary {
  return {
    ...summaryHead(result, meta),
    failing: result.failing.map(summarizeFinding),
    allowed: result.allowed.map(summarizeAllowed),
    ...summaryTail(meta),
  };
}

/**
 * The text written as summary.json: compact, as tools read it (`jq . summary.json` shows it
 * indented). Exactly `JSON.stringify(summarizeResult(result, meta))` and a newline, with the finding
 * lists (nearly all of a large summary: 18 MiB at 100,000 findings) written a chunk at a time.
 */
export function summaryJsonText(result: GateResult, meta: GateReportMeta): string {
  // Both objects always have fields (schema; notes), so each has a brace to cut at the join.
  const head = JSON.stringify(summaryHead(result, meta)).slice(0, -1);
  const tail = JSON.stringify(summaryTail(meta)).slice(1);
  const failing = jsonList(result.failing, summarizeFinding);
  const allowed = jsonList(result.allowed, summarizeAllowed);
  return `${head},"failing":${failing},"allowed":${allowed},${tail}\n`;
}

/**
 * `JSON.stringify(items.map(summarize))`, a chunk at a time. Serialised in one call, every summary
 * object and the serialiser's partial output stay live until it ends, so each young-generation GC
 * meanwhile copies them (measured on 100,000 findings: a quarter of the summary's time). A
 * chunk's objects are garbage as soon as its text is written.
 */
function jsonList<T>(items: readonly T[], summarize: (item: T) => object): string {
  let elements = "";
  for (let start = 0; start < items.length; start += LIST_CHUNK) {
    const chunk = JSON.stringify(items.slice(start, start + LIST_CHUNK).map(summarize)).slice(1, -1); // without its brackets
    // Concatenated, not joined: the chunks stay a rope, flattened once when the text is written
    // (as one JSON.stringify's output was); a join would copy every chunk once more here.
    elements = start === 0 ? chunk : `${elements},${chunk}`;
  }
  return `[${elements}]`;
}

function summaryHead(result: GateResult, meta: GateReportMeta): SummaryHead {
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
  };
}

function summaryTail(meta: GateReportMeta): SummaryTail {
  return {
    notes: [...(meta.notes ?? [])],
    ...(meta.scanner === undefined ? {} : { scanner: { ...meta.scanner, dbRepositories: [...meta.scanner.dbRepositories] } }),
    ...(meta.configChange === undefined ? {} : { configChange: configChangeOf(meta.configChange) }),
  };
}

function configChangeOf({ file, sourceHasFile, base, changed }: NonNullable<GateReportMeta["configChange"]>): NonNullable<GateSummary["configChange"]> {
  return { file, sourceHasFile, base, changed: changed.length > 0, keys: [...changed] };
}

function summarizeAllowed(entry: AllowedFinding): SummaryAllowed {
  // One literal, not summarizeFinding spread into another: this runs once per allowed finding
  // (tens of thousands in a large report), and the copy cost more than the fields.
  const f = entry.finding;
  const common = {
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
    allowedBy: entry.allowedBy,
  };
  switch (entry.allowedBy) {
    case "exception":
      return Object.assign(common, { exception: summarizeException(entry.exception) });
    case "suppressed":
      return Object.assign(common, { status: entry.status, statement: entry.statement, source: entry.source });
    case "unfixed":
    case "baseline":
      return common;
  }
}

function summarizeException({ index, ignore }: ExceptionRef): SummaryException {
  return { index, id: ignore.id, reason: ignore.reason, expires: ignore.expires };
}

/** A finding as summary.json lists it, without why it was let through. */
export function summarizeFinding(f: Finding): SummaryFinding {
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
