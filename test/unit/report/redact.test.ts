/**
 * The redaction every published Trivy report goes through (dagger/src/report/redact.ts): a secret
 * finding keeps what it is and where, never the text of the file — on Trivy's own golden reports
 * (../shared/fixtures/trivy) and on reports built here in the shapes Trivy writes.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ReportError } from "../../../dagger/src/report/errors.ts";
import { KEPT_SECRET_FIELDS, REDACTED_MATCH, redactedReportText, redactSecrets } from "../../../dagger/src/report/redact.ts";
import { parseTrivyJson, readTrivyReport } from "../../../dagger/src/report/trivy.ts";
import { haveTrivyGoldens, trivyGoldensDir } from "../../support/paths.ts";
import { langResult, report, secret, secretResult } from "../../support/trivy-reports.ts";

type Json = Record<string, unknown>;

const golden = (file: string) => readFileSync(path.join(trivyGoldensDir, file), "utf8");
/** The golden Trivy reports (not the SARIF or SBOM goldens, which are no Trivy reports). */
const goldenReports = () =>
  haveTrivyGoldens()
    ? readdirSync(trivyGoldensDir).filter((file) => file.endsWith(".json.golden") && "SchemaVersion" in (JSON.parse(golden(file)) as Json))
    : [];

/** Every secret finding of a parsed report, suppressed ones included. */
function secretsOf(doc: Json): Json[] {
  return ((doc["Results"] as Json[] | undefined) ?? []).flatMap((result) => [
    ...((result["Secrets"] as Json[] | undefined) ?? []),
    ...((result["ExperimentalModifiedFindings"] as Json[] | undefined) ?? []).filter((m) => m["Type"] === "secret").map((m) => m["Finding"] as Json),
  ]);
}

/** A report as Trivy writes it, with the text redaction must take out on a neighbouring line and in the matched line. */
const NEIGHBOUR = "db_password=hunter2-neighbour-line";
const SAME_LINE = "api_password=hunter2-same-line";
const planted = () =>
  report([
    secretResult({
      Secrets: [
        secret({
          Code: { Lines: [{ Number: 2, Content: NEIGHBOUR, Highlighted: NEIGHBOUR, IsCause: false }, { Number: 3, Content: `${SAME_LINE} token=****`, IsCause: true }] },
          Match: `${SAME_LINE} token=****`,
          Layer: { Digest: "sha256:aa", DiffID: "sha256:bb", CreatedBy: "COPY deploy.env /app/" },
        }),
      ],
      ExperimentalModifiedFindings: [
        { Type: "secret", Status: "ignored", Source: ".trivyignore", Finding: secret({ Match: `${SAME_LINE} suppressed`, Code: { Lines: [{ Number: 9, Content: NEIGHBOUR }] } }) },
      ],
    }),
    langResult(),
  ]);

describe.skipIf(!haveTrivyGoldens())("redaction of Trivy's golden reports", () => {
  it("covers a golden report with secrets whose code excerpt holds an unmasked token", () => {
    expect(goldenReports()).toContain("secrets.json.golden");
    expect(golden("secrets.json.golden")).toContain("ghp_0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ");
  });

  it("takes every line of the file out of secrets.json.golden and keeps each finding's rule, severity, title and lines", () => {
    const text = golden("secrets.json.golden");
    const redacted = redactedReportText(text, "secrets.json.golden");
    for (const leaked of ["ghp_0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", "#!/bin/sh", "export AWS_ACCESS_KEY_ID", "echo ********", '"Code"']) expect(redacted).not.toContain(leaked);
    expect(secretsOf(JSON.parse(redacted) as Json)).toEqual([
      { RuleID: "aws-access-key-id", Category: "AWS", Severity: "CRITICAL", Title: "AWS Access Key ID", StartLine: 3, EndLine: 3, Offset: 36, Match: REDACTED_MATCH },
      { RuleID: "mysecret", Category: "Custom", Severity: "HIGH", Title: "My Secret", StartLine: 7, EndLine: 7, Offset: 123, Match: REDACTED_MATCH },
    ]);
  });

  it.each(goldenReports())("%s: the gate reads the same findings before and after, and only secret findings change", (file) => {
    const text = golden(file);
    const redacted = redactedReportText(text, file);
    expect(readTrivyReport(redacted, file)).toEqual(readTrivyReport(text, file));
    const withoutSecrets = (doc: Json) => JSON.stringify({ ...doc, Results: ((doc["Results"] as Json[] | undefined) ?? []).map(({ Secrets: _, ...rest }) => rest) });
    expect(withoutSecrets(JSON.parse(redacted) as Json)).toBe(withoutSecrets(JSON.parse(text) as Json));
  });
});

