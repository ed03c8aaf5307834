/**
 * From a Trivy JSON report to a verdict: parse, normalise, gate, render. Pure; the Dagger
 * functions only fetch the texts and hand back what this returns.
 */
import type { ConfigChange } from "../config/compare.js";
import type { RepositoryConfig } from "../config/load.js";
import type { ScannerUsed } from "../config/scanner.js";
import { evaluateGate, type GateNotice, type GateResult } from "../policy/gate.js";
import { artifactOf, baselineArtifactNote, type BaselineGiven } from "../report/artifact.js";
import { identitiesOf } from "../findings/findings.js";
import { MAX_TABLE_ROWS, renderMarkdown } from "../report/markdown.js";
import { code } from "../report/markdown-text.js";
import type { GateReportMeta } from "../report/meta.js";
import { summaryJsonText } from "../report/summary.js";
import { findingsOfTrivyJson, parseTrivyJson } from "../report/trivy.js";

export interface VerdictInput {
  /** The Trivy JSON report. */
  report: { text: string; label: string };
  /**
   * A previous report of the same artifact (report/artifact.ts): when given, only findings that
   * are new since it can fail. Another artifact's is refused, unless `renamedFrom` names it.
   */
  baseline?: { text: string; label: string } & BaselineGiven;
  loaded: RepositoryConfig;
  /** What was gated: `backend`, `frontend`, `lint`, or the report's file name. */
  name: string;
  today: Date;
  dbUpdatedAt?: string;
  /** Lines to put at the top of the summary, e.g. that the DB could not be refreshed. */
  notes?: string[];
  /**
   * One of several scans under one config (build-and-scan): an exception unused here may be for
   * another image, so the caller, which sees every scan, reports the unused ones instead.
   */
  unusedExceptionsJudgedByCaller?: boolean;
  /** The scanner that wrote the report, when this run ran it. */
  scanner?: ScannerUsed;
  /** How the source's config differs from the base branch's, when the caller passed it. */
  configChange?: ConfigChange;
}

export interface Verdict {
  passed: boolean;
  /** Markdown for `$GITHUB_STEP_SUMMARY` and PR comments. */
  markdown: string;
  /** The versioned summary.json document. */
  summaryJson: string;
  result: GateResult;
  /** Exceptions that matched nothing in this report. */
  unusedExceptions: GateNotice[];
}

export function judgeReport(input: VerdictInput): Verdict {
  const report = parseTrivyJson(input.report.text, input.report.label);
  const { findings, suppressed } = findingsOfTrivyJson(report, input.report.label);
  const previous = input.baseline && parseTrivyJson(input.baseline.text, input.baseline.label);
  const baseline = input.baseline ? identitiesOf(findingsOfTrivyJson(previous, input.baseline.label).findings) : undefined;
  // Only once both were read as reports: their artifacts are read from checked fields.
  const renamed = input.baseline ? baselineArtifactNote(artifactOf(report), artifactOf(previous), input.baseline, input.report.label) : undefined;
  const gated = evaluateGate({ findings, suppressed, policy: input.loaded.config.policy, today: input.today, baseline });
  const unusedExceptions = gated.warnings.filter((warning) => warning.code === "exception-unused");
  const result = input.unusedExceptionsJudgedByCaller
    ? { ...gated, warnings: gated.warnings.filter((warning) => warning.code !== "exception-unused") }
    : gated;
  const meta: GateReportMeta = {
    name: input.name,
    usedDefaultConfig: input.loaded.usedDefaults,
    configFile: input.loaded.file,
    dbUpdatedAt: input.dbUpdatedAt,
    notes: [...(input.notes ?? []), ...(renamed ? [renamed] : [])],
    ...(input.scanner === undefined ? {} : { scanner: input.scanner }),
    ...(input.configChange === undefined ? {} : { configChange: input.configChange }),
  };
  return {
    passed: result.passed,
    markdown: renderMarkdown(result, meta),
    summaryJson: summaryJsonText(result, meta),
    result,
    unusedExceptions,
  };
}

/**
 * The exceptions that matched nothing in any of several verdicts, as Markdown warnings: at most
 * MAX_TABLE_ROWS of them and a count of the rest, so a config of thousands of dead exceptions
 * cannot bloat the summary that opens with them.
 */
export function unusedInAll(verdicts: readonly Verdict[]): string[] {
  const [first, ...rest] = verdicts;
  if (!first) return [];
  const unusedIn = rest.map((verdict) => new Set(verdict.unusedExceptions.map((notice) => notice.exception.index)));
  const unused = first.unusedExceptions.filter((notice) => unusedIn.every((indexes) => indexes.has(notice.exception.index)));
  const lines = unused
    .slice(0, MAX_TABLE_ROWS)
    .map(({ exception: { index, ignore } }) => `${code(`policy.ignores[${index}]`)} (${code(ignore.id)}) matches no finding in any scan — remove it if the finding is gone.`);
  const left = unused.length - lines.length;
  return left > 0 ? [...lines, `…and ${left} more exceptions of policy.ignores match no finding in any scan — remove them if their findings are gone.`] : lines;
}
