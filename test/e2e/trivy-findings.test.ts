/**
 * Findings that are not advisories, found for real by the plan's own Trivy command lines: a
 * credential planted in an app file, an image config that runs as root without a healthcheck,
 * and the lint of this repository's own Dockerfiles — each through drydock's gate.
 */
import { randomBytes } from "node:crypto";
import { copyFile, mkdtemp, writeFile } from "node:fs/promises";
import path from "node:path";
import { dag } from "@dagger.io/dagger";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { parseSecurityConfig } from "../../dagger/src/config/load.ts";
import { judgeReport } from "../../dagger/src/scan/verdict.ts";
import { ensureBuilt } from "../support/docker/app-images.ts";
import { docker } from "../support/docker/cli.ts";
import { appBuild, imageTag, RUN_LABEL } from "../support/docker/e2e-context.ts";
import { REPO_ROOT } from "../support/docker/engine.ts";
import { useFakeEngine } from "../support/fake-engine/index.js";
import { drydock, EXAMPLE_APP, MINIMAL_APPS, useTempSources } from "../support/plan-helpers.js";
import { saveTarball } from "../support/trivy/image-contents.ts";
import { onlyStep, type TrivyStep } from "../support/trivy/plan-steps.ts";
import { lintForReal, prepareTrivy, recordTrivySteps, scanImageForReal, vulnPredicateForReal, type RealScan, type RealTrivy } from "../support/trivy/real-scan.ts";

const ctx = inject("drydockE2e");
const log = (line: string) => console.log(`[e2e] ${line}`);
const engine = useFakeEngine();
const tempSource = useTempSources();

/** Any pinned image: the plan's argv does not depend on which image is scanned. */
const ANY_IMAGE = "docker.io/library/alpine:3.22.2@sha256:4b7ce07002c69e8f3d704a9c5d6fd3053be500b7f1c69fc0d80990c2ad8dd412";
const DEFAULTS = parseSecurityConfig(undefined, "security-config.yml");

let trivy: RealTrivy;
let steps: TrivyStep[];

const judge = (name: string, json: string, loaded = DEFAULTS) =>
  judgeReport({ report: { text: json, label: `Trivy report of ${name}` }, loaded, name, today: new Date() });

/** Build a small image on top of the e2e backend image from a Dockerfile body; tagged for the run's teardown. */
async function imageOnBackend(name: string, lines: string[], files: Record<string, string> = {}): Promise<string> {
  const context = await mkdtemp(path.join(ctx.workDir, `${name}-`));
  for (const [file, text] of Object.entries(files)) await writeFile(path.join(context, file), text);
  await writeFile(path.join(context, "Dockerfile"), [`FROM ${imageTag(ctx.runId, "backend")}`, ...lines].join("\n") + "\n");
  const tag = imageTag(ctx.runId, name);
  await docker(["build", "--quiet", "--label", `${RUN_LABEL}=${ctx.runId}`, "--tag", tag, context], { env: { DOCKER_BUILDKIT: "1" } });
  return tag;
}

/** The plan's image scan (of an image without drydock's labels) run for real on `tag`. */
async function scanForReal(tag: string) {
  return scanImageForReal(steps, "(no title)", trivy, await saveTarball(tag, ctx.workDir), ctx.workDir);
}

beforeAll(async () => {
  trivy = await prepareTrivy(ctx.workDir, log);
  steps = await recordTrivySteps(engine, async () => {
    const dd = drydock(EXAMPLE_APP);
    const [scan, lint] = await Promise.all([dd.scan(dag.container().from(ANY_IMAGE), "probe"), dd.lint()]);
    await Promise.all([scan.files().sync(), lint.files().sync()]);
  });
  await ensureBuilt(appBuild(ctx, "backend"), log);
});

