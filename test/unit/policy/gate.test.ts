import { describe, expect, it } from "vitest";
import { Policy, type Ignore } from "../../../dagger/src/config/schema.ts";
import { identitiesOf, type Finding } from "../../../dagger/src/findings/findings.ts";
import { evaluateGate, type GateResult } from "../../../dagger/src/policy/gate.ts";
import {
  configResult,
  findingsOf,
  langResult,
  misconfiguration,
  osResult,
  secret,
  secretResult,
  suppressedVulnerability,
  vulnerability,
} from "../../support/trivy-reports.ts";

type Json = Record<string, unknown>;

const TODAY = new Date("2026-11-27T12:00:00Z");
const REASON = "The vulnerable code path is never called by the application.";

const exception = (overrides: Partial<Ignore> = {}): Ignore => ({ id: "CVE-2019-10744", reason: REASON, expires: "2026-12-31", ...overrides });

function gate(results: Json[], policy: Json = {}, baseline?: Finding[]): GateResult {
  const { findings, suppressed } = findingsOf(results);
  return evaluateGate({ findings, suppressed, policy: Policy.parse(policy), today: TODAY, baseline: baseline && identitiesOf(baseline) });
}

const BUCKETS = ["failing", "ignored", "belowThreshold", "unfixed", "preExisting"] as const;

/** Where the report's findings went: bucket name per finding, in report order of buckets. */
function bucketsOf(result: GateResult): string[] {
  return BUCKETS.flatMap((bucket) => result[bucket].map(() => bucket));
}

const vulnReport = (v: Json = {}) => [langResult({ Vulnerabilities: [vulnerability(v)] })];
const secretReport = (s: Json = {}) => [secretResult({ Secrets: [secret(s)] })];
const checkReport = (m: Json = {}) => [configResult({ Misconfigurations: [misconfiguration(m)] })];

describe("evaluateGate: severity thresholds", () => {
  it.each([
    { name: "a CRITICAL vulnerability fails by default", report: vulnReport({ Severity: "CRITICAL" }), policy: {}, bucket: "failing" },
    { name: "a HIGH vulnerability fails by default", report: vulnReport({ Severity: "HIGH" }), policy: {}, bucket: "failing" },
    { name: "a MEDIUM vulnerability passes by default", report: vulnReport({ Severity: "MEDIUM" }), policy: {}, bucket: "belowThreshold" },
    { name: "an UNKNOWN vulnerability passes by default", report: vulnReport({ Severity: "UNKNOWN" }), policy: {}, bucket: "belowThreshold" },
    { name: "a LOW secret fails by default", report: secretReport({ Severity: "LOW" }), policy: {}, bucket: "failing" },
    { name: "a HIGH check fails by default", report: checkReport({ Severity: "HIGH" }), policy: {}, bucket: "failing" },
    { name: "a MEDIUM check passes by default", report: checkReport({ Severity: "MEDIUM" }), policy: {}, bucket: "belowThreshold" },
    {
      name: "a MEDIUM vulnerability fails when MEDIUM is listed",
      report: vulnReport({ Severity: "MEDIUM" }),
      policy: { failOn: { vulnerabilities: ["MEDIUM"] } },
      bucket: "failing",
    },
    {
      name: "a CRITICAL vulnerability passes when vulnerabilities fail on nothing",
      report: vulnReport({ Severity: "CRITICAL" }),
      policy: { failOn: { vulnerabilities: [] } },
      bucket: "belowThreshold",
    },
    {
      name: "a HIGH secret passes when secrets fail on CRITICAL only",
      report: secretReport({ Severity: "HIGH" }),
      policy: { failOn: { secrets: ["CRITICAL"] } },
      bucket: "belowThreshold",
    },
    {
      name: "one kind's threshold does not apply to another",
      report: checkReport({ Severity: "LOW" }),
      policy: { failOn: { vulnerabilities: ["LOW"], secrets: ["LOW"] } },
      bucket: "belowThreshold",
    },
  ])("$name", ({ report, policy, bucket }) => {
    const result = gate(report, policy);
    expect(bucketsOf(result)).toEqual([bucket]);
    expect(result.passed).toBe(bucket !== "failing");
  });
});

