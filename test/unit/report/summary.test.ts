import { describe, expect, it } from "vitest";
import { Policy } from "../../../dagger/src/config/schema.ts";
import { evaluateGate } from "../../../dagger/src/policy/gate.ts";
import { identitiesOf } from "../../../dagger/src/findings/findings.ts";
import type { GateReportMeta } from "../../../dagger/src/report/meta.ts";
import { summarizeResult, summaryJsonText, SUMMARY_SCHEMA, SUMMARY_VERSION } from "../../../dagger/src/report/summary.ts";
import {
  configResult,
  findingsOf,
  langResult,
  misconfiguration,
  secret,
  secretResult,
  suppressedVulnerability,
  vulnerability,
} from "../../support/trivy-reports.ts";

const TODAY = new Date("2026-11-27T12:00:00Z");
const META: GateReportMeta = { name: "drydock-backend", usedDefaultConfig: true, configFile: "security-config.yml" };
const REASON = "The vulnerable code path is never called by the application.";

const results = [
  langResult({
    Vulnerabilities: [
      vulnerability(),
      vulnerability({ VulnerabilityID: "CVE-2021-23337", Severity: "HIGH" }),
      vulnerability({ VulnerabilityID: "CVE-2020-28500", Severity: "MEDIUM" }),
      vulnerability({ VulnerabilityID: "CVE-2020-8203", Severity: "HIGH", FixedVersion: undefined }),
    ],
    ExperimentalModifiedFindings: [suppressedVulnerability({}, { VulnerabilityID: "CVE-2017-16137", Severity: "LOW" })],
  }),
  secretResult({ Secrets: [secret({ StartLine: 3, EndLine: 3 })] }),
];

function summary(meta: Partial<GateReportMeta> = {}, baselineFrom?: typeof results) {
  const { findings, suppressed } = findingsOf(results);
  const baseline = baselineFrom ? identitiesOf(findingsOf(baselineFrom).findings) : undefined;
  const policy = Policy.parse({
    ignoreUnfixed: true,
    ignores: [
      { id: "CVE-2021-23337", reason: REASON, expires: "2026-12-31" },
      { id: "CVE-1999-0001", reason: REASON, expires: "2026-01-01" },
    ],
  });
  return summarizeResult(evaluateGate({ findings, suppressed, policy, today: TODAY, baseline }), { ...META, ...meta });
}

