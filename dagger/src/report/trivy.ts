/**
 * Reading a Trivy JSON report. Anything that is not a complete SchemaVersion 2 report is a
 * ReportError naming the report and the problem: a scan that crashed half-way, or a SARIF or
 * SBOM file passed by mistake, must fail the gate rather than pass it with "no findings".
 */
import type { z } from "zod";
import { ReportError } from "./errors.js";
import { toFindings, type ReportFindings } from "../findings/findings.js";
import { findingsIfValid } from "../findings/findings-reader.js";
import { REPORT_SUMMARY_SCHEMA } from "./report-summary.js";
import { SUMMARY_SCHEMA } from "./summary.js";
import { MODIFIED_FINDING_TYPES, TrivyReport } from "../findings/trivy-schema.js";

export { ReportError } from "./errors.js";
export type { TrivyReport } from "../findings/trivy-schema.js";

const SUPPORTED_SCHEMA_VERSION = 2;
/**
 * What every Trivy JSON report carries, whatever was scanned: a document without one of them is
 * something else (another tool's JSON, a hand-written stub), never a clean scan.
 */
export const REQUIRED_REPORT_FIELDS = ["SchemaVersion", "ArtifactName", "ArtifactType"] as const;
/** drydock's own summaries lie beside trivy.json in every reports folder, so they are the likeliest mix-up. */
const DRYDOCK_SUMMARIES = new Map<unknown, { of: string; instead: string }>([
  [SUMMARY_SCHEMA, { of: "of one scan", instead: "the trivy.json beside it" }],
  [REPORT_SUMMARY_SCHEMA, { of: "of a whole run", instead: "the trivy.json of one scan's folder in it" }],
]);
/** Enough issues to fix a report by hand; a wholly wrong file would otherwise list thousands. */
const MAX_ISSUES_SHOWN = 5;
const MAX_VALUE_SHOWN = 60;

/**
 * Parse the text of a Trivy JSON report (`trivy … --format json`).
 *
 * `label` names the report in every error, e.g. `--report` or `Trivy report of backend`.
 */
export function parseTrivyReport(text: string, label: string): TrivyReport {
  return validateTrivyReport(parseTrivyJson(text, label), label);
}

/**
 * Read the findings of a Trivy JSON report's text: what `toFindings(parseTrivyReport(…))` gives,
 * in one pass over the parsed JSON (findings-reader.ts). A report the schema refuses is a
 * ReportError, worded as parseTrivyReport words it.
 */
export function readTrivyReport(text: string, label: string): ReportFindings {
  return findingsOfTrivyJson(parseTrivyJson(text, label), label);
}

/** The findings of a report already parsed by parseTrivyJson. */
export function findingsOfTrivyJson(data: unknown, label: string): ReportFindings {
  // Only a report the fast reader refuses is run through zod, for its account of what is wrong.
  return findingsIfValid(data) ?? toFindings(validateTrivyReport(data, label));
}

/**
 * The JSON of a Trivy report: refused when empty, not JSON, or another kind of document (SARIF,
 * an SBOM, an older SchemaVersion, another tool's JSON). Not yet checked field by field.
 */
export function parseTrivyJson(text: string, label: string): unknown {
  if (text.trim() === "") {
    throw new ReportError(label, "is empty — the scan wrote no report; check the scanner's output for a crash");
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ReportError(label, `is not valid JSON (${reason}) — the report is truncated or corrupted; rerun the scan`);
  }
  rejectOtherDocuments(data, label);
  return data;
}

function validateTrivyReport(data: unknown, label: string): TrivyReport {
  const parsed = TrivyReport.safeParse(data, { reportInput: true });
  if (!parsed.success) {
    throw new ReportError(label, `is not a valid Trivy report: ${describeIssues(parsed.error.issues)}`);
  }
  return parsed.data;
}