describe("evaluateGate: ignoreUnfixed", () => {
  it.each([
    { name: "an unfixed CRITICAL vulnerability does not fail", ignoreUnfixed: true, v: { FixedVersion: undefined, Status: "affected" }, bucket: "unfixed" },
    { name: "a fixed CRITICAL vulnerability still fails", ignoreUnfixed: true, v: {}, bucket: "failing" },
    { name: "an unfixed MEDIUM vulnerability is below the threshold first", ignoreUnfixed: true, v: { FixedVersion: undefined, Severity: "MEDIUM" }, bucket: "belowThreshold" },
    { name: "off, an unfixed CRITICAL vulnerability fails", ignoreUnfixed: false, v: { FixedVersion: undefined }, bucket: "failing" },
  ])("$name", ({ ignoreUnfixed, v, bucket }) => {
    expect(bucketsOf(gate(vulnReport(v), { ignoreUnfixed }))).toEqual([bucket]);
  });

  it("does not apply to secrets or misconfigurations, which have no fixed version", () => {
    expect(bucketsOf(gate([...secretReport(), ...checkReport()], { ignoreUnfixed: true }))).toEqual(["failing", "failing"]);
  });
});

describe("evaluateGate: which findings an exception matches", () => {
  const scopedPkg = { PkgName: "@babel/traverse", InstalledVersion: "7.22.0", PkgIdentifier: { PURL: "pkg:npm/%40babel/traverse@7.22.0" }, VulnerabilityID: "CVE-2023-45133" };
  const musl = osResult({
    Vulnerabilities: [vulnerability({ VulnerabilityID: "CVE-2019-14697", PkgName: "musl", PkgIdentifier: { PURL: "pkg:apk/alpine/musl@1.1.20-r4?arch=x86_64&distro=3.9.4" } })],
  });

  it.each([
    { name: "its ID", report: vulnReport(), ignore: exception(), matches: true },
    { name: "its ID in lower case", report: vulnReport(), ignore: exception({ id: "cve-2019-10744" }), matches: true },
    { name: "a vendor ID alias", report: vulnReport({ VendorIDs: ["GHSA-jf85-cpcp-j695"] }), ignore: exception({ id: "GHSA-jf85-cpcp-j695" }), matches: true },
    { name: "not another ID", report: vulnReport(), ignore: exception({ id: "CVE-2020-8203" }), matches: false },
    { name: "a v0.69+ check by its old ID", report: checkReport({ ID: "DS-0002" }), ignore: exception({ id: "DS002" }), matches: true },
    { name: "a v0.69+ check by its AVD ID", report: checkReport({ ID: "DS-0002" }), ignore: exception({ id: "AVD-DS-0002" }), matches: true },
    { name: "a pre-0.69 check by its new ID", report: checkReport({ ID: "DS002", AVDID: "AVD-DS-0002" }), ignore: exception({ id: "DS-0002" }), matches: true },
    { name: "a pre-0.69 check by its old ID", report: checkReport({ ID: "DS002", AVDID: "AVD-DS-0002" }), ignore: exception({ id: "DS002" }), matches: true },
    { name: "a check by an ID written in lower case without zero padding", report: checkReport({ ID: "DS-0002" }), ignore: exception({ id: "ds-2" }), matches: true },
    { name: "a secret by its rule", report: secretReport(), ignore: exception({ id: "aws-access-key-id" }), matches: true },
    { name: "its target by glob", report: vulnReport(), ignore: exception({ paths: ["app/*.yaml"] }), matches: true },
    { name: "not another target", report: vulnReport(), ignore: exception({ paths: ["backend/**"] }), matches: false },
    { name: "its package path by glob", report: vulnReport({ PkgPath: "app/node_modules/lodash/package.json" }), ignore: exception({ paths: ["**/node_modules/lodash/**"] }), matches: true },
    { name: "a secret's dotfile by glob", report: secretReport(), ignore: exception({ id: "aws-access-key-id", paths: ["app/*"] }), matches: true },
    { name: "a path written with a leading slash", report: secretReport(), ignore: exception({ id: "aws-access-key-id", paths: ["/app/.env.production"] }), matches: true },
    { name: "a path Trivy wrote with a leading slash", report: [secretResult({ Target: "/app/.env" })], ignore: exception({ id: "aws-access-key-id", paths: ["app/.env"] }), matches: true },
    { name: "any version, by a purl without version", report: vulnReport(), ignore: exception({ purls: ["pkg:npm/lodash"] }), matches: true },
    { name: "its version, by a purl with version", report: vulnReport(), ignore: exception({ purls: ["pkg:npm/lodash@4.17.4"] }), matches: true },
    { name: "not another version", report: vulnReport(), ignore: exception({ purls: ["pkg:npm/lodash@4.17.5"] }), matches: false },
    { name: "not another package", report: vulnReport(), ignore: exception({ purls: ["pkg:npm/lodash.merge"] }), matches: false },
    { name: "one of several purls", report: vulnReport(), ignore: exception({ purls: ["pkg:npm/underscore", "pkg:npm/lodash"] }), matches: true },
    { name: "a scoped npm package written with @", report: vulnReport(scopedPkg), ignore: exception({ id: "CVE-2023-45133", purls: ["pkg:npm/@babel/traverse"] }), matches: true },
    { name: "an OS package ignoring the report's qualifiers", report: [musl], ignore: exception({ id: "CVE-2019-14697", purls: ["pkg:apk/alpine/musl@1.1.20-r4"] }), matches: true },
    { name: "an OS package by a qualifier it has", report: [musl], ignore: exception({ id: "CVE-2019-14697", purls: ["pkg:apk/alpine/musl?arch=x86_64"] }), matches: true },
    { name: "not an OS package by a qualifier it lacks", report: [musl], ignore: exception({ id: "CVE-2019-14697", purls: ["pkg:apk/alpine/musl?arch=aarch64"] }), matches: false },
    { name: "not a vulnerability without a purl", report: vulnReport({ PkgIdentifier: undefined }), ignore: exception({ purls: ["pkg:npm/lodash"] }), matches: false },
    { name: "not a secret, by purl", report: secretReport(), ignore: exception({ id: "aws-access-key-id", purls: ["pkg:npm/lodash"] }), matches: false },
    { name: "paths and purls together", report: vulnReport(), ignore: exception({ paths: ["app/**"], purls: ["pkg:npm/lodash"] }), matches: true },
    { name: "not when only the purl of paths and purls matches", report: vulnReport(), ignore: exception({ paths: ["web/**"], purls: ["pkg:npm/lodash"] }), matches: false },
  ])("matches $name", ({ report, ignore, matches }) => {
    const result = gate(report, { ignores: [ignore] });
    expect(bucketsOf(result)).toEqual([matches ? "ignored" : "failing"]);
    expect(result.warnings.map((w) => w.code)).toEqual(matches ? [] : ["exception-unused"]);
  });

  it("records which exception accepted a finding", () => {
    const ignores = [exception({ id: "CVE-2020-8203" }), exception()];
    const result = gate(vulnReport(), { ignores });
    expect(result.ignored).toEqual([{ finding: expect.objectContaining({ id: "CVE-2019-10744" }), exception: { index: 1, ignore: ignores[1] } }]);
  });

  it("credits the first of several matching exceptions and counts none of them unused", () => {
    const result = gate(vulnReport(), { ignores: [exception({ paths: ["app/**"] }), exception({ purls: ["pkg:npm/lodash"] })] });
    expect(result.ignored.map((i) => i.exception.index)).toEqual([0]);
    expect(result.warnings).toEqual([]);
  });
});

