import { describe, expect, it } from "vitest";
import { parseTrivyReport, ReportError } from "../../../dagger/src/report/trivy.ts";
import { configResult, langResult, misconfiguration, report, secret, secretResult, suppressedVulnerability, vulnerability } from "../../support/trivy-reports.ts";

const LABEL = "backend image report (trivy-backend.json)";
const json = (value: unknown) => JSON.stringify(value);

function parseError(text: string): ReportError {
  try {
    parseTrivyReport(text, LABEL);
  } catch (error) {
    if (error instanceof ReportError) return error;
    throw error;
  }
  throw new Error("expected a ReportError, but the report parsed");
}

describe("parseTrivyReport", () => {
  it("reads a report with every kind of finding and keeps the fields the gate uses", () => {
    const parsed = parseTrivyReport(
      json(report([langResult(), secretResult(), configResult({ Misconfigurations: [misconfiguration({ ID: "DS002", AVDID: "AVD-DS-0002" })] })])),
      LABEL,
    );
    expect(parsed.SchemaVersion).toBe(2);
    expect(parsed.Results.map((r) => r.Target)).toEqual(["app/pnpm-lock.yaml", "app/.env.production", "Dockerfile"]);
    expect(parsed.Results[0]?.Vulnerabilities[0]).toMatchObject({ VulnerabilityID: "CVE-2019-10744", PkgName: "lodash", FixedVersion: "4.17.12" });
    expect(parsed.Results[2]?.Misconfigurations[0]).toMatchObject({ ID: "DS002", AVDID: "AVD-DS-0002", Status: "FAIL" });
  });

  it("tolerates fields it does not use, and drops them", () => {
    const parsed = parseTrivyReport(
      json(report([langResult({ Vulnerabilities: [vulnerability({ FutureField: { nested: [1, 2] } })], FutureResultField: true })], { FutureTopLevel: "x" })),
      LABEL,
    );
    expect(parsed.Results[0]?.Vulnerabilities[0]).not.toHaveProperty("FutureField");
    expect(parsed.Results[0]?.Vulnerabilities[0]).not.toHaveProperty("CVSS");
  });

  it("never carries a secret's matched text or code lines", () => {
    const parsed = parseTrivyReport(json(report([secretResult()])), LABEL);
    const kept = JSON.stringify(parsed);
    expect(kept).not.toContain("AWS_ACCESS_KEY_ID");
    expect(kept).not.toContain("ghp_");
  });

  it.each([
    { name: "a report without Results (a clean scan)", value: report([], { Results: undefined }) },
    { name: "a report with Results: null", value: report([], { Results: null }) },
    { name: "a report without the Trivy version (Trivy < 0.50 wrote none)", value: report([], { Trivy: undefined }) },
    { name: "a result with null finding lists (older Trivy)", value: report([langResult({ Vulnerabilities: null, Secrets: null })]) },
  ])("reads $name as having no findings", ({ value }) => {
    const parsed = parseTrivyReport(json(value), LABEL);
    expect(parsed.Results.flatMap((r) => [...r.Vulnerabilities, ...r.Secrets, ...r.Misconfigurations])).toEqual([]);
  });

  it.each([
    { name: "empty text", text: "", problem: "is empty — the scan wrote no report" },
    { name: "whitespace", text: "  \n", problem: "is empty" },
    { name: "a truncated report", text: json(report([langResult()])).slice(0, 200), problem: "is not valid JSON (" },
    { name: "plain text", text: "FATAL: failed to download vulnerability DB", problem: "is not valid JSON (" },
    { name: "a JSON array", text: "[]", problem: "expected a Trivy JSON report (an object with \"SchemaVersion\": 2, written by trivy --format json), found an array" },
    { name: "JSON null", text: "null", problem: "found null" },
    { name: "a JSON number", text: "42", problem: "found a number" },
    { name: "a SARIF log", text: json({ version: "2.1.0", $schema: "https://json.schemastore.org/sarif-2.1.0.json", runs: [] }), problem: "is a SARIF log, not a Trivy JSON report" },
    { name: "a CycloneDX SBOM", text: json({ bomFormat: "CycloneDX", specVersion: "1.6" }), problem: "is a CycloneDX SBOM, not a Trivy JSON report" },
    { name: "an SPDX SBOM", text: json({ spdxVersion: "SPDX-2.3" }), problem: "is an SPDX SBOM, not a Trivy JSON report" },
    {
      name: "a scan's summary.json",
      text: json({ schema: "drydock.gate-summary", version: 2, name: "backend", passed: true }),
      problem: `is drydock's summary.json of one scan ("schema": "drydock.gate-summary", "version": 2), not a Trivy JSON report — pass the trivy.json beside it`,
    },
    {
      name: "a run's summary.json of a future version",
      text: json({ schema: "drydock.report-summary", version: 9, passed: true }),
      problem: `is drydock's summary.json of a whole run ("schema": "drydock.report-summary", "version": 9), not a Trivy JSON report — pass the trivy.json of one scan's folder in it`,
    },
    { name: "SchemaVersion 1", text: json(report([], { SchemaVersion: 1 })), problem: "has SchemaVersion 1, but only SchemaVersion 2 (Trivy ≥ 0.20) is supported" },
    { name: "SchemaVersion as a string", text: json(report([], { SchemaVersion: "2" })), problem: 'has SchemaVersion "2", but only SchemaVersion 2' },
    { name: "Results that is not a list", text: json(report([], { Results: {} })), problem: "Results: expected array, found an object" },
    { name: "a result without Target", text: json(report([langResult({ Target: undefined })])), problem: "Results[0].Target: missing (expected string)" },
    {
      name: "a vulnerability without ID",
      text: json(report([langResult({ Vulnerabilities: [vulnerability(), vulnerability({ VulnerabilityID: undefined })] })])),
      problem: "Results[0].Vulnerabilities[1].VulnerabilityID: missing (expected string)",
    },
    {
      name: "a vulnerability with an empty ID",
      text: json(report([langResult({ Vulnerabilities: [vulnerability({ VulnerabilityID: "" })] })])),
      problem: 'Results[0].Vulnerabilities[0].VulnerabilityID: expected a non-empty string, found ""',
    },
    {
      name: "an unknown severity",
      text: json(report([langResult({ Vulnerabilities: [vulnerability({ Severity: "SEVERE" })] })])),
      problem: 'Results[0].Vulnerabilities[0].Severity: expected one of "UNKNOWN", "LOW", "MEDIUM", "HIGH", "CRITICAL", found "SEVERE"',
    },
    {
      name: "a misconfiguration with an unknown status",
      text: json(report([configResult({ Misconfigurations: [misconfiguration({ Status: "WARN" })] })])),
      problem: 'Results[0].Misconfigurations[0].Status: expected one of "PASS", "FAIL", "EXCEPTION", found "WARN"',
    },
    {
      name: "a secret with a negative line",
      text: json(report([secretResult({ Secrets: [secret({ EndLine: -1 })] })])),
      problem: "Results[0].Secrets[0].EndLine: expected at least 0, found -1",
    },
    {
      name: "a secret with a fractional line",
      text: json(report([secretResult({ Secrets: [secret({ StartLine: 2.5 })] })])),
      problem: "Results[0].Secrets[0].StartLine: expected int, found 2.5",
    },
    {
      name: "a suppressed finding of an unknown type",
      text: json(report([langResult({ ExperimentalModifiedFindings: [suppressedVulnerability({ Type: "malware" })] })])),
      problem: 'Results[0].ExperimentalModifiedFindings[0].Type: expected one of "vulnerability", "misconfiguration", "secret", "license", found "malware"',
    },
    {
      name: "a suppressed finding with an unknown status",
      text: json(report([langResult({ ExperimentalModifiedFindings: [suppressedVulnerability({ Status: "maybe" })] })])),
      problem: "Results[0].ExperimentalModifiedFindings[0].Status: expected one of \"ignored\", \"unknown\", \"not_affected\"",
    },
    {
      name: "a suppressed vulnerability without its finding's severity",
      text: json(report([langResult({ ExperimentalModifiedFindings: [suppressedVulnerability({}, { Severity: undefined })] })])),
      problem: "Results[0].ExperimentalModifiedFindings[0].Finding.Severity: missing (expected one of",
    },
  ])("rejects $name, naming the report and the problem", ({ text, problem }) => {
    const error = parseError(text);
    expect(error.label).toBe(LABEL);
    expect(error.message.startsWith(`${LABEL}: `)).toBe(true);
    expect(error.message).toContain(problem);
  });

  it.each([
    { name: "{}", value: {}, missing: "SchemaVersion, ArtifactName or ArtifactType" },
    { name: "a findings list of another tool", value: { results: [] }, missing: "SchemaVersion, ArtifactName or ArtifactType" },
    { name: "a report without SchemaVersion", value: report([], { SchemaVersion: undefined }), missing: "SchemaVersion" },
    { name: "a report without ArtifactName", value: report([], { ArtifactName: undefined }), missing: "ArtifactName" },
    { name: "a report without ArtifactType", value: report([], { ArtifactType: undefined }), missing: "ArtifactType" },
    { name: "a report with ArtifactName null", value: report([], { ArtifactName: null }), missing: "ArtifactName" },
    { name: "a stub with only SchemaVersion and Results", value: { SchemaVersion: 2, Results: [] }, missing: "ArtifactName or ArtifactType" },
  ])("rejects $name as no Trivy report, naming what it lacks, rather than passing it as clean", ({ value, missing }) => {
    const error = parseError(json(value));
    expect(error.label).toBe(LABEL);
    expect(error.message).toBe(
      `${LABEL}: found no ${missing}, expected a Trivy JSON report, which always carries SchemaVersion, ArtifactName and ArtifactType — pass the file written by trivy --format json, not another tool's JSON or a hand-made stub`,
    );
  });

  it.each([
    { name: "an empty ArtifactName", overrides: { ArtifactName: "" }, problem: 'ArtifactName: expected a non-empty string, found ""' },
    { name: "a numeric ArtifactType", overrides: { ArtifactType: 7 }, problem: "ArtifactType: expected string, found 7" },
  ])("rejects $name", ({ overrides, problem }) => {
    expect(parseError(json(report([], overrides))).message).toContain(problem);
  });

  it("lists the first five problems of a badly broken report and counts the rest", () => {
    const broken = Array.from({ length: 8 }, () => vulnerability({ Severity: "SEVERE" }));
    const error = parseError(json(report([langResult({ Vulnerabilities: broken })])));
    expect(error.message.match(/found "SEVERE"/g)).toHaveLength(5);
    expect(error.message).toContain("and 3 more problems");
  });

  it("shortens long bad values in messages", () => {
    const error = parseError(json(report([langResult({ Vulnerabilities: [vulnerability({ Severity: "X".repeat(500) })] })])));
    expect(error.message).toContain(`found "${"X".repeat(59)}…`);
    expect(error.message.length).toBeLessThan(400);
  });
});
