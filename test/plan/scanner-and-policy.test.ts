/**
 * Who judges a change, through the fake engine: the config cannot pick the scanner on its own
 * (with-allowed-scanner allows a mirror), --base-config makes every summary say what a change did
 * to the policy (and, with --config of the same file, gates it with its base's), and the reports
 * folder's summary.json carries the smoke verdict that no Trivy report holds.
 */
import { dag, type File } from "@dagger.io/dagger";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../dagger/src/config/errors.ts";
import { DEFAULTS } from "../../dagger/src/config/schema.ts";
import { ArgumentError, PinnedImageError } from "../../dagger/src/errors.ts";
import { Drydock } from "../../dagger/src/index.ts";
import type { ReportSummary } from "../../dagger/src/report/report-summary.ts";
import { PROBE_PROGRAM } from "../../dagger/src/smoke/rules.ts";
import { execStartsWith, useFakeEngine, withEngine } from "../support/fake-engine/index.js";
import { answerTrivy, drydock, MINIMAL_APPS, rejectionOf, reportText, useTempSources } from "../support/plan-helpers.js";
import { langResult, vulnerability } from "../support/trivy-reports.js";

const engine = useFakeEngine();
const tempSource = useTempSources();

const MIRROR_IMAGE = `registry.example.com/mirror/trivy:0.69.3@sha256:${"c".repeat(64)}`;
const MIRROR_DB = "registry.example.com/trivy-db:2";
const ALPINE = "docker.io/library/alpine:3.22.2@sha256:4b7ce07002c69e8f3d704a9c5d6fd3053be500b7f1c69fc0d80990c2ad8dd412";
const withLodash = reportText([langResult({ Vulnerabilities: [vulnerability()] })]);

/** A day `days` from now, YYYY-MM-DD: exceptions must expire within policy.maxExceptionDays. */
const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
/** A config that accepts the lodash CVE every `vulnerability()` is. */
const ACCEPTS_LODASH = `version: 1\npolicy:\n  ignores:\n    - id: CVE-2019-10744\n      reason: lodash's template is never called by the application\n      expires: ${inDays(30)}\n`;

const mirrorSource = (scanner: string) => tempSource({ ...MINIMAL_APPS, "security-config.yml": `scanner:\n${scanner}` });
const baseFile = (text: string, name = "base-security-config.yml"): File => dag.directory().withNewFile(name, text).file(name);