describe("evaluateGate: exception expiry and length", () => {
  it.each([
    { name: "expired yesterday and still matching", expires: "2026-11-26", report: vulnReport(), bucket: "failing", errors: ["exception-expired"], warnings: [] },
    { name: "expired and matching only a finding below the threshold", expires: "2026-11-26", report: vulnReport({ Severity: "LOW" }), bucket: "belowThreshold", errors: ["exception-expired"], warnings: [] },
    { name: "expired and matching nothing", expires: "2026-11-26", report: vulnReport({ VulnerabilityID: "CVE-1" }), bucket: "failing", errors: [], warnings: ["exception-stale"] },
    { name: "on its last day", expires: "2026-11-27", report: vulnReport(), bucket: "ignored", errors: [], warnings: ["exception-expiring"] },
    { name: "with 13 days left", expires: "2026-12-10", report: vulnReport(), bucket: "ignored", errors: [], warnings: ["exception-expiring"] },
    { name: "with 14 days left", expires: "2026-12-11", report: vulnReport(), bucket: "ignored", errors: [], warnings: [] },
    { name: "running exactly the longest allowed (90 days)", expires: "2027-02-25", report: vulnReport(), bucket: "ignored", errors: [], warnings: [] },
    { name: "running one day too long", expires: "2027-02-26", report: vulnReport(), bucket: "failing", errors: ["exception-too-long"], warnings: [] },
    { name: "running too long and matching nothing", expires: "2030-01-01", report: vulnReport({ VulnerabilityID: "CVE-1" }), bucket: "failing", errors: ["exception-too-long"], warnings: ["exception-unused"] },
    { name: "active and matching nothing", expires: "2026-12-31", report: vulnReport({ VulnerabilityID: "CVE-1" }), bucket: "failing", errors: [], warnings: ["exception-unused"] },
  ])("an exception $name", ({ expires, report, bucket, errors, warnings }) => {
    const result = gate(report, { ignores: [exception({ expires })] });
    expect(bucketsOf(result)).toEqual([bucket]);
    expect(result.errors.map((e) => e.code)).toEqual(errors);
    expect(result.warnings.map((w) => w.code)).toEqual(warnings);
    expect(result.passed).toBe(bucket !== "failing" && errors.length === 0);
  });

  it.each([
    { expiryWarningDays: 0, expires: "2026-11-27", warns: false },
    { expiryWarningDays: 1, expires: "2026-11-27", warns: true },
    { expiryWarningDays: 1, expires: "2026-11-28", warns: false },
    { expiryWarningDays: 30, expires: "2026-12-26", warns: true },
  ])("with expiryWarningDays $expiryWarningDays, an exception expiring $expires warns: $warns", ({ expiryWarningDays, expires, warns }) => {
    const result = gate(vulnReport(), { expiryWarningDays, ignores: [exception({ expires })] });
    expect(result.warnings.map((w) => w.code)).toEqual(warns ? ["exception-expiring"] : []);
  });

  it("honours a shorter maxExceptionDays", () => {
    const result = gate(vulnReport(), { maxExceptionDays: 30, ignores: [exception({ expires: "2026-12-31" })] });
    expect(result.errors.map((e) => e.code)).toEqual(["exception-too-long"]);
    expect(result.passed).toBe(false);
  });

  it.each([
    {
      name: "an expired exception still matching",
      ignores: [exception({ id: "CVE-2020-8203" }), exception({ expires: "2025-01-31" })],
      report: [langResult({ Vulnerabilities: [vulnerability(), vulnerability({ PkgPath: "app/node_modules/lodash/package.json" })] })],
      text: "policy.ignores[1] (CVE-2019-10744): expired on 2025-01-31 and still matches 2 findings — renew the exception with a new reason or fix the findings",
      field: "errors" as const,
    },
    {
      name: "a too-long exception",
      ignores: [exception({ expires: "2027-06-01" })],
      report: vulnReport(),
      text: "policy.ignores[0] (CVE-2019-10744): expires 2027-06-01, 186 days after 2026-11-27, but exceptions may run at most 90 days (policy.maxExceptionDays) — set an earlier expiry; it is not applied until then",
      field: "errors" as const,
    },
    {
      name: "an expiring exception",
      ignores: [exception({ expires: "2026-11-28" })],
      report: vulnReport(),
      text: "policy.ignores[0] (CVE-2019-10744): expires on 2026-11-28 (1 day left) — renew it or fix the finding",
      field: "warnings" as const,
    },
    {
      name: "an unused exception",
      ignores: [exception({ id: "CVE-2020-8203" })],
      report: vulnReport(),
      text: "policy.ignores[0] (CVE-2020-8203): matches no finding in this report — remove it if the finding is gone",
      field: "warnings" as const,
    },
    {
      name: "a stale exception",
      ignores: [exception({ id: "CVE-2020-8203", expires: "2026-01-01" })],
      report: vulnReport(),
      text: "policy.ignores[0] (CVE-2020-8203): expired on 2026-01-01 and matches no finding — remove it",
      field: "warnings" as const,
    },
  ])("names $name in its config position with what to do", ({ ignores, report, text, field }) => {
    const result = gate(report, { ignores });
    expect(result[field].map((n) => n.message)).toContain(text);
  });

  it("fails on an expired exception even when a renewed one accepts the finding", () => {
    const result = gate(vulnReport(), { ignores: [exception({ expires: "2026-11-01", paths: ["app/**"] }), exception({ expires: "2026-12-31" })] });
    expect(bucketsOf(result)).toEqual(["ignored"]);
    expect(result.ignored[0]?.exception.index).toBe(1);
    expect(result.errors.map((e) => [e.code, e.exception.index, e.matched])).toEqual([["exception-expired", 0, 1]]);
    expect(result.passed).toBe(false);
  });

  it("compares days in UTC, whatever the caller's time zone", () => {
    const lateEvening = new Date("2026-11-27T23:30:00-05:00");
    const { findings, suppressed } = findingsOf(vulnReport());
    const result = evaluateGate({ findings, suppressed, policy: Policy.parse({ ignores: [exception({ expires: "2026-11-27" })] }), today: lateEvening });
    expect(result.evaluatedOn).toBe("2026-11-28");
    expect(result.errors.map((e) => e.code)).toEqual(["exception-expired"]);
  });
});

