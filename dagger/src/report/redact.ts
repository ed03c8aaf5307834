/**
 * The one rule for every Trivy report that leaves drydock — trivy.json of a scan's `files` and of
 * `reports`, the SARIF and SBOM converted from it, the `vuln` attestation: no text of a secret.
 *
 * Trivy masks the characters its rule matched and nothing else. A secret finding (v0.69.3,
 * pkg/fanal/types/secret.go `SecretFinding`) carries file text in two more fields
 * (pkg/fanal/secret/scanner.go `findLocation`):
 *  - `Code.Lines[].Content` and `.Highlighted`: the finding's lines and two lines either side,
 *    as written — a password on the next line, a key no rule knows;
 *  - `Match`: the finding's line with only the match masked (on a line over 100 characters, 30
 *    characters before the match and 20 after) — `password=hunter2 token=********`.
 * What identifies and locates the finding stays: rule, category, severity, title, lines, layer,
 * byte offset. They are kept by name, so a text field a later Trivy adds is dropped, not published.
 * `Match` becomes a sentence, as Trivy itself does for a binary file, so the SARIF converted from
 * the report says why its "Match:" is not the line. A secret Trivy suppressed
 * (`ExperimentalModifiedFindings`, Type "secret") carries the same fields and is redacted alike.
 */
import { ReportError } from "./errors.js";
import { parseTrivyJson } from "./trivy.js";

type Json = Record<string, unknown>;

/** The fields of a secret finding that hold no text of the scanned file. */
export const KEPT_SECRET_FIELDS = ["RuleID", "Category", "Severity", "Title", "StartLine", "EndLine", "Layer", "Offset"] as const;

/** What a published secret finding says in place of its line. */
export const REDACTED_MATCH = "(redacted by drydock: the line of a secret and the lines around it are never published — see the file at StartLine)";

const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * A copy of a parsed Trivy JSON report (as parseTrivyJson returns it) without any secret's text;
 * the report itself is not changed. Anything it cannot read as a report's results is a
 * ReportError naming `label`: a report that cannot be redacted is not published.
 */
export function redactSecrets(report: unknown, label: string): Json {
  if (!isObject(report)) throw unredactable(label, "(report)", report, "an object");
  const results = report["Results"];
  if (results === undefined || results === null) return { ...report };
  if (!Array.isArray(results)) throw unredactable(label, "Results", results, "a list");
  return { ...report, Results: results.map((result, i) => redactResult(result, `Results[${i}]`, label)) };
}

/** The text of a Trivy JSON report as drydock publishes it: parsed, redacted, written back as JSON. */
export function redactedReportText(text: string, label: string): string {
  return `${JSON.stringify(redactSecrets(parseTrivyJson(text, label), label), null, 2)}\n`;
}

function redactResult(result: unknown, at: string, label: string): unknown {
  if (!isObject(result)) throw unredactable(label, at, result, "an object");
  const { Secrets: secrets, ExperimentalModifiedFindings: modified } = result;
  const copy: Json = { ...result };
  if (secrets !== undefined && secrets !== null) {
    if (!Array.isArray(secrets)) throw unredactable(label, `${at}.Secrets`, secrets, "a list");
    copy["Secrets"] = secrets.map((secret, i) => redactSecret(secret, `${at}.Secrets[${i}]`, label));
  }
  if (modified !== undefined && modified !== null) {
    if (!Array.isArray(modified)) throw unredactable(label, `${at}.ExperimentalModifiedFindings`, modified, "a list");
    copy["ExperimentalModifiedFindings"] = modified.map((entry, i) => {
      const where = `${at}.ExperimentalModifiedFindings[${i}]`;
      if (!isObject(entry)) throw unredactable(label, where, entry, "an object");
      return entry["Type"] === "secret" ? { ...entry, Finding: redactSecret(entry["Finding"], `${where}.Finding`, label) } : entry;
    });
  }
  return copy;
}

function redactSecret(secret: unknown, at: string, label: string): Json {
  if (!isObject(secret)) throw unredactable(label, at, secret, "a secret finding (an object)");
  const kept: Json = {};
  for (const field of KEPT_SECRET_FIELDS) if (field in secret) kept[field] = secret[field];
  return { ...kept, Match: REDACTED_MATCH };
}

function unredactable(label: string, at: string, found: unknown, expected: string): ReportError {
  const kind = found === null ? "null" : Array.isArray(found) ? "a list" : typeof found === "object" ? "an object" : `a ${typeof found}`;
  return new ReportError(label, `${at}: found ${kind}, expected ${expected} — the report cannot be redacted, so nothing of it is published; rescan with a current Trivy`);
}
