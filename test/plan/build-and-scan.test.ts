/**
 * buildAndScan(baseline?) and the imagesPassPolicy check against the fake engine: one verdict
 * over both images and the lint, the reports folder, and the baseline folder.
 */
import { dag, ExecError, type Directory } from "@dagger.io/dagger";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../dagger/src/config/errors.ts";
import { GateFailedError } from "../../dagger/src/objects/gate-error.ts";
import { SourceError } from "../../dagger/src/source.ts";
import { execStartsWith, useFakeEngine, withEngine } from "../support/fake-engine/index.js";
import { answerTrivy, drydock, MINIMAL_APPS, rejectionOf, reportText, useTempSources } from "../support/plan-helpers.js";
import { debianZlibResult, langResult, vulnerability } from "../support/trivy-reports.js";

const engine = useFakeEngine();
const tempSource = useTempSources();

const lodash = vulnerability();
const minimist = vulnerability({ VulnerabilityID: "CVE-2021-44906", PkgName: "minimist", InstalledVersion: "1.2.5", FixedVersion: "1.2.6", Title: "minimist: prototype pollution" });
const clean = reportText();
const zlib = debianZlibResult();
const withLodash = reportText([langResult({ Vulnerabilities: [lodash] })]);
const withLodashAndMinimist = reportText([langResult({ Vulnerabilities: [lodash, minimist] })]);

/** A folder shaped like `build-and-scan reports export` writes, holding the given reports. */
const baselineOf = (reports: Partial<Record<"backend" | "frontend" | "lint", string>>): Directory =>
  Object.entries(reports).reduce((dir, [scan, text]) => dir.withNewFile(`${scan}/trivy.json`, text), dag.directory());

