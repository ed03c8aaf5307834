/**
 * lint() and the dockerfilesPassLint check against the fake engine: `trivy config` over exactly
 * the Dockerfiles of the source, through the same gate, with no SBOM.
 */
import { describe, expect, it } from "vitest";
import { GateFailedError } from "../../dagger/src/objects/gate-error.ts";
import { LintScan } from "../../dagger/src/objects/scan.ts";
import { ScanError } from "../../dagger/src/scan/trivy.ts";
import { globDirectory } from "../support/fake-engine/filesystem.js";
import { execStartsWith, ObjectRef, useFakeEngine, withEngine } from "../support/fake-engine/index.js";
import { repoRoot } from "../support/paths.js";
import { answerTrivy, drydock, MINIMAL_APPS, onlyExec, rejectionOf, reportText, TRIVY_CACHE, useTempSources } from "../support/plan-helpers.js";
import { configResult } from "../support/trivy-reports.js";

const engine = useFakeEngine();
const tempSource = useTempSources();

// `trivy config` (v0.69.3) has no --no-progress; --skip-version-check and --disable-telemetry
// keep it offline, --skip-check-update keeps it on the checks embedded in Trivy.
const LINT_ARGS = [
  "trivy", "config",
  "--cache-dir", "/drydock/trivy-cache", "--timeout", "10m", "--skip-version-check", "--disable-telemetry",
  "--skip-check-update", "--exit-code", "0", "--format", "json", "--output", "/drydock/trivy.json",
  "/drydock/src",
];

const LINTABLE = {
  "Dockerfile.backend": "FROM node:24\n",
  "services/web/Dockerfile": "FROM node:24\n",
  "tools/ci.dockerfile": "FROM alpine\n",
  "tools/db.Dockerfile": "FROM debian\n",
};
const NOT_LINTABLE = {
  // Trivy has no compose checks: linting them would claim a lint that did not happen.
  "compose.yaml": "services: {}\n",
  "deploy/docker-compose.prod.yml": "services: {}\n",
  "README.md": "# shop\n",
  "backend/src/main.ts": "export {};\n",
  "docs/Dockerfile-guide.md": "how we write Dockerfiles\n",
  "deploy/values.yaml": "replicas: 2\n",
};

const failingLint = reportText([configResult()], { ArtifactName: "/drydock/src", ArtifactType: "repository" });

describe("lint", () => {
  it("runs trivy config with exactly drydock's flags over only the Dockerfiles", async () => {
    answerTrivy(engine);
    const dir = tempSource({ ...MINIMAL_APPS, ...LINTABLE, ...NOT_LINTABLE });
    const scan = await withEngine(engine, () => drydock(dir).lint());
    const lint = onlyExec(engine, "trivy", "config");
    expect(lint.args).toEqual(LINT_ARGS);
    // No DB and no cache volume: a lint needs no DB, and would otherwise queue on the volume's lock.
    expect(lint.mounts[TRIVY_CACHE]).toBeUndefined();
    expect(Object.keys(lint.mounts), "nothing but the Dockerfiles: no cache volume, no policy/content that would replace the embedded checks").toEqual(["/drydock/src"]);
    expect(lint.chain.map((s) => s.field)).toEqual(["container", "from", "withWorkdir", "withMountedDirectory", "withExec"]);
    const mounted = lint.chain.find((s) => s.field === "withMountedDirectory" && s.args["path"] === "/drydock/src")?.args["source"];
    expect(mounted).toBeInstanceOf(ObjectRef);
    const files = globDirectory({ rules: [], hostRoot: repoRoot }, (mounted as ObjectRef).chain, "**/*");
    expect(files.kind === "paths" && files.paths.filter((p) => !p.endsWith("/"))).toEqual(Object.keys(LINTABLE).sort());
    expect(scan.summary).toContain(
      "> **Note:** linted 4 Dockerfile(s): `Dockerfile.backend`, `services/web/Dockerfile`, `tools/ci.dockerfile`, `tools/db.Dockerfile`.",
    );
  });

  it("says that nothing was linted when the source has no Dockerfile", async () => {
    answerTrivy(engine);
    const scan = await withEngine(engine, () => drydock().lint());
    expect(scan.passed).toBe(true);
    expect(scan.summary).toMatch(/^## ✅ Security gate passed: lint\n\n> \*\*Note:\*\* no Dockerfile was found in the source, so the lint checked nothing\.\n\n/);
  });

  it("needs no vulnerability DB: nothing else runs", async () => {
    answerTrivy(engine);
    await withEngine(engine, () => drydock().lint());
    expect(engine.execs().map((e) => e.args.slice(0, 2))).toEqual([["trivy", "config"]]);
  });

  it("fails gate() on a failing misconfiguration and still exports its files, without an SBOM", async () => {
    answerTrivy(engine, { lint: failingLint });
    const dir = tempSource({ ...MINIMAL_APPS, ...LINTABLE });
    const { scan, entries } = await withEngine(engine, async () => {
      const scan = await drydock(dir).lint();
      return { scan, entries: await scan.files().entries() };
    });
    expect(scan.passed).toBe(false);
    expect(scan).toBeInstanceOf(LintScan);
    expect(scan).not.toHaveProperty("sbom");
    expect(() => scan.gate()).toThrow(GateFailedError);
    expect(scan.summary).toContain("## ❌ Security gate failed: lint");
    expect(scan.summary).toContain("DS-0002");
    expect(entries).toEqual(["summary.json", "summary.md", "trivy.json", "trivy.sarif"]);
  });

  it("raises Trivy's crash as an error, never a pass", async () => {
    answerTrivy(engine);
    engine.addRule({ when: execStartsWith("trivy", "config"), exitCode: 2, stderr: "FATAL\tmisconfiguration scan error: context deadline exceeded\n" });
    const error = await rejectionOf(withEngine(engine, () => drydock().lint()));
    expect(error).toBeInstanceOf(ScanError);
    expect(error.message).toBe("Trivy on lint: found exit 2 and no report, expected a JSON report — no verdict was reached: fix what Trivy said, then rerun\nTrivy said:\nFATAL\tmisconfiguration scan error: context deadline exceeded");
  });
});

describe("dockerfilesPassLint", () => {
  it("passes a clean lint", async () => {
    answerTrivy(engine);
    await expect(withEngine(engine, () => drydock().dockerfilesPassLint())).resolves.toBeUndefined();
  });

  it("fails with the lint's summary", async () => {
    answerTrivy(engine, { lint: failingLint });
    const error = await rejectionOf(withEngine(engine, () => drydock(tempSource({ ...MINIMAL_APPS, ...LINTABLE })).dockerfilesPassLint()));
    expect(error).toBeInstanceOf(GateFailedError);
    expect(error.message).toMatch(/## ❌ Security gate failed: lint/);
  });
});