describe("summarizeResult", () => {
  const s = summary();

  it("names its schema and version", () => {
    expect([s.schema, s.version]).toEqual([SUMMARY_SCHEMA, SUMMARY_VERSION]);
    expect([SUMMARY_SCHEMA, SUMMARY_VERSION]).toEqual(["drydock.gate-summary", 2]);
  });

  it("says what was gated, when, under which config, and the verdict", () => {
    expect(s).toMatchObject({
      name: "drydock-backend",
      passed: false,
      evaluatedOn: "2026-11-27",
      usedDefaultConfig: true,
      configFile: "security-config.yml",
      baselineUsed: false,
      policy: { failOn: { vulnerabilities: ["HIGH", "CRITICAL"] }, ignoreUnfixed: true },
    });
    expect(s).not.toHaveProperty("dbAgeDays");
  });

  it("totals every bucket", () => {
    expect(s.totals).toEqual({ findings: 5, failing: 2, ignored: 1, belowThreshold: 1, unfixed: 1, preExisting: 0, suppressed: 1 });
    expect(s.counts.failing.vulnerability.CRITICAL).toBe(1);
    expect(s.counts.failing.secret.CRITICAL).toBe(1);
  });

  it("lists failing findings and those let through (unfixed, by an exception, suppressed), not those below the threshold", () => {
    expect(s.failing.map((f) => f.id)).toEqual(["CVE-2019-10744", "aws-access-key-id"]);
    expect(s.allowed).toEqual([
      expect.objectContaining({ id: "CVE-2021-23337", allowedBy: "exception", exception: { index: 0, id: "CVE-2021-23337", reason: REASON, expires: "2026-12-31" } }),
      expect.objectContaining({ id: "CVE-2020-8203", allowedBy: "unfixed" }),
      expect.objectContaining({ id: "CVE-2017-16137", allowedBy: "suppressed", status: "not_affected", statement: "vulnerable_code_not_in_execute_path", source: "./vex.json" }),
    ]);
    expect(JSON.stringify(s)).not.toContain("CVE-2020-28500");
  });

  it("lists each finding once: version 1's per-reason lists repeated every allowed finding", () => {
    for (const key of ["ignored", "unfixed", "preExisting", "suppressed"]) expect(s).not.toHaveProperty(key);
    for (const listed of [s, summary({}, results)]) {
      const { failing, ignored, unfixed, preExisting, suppressed } = listed.totals;
      expect(listed.failing.length + listed.allowed.length).toBe(failing + ignored + unfixed + preExisting + suppressed);
      // Every finding's identity, written once in the whole document.
      expect(JSON.stringify(listed).match(/"identity":/g)).toHaveLength(listed.failing.length + listed.allowed.length);
    }
  });

  it("describes a failing finding fully enough to act on", () => {
    expect(s.failing[0]).toEqual({
      kind: "vulnerability",
      id: "CVE-2019-10744",
      severity: "CRITICAL",
      target: "app/pnpm-lock.yaml",
      identity: "vulnerability|CVE-2019-10744|lodash|app/pnpm-lock.yaml",
      title: "nodejs-lodash: prototype pollution in defaultsDeep function leading to modifying properties",
      primaryUrl: "https://avd.aquasec.com/nvd/cve-2019-10744",
      pkgName: "lodash",
      pkgPath: undefined,
      installedVersion: "4.17.4",
      fixedVersion: "4.17.12",
      location: undefined,
    });
    expect(s.failing[1]?.location).toEqual({ file: "app/.env.production", startLine: 3, endLine: 3 });
  });

  it("carries the gate's warnings and errors with the exception they concern", () => {
    expect(s.warnings).toEqual([
      {
        code: "exception-stale",
        message: "policy.ignores[1] (CVE-1999-0001): expired on 2026-01-01 and matches no finding — remove it",
        exception: { index: 1, id: "CVE-1999-0001", expires: "2026-01-01" },
        matched: 0,
      },
    ]);
    expect(s.errors).toEqual([]);
  });

  it("counts pre-existing findings in baseline mode", () => {
    const withBaseline = summary({}, results);
    expect(withBaseline.baselineUsed).toBe(true);
    expect(withBaseline.totals.preExisting).toBe(2);
    expect(withBaseline.failing).toEqual([]);
    expect(withBaseline.passed).toBe(true);
  });

  it("names every finding the policy let through, with why, in allowed", () => {
    expect(s.allowed.map((a) => [a.allowedBy, a.id])).toEqual([
      ["exception", "CVE-2021-23337"],
      ["unfixed", "CVE-2020-8203"],
      ["suppressed", "CVE-2017-16137"],
    ]);
    expect(s.allowed[1]).toEqual({
      kind: "vulnerability",
      id: "CVE-2020-8203",
      severity: "HIGH",
      target: "app/pnpm-lock.yaml",
      identity: "vulnerability|CVE-2020-8203|lodash|app/pnpm-lock.yaml",
      title: "nodejs-lodash: prototype pollution in defaultsDeep function leading to modifying properties",
      primaryUrl: "https://avd.aquasec.com/nvd/cve-2019-10744",
      pkgName: "lodash",
      installedVersion: "4.17.4",
      allowedBy: "unfixed",
    });
  });

  it("lists pre-existing findings as allowed by the baseline", () => {
    const withBaseline = summary({}, results);
    expect(withBaseline.allowed.filter((a) => a.allowedBy === "baseline").map((a) => a.id)).toEqual(["CVE-2019-10744", "aws-access-key-id"]);
    expect(withBaseline.allowed.find((a) => a.id === "aws-access-key-id")).toMatchObject({ allowedBy: "baseline", kind: "secret", location: { file: "app/.env.production" } });
  });

  it.each([
    { name: "no notes", meta: {}, notes: [] },
    { name: "the run's notes", meta: { notes: ["the vulnerability DB could not be refreshed"] }, notes: ["the vulnerability DB could not be refreshed"] },
  ])("carries $name", ({ meta, notes }) => {
    expect(summary(meta).notes).toEqual(notes);
  });

  it("states the DB age when known", () => {
    expect(summary({ dbUpdatedAt: "2026-11-20T03:00:00Z" }).dbAgeDays).toBe(7);
  });

  it("holds only plain JSON values, and not the secret's text", () => {
    // With the baseline, the secret is listed, as allowed by it.
    const withBaseline = summary({}, results);
    const text = JSON.stringify(withBaseline);
    expect(JSON.parse(text)).toEqual(withBaseline);
    expect(text).not.toMatch(/AWS_ACCESS_KEY_ID|\*{4}|ghp_/);
  });
});

