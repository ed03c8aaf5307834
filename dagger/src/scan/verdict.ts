/**
 * From a Trivy JSON report to a verdict: parse, normalise, gate, render. Pure; the Dagger
 * functions only fetch the texts and hand back what this returns.
 */
import type { RepositoryConfig } from "../config/load.js";
import { evaluateGate, type GateNotice, type GateResult } from "../policy/gate.js";
import { toFindings } from "../report/findings.js";
import { MAX_TABLE_ROWS, renderMarkdown } from "../report/markdown.js";
import { code } from "../report/markdown-text.js";
import type { GateReportMeta } from "../report/meta.js";
import { summarizeResult } from "../report/summary.js";
import { parseTrivyReport } from "../report/trivy.js";

export interface VerdictInput {
  /** The Trivy JSON report. */
  report: { text: string; label: string };
  /** A previous report: when given, only findings that are new since it can fail. */
  baseline?: { text: string; label: string };
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
  const { findings, suppressed } = toFindings(parseTrivyReport(input.report.text, input.report.label));
  const baseline = input.baseline
    ? toFindings(parseTrivyReport(input.baseline.text, input.baseline.label)).findings
    : undefined;
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
    notes: input.notes ?? [],
  };
  return {
    passed: result.passed,
    markdown: renderMarkdown(result, meta),
    summaryJson: `${JSON.stringify(summarizeResult(result, meta), null, 2)}\n`,
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
