/**
 * The gate's result as Markdown, for `$GITHUB_STEP_SUMMARY` and PR comments. Lists are capped
 * so that a report with 100,000 findings still yields a short, readable summary (GitHub caps
 * a step summary at 1 MiB); summary.json has every finding.
 */
import { SEVERITIES, type Severity } from "../config/schema.js";
import { FINDING_KINDS, type Finding, type FindingKind } from "./findings.js";
import type { GateResult, IgnoredFinding } from "../policy/gate.js";
import { dbAgeDays, type GateReportMeta } from "./meta.js";
import { code, link, table, text } from "./markdown-text.js";

/** Rows shown per table before "…and N more". */
export const MAX_TABLE_ROWS = 50;

const KIND_HEADINGS: Record<FindingKind, string> = {
  vulnerability: "Vulnerabilities",
  secret: "Secrets",
  misconfiguration: "Misconfigurations",
};
const MOST_SEVERE_FIRST = [...SEVERITIES].reverse();

/** Render the gate's result as a Markdown summary. */
export function renderMarkdown(result: GateResult, meta: GateReportMeta): string {
  const sections = [
    title(result, meta),
    headline(result),
    configNotice(result, meta),
    countsTable(result),
    errorsSection(result),
    failingSection(result),
    ignoredSection(result.ignored),
    warningsSection(result),
    suppressedSection(result),
    notFailingSection(result),
  ];
  return `${sections.filter((s) => s !== "").join("\n\n")}\n`;
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

function errorsSection(result: GateResult): string {
  if (result.errors.length === 0) return "";
  return `### ❌ Exceptions in error (${result.errors.length})\n\n${result.errors.map((e) => `- ${text(e.message, Infinity)}`).join("\n")}`;
}

function failingSection(result: GateResult): string {
  if (result.failing.length === 0) return "";
  const shown = mostSevereFirst(result.failing, MAX_TABLE_ROWS);
  const rows = shown.map((f) => [f.severity, link(f.id, f.primaryUrl), code(f.pkgName), versions(f), where(f), text(f.title)]);
  return [
    `### ❌ Failing findings (${result.failing.length})`,
    table(["Severity", "ID", "Package", "Installed → fixed", "Target", "Title"], ["l", "l", "l", "l", "l", "l"], rows),
    more(result.failing.length, shown.length, "failing findings"),
  ]
    .filter((s) => s !== "")
    .join("\n\n");
}

function ignoredSection(ignored: readonly IgnoredFinding[]): string {
  if (ignored.length === 0) return "";
  const byException = new Map<number, { entry: IgnoredFinding; count: number }>();
  for (const entry of ignored) {
    const seen = byException.get(entry.exception.index);
    if (seen) seen.count += 1;
    else byException.set(entry.exception.index, { entry, count: 1 });
  }
  const groups = [...byException.values()].sort((a, b) => a.entry.exception.index - b.entry.exception.index);
  const shown = groups.slice(0, MAX_TABLE_ROWS);
  const rows = shown.map(({ entry: { exception }, count }) => [
    code(exception.ignore.id),
    String(count),
    text(exception.ignore.reason),
    exception.ignore.expires,
    code(`policy.ignores[${exception.index}]`),
  ]);
  return [
    `### Exceptions used (${plural(ignored.length, "finding")} accepted)`,
    table(["ID", "Findings", "Reason", "Expires", "Config"], ["l", "r", "l", "l", "l"], rows),
    more(groups.length, shown.length, "exceptions"),
  ]
    .filter((s) => s !== "")
    .join("\n\n");
}

function warningsSection(result: GateResult): string {
  if (result.warnings.length === 0) return "";
  return `### ⚠️ Warnings (${result.warnings.length})\n\n${result.warnings.map((w) => `- ${text(w.message, Infinity)}`).join("\n")}`;
}

function suppressedSection(result: GateResult): string {
  if (result.suppressed.length === 0) return "";
  const shown = result.suppressed.slice(0, MAX_TABLE_ROWS);
  const rows = shown.map(({ finding, status, statement, source }) => [
    finding.severity,
    link(finding.id, finding.primaryUrl),
    code(finding.pkgName),
    where(finding),
    code(status),
    text(statement),
    text(source),
  ]);
  return [
    `### Suppressed by VEX or ignore files (${result.suppressed.length})`,
    table(["Severity", "ID", "Package", "Target", "Status", "Statement", "Source"], ["l", "l", "l", "l", "l", "l", "l"], rows),
    more(result.suppressed.length, shown.length, "suppressed findings"),
  ]
    .filter((s) => s !== "")
    .join("\n\n");
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

/** The first `limit` findings by severity, report order within a severity, without sorting them all. */
function mostSevereFirst(findings: readonly Finding[], limit: number): Finding[] {
  const picked: Finding[] = [];
  for (const severity of MOST_SEVERE_FIRST) {
    for (const finding of findings) {
      if (picked.length === limit) return picked;
      if (finding.severity === severity) picked.push(finding);
    }
  }
  return picked;
}

function versions(f: Finding): string {
  if (f.kind !== "vulnerability") return "";
  return `${code(f.installedVersion)} → ${f.fixedVersion ? code(f.fixedVersion) : "no fix yet"}`;
}

function where(f: Finding): string {
  if (f.location) {
    const { file, startLine, endLine } = f.location;
    return code(`${file}:${startLine === endLine ? startLine : `${startLine}-${endLine}`}`);
  }
  return code(f.pkgPath ?? f.target);
}

function more(total: number, shown: number, what: string): string {
  return total > shown ? `_…and ${total - shown} more ${what}: see summary.json._` : "";
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