describe("summaryJsonText", () => {
  // It writes the finding lists a chunk at a time; the text must be what serialising the whole
  // summary writes, whatever the lists hold and however many chunks they take.
  const awkward = 'quote " backslash \\ tab \t newline \n nul \u0000 lone surrogate \ud800 emoji 🙂 é';
  const many = (count: number, severity: string, extra: Record<string, unknown> = {}) =>
    Array.from({ length: count }, (_, i) => vulnerability({ VulnerabilityID: `CVE-2024-${10_000 + i}`, PkgName: `pkg-${i}`, Severity: severity, ...extra }));
  const large = [
    langResult({
      Vulnerabilities: [
        ...many(2_500, "HIGH"),
        ...many(1_100, "CRITICAL", { FixedVersion: undefined }),
        ...many(300, "LOW"),
        vulnerability({ VulnerabilityID: "CVE-2021-23337", Title: awkward, PkgPath: awkward, Severity: "HIGH" }),
      ],
      ExperimentalModifiedFindings: [suppressedVulnerability({ Statement: awkward }, { VulnerabilityID: "CVE-2017-16137" })],
    }),
    secretResult({ Target: `app/${awkward}.env`, Secrets: [secret(), secret({ StartLine: 9, EndLine: 10 })] }),
    configResult({ Misconfigurations: [misconfiguration(), misconfiguration({ ID: "DS-0026", Status: "EXCEPTION", Title: undefined, Message: awkward })] }),
  ];
  const policy = Policy.parse({
    ignoreUnfixed: true,
    ignores: [
      { id: "CVE-2021-23337", reason: awkward, expires: "2026-12-31" },
      { id: "CVE-1999-0001", reason: REASON, expires: "2026-01-01" },
    ],
  });
  const fullMeta: Partial<GateReportMeta> = {
    name: awkward,
    dbUpdatedAt: "2026-11-25T06:00:00Z",
    notes: [awkward, "the vulnerability DB could not be refreshed."],
    scanner: { trivyImage: "mirror.example/trivy:0.69.3", dbRepositories: ["mirror.example/trivy-db:2"], defaultTrivyImage: false, defaultDbRepositories: false },
    configChange: { file: "security-config.yml", sourceHasFile: true, base: "base/security-config.yml", changed: ["policy.ignores", awkward] },
  };
  const gate = (reportResults: typeof results, baselineFrom?: typeof results) => {
    const { findings, suppressed } = findingsOf(reportResults);
    const baseline = baselineFrom ? identitiesOf(findingsOf(baselineFrom).findings) : undefined;
    return evaluateGate({ findings, suppressed, policy, today: TODAY, baseline });
  };

  it.each([
    { name: "a clean report", result: () => gate([]), meta: {} },
    { name: "the small report", result: () => gate(results), meta: {} },
    { name: "thousands of findings, every reason to be let through, every optional field", result: () => gate(large, [langResult({ Vulnerabilities: many(1_500, "HIGH") })]), meta: fullMeta },
    { name: "as many failing findings as fit in one chunk, and one more", result: () => gate([langResult({ Vulnerabilities: many(1_025, "HIGH") })]), meta: {} },
  ])("is JSON.stringify of summarizeResult, and a newline: $name", ({ result, meta }) => {
    const gated = result();
    const m = { ...META, ...meta };
    expect(summaryJsonText(gated, m)).toBe(`${JSON.stringify(summarizeResult(gated, m))}\n`);
  });

  it("lists every finding of a large report once", () => {
    const summary = JSON.parse(summaryJsonText(gate(large, [langResult({ Vulnerabilities: many(1_500, "HIGH") })]), { ...META, ...fullMeta })) as ReturnType<typeof summarizeResult>;
    expect(summary.failing).toHaveLength(summary.totals.failing);
    expect(summary.allowed).toHaveLength(summary.totals.ignored + summary.totals.unfixed + summary.totals.preExisting + summary.totals.suppressed);
    expect(summary.allowed.map((a) => a.allowedBy)).toContain("baseline");
  });
});