describe("a credential in an app file", () => {
  // GitHub's classic token shape (ghp_ + 36 alphanumerics), random per run; not a real token.
  const token = `ghp_${randomBytes(27).toString("base64url").replace(/[-_]/g, "x").slice(0, 36)}`;
  // Credentials no rule of Trivy's knows, beside it: on the line above, and after it on its line.
  const canary = (name: string) => `${name}${randomBytes(12).toString("hex")}`;
  const neighbour = canary("neighbour-");
  // Short, so the line stays under the 100 characters beyond which Trivy cuts its Match.
  const sameLine = canary("s-").slice(0, 14);
  let json: string;
  let scan: RealScan;

  beforeAll(async () => {
    // Not under node_modules, not named like a test or an example: where Trivy's secret scanner looks.
    const env = `DB_HOST=db.internal\nDB_PASSWORD=${neighbour}\nGITHUB_TOKEN=${token} PW=${sameLine}\n`;
    const tag = await imageOnBackend("secret-canary", ["COPY deploy.env /app/config/deploy.env"], { "deploy.env": env });
    scan = await scanForReal(tag);
    json = scan.json;
  });

  it("is found by the real scan and fails the gate, named by rule and file", () => {
    const verdict = judge("secret-canary", json);
    expect(verdict.passed).toBe(false);
    const secrets = verdict.result.failing.filter((f) => f.kind === "secret");
    expect(secrets.map((f) => [f.id, f.location?.file ?? f.target])).toEqual([["github-pat", expect.stringContaining("app/config/deploy.env")]]);
    expect(verdict.markdown).toContain("github-pat");
  });

  it("never reaches the summaries, not even in part", () => {
    const verdict = judge("secret-canary", json);
    for (const text of [verdict.markdown, verdict.summaryJson]) {
      expect(text).not.toContain(token);
      expect(text).not.toContain(token.slice(4, 16));
    }
  });

  it("reaches Trivy's own report only masked", () => {
    expect(json).not.toContain(token);
  });

  it("is in Trivy's own report with the lines around it unmasked — what drydock never publishes", () => {
    expect(json).toContain(neighbour);
    expect(json).toContain(sameLine);
  });

  it("reaches no file drydock publishes: trivy.json, SARIF, SBOM and the vuln attestation, made by the real Trivy", async () => {
    const published = { "trivy.json": scan.published, "trivy.sarif": scan.sarif, "sbom.cdx.json": scan.cyclonedx, "vuln predicate": await vulnPredicateForReal(trivy, scan.published, ctx.workDir) };
    for (const [file, text] of Object.entries(published)) {
      for (const leaked of [token, token.slice(4, 16), neighbour, sameLine]) expect(text, `${file} holds ${leaked}`).not.toContain(leaked);
    }
    // Still there: the finding, by rule, file and line, in the report and the SARIF converted from it.
    expect(judge("secret-canary", scan.published).result.failing.filter((f) => f.kind === "secret").map((f) => [f.id, f.location?.startLine])).toEqual([["github-pat", 3]]);
    expect(scan.sarif).toContain("github-pat");
    expect(published["vuln predicate"]).toContain("github-pat");
  });
});

describe("a VEX document of policy.vex", () => {
  it("suppresses the advisory it marks not_affected in the real scan, and the summary lists it as suppressed", async () => {
    const vex = {
      "@context": "https://openvex.dev/ns/v0.2.0",
      "@id": "https://example.invalid/vex/drydock-e2e",
      author: "drydock e2e",
      timestamp: "2026-11-27T12:00:00Z",
      version: 1,
      statements: [
        {
          vulnerability: { name: "CVE-2999-10003" },
          products: [{ "@id": "pkg:npm/pg@8.23.1" }],
          status: "not_affected",
          justification: "vulnerable_code_not_in_execute_path",
        },
      ],
    };
    const configYaml = "policy:\n  vex: [security/pg.openvex.json]\n";
    const source = tempSource({ ...MINIMAL_APPS, "security-config.yml": configYaml, "security/pg.openvex.json": JSON.stringify(vex) });
    const vexSteps = await recordTrivySteps(engine, async () => {
      const scan = await drydock(source).scan(dag.container().from(ANY_IMAGE), "probe");
      await scan.files().sync();
    });
    const vexMount = Object.keys(onlyStep(vexSteps, "image", "(no title)").mounts).find((at) => at.includes("/vex/"));
    expect(vexMount, "the plan mounts the VEX document").toBeDefined();
    const tarball = await saveTarball(imageTag(ctx.runId, "backend"), ctx.workDir);
    const scan = await scanImageForReal(vexSteps, "(no title)", trivy, tarball, ctx.workDir, { [vexMount!]: path.join(source, "security/pg.openvex.json") });

    const verdict = judge("backend", scan.json, parseSecurityConfig(configYaml, "security-config.yml"));
    expect(verdict.result.failing.map((f) => f.id)).not.toContain("CVE-2999-10003");
    expect(verdict.result.allowed.filter((a) => a.allowedBy === "suppressed").map((a) => a.finding.id)).toEqual(["CVE-2999-10003"]);
    expect(verdict.markdown).toContain("CVE-2999-10003");
  });
});

