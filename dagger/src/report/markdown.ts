/**
 * The gate's result as Markdown, for `$GITHUB_STEP_SUMMARY` and PR comments. Every list is
 * capped, and all of them share one byte budget, so a report with 100,000 findings and a config
 * with 5,000 exceptions still yield a short, readable summary under MAX_SUMMARY_BYTES (GitHub
 * caps a step summary at 1 MiB); summary.json has every entry.
 */
import { SEVERITIES, type Severity } from "../config/schema.js";
import { FINDING_KINDS, type FindingKind } from "../findings/findings.js";
import type { GateResult } from "../policy/gate.js";
import { dbAgeDays, type GateReportMeta } from "./meta.js";
import { fitBlocks, MAX_SUMMARY_BYTES, renderBlock, utf8Length, type ListBlock } from "./markdown-budget.js";
import { allowedBlock, errorsBlock, exceptionsUsedBlock, failingBlock, notesBlock, plural, warningsBlock } from "./markdown-lists.js";
import { code, table, text } from "./markdown-text.js";
import { provenanceNotice } from "./markdown-provenance.js";

export { MAX_SUMMARY_BYTES, MAX_TABLE_ROWS } from "./markdown-budget.js";

const KIND_HEADINGS: Record<FindingKind, string> = {
  vulnerability: "Vulnerabilities",
  secret: "Secrets",
  misconfiguration: "Misconfigurations",
};
const MOST_SEVERE_FIRST = [...SEVERITIES].reverse();

/** A section of the summary: fixed text, or a list that gets its share of the byte budget. */
type Section = string | ListBlock;

/** Render the gate's result as a Markdown summary of at most MAX_SUMMARY_BYTES. */
export function renderMarkdown(result: GateResult, meta: GateReportMeta): string {
  const notes = meta.notes ?? [];
  const lists = {
    notes: notes.length > 0 ? notesBlock(notes) : undefined,
    errors: result.errors.length > 0 ? errorsBlock(result.errors) : undefined,
    failing: result.failing.length > 0 ? failingBlock(result.failing) : undefined,
    exceptionsUsed: result.ignored.length > 0 ? exceptionsUsedBlock(result) : undefined,
    byException: result.ignored.length > 0 ? allowedBlock(result.allowed, "exception") : undefined,
    unfixed: result.unfixed.length > 0 ? allowedBlock(result.allowed, "unfixed") : undefined,
    baseline: result.preExisting.length > 0 ? allowedBlock(result.allowed, "baseline") : undefined,
    suppressed: result.suppressed.length > 0 ? allowedBlock(result.allowed, "suppressed") : undefined,
    warnings: result.warnings.length > 0 ? warningsBlock(result.warnings) : undefined,
  };
  // The notes sit right under the title, so the title still opens the summary (and the PR comment);
  // then what judged the run (a scanner not drydock's, a policy changed from the base's), before the counts.
  const sections: Section[] = [
    title(result, meta),
    lists.notes,
    provenanceNotice(meta),
    headline(result),
    configNotice(result, meta),
    countsTable(result),
    lists.errors,
    lists.failing,
    lists.exceptionsUsed,
    lists.byException,
    lists.unfixed,
    lists.baseline,
    lists.suppressed,
    lists.warnings,
    notFailingSection(result),
  ].filter((s): s is Section => s !== undefined && s !== "");
  // When space runs short, what fails the gate and what the run itself warns of come first.
  const priority = [lists.errors, lists.notes, lists.failing, lists.exceptionsUsed, lists.byException, lists.unfixed, lists.baseline, lists.suppressed, lists.warnings].filter(
    (b): b is ListBlock => b !== undefined,
  );
  const fixedBytes = sections.reduce((sum, s) => sum + (typeof s === "string" ? utf8Length(s) : 0), 0);
  const separators = 2 * (sections.length - 1) + 1;
  const fitted = fitBlocks(priority, MAX_SUMMARY_BYTES - fixedBytes - separators);
  const shown = new Map(priority.map((block, i) => [block, fitted[i]!]));
  return `${sections.map((s) => (typeof s === "string" ? s : renderBlock(s, shown.get(s)!))).join("\n\n")}\n`;
}