describe("buildAndScan", () => {
  it("passes when both images and the lint pass, with one summary of the three in order", async () => {
    answerTrivy(engine);
    const report = await withEngine(engine, () => drydock().buildAndScan());
    expect(report.passed).toBe(true);
    expect(report.gate()).toBe(report.summary);
    const parts = report.summary.split("\n\n---\n\n");
    expect(parts.map((p) => /Security gate passed: (\w+)/.exec(p)?.[1])).toEqual(["backend", "frontend", "lint"]);
    // examples/app accepts a Debian zlib1g CVE that no image here has: said once, for the whole run.
    const unused = "> **Warning:** `policy.ignores[0]` (`CVE-2023-45853`) matches no finding in any scan — remove it if the finding is gone.\n\n";
    expect(report.summary).toBe(`${unused}${[report.backendScan(), report.frontendScan(), report.lint].map((s) => s.summary.trimEnd()).join("\n\n---\n\n")}\n`);
  });

  it("does not call an exception unused in one scan when another scan uses it", async () => {
    answerTrivy(engine, { backend: reportText([zlib]) });
    const report = await withEngine(engine, () => drydock().buildAndScan());
    expect(report.passed).toBe(true);
    expect(report.backendScan().summary).toContain("CVE-2023-45853");
    for (const scan of [report.backendScan(), report.frontendScan(), report.lint]) expect(scan.summary).not.toContain("matches no finding");
    expect(report.summary).not.toContain("matches no finding");
  });

  it("still calls an exception unused when a scan runs on its own", async () => {
    answerTrivy(engine);
    const scan = await withEngine(engine, () => drydock().lint());
    expect(scan.summary).toContain("`policy.ignores[0]` (`CVE-2023-45853`): matches no finding in this report");
  });

  it("fails on a finding in one image, names it, and still exports every report", async () => {
    answerTrivy(engine, { frontend: withLodash });
    const { report, entries, summary } = await withEngine(engine, async () => {
      const report = await drydock().buildAndScan();
      const dir = report.reports();
      const entries = Object.fromEntries(
        await Promise.all(["backend", "frontend", "lint"].map(async (scan) => [scan, await dir.directory(scan).entries()] as const)),
      );
      return { report, entries: { root: await dir.entries(), ...entries }, summary: await dir.file("summary.md").contents() };
    });
    expect([report.passed, report.backendScan().passed, report.frontendScan().passed, report.lint.passed]).toEqual([false, true, false, true]);
    expect(() => report.gate()).toThrow(GateFailedError);
    expect(() => report.gate()).toThrow(report.summary);
    expect(report.summary).toContain("## ❌ Security gate failed: frontend");
    expect(entries).toEqual({
      root: ["backend/", "frontend/", "lint/", "summary.md"],
      backend: ["sbom.cdx.json", "summary.json", "summary.md", "trivy.json", "trivy.sarif"],
      frontend: ["sbom.cdx.json", "summary.json", "summary.md", "trivy.json", "trivy.sarif"],
      lint: ["summary.json", "summary.md", "trivy.json", "trivy.sarif"],
    });
    expect(summary).toBe(report.summary);
  });

  it("fails only on findings new since the baseline folder", async () => {
    answerTrivy(engine, { backend: withLodash, frontend: withLodashAndMinimist });
    const report = await withEngine(engine, () => drydock().buildAndScan(baselineOf({ backend: withLodash, frontend: withLodash, lint: clean })));
    expect(report.backendScan().passed).toBe(true);
    expect(report.backendScan().summary).toContain("1 pre-existing (in the baseline)");
    expect(report.frontendScan().passed).toBe(false);
    expect(report.frontendScan().summary).toContain("CVE-2021-44906");
    expect(report.passed).toBe(false);
  });

  it("refuses an invalid config before anything runs", async () => {
    const dir = tempSource({ ...MINIMAL_APPS, "security-config.yml": "scanner:\n  trivyImage: aquasec/trivy:latest\n" });
    const error = await rejectionOf(withEngine(engine, () => drydock(dir).buildAndScan()));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toContain("security-config.yml: scanner.trivyImage:");
    expect(engine.queries.filter((q) => q.includes("withExec"))).toEqual([]);
  });

  it("fails a broken build with the build's own error, not as a scanner failure", async () => {
    answerTrivy(engine);
    engine.addRule({ when: execStartsWith("pnpm", "install"), exitCode: 1, stderr: "ERR_PNPM_OUTDATED_LOCKFILE  Cannot install with \"frozen-lockfile\"\n" });
    const error = await rejectionOf(withEngine(engine, () => drydock().buildAndScan()));
    expect(error).toBeInstanceOf(ExecError);
    expect(error).toMatchObject({ cmd: ["pnpm", "install", "--frozen-lockfile", "--offline", "--store-dir=/pnpm/store", "--filter", "{.}..."], exitCode: 1 });
    expect(engine.execs().filter((e) => e.args.includes("--input")), "no image is scanned").toEqual([]);
  });

  it.each([
    { missing: "backend", given: { frontend: clean, lint: clean } },
    { missing: "frontend", given: { backend: clean, lint: clean } },
    { missing: "lint", given: { backend: clean, frontend: clean } },
  ])("refuses a baseline folder without $missing/trivy.json, naming it", async ({ missing, given }) => {
    answerTrivy(engine);
    const error = await rejectionOf(withEngine(engine, () => drydock().buildAndScan(baselineOf(given))));
    expect(error).toBeInstanceOf(SourceError);
    expect(error.message).toBe(
      `--baseline: found no ${missing}/trivy.json, expected the reports of an earlier run — pass the folder written by \`build-and-scan reports export\` (it holds backend/, frontend/ and lint/ with trivy.json each)`,
    );
  });
});

describe("imagesPassPolicy", () => {
  it("passes when both images pass", async () => {
    answerTrivy(engine);
    await expect(withEngine(engine, () => drydock().imagesPassPolicy())).resolves.toBeUndefined();
    expect(engine.execs().filter((e) => e.args[0] === "trivy" && e.args.includes("--input"))).toHaveLength(2);
  });

  it("fails with both images' summaries when one fails", async () => {
    answerTrivy(engine, { backend: withLodash });
    const error = await rejectionOf(withEngine(engine, () => drydock().imagesPassPolicy()));
    expect(error).toBeInstanceOf(GateFailedError);
    expect(error.message).toContain("## ❌ Security gate failed: backend");
    expect(error.message).toContain("## ✅ Security gate passed: frontend");
  });
});
