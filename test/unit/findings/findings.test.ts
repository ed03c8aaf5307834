import { describe, expect, it } from "vitest";
import type { Finding } from "../../../dagger/src/findings/findings.ts";
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

const only = (results: Json[]): Finding => {
  const { findings } = findingsOf(results);
  expect(findings).toHaveLength(1);
  return findings[0]!;
};

describe("toFindings", () => {
  it("turns a vulnerability into a finding with its package, versions, link and layer", () => {
    expect(only([langResult({ Vulnerabilities: [vulnerability({ PkgPath: "app/node_modules/lodash/package.json", VendorIDs: ["GHSA-jf85-cpcp-j695"] })] })])).toEqual({
      kind: "vulnerability",
      id: "CVE-2019-10744",
      aliases: ["GHSA-jf85-cpcp-j695"],
      severity: "CRITICAL",
      target: "app/pnpm-lock.yaml",
      class: "lang-pkgs",
      type: "pnpm",
      title: "nodejs-lodash: prototype pollution in defaultsDeep function leading to modifying properties",
      primaryUrl: "https://avd.aquasec.com/nvd/cve-2019-10744",
      layerDigest: "sha256:9d48c3bd43c520dc2784e868a780e976b207cbf493eaff8c6596eb871cbd9609",
      pkgName: "lodash",
      pkgPath: "app/node_modules/lodash/package.json",
      purl: "pkg:npm/lodash@4.17.4",
      installedVersion: "4.17.4",
      fixedVersion: "4.17.12",
      status: "fixed",
      identity: "vulnerability|CVE-2019-10744|lodash|app/node_modules/lodash/package.json",
    });
  });

  it.each([
    { name: "absent", fixed: undefined },
    { name: "empty", fixed: "" },
  ])("treats a fixed version that is $name as no fix", ({ fixed }) => {
    expect(only([langResult({ Vulnerabilities: [vulnerability({ FixedVersion: fixed, Status: "affected" })] })]).fixedVersion).toBeUndefined();
  });

  it("uses the layer's DiffID when Trivy gives no digest", () => {
    const finding = only([langResult({ Vulnerabilities: [vulnerability({ Layer: { DiffID: "sha256:diff" } })] })]);
    expect(finding.layerDigest).toBe("sha256:diff");
  });

  it("turns a secret into a finding with its file and lines, and nothing of the secret", () => {
    const finding = only([secretResult({ Secrets: [secret({ StartLine: 3, EndLine: 4 })] })]);
    expect(finding).toEqual({
      kind: "secret",
      id: "aws-access-key-id",
      aliases: [],
      severity: "CRITICAL",
      target: "app/.env.production",
      class: "secret",
      type: undefined,
      title: "AWS Access Key ID",
      layerDigest: undefined,
      location: { file: "app/.env.production", startLine: 3, endLine: 4 },
      identity: "secret|aws-access-key-id|app/.env.production",
    });
    expect(JSON.stringify(finding)).not.toMatch(/AWS_ACCESS_KEY_ID|\*{4}|ghp_/);
  });

  it("turns a failed check into a finding under its canonical ID, keeping the old spellings", () => {
    const finding = only([configResult({ Misconfigurations: [misconfiguration({ ID: "DS002", AVDID: "AVD-DS-0002" })] })]);
    expect(finding).toMatchObject({
      kind: "misconfiguration",
      id: "DS-0002",
      aliases: ["DS002", "AVD-DS-0002"],
      severity: "HIGH",
      target: "Dockerfile",
      type: "Dockerfile Security Check",
      title: "Image user should not be 'root'",
      identity: "misconfiguration|DS-0002|Dockerfile",
    });
  });

  it.each([
    { status: "FAIL", counted: 1, suppressed: 0 },
    { status: "PASS", counted: 0, suppressed: 0 },
    { status: "EXCEPTION", counted: 0, suppressed: 1 },
  ])("counts a misconfiguration check with status $status as $counted findings and $suppressed suppressed", ({ status, counted, suppressed }) => {
    const result = findingsOf([configResult({ Misconfigurations: [misconfiguration({ Status: status })] })]);
    expect(result.findings).toHaveLength(counted);
    expect(result.suppressed).toHaveLength(suppressed);
  });

  it("lists a check excepted in the scanned configuration as suppressed, saying so", () => {
    const { suppressed } = findingsOf([configResult({ Misconfigurations: [misconfiguration({ Status: "EXCEPTION" })] })]);
    expect(suppressed[0]).toMatchObject({ status: "exception", source: "an exception in the scanned configuration", finding: { kind: "misconfiguration", id: "DS-0002" } });
  });

  it("falls back to a check's message when it has no title", () => {
    expect(only([configResult({ Misconfigurations: [misconfiguration({ Title: undefined })] })]).title).toBe(
      "Specify at least 1 USER command in Dockerfile with non-root user as argument",
    );
  });

  it("keeps suppressed findings apart, with Trivy's status, statement and source", () => {
    const { findings, suppressed } = findingsOf([
      langResult({ Vulnerabilities: [], ExperimentalModifiedFindings: [suppressedVulnerability({}, { VulnerabilityID: "CVE-2017-16137", Severity: "LOW" })] }),
    ]);
    expect(findings).toEqual([]);
    expect(suppressed).toEqual([
      {
        finding: expect.objectContaining({ kind: "vulnerability", id: "CVE-2017-16137", severity: "LOW", pkgName: "lodash" }),
        status: "not_affected",
        statement: "vulnerable_code_not_in_execute_path",
        source: "./vex.json",
      },
    ]);
  });

  it.each([
    { type: "secret", finding: secret(), kind: "secret" },
    { type: "misconfiguration", finding: misconfiguration(), kind: "misconfiguration" },
  ])("keeps a suppressed $type as a suppressed $kind finding", ({ type, finding, kind }) => {
    const { suppressed } = findingsOf([langResult({ Vulnerabilities: [], ExperimentalModifiedFindings: [{ Type: type, Status: "ignored", Source: ".trivyignore.yaml", Finding: finding }] })]);
    expect(suppressed.map((s) => [s.finding.kind, s.status, s.source])).toEqual([[kind, "ignored", ".trivyignore.yaml"]]);
  });

  it("leaves out suppressed license findings, which the gate does not judge", () => {
    const { suppressed } = findingsOf([
      langResult({ ExperimentalModifiedFindings: [{ Type: "license", Status: "ignored", Finding: { Name: "GPL-3.0", Severity: "HIGH" } }] }),
    ]);
    expect(suppressed).toEqual([]);
  });
});

