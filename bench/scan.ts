/**
 * What drydock's scan step costs over a bare Trivy scan, measured with the real Trivy (the
 * module's pinned version, built from its Go module) on the real images of examples/app:
 *   - one bare `trivy image --format json` of each image with Trivy's default scanners,
 *   - the same bare scan with drydock's scanners (the plan's `trivy image` argv alone: it adds
 *     misconfiguration and secret scanning of the image config, and lists every package),
 *   - drydock's complete scan step: that scan, SARIF and CycloneDX converted from its one report,
 *     then the gate's Markdown and summary.json (target ≤ 1.3× the bare scan with the same scanners),
 *   - for comparison, one such Trivy scan per format (JSON, SARIF, CycloneDX), as many pipelines do,
 *   - both images through drydock's step at once, against one after the other.
 * Every Trivy run is offline (`unshare --net` when root) with the planted e2e DB. Median of
 * ROUNDS, the variants interleaved in each round so machine load hits them alike. Prints a
 * table; exits 1 when the target is missed.
 *
 *   npm run bench:scan
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseSecurityConfig } from "../dagger/src/config/load.ts";
import { convertArgs, IMAGE_TARBALL, imageScanArgs, REPORT_JSON, SARIF, SBOM_JSON } from "../dagger/src/scan/trivy-args.ts";
import { judgeReport } from "../dagger/src/scan/verdict.ts";
import { build, type App } from "../test/support/docker/app-images.ts";
import { resolveBaseImages } from "../test/support/docker/base-images.ts";
import { copyCommittableTree } from "../test/support/docker/canaries.ts";
import { dockerTry } from "../test/support/docker/cli.ts";
import { ensureEngine, REPO_ROOT, stopEngine } from "../test/support/docker/engine.ts";
import { TRIVY } from "../test/support/tools/catalog.ts";
import { ensureGoTool } from "../test/support/tools/go-tools.ts";
import { writeTrivyDb } from "../test/support/trivy-db/index.ts";
import { saveTarball } from "../test/support/trivy/image-contents.ts";
import { HostWorkDir, type TrivyStep } from "../test/support/trivy/plan-steps.ts";
import { SCAN_DB_MOUNT } from "../test/support/trivy/real-scan.ts";
import { describeRun, runTrivyOffline } from "../test/support/trivy/run-offline.ts";

const TARGET_RATIO = 1.3;
const ROUNDS = 5;
const APPS: readonly App[] = ["backend", "frontend"];
const CONFIG = parseSecurityConfig(undefined, "security-config.yml");
const OFFLINE = ["--skip-db-update", "--skip-java-db-update", "--skip-check-update", "--skip-version-check", "--disable-telemetry", "--cache-backend", "memory"];

const log = (line: string) => console.error(`[bench] ${line}`);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

interface Setup {
  binary: string;
  cacheDir: string;
  tarballs: Record<App, string>;
  workDir: string;
}

/** Run one step (a Trivy argv in container paths) in `work`, with the image and DB mounted; seconds. */
async function step(setup: Setup, work: HostWorkDir, app: App, args: string[]): Promise<number> {
  const trivyStep: TrivyStep = {
    kind: "image",
    args,
    mounts: { [IMAGE_TARBALL]: { kind: "file", source: app, options: {} }, [SCAN_DB_MOUNT]: { kind: "directory", source: "db", options: {} } },
    env: {},
  };
  await work.mount(trivyStep, { [IMAGE_TARBALL]: setup.tarballs[app], [SCAN_DB_MOUNT]: path.join(setup.cacheDir, "db") });
  const outcome = await runTrivyOffline(work.argv(trivyStep, setup.binary));
  if (outcome.code !== 0) throw new Error(describeRun(outcome));
  return outcome.seconds;
}

const newWork = async (setup: Setup, name: string) => new HostWorkDir(await mkdtemp(path.join(setup.workDir, `${name}-`)));

/** A bare scan: the offline flags, Trivy's default scanners, JSON out. */
async function bareScan(setup: Setup, app: App): Promise<number> {
  const work = await newWork(setup, `bare-${app}`);
  return step(setup, work, app, ["trivy", "image", "--cache-dir", "/drydock/trivy-cache", ...OFFLINE, "--quiet", "--input", IMAGE_TARBALL, "--format", "json", "--output", "/drydock/out.json"]);
}

/** The plan's scan argv alone, its output format swapped for `format`. */
async function sameScan(setup: Setup, app: App, format = "json"): Promise<number> {
  const args = imageScanArgs(CONFIG.config.scanner, []);
  const at = args.indexOf("--format");
  args.splice(at, 4, "--format", format, "--output", `/drydock/out.${format}`);
  return step(setup, await newWork(setup, `same-${app}`), app, args);
}