describe("a scanner the config names", () => {
  it.each<{ call: string; run: (d: Drydock) => Promise<unknown> }>([
    { call: "build-and-scan", run: (d: Drydock) => d.buildAndScan() },
    { call: "scan", run: (d: Drydock) => d.scan(dag.container().from(ALPINE), "api") },
    { call: "lint", run: (d: Drydock) => d.lint() },
    { call: "images-pass-policy", run: (d: Drydock) => d.imagesPassPolicy() },
    { call: "attest --vuln-report", run: (d: Drydock) => d.attest(`ghcr.io/acme/drydock-backend@sha256:${"2".repeat(64)}`, undefined, dag.file("trivy.json", withLodash)) },
  ])("is refused by $call when the caller did not allow it, before anything runs", async ({ run }) => {
    answerTrivy(engine);
    const dir = mirrorSource(`  trivyImage: ${MIRROR_IMAGE}\n`);
    const error = await rejectionOf(withEngine(engine, () => run(drydock(dir))));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toBe(
      `security-config.yml: scanner.trivyImage: found "${MIRROR_IMAGE}", expected drydock's default ${DEFAULTS.scanner.trivyImage} — ` +
        "the config alone cannot change the scanner, or a pull request could pick one that reports nothing: " +
        `remove scanner.trivyImage from security-config.yml, or have the caller allow the image with with-allowed-scanner --trivy-image=${MIRROR_IMAGE}`,
    );
    expect(engine.execs()).toEqual([]);
    expect(engine.froms()).not.toContain(MIRROR_IMAGE);
  });

  it("is refused by release before anything is built or pushed", async () => {
    answerTrivy(engine);
    const dir = mirrorSource(`  dbRepositories: [evil.example.com/trivy-db:2]\n`);
    const error = await rejectionOf(
      withEngine(engine, () =>
        drydock(dir).release("ghcr.io/acme", "0123456789abcdef0123456789abcdef01234567", undefined, undefined, undefined, "refs/tags/v1.2.3", undefined, undefined, "linux/amd64", dag.setSecret("key", "k"), undefined, undefined, dag.file("cosign.pub", "pub"), undefined, undefined, undefined, undefined, undefined, true),
      ),
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toContain('security-config.yml: scanner.dbRepositories[0]: found "evil.example.com/trivy-db:2", expected one of drydock\'s default DB repositories');
    expect(error.message).toContain("with-allowed-scanner --db-repositories=evil.example.com/trivy-db:2");
    expect(engine.execs()).toEqual([]);
    expect(engine.evaluations.filter((e) => e.leaf.field === "publish")).toEqual([]);
  });

  it("runs when the caller allows it, and every summary says it is not drydock's", async () => {
    answerTrivy(engine);
    const dir = mirrorSource(`  trivyImage: ${MIRROR_IMAGE}\n  dbRepositories: [${MIRROR_DB}]\n`);
    const report = await withEngine(engine, () => drydock(dir).withAllowedScanner(MIRROR_IMAGE, [MIRROR_DB]).buildAndScan());
    expect(report.passed).toBe(true);
    expect(engine.froms()).toContain(MIRROR_IMAGE);
    expect(engine.froms()).not.toContain(DEFAULTS.scanner.trivyImage);
    const download = engine.execs().find((e) => e.args.includes("--download-db-only"))!;
    expect(download.args.slice(-2)).toEqual(["--db-repository", MIRROR_DB]);
    for (const scan of [report.backendScan(), report.frontendScan(), report.lint]) {
      expect(scan.summary).toContain(`> ⚠️ **Not drydock's scanner:** Trivy image \`${MIRROR_IMAGE}\`, allowed by the caller`);
      expect(scan.summary.indexOf("Not drydock's scanner"), "under the title, before the counts").toBeLessThan(scan.summary.indexOf("the policy"));
      expect(scan.summary).toContain(`> ⚠️ **Not drydock's vulnerability DB:** \`${MIRROR_DB}\`, allowed by the caller`);
      expect(JSON.parse(scan.summaryDocument)).toMatchObject({ scanner: { trivyImage: MIRROR_IMAGE, dbRepositories: [MIRROR_DB], defaultTrivyImage: false, defaultDbRepositories: false } });
    }
  });

  it("is drydock's own when the config names none: no notice, and summary.json says so", async () => {
    answerTrivy(engine);
    const report = await withEngine(engine, () => drydock(tempSource(MINIMAL_APPS)).withAllowedScanner(MIRROR_IMAGE).buildAndScan());
    expect(engine.froms()).toContain(DEFAULTS.scanner.trivyImage);
    expect(report.summary).not.toContain("Not drydock's");
    expect(JSON.parse(report.backendScan().summaryDocument)).toMatchObject({ scanner: { trivyImage: DEFAULTS.scanner.trivyImage, defaultTrivyImage: true, defaultDbRepositories: true } });
  });

  it("does not matter to gate, which runs no scanner", async () => {
    const dir = mirrorSource(`  trivyImage: ${MIRROR_IMAGE}\n`);
    const printed = await withEngine(engine, () => drydock(dir).gate(dag.file("trivy.json", reportText())));
    expect(printed).toContain("Security gate passed");
    expect(engine.execs()).toEqual([]);
  });

  it.each([
    { name: "a Trivy image without a digest", allow: (d: Drydock) => d.withAllowedScanner("aquasec/trivy:0.69.3"), type: PinnedImageError, says: '--trivy-image: found "aquasec/trivy:0.69.3", expected an image pinned by digest' },
    {
      name: "a DB repository given as a URL",
      allow: (d: Drydock) => d.withAllowedScanner(undefined, [MIRROR_DB, "https://registry.example.com/trivy-db:2"]),
      type: ArgumentError,
      says: '--db-repositories: found "https://registry.example.com/trivy-db:2", expected an OCI repository reference without a URL scheme, like registry.example.com/trivy-db:2',
    },
  ])("with-allowed-scanner refuses $name, naming the argument", async ({ allow, type, says }) => {
    const error = await rejectionOf(withEngine(engine, async () => allow(drydock(tempSource(MINIMAL_APPS)))));
    expect(error).toBeInstanceOf(type);
    expect(error.message).toContain(says);
  });
});

describe("--base-config", () => {
  const source = () => tempSource({ ...MINIMAL_APPS, "security-config.yml": ACCEPTS_LODASH });

  it("with --config of the same file gates a change with its base's policy, and names the keys the change makes", async () => {
    answerTrivy(engine, { backend: withLodash });
    const base = "version: 1\n";
    const report = await withEngine(engine, () => new Drydock(dag.host().directory(source()), baseFile(base), undefined, baseFile(base)).buildAndScan());
    expect(report.passed, "the change's own exception does not apply yet").toBe(false);
    const backend = report.backendScan();
    expect(backend.summary.split("\n\n")[1]).toBe(
      "> ⚠️ **Policy changed:** `security-config.yml` differs from the base's (`base-security-config.yml`) in `policy.ignores` (1 key). This run was gated with `base-security-config.yml`.",
    );
    expect(JSON.parse(backend.summaryDocument)).toMatchObject({ configFile: "base-security-config.yml", configChange: { file: "security-config.yml", base: "base-security-config.yml", changed: true, keys: ["policy.ignores"] } });
  });

  it("alone compares the source's config with the base's, gating with the source's own", async () => {
    answerTrivy(engine, { backend: withLodash });
    const report = await withEngine(engine, () => new Drydock(dag.host().directory(source()), undefined, undefined, baseFile("version: 1\n")).buildAndScan());
    expect(report.passed).toBe(true);
    expect(report.lint.summary).toContain("in `policy.ignores` (1 key). This run was gated with `security-config.yml`.");
  });

  it("says the config is unchanged when only its form differs", async () => {
    answerTrivy(engine);
    const reordered = ACCEPTS_LODASH.replace("version: 1\n", "") + "version: 1\n# the same policy\n";
    const report = await withEngine(engine, () => new Drydock(dag.host().directory(source()), undefined, undefined, baseFile(reordered)).buildAndScan());
    expect(report.frontendScan().summary).toContain("> Policy: `security-config.yml` is unchanged from the base's (`base-security-config.yml`).");
  });

  it("compares drydock's defaults when the source has no config", async () => {
    answerTrivy(engine);
    const report = await withEngine(engine, () => new Drydock(dag.host().directory(tempSource(MINIMAL_APPS)), undefined, undefined, baseFile(ACCEPTS_LODASH)).buildAndScan());
    expect(report.backendScan().summary).toContain("The source has no `security-config.yml` (drydock's defaults), which differs from the base's (`base-security-config.yml`) in `policy.ignores`");
  });

  it("is stated by gate too", async () => {
    const printed = await withEngine(engine, () => new Drydock(dag.host().directory(source()), undefined, undefined, baseFile("version: 1\n")).gate(dag.file("trivy.json", reportText())));
    expect(printed.split("\n\n")[1]).toContain("⚠️ **Policy changed:** `security-config.yml` differs from the base's");
  });

  it("refuses a base config that is not valid, naming its file", async () => {
    const error = await rejectionOf(withEngine(engine, () => new Drydock(dag.host().directory(source()), undefined, undefined, baseFile("policy:\n  ignoreUnfixd: true\n")).buildAndScan()));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toBe('base-security-config.yml: policy.ignoreUnfixd: unknown key — did you mean "ignoreUnfixed"? (line 2, column 3)');
    expect(engine.execs()).toEqual([]);
  });
});

describe("the reports folder's summary.json", () => {
  const exported = (report: Awaited<ReturnType<Drydock["buildAndScan"]>>) =>
    withEngine(engine, async () => {
      const dir = report.reports();
      return { entries: await dir.entries(), summary: JSON.parse(await dir.file("summary.json").contents()) as ReportSummary };
    });

  it("sits beside summary.md with every scan's verdict and the smoke test's", async () => {
    answerTrivy(engine);
    const report = await withEngine(engine, () => drydock(tempSource(MINIMAL_APPS)).buildAndScan());
    const { entries, summary } = await exported(report);
    expect(entries).toEqual(["backend/", "frontend/", "lint/", "summary.json", "summary.md"]);
    expect(summary).toMatchObject({
      passed: true,
      scans: [{ name: "backend", passed: true }, { name: "frontend", passed: true }, { name: "lint", passed: true }],
      smoke: { passed: true, apps: [{ app: "backend", state: "passed" }, { app: "frontend", state: "passed" }] },
    });
  });

  it("says the smoke test failed when an image did not answer, though every scan passed", async () => {
    answerTrivy(engine);
    engine.addRule({
      when: execStartsWith("node", "-e", PROBE_PROGRAM, "health", "http://backend:3000/health"),
      exitCode: 1,
      stdout: JSON.stringify({ kind: "health", url: "http://backend:3000/health", healthy: false, attempts: 120, ms: 60_000, status: 503 }) + "\n",
    });
    const report = await withEngine(engine, () => drydock(tempSource(MINIMAL_APPS)).buildAndScan());
    const { summary } = await exported(report);
    expect(summary.scans.every((scan) => scan.passed)).toBe(true);
    expect(summary.smoke).toMatchObject({ passed: false, apps: [{ app: "backend", state: "failed" }, { app: "frontend", state: "passed" }] });
    expect(summary.passed).toBe(false);
  });
});