describe("evaluateGate: baseline", () => {
  const previous = findingsOf([langResult({ Vulnerabilities: [vulnerability({ PkgPath: "app/node_modules/lodash/package.json", InstalledVersion: "4.17.3" })] })]).findings;

  it.each([
    { name: "a finding already in the baseline is pre-existing", v: { PkgPath: "app/node_modules/lodash/package.json" }, bucket: "preExisting" },
    { name: "a new vulnerability fails", v: { PkgPath: "app/node_modules/lodash/package.json", VulnerabilityID: "CVE-2020-8203" }, bucket: "failing" },
    { name: "the same vulnerability in another copy of the package fails", v: { PkgPath: "app/node_modules/x/node_modules/lodash/package.json" }, bucket: "failing" },
    { name: "a below-threshold finding stays below the threshold", v: { PkgPath: "app/node_modules/lodash/package.json", Severity: "LOW" }, bucket: "belowThreshold" },
  ])("$name", ({ v, bucket }) => {
    const result = gate(vulnReport(v), {}, previous);
    expect(bucketsOf(result)).toEqual([bucket]);
    expect(result.baselineUsed).toBe(true);
  });

  it("with an empty baseline, every failing finding is new", () => {
    expect(bucketsOf(gate(vulnReport(), {}, []))).toEqual(["failing"]);
  });

  it("without a baseline, nothing is pre-existing", () => {
    const result = gate(vulnReport({ PkgPath: "app/node_modules/lodash/package.json" }));
    expect(result.baselineUsed).toBe(false);
    expect(bucketsOf(result)).toEqual(["failing"]);
  });
});