describe("a finding's identity (its key in a baseline)", () => {
  const vulnIn = (result: Json, v: Json = {}) => only([{ ...result, Vulnerabilities: [vulnerability(v)] }]).identity;
  const node = { Target: "Node.js", Class: "lang-pkgs", Type: "node-pkg" };
  const os = (target: string) => ({ Target: target, Class: "os-pkgs", Type: "debian" });
  const atPath = { PkgPath: "app/node_modules/lodash/package.json" };

  it.each([
    { name: "the installed version changes", a: vulnIn(node, atPath), b: vulnIn(node, { ...atPath, InstalledVersion: "4.17.5" }) },
    { name: "the fixed version changes", a: vulnIn(node, atPath), b: vulnIn(node, { ...atPath, FixedVersion: "4.17.21" }) },
    { name: "the purl changes with the version", a: vulnIn(node, atPath), b: vulnIn(node, { ...atPath, PkgIdentifier: { PURL: "pkg:npm/lodash@4.17.5" } }) },
    { name: "the image is rebuilt (new layer digest)", a: vulnIn(node, atPath), b: vulnIn(node, { ...atPath, Layer: { Digest: "sha256:other" } }) },
    { name: "the severity is re-rated", a: vulnIn(node, atPath), b: vulnIn(node, { ...atPath, Severity: "HIGH" }) },
    { name: "the OS target names another tag and point release", a: vulnIn(os("app:1 (debian 12.5)")), b: vulnIn(os("app:2 (debian 12.6)")) },
    {
      name: "a secret moves to another line",
      a: only([secretResult({ Secrets: [secret({ StartLine: 3, EndLine: 3 })] })]).identity,
      b: only([secretResult({ Secrets: [secret({ StartLine: 30, EndLine: 31 })] })]).identity,
    },
    {
      name: "a check's ID is written in the pre-0.69 style",
      a: only([configResult({ Misconfigurations: [misconfiguration({ ID: "DS002", AVDID: "AVD-DS-0002" })] })]).identity,
      b: only([configResult({ Misconfigurations: [misconfiguration({ ID: "DS-0002" })] })]).identity,
    },
  ])("stays the same when $name", ({ a, b }) => {
    expect(a).toBe(b);
  });

  it.each([
    { name: "the vulnerability differs", a: vulnIn(node, atPath), b: vulnIn(node, { ...atPath, VulnerabilityID: "CVE-2020-8203" }) },
    { name: "the package differs", a: vulnIn(node, atPath), b: vulnIn(node, { ...atPath, PkgName: "lodash.merge" }) },
    { name: "the package sits at another path", a: vulnIn(node, atPath), b: vulnIn(node, { PkgPath: "app/node_modules/a/node_modules/lodash/package.json" }) },
    { name: "the lockfile differs", a: vulnIn({ ...node, Target: "backend/pnpm-lock.yaml" }), b: vulnIn({ ...node, Target: "frontend/pnpm-lock.yaml" }) },
    { name: "the OS family differs", a: vulnIn(os("app (debian 12.5)")), b: vulnIn({ ...os("app (ubuntu 24.04)"), Type: "ubuntu" }) },
    {
      name: "a secret is in another file",
      a: only([secretResult({ Target: "app/.env" })]).identity,
      b: only([secretResult({ Target: "app/.env.local" })]).identity,
    },
    {
      name: "a secret matches another rule",
      a: only([secretResult()]).identity,
      b: only([secretResult({ Secrets: [secret({ RuleID: "github-pat" })] })]).identity,
    },
    {
      name: "a check fails in another file",
      a: only([configResult()]).identity,
      b: only([configResult({ Target: "Dockerfile.frontend" })]).identity,
    },
    {
      name: "the same ID is a different kind of finding",
      a: only([osResult({ Vulnerabilities: [vulnerability({ VulnerabilityID: "X-1", PkgName: "Dockerfile", PkgPath: "Dockerfile" })] })]).identity,
      b: only([configResult({ Misconfigurations: [misconfiguration({ ID: "X-1" })] })]).identity,
    },
  ])("changes when $name", ({ a, b }) => {
    expect(a).not.toBe(b);
  });
});
