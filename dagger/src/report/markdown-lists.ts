/**
 * The lists of the Markdown summary, each a `ListBlock` whose entries are already escaped:
 * what fails, what the policy let through and why, and what it says about the config.
 */
import { SEVERITIES, type Severity } from "../config/schema.js";
import type { Finding } from "../findings/findings.js";
import type { AllowedBy, AllowedFinding, GateNotice, GateResult, IgnoredFinding } from "../policy/gate.js";
import { MAX_TABLE_ROWS, type ListBlock } from "./markdown-budget.js";
import { code, link, table, text } from "./markdown-text.js";

const MOST_SEVERE_FIRST = [...SEVERITIES].reverse();
/** A notice names dates and counts; its text is ours, so this only bounds a pathological one. */
const MAX_NOTICE_LENGTH = 400;

export function notesBlock(notes: readonly string[]): ListBlock {
  // Notes are Markdown written by drydock itself (paths in code spans), so they are not escaped.
  return {
    entries: notes.slice(0, MAX_TABLE_ROWS).map((note) => `> **Note:** ${note}`),
    total: notes.length,
    what: "notes",
    separator: "\n>\n",
    morePrefix: "> ",
  };
}

export function errorsBlock(errors: readonly GateNotice[]): ListBlock {
  return noticeBlock(`### ❌ Exceptions in error (${errors.length})`, errors, "exceptions in error");
}

export function warningsBlock(warnings: readonly GateNotice[]): ListBlock {
  return noticeBlock(`### ⚠️ Warnings (${warnings.length})`, warnings, "warnings");
}

/**
 * The exception's place in the config as a code span, not escaped text: the same
 * `policy.ignores[2]` a reader searches the YAML for, with no backslashes in a copy of it.
 */
function noticeBlock(heading: string, notices: readonly GateNotice[], what: string): ListBlock {
  return {
    heading,
    entries: notices
      .slice(0, MAX_TABLE_ROWS)
      .map((n) => `- ${code(`policy.ignores[${n.exception.index}]`)} (${code(n.exception.ignore.id)}): ${text(n.detail, MAX_NOTICE_LENGTH)}`),
    total: notices.length,
    what,
  };
}

export function failingBlock(failing: readonly Finding[]): ListBlock {
  const shown = mostSevereFirst(failing, (f) => f.severity);
  return {
    heading: `### ❌ Failing findings (${failing.length})`,
    tableHeader: tableHeader(["Severity", "ID", "Package", "Installed → fixed", "Target", "Title"]),
    entries: shown.map((f) => row([f.severity, link(f.id, f.primaryUrl), code(f.pkgName), versions(f), where(f), text(f.title)])),
    total: failing.length,
    what: "failing findings",
  };
}

/** Each exception that accepted findings, once, in config order, with how many it accepted. */
export function exceptionsUsedBlock(result: GateResult): ListBlock {
  const byException = new Map<number, { entry: IgnoredFinding; count: number }>();
  for (const entry of result.ignored) {
    const seen = byException.get(entry.exception.index);
    if (seen) seen.count += 1;
    else byException.set(entry.exception.index, { entry, count: 1 });
  }
  const groups = [...byException.values()].sort((a, b) => a.entry.exception.index - b.entry.exception.index);
  return {
    heading: `### Exceptions used (${plural(result.ignored.length, "finding")} accepted)`,
    tableHeader: tableHeader(["ID", "Findings", "Reason", "Expires", "Config"], ["l", "r", "l", "l", "l"]),
    entries: groups.slice(0, MAX_TABLE_ROWS).map(({ entry: { exception }, count }) =>
      row([code(exception.ignore.id), String(count), text(exception.ignore.reason), exception.ignore.expires, code(`policy.ignores[${exception.index}]`)]),
    ),
    total: groups.length,
    what: "exceptions",
  };
}

type AllowedAs<B extends AllowedBy> = Extract<AllowedFinding, { allowedBy: B }>;

interface AllowedTable<B extends AllowedBy> {
  heading: string;
  what: string;
  why: readonly string[];
  cells(entry: AllowedAs<B>): string[];
}

const ALLOWED_TABLES: { [B in AllowedBy]: AllowedTable<B> } = {
  exception: {
    heading: "Allowed by exceptions",
    what: "findings allowed by exceptions",
    why: ["Exception", "Reason"],
    cells: ({ exception }) => [code(`policy.ignores[${exception.index}]`), text(exception.ignore.reason)],
  },
  unfixed: {
    heading: "Allowed without a fix (policy.ignoreUnfixed)",
    what: "unfixed vulnerabilities",
    why: ["Status"],
    cells: ({ finding }) => [finding.status ? code(finding.status) : "no fix yet"],
  },
  baseline: {
    heading: "Allowed as pre-existing (in the baseline)",
    what: "pre-existing findings",
    why: ["Why"],
    cells: () => ["pre-existing"],
  },
  suppressed: {
    heading: "Suppressed by VEX or ignore files",
    what: "suppressed findings",
    why: ["Status", "Statement", "Source"],
    cells: ({ status, statement, source }) => [code(status), text(statement), text(source)],
  },
};

/** The findings let through for one reason, most severe first, each with what it is and why it passed. */
export function allowedBlock<B extends AllowedBy>(allowed: readonly AllowedFinding[], allowedBy: B): ListBlock {
  const spec: AllowedTable<B> = ALLOWED_TABLES[allowedBy];
  const these = allowed.filter((entry): entry is AllowedAs<B> => entry.allowedBy === allowedBy);
  const shown = mostSevereFirst(these, (entry) => entry.finding.severity);
  return {
    heading: `### ${spec.heading} (${these.length})`,
    tableHeader: tableHeader(["Severity", "ID", "Package", "Installed", "Target", ...spec.why]),
    entries: shown.map((entry) => {
      const f = entry.finding;
      return row([f.severity, link(f.id, f.primaryUrl), code(f.pkgName), code(f.installedVersion), where(f), ...spec.cells(entry)]);
    }),
    total: these.length,
    what: spec.what,
  };
}

/** The first MAX_TABLE_ROWS items by severity, report order within a severity, without sorting them all. */
function mostSevereFirst<T>(items: readonly T[], severityOf: (item: T) => Severity): T[] {
  const picked: T[] = [];
  for (const severity of MOST_SEVERE_FIRST) {
    for (const item of items) {
      if (picked.length === MAX_TABLE_ROWS) return picked;
      if (severityOf(item) === severity) picked.push(item);
    }
  }
  return picked;
}

function tableHeader(header: readonly string[], alignments: readonly ("l" | "r")[] = header.map(() => "l")): string {
  return table(header, alignments, []);
}

function row(cells: readonly string[]): string {
  return `| ${cells.join(" | ")} |`;
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

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
