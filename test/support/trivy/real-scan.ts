/**
 * drydock's Trivy steps run for real: the plan is recorded with the fake engine, and each of its
 * Trivy command lines runs with the Trivy built from the module's pinned version, offline, on a
 * host folder that holds what the engine would have mounted.
 */
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { cosignVulnArgs } from "../../../dagger/src/release/predicates.ts";
import { redactedReportText } from "../../../dagger/src/report/redact.ts";
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
  /** Trivy's own JSON report as text: what the gate reads. */
  json: string;
  /** The report as drydock hands it out (a scan's trivy.json): the one SARIF and SBOM are converted from. */
  published: string;
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
  const read = (file: string) => readFile(work.hostPath(file), "utf8");
  const scan = await runStep(work, onlyStep(steps, "image", title), trivy, provide);
  const json = await read(REPORT_JSON);
  const conversions = [onlyStep(steps, "convert-sarif", title), onlyStep(steps, "convert-cyclonedx", title)] as const;
  const published = await publishAsThePlanDoes(work, conversions, json, `Trivy report of ${title}`);
  const sarif = await runStep(work, conversions[0], trivy, provide);
  const cyclonedx = await runStep(work, conversions[1], trivy, provide);
  return { json, published, sarif: await read(SARIF), cyclonedx: await read(SBOM_JSON), runs: { scan, sarif, cyclonedx } };
}

/**
 * The plan writes the report drydock publishes (report/redact.ts, computed by the module from what
 * Trivy wrote) over Trivy's own before it converts: the e2e does the same to the real report, once
 * it has seen every conversion of the plan read such a report. The published text is returned.
 */
async function publishAsThePlanDoes(work: HostWorkDir, conversions: readonly TrivyStep[], json: string, label: string): Promise<string> {
  for (const step of conversions) {
    if (!step.readsPublishedReport) throw new Error(`the plan's "${step.args.join(" ")}" converts Trivy's own report, not the one drydock publishes: its output would carry each secret's text`);
  }
  const published = redactedReportText(json, label);
  await writeFile(work.hostPath(REPORT_JSON), published);
  return published;
}

/** The `vuln` predicate attest and release make of a published report, by the plan's argv (cosignVulnArgs), for real. */
export async function vulnPredicateForReal(trivy: RealTrivy, published: string, workDir: string): Promise<string> {
  const work = new HostWorkDir(await mkdtemp(path.join(workDir, "vuln-")));
  const args = cosignVulnArgs();
  await writeFile(work.hostPath(args.at(-1)!), published);
  const outcome = await runTrivyOffline([trivy.binary, ...args.slice(1).map((arg) => (arg.startsWith("/") ? work.hostPath(arg) : arg))], {});
  if (outcome.code !== 0) throw new Error(`trivy convert --format cosign-vuln failed for real: ${describeRun(outcome)}`);
  return readFile(work.hostPath(args[args.indexOf("--output") + 1]!), "utf8");
}

/** The plan's `trivy config` lint on a host folder of Dockerfiles, and its SARIF. */
export async function lintForReal(steps: readonly TrivyStep[], trivy: RealTrivy, sourceDir: string, workDir: string): Promise<{ json: string; published: string; sarif: string; run: TrivyRun }> {
  const work = new HostWorkDir(await mkdtemp(path.join(workDir, "lint-")));
  const provide = { [LINT_SOURCE]: sourceDir };
  // The lint's conversion is the one that scanned no image.
  const lintSteps = steps.filter((step) => step.imageTitle === undefined);
  const run = await runStep(work, onlyStep(lintSteps, "config"), trivy, provide);
  const json = await readFile(work.hostPath(REPORT_JSON), "utf8");
  const conversion = onlyStep(lintSteps, "convert-sarif");
  const published = await publishAsThePlanDoes(work, [conversion], json, "Trivy config report");
  await runStep(work, conversion, trivy, provide);
  return { json, published, sarif: await readFile(work.hostPath(SARIF), "utf8"), run };
}