describe("evaluateGate: result", () => {
  const mixed = [
    osResult(),
    langResult({
      Vulnerabilities: [
        vulnerability(),
        vulnerability({ VulnerabilityID: "CVE-2020-8203", Severity: "HIGH", FixedVersion: undefined }),
        vulnerability({ VulnerabilityID: "CVE-2021-23337", Severity: "HIGH" }),
        vulnerability({ VulnerabilityID: "CVE-2020-28500", Severity: "MEDIUM" }),
      ],
      ExperimentalModifiedFindings: [suppressedVulnerability({}, { VulnerabilityID: "CVE-2018-16487", Severity: "CRITICAL" })],
    }),
    secretResult({ Secrets: [secret(), secret({ RuleID: "github-pat", Severity: "HIGH" })] }),
    configResult({ Misconfigurations: [misconfiguration(), misconfiguration({ ID: "DS-0026", Severity: "LOW" }), misconfiguration({ ID: "DS-0001", Status: "PASS" })] }),
  ];
  const result = gate(mixed, { ignoreUnfixed: true, ignores: [exception({ id: "CVE-2021-23337" })] });

  it("puts each finding in exactly one bucket", () => {
    expect(BUCKETS.map((b) => [b, result[b].map((f) => ("finding" in f ? f.finding.id : f.id))])).toEqual([
      ["failing", ["CVE-2023-4911", "CVE-2019-10744", "aws-access-key-id", "github-pat", "DS-0002"]],
      ["ignored", ["CVE-2021-23337"]],
      ["belowThreshold", ["CVE-2020-28500", "DS-0026"]],
      ["unfixed", ["CVE-2020-8203"]],
      ["preExisting", []],
    ]);
  });

  it("counts all and failing findings by kind and severity", () => {
    expect(result.counts.all).toEqual({
      vulnerability: { UNKNOWN: 0, LOW: 0, MEDIUM: 1, HIGH: 3, CRITICAL: 1 },
      secret: { UNKNOWN: 0, LOW: 0, MEDIUM: 0, HIGH: 1, CRITICAL: 1 },
      misconfiguration: { UNKNOWN: 0, LOW: 1, MEDIUM: 0, HIGH: 1, CRITICAL: 0 },
    });
    expect(result.counts.failing).toEqual({
      vulnerability: { UNKNOWN: 0, LOW: 0, MEDIUM: 0, HIGH: 1, CRITICAL: 1 },
      secret: { UNKNOWN: 0, LOW: 0, MEDIUM: 0, HIGH: 1, CRITICAL: 1 },
      misconfiguration: { UNKNOWN: 0, LOW: 0, MEDIUM: 0, HIGH: 1, CRITICAL: 0 },
    });
  });

  it("reports suppressed findings without counting or failing them", () => {
    expect(result.suppressed.map((s) => s.finding.id)).toEqual(["CVE-2018-16487"]);
    const onlySuppressed = gate([langResult({ Vulnerabilities: [], ExperimentalModifiedFindings: [suppressedVulnerability()] })]);
    expect(onlySuppressed.passed).toBe(true);
    expect(onlySuppressed.counts.all.vulnerability.CRITICAL).toBe(0);
  });

  it("states the day and the thresholds it applied", () => {
    expect(result.evaluatedOn).toBe("2026-11-27");
    expect(result.failOn).toEqual({ vulnerabilities: ["HIGH", "CRITICAL"], secrets: ["UNKNOWN", "LOW", "MEDIUM", "HIGH", "CRITICAL"], misconfigurations: ["HIGH", "CRITICAL"] });
    expect(result.ignoreUnfixed).toBe(true);
  });

  it("passes a report without findings", () => {
    expect(gate([]).passed).toBe(true);
  });
});

