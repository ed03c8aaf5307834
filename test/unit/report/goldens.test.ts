/**
 * Conformance with real Trivy output: the golden reports of Trivy's own integration tests,
 * kept in ../shared/fixtures/trivy. Every expected number below was counted by hand from the
 * fixture files, not from this code.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { Policy } from "../../../dagger/src/config/schema.ts";
import { toFindings } from "../../../dagger/src/findings/findings.ts";
import { findingsIfValid } from "../../../dagger/src/findings/findings-reader.ts";
import { parseTrivyReport, readTrivyReport, REQUIRED_REPORT_FIELDS } from "../../../dagger/src/report/trivy.ts";
import { evaluateGate } from "../../../dagger/src/policy/gate.ts";
import { haveTrivyGoldens, trivyGoldensDir } from "../../support/paths.ts";

const fixtures = trivyGoldensDir;
// Skipped without ../shared; the run's one notice says so (test/support/shared-material.ts).
const haveFixtures = haveTrivyGoldens();

const read = (file: string) => readFileSync(path.join(fixtures, file), "utf8");
const today = new Date("2026-11-27T12:00:00Z");

/** `kind:severity` → number of findings, as counted in each file. */
interface Expected {
  file: string;
  counts: Record<string, number>;
  ids: string[];
  suppressed: string[];
  /** Findings that fail the default policy (HIGH/CRITICAL vulnerabilities and checks, any secret). */
  failing: number;
}

const REPORTS: Expected[] = [
  {
    file: "alpine-310.json.golden",
    counts: { "vulnerability:MEDIUM": 4 },
    ids: ["CVE-2019-1549", "CVE-2019-1551", "CVE-2019-1549", "CVE-2019-1551"],
    suppressed: [],
    failing: 0,
  },
  {
    file: "alpine-39-high-critical.json.golden",
    counts: { "vulnerability:CRITICAL": 2 },
    ids: ["CVE-2019-14697", "CVE-2019-14697"],
    suppressed: [],
    failing: 2,
  },
  { file: "dockerfile.json.golden", counts: { "misconfiguration:HIGH": 1 }, ids: ["DS-0002"], suppressed: [], failing: 1 },
  { file: "dockerfile-v0.68.json.golden", counts: { "misconfiguration:HIGH": 1 }, ids: ["DS-0002"], suppressed: [], failing: 1 },
  { file: "npm.json.golden", counts: { "vulnerability:MEDIUM": 1 }, ids: ["CVE-2019-11358"], suppressed: [], failing: 0 },
  {
    file: "pnpm.json.golden",
    counts: { "vulnerability:MEDIUM": 1, "vulnerability:CRITICAL": 1 },
    ids: ["CVE-2019-11358", "CVE-2019-10744"],
    suppressed: [],
    failing: 1,
  },
  {
    file: "npm-with-suppressed.json.golden",
    counts: { "vulnerability:HIGH": 1 },
    ids: ["CVE-2017-20165"],
    suppressed: ["CVE-2017-16137"],
    failing: 1,
  },
  {
    file: "secrets.json.golden",
    counts: { "secret:CRITICAL": 1, "secret:HIGH": 1 },
    ids: ["aws-access-key-id", "mysecret"],
    suppressed: [],
    failing: 2,
  },
];

const NOT_TRIVY_REPORTS = [
  { file: "alpine-310.sarif.golden", problem: "is a SARIF log, not a Trivy JSON report" },
  { file: "npm-cyclonedx.json.golden", problem: "is a CycloneDX SBOM, not a Trivy JSON report" },
];

function findingsIn(file: string) {
  return readTrivyReport(read(file), file);
}

function countByKindAndSeverity(findings: { kind: string; severity: string }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const f of findings) counts[`${f.kind}:${f.severity}`] = (counts[`${f.kind}:${f.severity}`] ?? 0) + 1;
  return counts;
}