describe("an image config that runs as root without a healthcheck", () => {
  it("fails the gate with Trivy's real check ID for a root user (DS-0002), which the hardened images never raise", async () => {
    // HEALTHCHECK NONE after the base's HEALTHCHECK: Trivy reads the image history, so it reports
    // two HEALTHCHECK instructions (DS-0023, MEDIUM) rather than none — below the default failOn.
    const bad = JSON.parse((await scanForReal(await imageOnBackend("root-image", ["USER root", "HEALTHCHECK NONE"]))).json) as {
      Results?: Array<{ Misconfigurations?: Array<{ ID: string; Status: string; Severity: string }> }>;
    };
    const failed = (bad.Results ?? []).flatMap((r) => r.Misconfigurations ?? []).filter((m) => m.Status === "FAIL");
    expect(failed.map((m) => `${m.ID} ${m.Severity}`).sort()).toEqual(["DS-0002 HIGH", "DS-0023 MEDIUM"]);

    const verdict = judge("root-image", JSON.stringify(bad));
    expect(verdict.passed).toBe(false);
    expect(verdict.result.failing.filter((f) => f.kind === "misconfiguration").map((f) => f.id)).toEqual(["DS-0002"]);
  });
});

describe("the lint of this repository's Dockerfiles", () => {
  let lint: { json: string; sarif: string };

  beforeAll(async () => {
    const source = await mkdtemp(path.join(ctx.workDir, "lint-src-"));
    for (const file of ["Dockerfile.backend", "Dockerfile.frontend"]) await copyFile(path.join(REPO_ROOT, file), path.join(source, file));
    lint = await lintForReal(steps, trivy, source, ctx.workDir);
  });

  it("checks both Dockerfiles with the checks embedded in Trivy, and every check passes", () => {
    const report = JSON.parse(lint.json) as { Results?: Array<{ Target: string; MisconfSummary?: { Successes: number; Failures: number }; Misconfigurations?: Array<{ ID: string; Status: string; Title: string }> }> };
    const results = report.Results ?? [];
    expect(results.map((r) => r.Target).sort()).toEqual(["Dockerfile.backend", "Dockerfile.frontend"]);
    for (const result of results) expect(result.MisconfSummary?.Successes, `${result.Target}: checks that ran`).toBeGreaterThan(10);
    const failed = results.flatMap((r) => (r.Misconfigurations ?? []).filter((m) => m.Status === "FAIL").map((m) => `${r.Target}: ${m.ID} ${m.Title}`));
    expect(failed).toEqual([]);
    expect(judge("lint", lint.json).passed).toBe(true);
  });

  it("fails a Dockerfile that runs as root from an unpinned image", async () => {
    const source = await mkdtemp(path.join(ctx.workDir, "lint-bad-"));
    await writeFile(path.join(source, "Dockerfile"), "FROM node:latest\nRUN apt-get update && apt-get install -y curl\nCMD [\"node\", \"server.js\"]\n");
    const bad = await lintForReal(steps, trivy, source, ctx.workDir);
    const verdict = judge("lint", bad.json);
    expect(verdict.passed).toBe(false);
    expect(verdict.result.failing.map((f) => f.id)).toContain("DS-0002");
  });
});