describe("evaluateGate: allowed", () => {
  const previous = findingsOf(vulnReport({ VulnerabilityID: "CVE-2021-44906", PkgName: "minimist" })).findings;
  const report = [
    langResult({
      Vulnerabilities: [
        vulnerability(),
        vulnerability({ VulnerabilityID: "CVE-2020-8203", FixedVersion: undefined, Status: "will_not_fix" }),
        vulnerability({ VulnerabilityID: "CVE-2021-44906", PkgName: "minimist" }),
        vulnerability({ VulnerabilityID: "CVE-2021-23337", Severity: "LOW" }),
        vulnerability({ VulnerabilityID: "CVE-2020-28500", Severity: "MEDIUM" }),
      ],
      ExperimentalModifiedFindings: [suppressedVulnerability({}, { VulnerabilityID: "CVE-2018-16487" })],
    }),
  ];
  const ignores = [exception({ id: "CVE-2021-23337" })];
  const result = gate(report, { ignoreUnfixed: true, ignores }, previous);

  it("names each finding let through with why: exception, unfixed, baseline or Trivy's suppression", () => {
    expect(result.allowed).toEqual([
      { allowedBy: "unfixed", finding: expect.objectContaining({ id: "CVE-2020-8203", status: "will_not_fix" }) },
      { allowedBy: "baseline", finding: expect.objectContaining({ id: "CVE-2021-44906", pkgName: "minimist" }) },
      { allowedBy: "exception", finding: expect.objectContaining({ id: "CVE-2021-23337", severity: "LOW" }), exception: { index: 0, ignore: ignores[0] } },
      {
        allowedBy: "suppressed",
        finding: expect.objectContaining({ id: "CVE-2018-16487" }),
        status: "not_affected",
        statement: "vulnerable_code_not_in_execute_path",
        source: "./vex.json",
      },
    ]);
  });

  it("holds the same findings as the buckets it summarises, and nothing below the threshold or failing", () => {
    const byBucket = [...result.ignored.map((i) => i.finding), ...result.unfixed, ...result.preExisting, ...result.suppressed.map((s) => s.finding)];
    expect(new Set(result.allowed.map((a) => a.finding))).toEqual(new Set(byBucket));
    expect(result.allowed.map((a) => a.finding.id)).not.toContain("CVE-2020-28500");
    expect(result.allowed.map((a) => a.finding.id)).not.toContain("CVE-2019-10744");
  });

  it("carries what a Finding object needs, the package and versions included", () => {
    const [unfixed] = result.allowed;
    expect(unfixed?.finding).toMatchObject({
      id: "CVE-2020-8203",
      kind: "vulnerability",
      severity: "CRITICAL",
      target: "app/pnpm-lock.yaml",
      pkgName: "lodash",
      installedVersion: "4.17.4",
      title: expect.any(String),
    });
    expect(unfixed?.finding.fixedVersion).toBeUndefined();
  });

  it("is empty when the policy let nothing through", () => {
    expect(gate(vulnReport()).allowed).toEqual([]);
  });
});