/** drydock's scan step: the plan's argv, both conversions, then the gate's outputs. */
async function drydockScan(setup: Setup, app: App): Promise<number> {
  const started = performance.now();
  const work = await newWork(setup, `drydock-${app}`);
  await step(setup, work, app, imageScanArgs(CONFIG.config.scanner, []));
  await Promise.all([step(setup, work, app, convertArgs("sarif", SARIF)), step(setup, work, app, convertArgs("cyclonedx", SBOM_JSON))]);
  const verdict = judgeReport({ report: { text: await readFile(work.hostPath(REPORT_JSON), "utf8"), label: app }, loaded: CONFIG, name: app, today: new Date() });
  if (verdict.markdown.length === 0) throw new Error("empty summary");
  return (performance.now() - started) / 1000;
}

async function perFormat(setup: Setup, app: App): Promise<number> {
  let total = 0;
  for (const format of ["json", "sarif", "cyclonedx"]) total += await sameScan(setup, app, format);
  return total;
}

async function main(): Promise<number> {
  const engine = await ensureEngine();
  const workDir = await mkdtemp(path.join(os.tmpdir(), "drydock-bench-scan-"));
  try {
    const bases = await resolveBaseImages(log);
    const context = path.join(workDir, "app");
    await copyCommittableTree(REPO_ROOT, "examples/app", context);
    const binary = await ensureGoTool(TRIVY, log);
    const cacheDir = path.join(workDir, "trivy-cache");
    await writeTrivyDb({ cacheDir, updatedAt: new Date(), log });
    const tarballs = {} as Record<App, string>;
    for (const app of APPS) {
      const tag = `drydock-bench/${app}:scan`;
      await build({ app, context, tag, bases });
      tarballs[app] = await saveTarball(tag, workDir);
    }
    const setup: Setup = { binary, cacheDir, tarballs, workDir };

    const samples = Object.fromEntries(APPS.map((app) => [app, { bare: [] as number[], same: [] as number[], drydock: [] as number[], perFormat: [] as number[] }])) as Record<App, { bare: number[]; same: number[]; drydock: number[]; perFormat: number[] }>;
    const together: number[] = [];
    const apart: number[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      for (const app of APPS) {
        samples[app].bare.push(await bareScan(setup, app));
        samples[app].same.push(await sameScan(setup, app));
        samples[app].drydock.push(await drydockScan(setup, app));
        samples[app].perFormat.push(await perFormat(setup, app));
      }
      let started = performance.now();
      await Promise.all(APPS.map((app) => drydockScan(setup, app)));
      together.push((performance.now() - started) / 1000);
      started = performance.now();
      for (const app of APPS) await drydockScan(setup, app);
      apart.push((performance.now() - started) / 1000);
      log(`round ${round}/${ROUNDS} done`);
    }
    return report(samples, median(together), median(apart));
  } finally {
    await dockerTry(["rmi", "-f", ...APPS.map((app) => `drydock-bench/${app}:scan`)]);
    await rm(workDir, { recursive: true, force: true });
    await stopEngine(engine);
  }
}

function report(samples: Record<App, { bare: number[]; same: number[]; drydock: number[]; perFormat: number[] }>, together: number, apart: number): number {
  const s = (n: number) => `${n.toFixed(2)} s`;
  const lines = [`drydock's scan step against a bare Trivy scan (real Trivy ${TRIVY.version}, planted DB, offline; median of ${ROUNDS})`, ""];
  lines.push(
    "| | bare scan, Trivy's default scanners | bare scan, drydock's scanners (A) | drydock's scan step: scan + SARIF + CycloneDX + gate (B) | B ÷ A (target ≤ 1.3) | one scan per format (C) | C ÷ A |",
    "|---|---|---|---|---|---|---|",
  );
  let missed = false;
  for (const app of APPS) {
    const same = median(samples[app].same);
    const drydock = median(samples[app].drydock);
    const perFormat = median(samples[app].perFormat);
    missed ||= drydock / same > TARGET_RATIO;
    lines.push(`| ${app} | ${s(median(samples[app].bare))} | ${s(same)} | ${s(drydock)} | **${(drydock / same).toFixed(2)}** | ${s(perFormat)} | ${(perFormat / same).toFixed(2)} |`);
  }
  lines.push("", `Both images through drydock's step at once: ${s(together)}; one after the other: ${s(apart)} (ratio ${(together / apart).toFixed(2)}).`);
  console.log(lines.join("\n"));
  if (missed) console.log(`\nMISSED: drydock's scan step costs more than ${TARGET_RATIO}× a bare scan with the same scanners.`);
  return missed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(2);
  },
);
