/**
 * drydock fails closed on what really goes wrong with Trivy: a DB too old or of unknown age (read
 * from real metadata.json files), a corrupt DB file, an unreadable image tarball. The real
 * outcomes — the plan's own commands run here — are handed to the module through the fake engine,
 * so the errors users see are checked against what Trivy really prints.
 */
import { cp, mkdtemp, rm, truncate, writeFile } from "node:fs/promises";
import path from "node:path";
import { dag } from "@dagger.io/dagger";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { DB_COPY } from "../../dagger/src/scan/trivy-args.ts";
import { ScanError } from "../../dagger/src/scan/trivy.ts";
import { ensureBuilt } from "../support/docker/app-images.ts";
import { run } from "../support/docker/cli.ts";
import { appBuild, imageTag } from "../support/docker/e2e-context.ts";
import { useFakeEngine, withEngine, type Chain } from "../support/fake-engine/index.js";
import { answerTrivy, drydock, EXAMPLE_APP, rejectionOf } from "../support/plan-helpers.js";
import { writeTrivyDb } from "../support/trivy-db/index.ts";
import { saveTarball } from "../support/trivy/image-contents.ts";
import { onlyStep, type TrivyStep } from "../support/trivy/plan-steps.ts";
import { prepareTrivy, recordTrivySteps, tryImageScan, type RealTrivy } from "../support/trivy/real-scan.ts";

const ctx = inject("drydockE2e");
const log = (line: string) => console.log(`[e2e] ${line}`);
const engine = useFakeEngine();

const ANY_IMAGE = "docker.io/library/alpine:3.22.2@sha256:4b7ce07002c69e8f3d704a9c5d6fd3053be500b7f1c69fc0d80990c2ad8dd412";
const DAY = 86_400_000;

let trivy: RealTrivy;
let scanStep: TrivyStep;
let tarball: string;

/** `scan` of any image through the module, read to the end. */
const scanThroughModule = () =>
  withEngine(engine, async () => {
    const scan = await drydock(EXAMPLE_APP).scan(dag.container().from(ANY_IMAGE), "probe");
    await scan.files().sync();
    return scan;
  });

/** The plan's read of the DB copy's metadata.json (`cat …`), answered with what `cat` really prints for `dbDir`'s copy. */
async function answerMetadataReadFor(dbDir: string): Promise<void> {
  const isRead = (chain: Chain) => {
    const last = chain.at(-1);
    const args = last?.field === "withExec" ? last.args["args"] : undefined;
    return Array.isArray(args) && args[0] === "cat" && args[1] === `${DB_COPY}/metadata.json`;
  };
  const real = await run("cat", [path.join(dbDir, "metadata.json")]);
  engine.addRule({ when: isRead, exitCode: real.code, stdout: real.stdout, stderr: real.stderr.replaceAll(dbDir, DB_COPY) });
}

beforeAll(async () => {
  trivy = await prepareTrivy(ctx.workDir, log);
  const steps = await recordTrivySteps(engine, () => scanThroughModule());
  scanStep = onlyStep(steps, "image", "(no title)");
  await ensureBuilt(appBuild(ctx, "backend"), log);
  tarball = await saveTarball(imageTag(ctx.runId, "backend"), ctx.workDir);
});

describe("the DB's age, from real metadata.json files", () => {
  const dbBuilt = async (updatedAt: Date) => {
    const cacheDir = await mkdtemp(path.join(ctx.workDir, "db-age-"));
    await writeTrivyDb({ cacheDir, updatedAt });
    return path.join(cacheDir, "db");
  };

  it("scans with a DB built today", async () => {
    answerTrivy(engine);
    await answerMetadataReadFor(await dbBuilt(new Date()));
    expect((await scanThroughModule()).passed).toBe(true);
  });

  it("refuses a DB older than scanner.maxDbAgeDays, saying how old and what to do", async () => {
    answerTrivy(engine);
    await answerMetadataReadFor(await dbBuilt(new Date(Date.now() - 30 * DAY)));
    const error = await rejectionOf(scanThroughModule());
    expect(error).toBeInstanceOf(ScanError);
    expect(error.message).toMatch(/Trivy's vulnerability DB: found a DB built \d{4}-\d\d-\d\dT[\d:.]+Z, 30 days ago, expected one at most scanner\.maxDbAgeDays \(7\) days old — no scan ran/);
    expect(error.message).toContain("point scanner.dbRepositories at a reachable, current mirror");
  });

  it("refuses a DB without metadata.json: its age is unknown", async () => {
    const dir = await dbBuilt(new Date());
    await rm(path.join(dir, "metadata.json"));
    answerTrivy(engine);
    await answerMetadataReadFor(dir);
    const error = await rejectionOf(scanThroughModule());
    expect(error).toBeInstanceOf(ScanError);
    expect(error.message).toContain("found no readable db/metadata.json after the refresh");
    expect(error.message).toContain("expected a DB of known age — no scan ran");
  });
});

describe("Trivy failing for real fails the scan, with what Trivy said", () => {
  /** Run the plan's scan step for real, then let the module meet the same outcome. */
  async function moduleMeets(realRun: { code: number; stderr: string }): Promise<Error> {
    answerTrivy(engine);
    engine.addRule({
      when: (chain) => chain.at(-1)?.field === "withExec" && JSON.stringify(chain.at(-1)?.args["args"]) === JSON.stringify(scanStep.args),
      exitCode: realRun.code,
      stderr: realRun.stderr,
    });
    return rejectionOf(scanThroughModule());
  }

  it("a corrupt DB file", async () => {
    const cacheDir = await mkdtemp(path.join(ctx.workDir, "db-corrupt-"));
    await cp(trivy.cacheDir, cacheDir, { recursive: true });
    await writeFile(path.join(cacheDir, "db", "trivy.db"), "this is not a BoltDB file\n".repeat(200));
    const realRun = await tryImageScan(scanStep, trivy, tarball, cacheDir, ctx.workDir);
    expect(realRun.code).not.toBe(0);
    const error = await moduleMeets(realRun);
    expect(error).toBeInstanceOf(ScanError);
    expect(error.message).toContain(`Trivy on image probe: found exit ${realRun.code} and no report, expected a JSON report — no verdict was reached`);
    expect(error.message).toContain(realRun.stderr.trimEnd().split("\n").at(-1));
  });

  it("an unreadable image tarball", async () => {
    const broken = path.join(await mkdtemp(path.join(ctx.workDir, "broken-tar-")), "image.tar");
    await cp(tarball, broken);
    await truncate(broken, 4096);
    const realRun = await tryImageScan(scanStep, trivy, broken, trivy.cacheDir, ctx.workDir);
    expect(realRun.code).not.toBe(0);
    const error = await moduleMeets(realRun);
    expect(error).toBeInstanceOf(ScanError);
    expect(error.message).toContain(`Trivy on image probe: found exit ${realRun.code} and no report`);
    expect(error.message).toContain(realRun.stderr.trimEnd().split("\n").at(-1));
  });
});
