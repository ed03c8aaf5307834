/**
 * The plan's own Trivy command lines, run for real on the images the e2e builds: the pinned Trivy
 * built from its Go module, the planted DB, no network. What it reports goes through drydock's
 * gate — directly, and replayed through the module by the fake engine — and its SARIF and
 * CycloneDX conversions are checked against what CI tools accept.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { parseSecurityConfig } from "../../dagger/src/config/load.ts";
import { judgeReport } from "../../dagger/src/scan/verdict.ts";
import { APPS, ensureBuilt, type App } from "../support/docker/app-images.ts";
import { appBuild, imageTag } from "../support/docker/e2e-context.ts";
import { REPO_ROOT } from "../support/docker/engine.ts";
import { useFakeEngine, withEngine } from "../support/fake-engine/index.js";
import { answerTrivy, drydock, EXAMPLE_APP } from "../support/plan-helpers.js";
import { TRIVY_VERSION } from "../support/tools/catalog.ts";
import { PLANTED_HITS } from "../support/trivy-db/index.ts";
import type { TrivyStep } from "../support/trivy/plan-steps.ts";
import { prepareTrivy, recordTrivySteps, scanImageForReal, type RealScan, type RealTrivy } from "../support/trivy/real-scan.ts";
import { dpkgVersions, saveTarball } from "../support/trivy/image-contents.ts";
import { cyclonedxPurls, githubSarifLimitProblems, sarifSchemaErrors } from "../support/trivy/formats.ts";

const ctx = inject("drydockE2e");
const log = (line: string) => console.log(`[e2e] ${line}`);
const engine = useFakeEngine();

interface TrivyReportShape {
  SchemaVersion: number;
  ArtifactType: string;
  Trivy?: { Version?: string };
  Results?: Array<{
    Class: string;
    Target: string;
    Packages?: Array<{ Name: string; Version: string; Identifier?: { PURL?: string } }>;
    Vulnerabilities?: Array<{ VulnerabilityID: string; PkgName: string; InstalledVersion: string; FixedVersion?: string; Severity: string }>;
    Secrets?: unknown[];
    Misconfigurations?: Array<{ ID: string; Status: string; Severity: string }>;
  }>;
}

let trivy: RealTrivy;
let steps: TrivyStep[];
const scans = {} as Record<App, RealScan>;
const reports = {} as Record<App, TrivyReportShape>;
const TITLE: Record<App, string> = { backend: "drydock-backend", frontend: "drydock-frontend" };

const DEFAULTS = parseSecurityConfig(undefined, "security-config.yml");
const config = (yaml: string) => parseSecurityConfig(yaml, "security-config.yml");
const judge = (app: App, loaded = DEFAULTS, baseline?: string) =>
  judgeReport({
    report: { text: scans[app].json, label: `Trivy report of ${app}` },
    baseline: baseline === undefined ? undefined : { text: baseline, label: `baseline ${app}`, argument: "--baseline" },
    loaded,
    name: app,
    today: new Date(),
  });

const vulnerabilities = (app: App) => (reports[app].Results ?? []).flatMap((r) => r.Vulnerabilities ?? []);
const failingIds = (app: App, loaded = DEFAULTS) => [...new Set(judge(app, loaded).result.failing.map((f) => f.id))].sort();
const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
const exceptionsFor = (ids: readonly string[]) =>
  ids.map((id) => `    - id: ${id}\n      reason: Planted in the e2e DB; accepted to prove an exception lets it pass\n      expires: "${inDays(30)}"\n`).join("");

beforeAll(async () => {
  trivy = await prepareTrivy(ctx.workDir, log);
  steps = await recordTrivySteps(engine, async () => {
    const report = await drydock(EXAMPLE_APP).buildAndScan();
    await report.reports().sync();
  });
  for (const app of APPS) {
    await ensureBuilt(appBuild(ctx, app), log);
    const tarball = await saveTarball(imageTag(ctx.runId, app), ctx.workDir);
    scans[app] = await scanImageForReal(steps, TITLE[app], trivy, tarball, ctx.workDir);
    reports[app] = JSON.parse(scans[app].json) as TrivyReportShape;
    const { scan, sarif, cyclonedx } = scans[app].runs;
    log(`${app}: trivy image ${scan.seconds.toFixed(1)} s, convert sarif ${sarif.seconds.toFixed(1)} s, cyclonedx ${cyclonedx.seconds.toFixed(1)} s`);
  }
});

describe("the plan's Trivy steps, run for real", () => {
  it("records one scan per image plus the lint, and one DB download", () => {
    expect(steps.map((s) => `${s.kind} ${s.imageTitle ?? "-"}`).sort()).toEqual(
      [
        "download-db -",
        "image drydock-backend", "convert-sarif drydock-backend", "convert-cyclonedx drydock-backend",
        "image drydock-backend-migrations", "convert-sarif drydock-backend-migrations", "convert-cyclonedx drydock-backend-migrations",
        "image drydock-frontend", "convert-sarif drydock-frontend", "convert-cyclonedx drydock-frontend",
        "config -", "convert-sarif -",
      ].sort(),
    );
  });

  it.each(APPS)("%s: the pinned Trivy writes a container-image report, offline", (app) => {
    expect(reports[app].SchemaVersion).toBe(2);
    expect(reports[app].ArtifactType).toBe("container_image");
    expect(reports[app].Trivy?.Version).toBe(TRIVY_VERSION);
  });

  it.each(APPS)("%s: every planted advisory is found, on the package and versions the image really holds", async (app) => {
    const found = vulnerabilities(app).map((v) => ({ id: v.VulnerabilityID, pkgName: v.PkgName, severity: v.Severity, fixedVersion: v.FixedVersion }));
    const expected = PLANTED_HITS[app].map(({ id, pkgName, severity, fixedVersion }) => ({ id, pkgName, severity, fixedVersion }));
    expect(found).toEqual(expect.arrayContaining(expected));
    expect(found).toHaveLength(expected.length);

    const installed = await installedVersions(app);
    for (const v of vulnerabilities(app)) expect({ [v.PkgName]: v.InstalledVersion }).toEqual({ [v.PkgName]: installed.get(v.PkgName) });
  });

  it.each(APPS)("%s: the image holds no secret, and its config passes every image-config check the policy gates", (app) => {
    const results = reports[app].Results ?? [];
    expect(results.flatMap((r) => r.Secrets ?? [])).toEqual([]);
    const failedChecks = results.flatMap((r) => r.Misconfigurations ?? []).filter((m) => m.Status === "FAIL");
    expect(failedChecks.filter((m) => ["HIGH", "CRITICAL"].includes(m.Severity))).toEqual([]);
    expect(judge(app).result.failing.filter((f) => f.kind !== "vulnerability")).toEqual([]);
  });
});

describe("the gate on real reports", () => {
  it.each(APPS)("%s: the default policy fails on the planted HIGH and CRITICAL advisories, fixed or not, and not on the LOW one", (app) => {
    const gating = [...new Set(PLANTED_HITS[app].filter((h) => h.severity === "HIGH" || h.severity === "CRITICAL").map((h) => h.id))].sort();
    const verdict = judge(app);
    expect(verdict.passed).toBe(false);
    expect(failingIds(app)).toEqual(gating);
    for (const id of gating) expect(verdict.markdown).toContain(id);
    expect(verdict.result.belowThreshold.map((f) => f.id)).toEqual(PLANTED_HITS[app].filter((h) => h.severity === "LOW").map((h) => h.id));
  });

  it.each(APPS)("%s: passes with a justified, dated exception for each, and names them as allowed", (app) => {
    const ids = failingIds(app);
    const verdict = judge(app, config(`policy:\n  ignores:\n${exceptionsFor(ids)}`));
    expect(verdict.passed).toBe(true);
    expect(new Set(verdict.result.allowed.filter((a) => a.allowedBy === "exception").map((a) => a.finding.id))).toEqual(new Set(ids));
    expect(verdict.markdown).toContain("Allowed by exceptions");
  });

  it.each(APPS)("%s: ignoreUnfixed lets only the unfixed advisory through, and lists it", (app) => {
    const unfixed = PLANTED_HITS[app].filter((h) => h.fixedVersion === undefined).map((h) => h.id);
    const fixedGating = failingIds(app).filter((id) => !unfixed.includes(id));
    expect(unfixed.length).toBeGreaterThan(0);

    const withIgnoreUnfixed = judge(app, config("policy:\n  ignoreUnfixed: true\n"));
    expect([...new Set(withIgnoreUnfixed.result.failing.map((f) => f.id))].sort()).toEqual(fixedGating);
    expect(new Set(withIgnoreUnfixed.result.allowed.filter((a) => a.allowedBy === "unfixed").map((a) => a.finding.id))).toEqual(new Set(unfixed));

    const fixedExcepted = `policy:\n  ignores:\n${exceptionsFor(fixedGating)}`;
    expect(judge(app, config(fixedExcepted)).passed).toBe(false);
    expect(judge(app, config(`${fixedExcepted}  ignoreUnfixed: true\n`)).passed).toBe(true);
  });

  it.each(APPS)("%s: passes with a baseline made from an earlier real scan, every finding allowed as pre-existing", (app) => {
    const verdict = judge(app, DEFAULTS, scans[app].json);
    expect(verdict.passed).toBe(true);
    expect(verdict.result.allowed.filter((a) => a.allowedBy === "baseline").length).toBe(judge(app).result.failing.length);
  });

  it("refuses one app's real report as the other's baseline, naming both images by their title labels", () => {
    // Both were scanned as a tarball (ArtifactName image.tar): only the title label tells them apart.
    expect(() => judge("backend", DEFAULTS, scans.frontend.json)).toThrow(
      /^--baseline: found a report of the image "drydock-frontend" \(named by its org\.opencontainers\.image\.title label "drydock-frontend"\), expected a report of what Trivy report of backend reports on, the image "drydock-backend" /,
    );
    expect(() => judge("frontend", DEFAULTS, scans.backend.json)).toThrow(/^--baseline: found a report of the image "drydock-backend" /);
  });

  it("the module, answered with the real reports, fails build-and-scan and names each planted advisory", async () => {
    const metadata = JSON.parse(await readFile(path.join(trivy.cacheDir, "db", "metadata.json"), "utf8")) as { UpdatedAt: string };
    answerTrivy(engine, { backend: scans.backend.json, frontend: scans.frontend.json, dbUpdatedAt: metadata.UpdatedAt });
    const { passed, summary } = await withEngine(engine, async () => {
      const report = await drydock(EXAMPLE_APP).buildAndScan();
      return { passed: report.passed, summary: report.summary };
    });
    expect(passed).toBe(false);
    for (const id of [...failingIds("backend"), ...failingIds("frontend")]) expect(summary).toContain(id);
  });
});

describe("reports converted from the one real scan", () => {
  it.each(APPS)("%s: the SARIF validates against the SARIF 2.1.0 schema and stays within GitHub code scanning's limits", async (app) => {
    const sarif = JSON.parse(scans[app].sarif) as unknown;
    expect(await sarifSchemaErrors(sarif)).toEqual([]);
    expect(await sarifSchemaErrors({ ...(sarif as object), version: "2.0.0" }), "the validator rejects what is not SARIF 2.1.0").not.toEqual([]);
    expect(githubSarifLimitProblems(scans[app].sarif)).toEqual([]);
    const ruleIds = new Set((sarif as { runs: Array<{ results: Array<{ ruleId: string }> }> }).runs.flatMap((r) => r.results.map((x) => x.ruleId)));
    for (const hit of PLANTED_HITS[app]) expect(ruleIds).toContain(hit.id);
  });

  it.each(APPS)("%s: the CycloneDX SBOM names every package of the JSON report", (app) => {
    const jsonPurls = (reports[app].Results ?? []).flatMap((r) => r.Packages ?? []).map((p) => p.Identifier?.PURL).filter((p): p is string => p !== undefined);
    const sbomPurls = cyclonedxPurls(scans[app].cyclonedx);
    expect(jsonPurls.length).toBeGreaterThan(20);
    expect(new Set(sbomPurls)).toEqual(new Set(jsonPurls));
  });
});

/** What the image really holds: Debian packages from its dpkg status, npm packages from the app's lockfile. */
async function installedVersions(app: App): Promise<Map<string, string>> {
  const versions = await dpkgVersions(imageTag(ctx.runId, app));
  // pnpm 12 writes its own environment as a first YAML document; the packages are in the last.
  const documents = parseAllDocuments(await readFile(path.join(REPO_ROOT, EXAMPLE_APP, app, "pnpm-lock.yaml"), "utf8"));
  const lockfile = (Array.isArray(documents) ? documents.at(-1)?.toJS() : undefined) as { packages: Record<string, unknown> };
  for (const key of Object.keys(lockfile.packages)) {
    const at = key.lastIndexOf("@");
    if (at > 0) versions.set(key.slice(0, at), key.slice(at + 1));
  }
  return versions;
}