/** Name the formats people pass by mistake, so the error says what the file is. */
function rejectOtherDocuments(data: unknown, label: string): void {
  const expected = `expected a Trivy JSON report (an object with "SchemaVersion": ${SUPPORTED_SCHEMA_VERSION}, written by trivy --format json)`;
  if (data === null || typeof data !== "object" || Array.isArray(data)) {
    throw new ReportError(label, `${expected}, found ${describeJsonType(data)}`);
  }
  const doc = data as Record<string, unknown>;
  if (Array.isArray(doc["runs"]) && (typeof doc["$schema"] === "string" ? doc["$schema"].includes("sarif") : "version" in doc)) {
    throw new ReportError(label, `is a SARIF log, not a Trivy JSON report — ${expected}`);
  }
  if (doc["bomFormat"] === "CycloneDX") {
    throw new ReportError(label, `is a CycloneDX SBOM, not a Trivy JSON report — ${expected}`);
  }
  if (typeof doc["spdxVersion"] === "string") {
    throw new ReportError(label, `is an SPDX SBOM, not a Trivy JSON report — ${expected}`);
  }
  const summary = DRYDOCK_SUMMARIES.get(doc["schema"]);
  if (summary !== undefined) {
    throw new ReportError(
      label,
      `is drydock's summary.json ${summary.of} ("schema": ${JSON.stringify(doc["schema"])}, "version": ${JSON.stringify(doc["version"]) ?? "none"}), not a Trivy JSON report — pass ${summary.instead}`,
    );
  }
  // An old report is told to rescan before it is told what it lacks: that is its fix.
  if (doc["SchemaVersion"] !== undefined && doc["SchemaVersion"] !== SUPPORTED_SCHEMA_VERSION) {
    throw new ReportError(
      label,
      `has SchemaVersion ${JSON.stringify(doc["SchemaVersion"])}, but only SchemaVersion ${SUPPORTED_SCHEMA_VERSION} (Trivy ≥ 0.20) is supported — rescan with a current Trivy`,
    );
  }
  const missing = REQUIRED_REPORT_FIELDS.filter((field) => doc[field] === undefined || doc[field] === null);
  if (missing.length > 0) {
    throw new ReportError(
      label,
      `found no ${listOf(missing, "or")}, expected a Trivy JSON report, which always carries ${listOf(REQUIRED_REPORT_FIELDS, "and")} — pass the file written by trivy --format json, not another tool's JSON or a hand-made stub`,
    );
  }
}

function listOf(names: readonly string[], conjunction: "and" | "or"): string {
  return names.length <= 1 ? names.join("") : `${names.slice(0, -1).join(", ")} ${conjunction} ${names.at(-1)}`;
}

function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  const shown = issues.slice(0, MAX_ISSUES_SHOWN).map(describeIssue);
  const more = issues.length > MAX_ISSUES_SHOWN ? `; and ${issues.length - MAX_ISSUES_SHOWN} more problems` : "";
  return shown.join("; ") + more;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const where = formatPath(issue.path);
  if (issue.input === undefined) {
    return `${where}: missing (${expectation(issue)})`;
  }
  return `${where}: ${expectation(issue)}, found ${describeValue(foundValue(issue))}`;
}

function expectation(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case "invalid_value":
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
    case "invalid_type":
      return `expected ${issue.expected}`;
    case "too_small":
      return issue.origin === "string" ? "expected a non-empty string" : `expected at least ${String(issue.minimum)}`;
    case "invalid_union":
      return `expected one of ${MODIFIED_FINDING_TYPES.map((t) => JSON.stringify(t)).join(", ")}`;
    default:
      return issue.message;
  }
}

/** For an unknown discriminator zod reports the whole object; the reader wants the bad value. */
function foundValue(issue: z.core.$ZodIssue): unknown {
  const key = issue.path.at(-1);
  if (issue.code === "invalid_union" && typeof key === "string" && issue.input !== null && typeof issue.input === "object") {
    return (issue.input as Record<string, unknown>)[key];
  }
  return issue.input;
}

/** `Results[3].Vulnerabilities[12].Severity`: the path as a reader finds it in the file. */
function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return "(report)";
  return path.map((key, i) => (typeof key === "number" ? `[${key}]` : i === 0 ? String(key) : `.${String(key)}`)).join("");
}

function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null || typeof value !== "object") {
    const text = JSON.stringify(value);
    return text.length > MAX_VALUE_SHOWN ? `${text.slice(0, MAX_VALUE_SHOWN)}…` : text;
  }
  return describeJsonType(value);
}

function describeJsonType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  return `a ${typeof value}`;
}