describe("evaluateGate: notices are plain text", () => {
  it.each([
    { name: "an expiring exception", ignore: exception({ expires: "2026-11-30" }), code: "exception-expiring" },
    { name: "an unused exception", ignore: exception({ id: "CVE-2020-8203" }), code: "exception-unused" },
    { name: "an exception running too long", ignore: exception({ expires: "2027-12-31" }), code: "exception-too-long" },
  ])("names $name as policy.ignores[0], without Markdown escapes", ({ ignore, code }) => {
    const result = gate(vulnReport(), { ignores: [ignore] });
    const notice = [...result.errors, ...result.warnings].find((n) => n.code === code)!;
    expect(notice.message).toBe(`policy.ignores[0] (${ignore.id}): ${notice.detail}`);
    expect(notice.message).not.toMatch(/[\\`*_]/);
    expect(notice.detail).not.toContain("policy.ignores[0]");
  });
});

describe("evaluateGate: bad input", () => {
  const { findings, suppressed } = findingsOf(vulnReport());

  it("rejects an invalid day, naming the argument", () => {
    expect(() => evaluateGate({ findings, suppressed, policy: Policy.parse({}), today: new Date("not a day") })).toThrow(
      "evaluateGate: today: expected a valid Date, found Invalid Date",
    );
  });

  it("rejects an exception whose expiry is not a date, naming where it is", () => {
    const policy = { ...Policy.parse({}), ignores: [exception({ expires: "31/12/2026" })] };
    expect(() => evaluateGate({ findings, suppressed, policy, today: TODAY })).toThrow(
      'policy.ignores[0].expires: expected a date written YYYY-MM-DD, found "31/12/2026"',
    );
  });
});
