/**
 * drydock's Trivy steps run for real: the plan is recorded with the fake engine, and each of its
 * Trivy command lines runs with the Trivy built from the module's pinned version, offline, on a
 * host folder that holds what the engine would have mounted.
 */
import { mkdtemp, readFile } from "node:fs/promises";
import path from "node:path";
import { IMAGE_TARBALL, LINT_SOURCE, REPORT_JSON, SARIF, SBOM_JSON, SCAN_CACHE_DIR } from "../../../dagger/src/scan/trivy-args.ts";
import type { FakeEngine } from "../fake-engine/index.js";
import { withEngine } from "../fake-engine/index.js";
import { ensureGoTool, type Log } from "../tools/go-tools.ts";
import { TRIVY } from "../tools/catalog.ts";
import { writeTrivyDb } from "../trivy-db/index.ts";
import { answerTrivy } from "../plan-helpers.js";
import { HostWorkDir, onlyStep, trivySteps, type TrivyStep } from "./plan-steps.ts";
import { describeRun, runTrivyOffline, type TrivyRun } from "./run-offline.ts";

/** Where the module's scans find the DB: the refreshed copy is mounted at the cache dir's db/. */
export const SCAN_DB_MOUNT = `${SCAN_CACHE_DIR}/db`;

export interface RealTrivy {
  binary: string;
  /** A Trivy cache folder whose db/ holds the planted DB, built today. */
  cacheDir: string;
}

/** The pinned Trivy (built once, then reused) and a fresh planted DB in `workDir`. */
export async function prepareTrivy(workDir: string, log: Log): Promise<RealTrivy> {
  const binary = await ensureGoTool(TRIVY, log);
  const cacheDir = await mkdtemp(path.join(workDir, "trivy-cache-"));
  await writeTrivyDb({ cacheDir, updatedAt: new Date(), log });
  return { binary, cacheDir };
}

/** The Trivy steps of whatever `call` makes the module plan, with Trivy answering "no findings". */
export async function recordTrivySteps(engine: FakeEngine, call: () => Promise<unknown>): Promise<TrivyStep[]> {
  answerTrivy(engine);
  await withEngine(engine, call);
  return trivySteps(engine);
}

/** What one real run of the plan's scan step and its conversions wrote. */
export interface RealScan {
  /** The Trivy JSON report as text. */
  json: string;
  sarif: string;
  cyclonedx: string;
  runs: { scan: TrivyRun; sarif: TrivyRun; cyclonedx: TrivyRun };
}

async function runStep(work: HostWorkDir, step: TrivyStep, trivy: RealTrivy, provide: Readonly<Record<string, string>>): Promise<TrivyRun> {
  await work.mount(step, provide);
  const outcome = await runTrivyOffline(work.argv(step, trivy.binary), step.env);
  if (outcome.code !== 0) throw new Error(`the plan's Trivy step failed for real: ${describeRun(outcome)}`);
  return outcome;
}

/** Only the scan step, run for real; its outcome whatever it is (for the fail-closed tests). */
export async function tryImageScan(step: TrivyStep, trivy: RealTrivy, tarball: string, dbCacheDir: string, workDir: string): Promise<TrivyRun> {
  const work = new HostWorkDir(await mkdtemp(path.join(workDir, "scan-")));
  await work.mount(step, { [IMAGE_TARBALL]: tarball, [SCAN_DB_MOUNT]: path.join(dbCacheDir, "db") });
  return runTrivyOffline(work.argv(step, trivy.binary), step.env);
}

/**
 * The plan's scan of the image titled `title` on `tarball` (a `docker save` archive), then the
 * plan's two conversions of that one report, each in the same work folder as in the container.
 */
export async function scanImageForReal(
  steps: readonly TrivyStep[],
  title: string,
  trivy: RealTrivy,
  tarball: string,
  workDir: string,
  /** Host files for the plan's other mounts, by container path (e.g. VEX documents). */
  otherMounts: Readonly<Record<string, string>> = {},
): Promise<RealScan> {
  const work = new HostWorkDir(await mkdtemp(path.join(workDir, `scan-${title.replace(/[^a-z0-9-]/gi, "_")}-`)));
  const provide = { ...otherMounts, [IMAGE_TARBALL]: tarball, [SCAN_DB_MOUNT]: path.join(trivy.cacheDir, "db") };
  const scan = await runStep(work, onlyStep(steps, "image", title), trivy, provide);
  const sarif = await runStep(work, onlyStep(steps, "convert-sarif", title), trivy, provide);
  const cyclonedx = await runStep(work, onlyStep(steps, "convert-cyclonedx", title), trivy, provide);
  const read = (file: string) => readFile(work.hostPath(file), "utf8");
  return { json: await read(REPORT_JSON), sarif: await read(SARIF), cyclonedx: await read(SBOM_JSON), runs: { scan, sarif, cyclonedx } };
}

/** The plan's `trivy config` lint on a host folder of Dockerfiles, and its SARIF. */
export async function lintForReal(steps: readonly TrivyStep[], trivy: RealTrivy, sourceDir: string, workDir: string): Promise<{ json: string; sarif: string; run: TrivyRun }> {
  const work = new HostWorkDir(await mkdtemp(path.join(workDir, "lint-")));
  const provide = { [LINT_SOURCE]: sourceDir };
  // The lint's conversion is the one that scanned no image.
  const lintSteps = steps.filter((step) => step.imageTitle === undefined);
  const run = await runStep(work, onlyStep(lintSteps, "config"), trivy, provide);
  await runStep(work, onlyStep(lintSteps, "convert-sarif"), trivy, provide);
  return { json: await readFile(work.hostPath(REPORT_JSON), "utf8"), sarif: await readFile(work.hostPath(SARIF), "utf8"), run };
}