describe("redactSecrets", () => {
  it("drops Code, replaces Match and keeps the finding, in the results and among what Trivy suppressed", () => {
    const redacted = redactedReportText(JSON.stringify(planted()), "--report");
    expect(redacted).not.toContain(NEIGHBOUR);
    expect(redacted).not.toContain(SAME_LINE);
    expect(redacted).not.toContain("token=****");
    const [found, suppressed] = secretsOf(JSON.parse(redacted) as Json);
    expect(found).toEqual({
      RuleID: "aws-access-key-id",
      Category: "AWS",
      Severity: "CRITICAL",
      Title: "AWS Access Key ID",
      StartLine: 3,
      EndLine: 3,
      Layer: { Digest: "sha256:aa", DiffID: "sha256:bb", CreatedBy: "COPY deploy.env /app/" },
      Offset: 36,
      Match: REDACTED_MATCH,
    });
    expect(suppressed).toMatchObject({ RuleID: "aws-access-key-id", Match: REDACTED_MATCH });
    expect(suppressed).not.toHaveProperty("Code");
  });

  it("keeps the suppression's own fields and the vulnerabilities as they were", () => {
    const doc = planted();
    const redacted = redactSecrets(doc, "--report");
    const [secrets, lang] = redacted["Results"] as Json[];
    expect((secrets!["ExperimentalModifiedFindings"] as Json[])[0]).toMatchObject({ Type: "secret", Status: "ignored", Source: ".trivyignore" });
    expect(lang).toEqual((doc["Results"] as Json[])[1]);
    expect({ ...redacted, Results: undefined }).toEqual({ ...doc, Results: undefined });
  });

  it("drops a field of a secret finding it does not know: a text field a later Trivy adds is not published", () => {
    const redacted = redactSecrets(report([secretResult({ Secrets: [secret({ Context: NEIGHBOUR })] })]), "--report");
    expect(Object.keys(secretsOf(redacted)[0]!).sort()).toEqual([...KEPT_SECRET_FIELDS.filter((f) => f !== "Layer"), "Match"].sort());
  });

  it("leaves the report it was given as it was", () => {
    const doc = planted();
    const before = JSON.stringify(doc);
    redactSecrets(doc, "--report");
    expect(JSON.stringify(doc)).toBe(before);
  });

  it.each([
    { name: "a clean scan without Results", doc: report([], { Results: undefined }) },
    { name: "Results written as null by an older Trivy", doc: report([], { Results: null }) },
    { name: "Secrets written as null", doc: report([secretResult({ Secrets: null })]) },
  ])("takes $name as it is", ({ doc }) => {
    expect(redactSecrets(doc, "--report")).toEqual(doc);
  });

  it.each([
    { name: "Results that are no list", doc: report([], { Results: { Target: "x" } }), says: "--report: Results: found an object, expected a list" },
    { name: "a result that is no object", doc: report([], { Results: ["x"] }), says: "--report: Results[0]: found a string, expected an object" },
    { name: "Secrets that are no list", doc: report([secretResult({ Secrets: "token" })]), says: "--report: Results[0].Secrets: found a string, expected a list" },
    { name: "a secret finding that is no object", doc: report([secretResult({ Secrets: ["ghp_x"] })]), says: "--report: Results[0].Secrets[0]: found a string, expected a secret finding (an object)" },
    {
      name: "a suppressed secret that is no object",
      doc: report([secretResult({ Secrets: [], ExperimentalModifiedFindings: [{ Type: "secret", Status: "ignored", Finding: 3 }] })]),
      says: "--report: Results[0].ExperimentalModifiedFindings[0].Finding: found a number, expected a secret finding (an object)",
    },
  ])("refuses $name rather than publish what it cannot redact", ({ doc, says }) => {
    expect(() => redactSecrets(doc, "--report")).toThrow(ReportError);
    expect(() => redactSecrets(doc, "--report")).toThrow(`${says} — the report cannot be redacted, so nothing of it is published; rescan with a current Trivy`);
  });

  it.each([
    { name: "an empty file", text: "", says: "--vuln-report: is empty" },
    { name: "a truncated file", text: '{"SchemaVersion": 2, "Results": [', says: "--vuln-report: is not valid JSON" },
    { name: "a SARIF log", text: JSON.stringify({ $schema: "https://json.schemastore.org/sarif-2.1.0.json", version: "2.1.0", runs: [] }), says: "--vuln-report: is a SARIF log" },
  ])("refuses $name as parseTrivyJson does, naming the report", ({ text, says }) => {
    expect(() => redactedReportText(text, "--vuln-report")).toThrow(ReportError);
    expect(() => redactedReportText(text, "--vuln-report")).toThrow(says);
  });

  it("writes JSON that reads back as the redacted report", () => {
    const doc = planted();
    expect(parseTrivyJson(redactedReportText(JSON.stringify(doc), "--report"), "--report")).toEqual(redactSecrets(doc, "--report"));
  });
});