describe.skipIf(!haveFixtures)("Trivy golden reports", () => {
  it("are all covered by these tests", () => {
    const covered = [...REPORTS, ...NOT_TRIVY_REPORTS].map((r) => r.file).sort();
    expect(readdirSync(fixtures).filter((f) => f.endsWith(".golden")).sort()).toEqual(covered);
  });

  it.each(REPORTS)("$file: carries every field the reader requires of a Trivy report, and is read", ({ file }) => {
    const document = JSON.parse(read(file)) as Record<string, unknown>;
    for (const field of REQUIRED_REPORT_FIELDS) expect(document[field], field).toBeTruthy();
    expect(() => parseTrivyReport(read(file), file)).not.toThrow();
  });

  it.each(REPORTS)("$file: is read in one pass exactly as the schema reads it", ({ file }) => {
    const expected = toFindings(parseTrivyReport(read(file), file));
    expect(findingsIfValid(JSON.parse(read(file)))).toStrictEqual(expected);
  });

  it.each(REPORTS)("$file: finds exactly the findings in the file", ({ file, counts, ids, suppressed }) => {
    const { findings, suppressed: hidden } = findingsIn(file);
    expect(countByKindAndSeverity(findings)).toEqual(counts);
    expect(findings.map((f) => f.id)).toEqual(ids);
    expect(hidden.map((s) => s.finding.id)).toEqual(suppressed);
  });

  it.each(REPORTS)("$file: fails the default policy with $failing findings", ({ file, failing }) => {
    const { findings, suppressed } = findingsIn(file);
    const result = evaluateGate({ findings, suppressed, policy: Policy.parse({}), today });
    expect(result.failing).toHaveLength(failing);
    expect(result.passed).toBe(failing === 0);
  });

  it.each(NOT_TRIVY_REPORTS)("$file: is rejected as not a Trivy report", ({ file, problem }) => {
    expect(() => parseTrivyReport(read(file), file)).toThrow(`${file}: ${problem}`);
  });

  it("reads both misconfiguration ID styles as one check with one identity", () => {
    const [before] = findingsIn("dockerfile-v0.68.json.golden").findings;
    const [after] = findingsIn("dockerfile.json.golden").findings;
    expect(before?.id).toBe("DS-0002");
    expect(before?.aliases).toEqual(expect.arrayContaining(["DS002", "AVD-DS-0002"]));
    expect(after?.aliases).toEqual(expect.arrayContaining(["DS002", "AVD-DS-0002"]));
    expect(before?.identity).toBe(after?.identity);
  });

  it("reads the VEX statement of a suppressed finding", () => {
    expect(findingsIn("npm-with-suppressed.json.golden").suppressed).toEqual([
      {
        finding: expect.objectContaining({ id: "CVE-2017-16137", severity: "LOW", pkgName: "debug", installedVersion: "3.0.1" }),
        status: "not_affected",
        statement: "vulnerable_code_not_in_execute_path",
        source: "./vex.json",
      },
    ]);
  });

  it("locates secrets by file and line, without the secret text the report holds", () => {
    const { findings } = findingsIn("secrets.json.golden");
    expect(findings.map((f) => f.location)).toEqual([
      { file: "deploy.sh", startLine: 3, endLine: 3 },
      { file: "deploy.sh", startLine: 7, endLine: 7 },
    ]);
    // The report's code excerpt holds an unmasked token on a line next to a finding.
    expect(read("secrets.json.golden")).toContain("ghp_0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ");
    expect(JSON.stringify(findings)).not.toContain("ghp_");
  });

  it("reads OS package vulnerabilities with their layer and purl", () => {
    const [musl] = findingsIn("alpine-39-high-critical.json.golden").findings;
    expect(musl).toMatchObject({
      pkgName: "musl",
      installedVersion: "1.1.20-r4",
      fixedVersion: "1.1.20-r5",
      purl: "pkg:apk/alpine/musl@1.1.20-r4?arch=x86_64&distro=3.9.4",
      layerDigest: "sha256:e7c96db7181be991f19a9fb6975cdbbd73c65f4a2681348e63a141a2192a5f10",
      class: "os-pkgs",
      identity: "vulnerability|CVE-2019-14697|musl|os-pkgs/alpine",
    });
  });
});