function title(result: GateResult, meta: GateReportMeta): string {
  return result.passed
    ? `## ✅ Security gate passed: ${text(meta.name)}`
    : `## ❌ Security gate failed: ${text(meta.name)}`;
}

function headline(result: GateResult): string {
  const parts = [
    result.failing.length === 0
      ? "No finding fails the policy"
      : `${plural(result.failing.length, "finding")} ${result.failing.length === 1 ? "fails" : "fail"} the policy`,
  ];
  if (result.errors.length > 0) parts.push(`${plural(result.errors.length, "exception")} in error`);
  if (result.ignored.length > 0) parts.push(`${plural(result.ignored.length, "finding")} accepted by exceptions`);
  if (result.suppressed.length > 0) parts.push(`${result.suppressed.length} suppressed`);
  if (result.baselineUsed) parts.push(`${result.preExisting.length} pre-existing (in the baseline)`);
  return `${parts.join(" · ")}. Checked on ${result.evaluatedOn}; fails on ${thresholds(result)}.`;
}

function thresholds(result: GateResult): string {
  const describe = (severities: readonly Severity[]) =>
    severities.length === 0
      ? "nothing"
      : severities.length === SEVERITIES.length
        ? "any severity"
        : MOST_SEVERE_FIRST.filter((s) => severities.includes(s)).join("/");
  const unfixed = result.ignoreUnfixed ? " (unfixed vulnerabilities excepted)" : "";
  return [
    `vulnerabilities ${describe(result.failOn.vulnerabilities)}${unfixed}`,
    `secrets ${describe(result.failOn.secrets)}`,
    `misconfigurations ${describe(result.failOn.misconfigurations)}`,
  ].join(", ");
}

function configNotice(result: GateResult, meta: GateReportMeta): string {
  const lines: string[] = [];
  if (meta.usedDefaultConfig) {
    lines.push(`> ℹ️ No ${code(meta.configFile)} was found, so the default policy applied. Add the file to set thresholds and exceptions.`);
  }
  const age = dbAgeDays(meta, result.evaluatedOn);
  if (age !== undefined) {
    lines.push(`> Trivy vulnerability DB: ${age === 0 ? "updated today" : `${plural(age, "day")} old`}.`);
  }
  return lines.join("\n>\n");
}

function countsTable(result: GateResult): string {
  const cell = (kind: FindingKind, severity: Severity) => {
    const all = result.counts.all[kind][severity];
    const failing = result.counts.failing[kind][severity];
    return failing > 0 ? `${all} (**${failing} failing**)` : String(all);
  };
  const rows = MOST_SEVERE_FIRST.map((severity) => [severity, ...FINDING_KINDS.map((kind) => cell(kind, severity))]);
  return table(["Severity", ...FINDING_KINDS.map((k) => KIND_HEADINGS[k])], ["l", "r", "r", "r"], rows);
}

function notFailingSection(result: GateResult): string {
  const lines: string[] = [];
  if (result.baselineUsed) {
    lines.push(`- ${plural(result.preExisting.length, "finding")} at failing severity already in the baseline (pre-existing): reported, not failing.`);
  }
  if (result.unfixed.length > 0) {
    lines.push(`- ${plural(result.unfixed.length, "vulnerability", "vulnerabilities")} without a fixed version: not failing (policy.ignoreUnfixed).`);
  }
  if (result.belowThreshold.length > 0) {
    lines.push(`- ${plural(result.belowThreshold.length, "finding")} below the fail-on severities.`);
  }
  return lines.length === 0 ? "" : `### Not failing\n\n${lines.join("\n")}`;
}
