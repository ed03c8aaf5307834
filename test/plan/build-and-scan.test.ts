/**
 * buildAndScan(baseline?) and the imagesPassPolicy check against the fake engine: one verdict
 * over both images and the lint, the reports folder, and the baseline folder.
 */
import { dag, ExecError, type Directory } from "@dagger.io/dagger";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../dagger/src/config/errors.ts";
import { ArgumentError } from "../../dagger/src/errors.ts";
import { GateFailedError } from "../../dagger/src/objects/gate-error.ts";
import { SourceError } from "../../dagger/src/source.ts";
import { execStartsWith, useFakeEngine, withEngine } from "../support/fake-engine/index.js";
import { answerTrivy, drydock, MINIMAL_APPS, rejectionOf, reportText, scannedImageTitle, useTempSources } from "../support/plan-helpers.js";
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
  it("passes when every image and the lint pass, with one summary of them in order: the backend, its migrations image, the frontend, the lint", async () => {
    answerTrivy(engine);
    const report = await withEngine(engine, () => drydock().buildAndScan());
    expect(report.passed).toBe(true);
    expect(report.gate()).toBe(report.summary);
    const parts = report.summary.split("\n\n---\n\n");
    expect(parts.map((p) => /Security gate passed: ([\w-]+)/.exec(p)?.[1])).toEqual(["backend", "backend-migrations", "frontend", "lint"]);
    // examples/app accepts a Debian zlib1g CVE that no image here has: said once, for the whole run.
    const unused = "> **Warning:** `policy.ignores[0]` (`CVE-2023-45853`) matches no finding in any scan — remove it if the finding is gone.\n\n";
    expect(report.summary).toBe(`${unused}${[...report.scans(), report.lint].map((s) => s.summary.trimEnd()).join("\n\n---\n\n")}\n`);
    expect(report.scans().map((scan) => scan.name)).toEqual(["backend", "backend-migrations", "frontend"]);
  });

  it("does not call an exception unused in one scan when another scan uses it", async () => {
    answerTrivy(engine, { backend: reportText([zlib]) });
    const report = await withEngine(engine, () => drydock().buildAndScan());
    expect(report.passed).toBe(true);
    expect(report.backendScan().summary).toContain("CVE-2023-45853");
    for (const scan of [...report.scans(), report.lint]) expect(scan.summary).not.toContain("matches no finding");
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
        await Promise.all(["backend", "backend-migrations", "frontend", "lint"].map(async (scan) => [scan, await dir.directory(scan).entries()] as const)),
      );
      return { report, entries: { root: await dir.entries(), ...entries }, summary: await dir.file("summary.md").contents() };
    });
    expect([report.passed, report.backendScan().passed, report.frontendScan().passed, report.lint.passed]).toEqual([false, true, false, true]);
    expect(() => report.gate()).toThrow(GateFailedError);
    expect(() => report.gate()).toThrow(report.summary);
    expect(report.summary).toContain("## ❌ Security gate failed: frontend");
    expect(entries).toEqual({
      root: ["backend-migrations/", "backend/", "frontend/", "lint/", "summary.json", "summary.md"],
      backend: ["sbom.cdx.json", "summary.json", "summary.md", "trivy.json", "trivy.sarif"],
      "backend-migrations": ["sbom.cdx.json", "summary.json", "summary.md", "trivy.json", "trivy.sarif"],
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

describe("buildAndScan with a baseline of another image", () => {
  /** A report as drydock's scan of an image's tarball makes it: the image's name only in its title label. */
  const scanOfImage = (title: string, vulnerabilities = [lodash]) =>
    reportText([langResult({ Vulnerabilities: vulnerabilities })], {
      ArtifactName: "/drydock/image.tar",
      Metadata: { ImageConfig: { config: { Labels: { "org.opencontainers.image.title": title } } } },
    });
  const lint = reportText([], { ArtifactName: "/drydock/src", ArtifactType: "filesystem", Metadata: undefined });
  const answers = { backend: scanOfImage("drydock-backend"), frontend: scanOfImage("drydock-frontend"), lint };

  it("refuses the frontend's report in the backend's folder, naming the file, both images and the fix", async () => {
    answerTrivy(engine, answers);
    const error = await rejectionOf(withEngine(engine, () => drydock().buildAndScan(baselineOf({ backend: answers.frontend, frontend: answers.frontend, lint }))));
    expect(error).toBeInstanceOf(ArgumentError);
    expect(error.message).toBe(
      '--baseline: found backend/trivy.json, a report of the image "drydock-frontend" (named by its org.opencontainers.image.title label "drydock-frontend"), ' +
        'expected a report of what Trivy report of backend reports on, the image "drydock-backend" (named by its org.opencontainers.image.title label "drydock-backend"); images are compared by name, never by registry, tag or digest — ' +
        "put an earlier report of \"drydock-backend\" at backend/trivy.json of the folder given as --baseline (build-and-scan's `reports export` writes one per scan); if the image was renamed from \"drydock-frontend\" on purpose, add --baseline-renamed-from=drydock-frontend",
    );
  });

  it("refuses an image's report as the lint's baseline", async () => {
    answerTrivy(engine, answers);
    const error = await rejectionOf(withEngine(engine, () => drydock().buildAndScan(baselineOf({ ...answers, lint: answers.backend }))));
    expect(error).toBeInstanceOf(ArgumentError);
    expect(error.message).toMatch(/^--baseline: found lint\/trivy\.json, a report of the image "drydock-backend" .*, expected a report of what Trivy config report reports on, the folder "\/drydock\/src"/);
  });

  it("applies a renamed image's baseline with --baseline-renamed-from, and that scan's summary says so", async () => {
    answerTrivy(engine, answers);
    const report = await withEngine(engine, () =>
      drydock().buildAndScan(baselineOf({ backend: scanOfImage("drydock-api"), frontend: answers.frontend, lint }), ["drydock-api"]),
    );
    expect(report.passed).toBe(true);
    expect(report.backendScan().summary).toContain("1 pre-existing (in the baseline)");
    expect(report.backendScan().summary).toContain(
      "> **Note:** The baseline (`--baseline` `backend/trivy.json`) reports on the image `drydock-api`, this report on `drydock-backend`: applied as the same image renamed, as `--baseline-renamed-from=drydock-api` says.",
    );
    expect(report.frontendScan().summary).not.toContain("renamed");
  });

  it("refuses --baseline-renamed-from without --baseline before anything is built", async () => {
    answerTrivy(engine, answers);
    const error = await rejectionOf(withEngine(engine, () => drydock().buildAndScan(undefined, ["drydock-api"])));
    expect(error).toBeInstanceOf(ArgumentError);
    expect(error.message).toMatch(/^--baseline-renamed-from: found "drydock-api" without --baseline/);
    expect(engine.execs()).toEqual([]);
  });
});

describe("imagesPassPolicy", () => {
  it("passes when every image passes: the backend, its migrations image and the frontend", async () => {
    answerTrivy(engine);
    await expect(withEngine(engine, () => drydock().imagesPassPolicy())).resolves.toBeUndefined();
    expect(engine.execs().filter((e) => e.args[0] === "trivy" && e.args.includes("--input")).map((e) => scannedImageTitle(e.chain)).sort()).toEqual([
      "drydock-backend",
      "drydock-backend-migrations",
      "drydock-frontend",
    ]);
  });

  it("fails with both images' summaries when one fails", async () => {
    answerTrivy(engine, { backend: withLodash });
    const error = await rejectionOf(withEngine(engine, () => drydock().imagesPassPolicy()));
    expect(error).toBeInstanceOf(GateFailedError);
    expect(error.message).toContain("## ❌ Security gate failed: backend");
    expect(error.message).toContain("## ✅ Security gate passed: frontend");
  });
});
