/**
 * `build-and-scan` on the real Dagger engine (the kit's, v0.21.8) on examples/app, side by side
 * with what a user would otherwise script on the same machine — `docker build` of both
 * Dockerfiles, then one Trivy scan per format (JSON, SARIF, CycloneDX) per image with the gate as
 * Trivy's exit code — in one run, each measured:
 *   1. cold: a new engine (its state deleted: module load, installs, builds, DB download, scans,
 *      smoke all from nothing — `localCache.prune` alone leaves most results cached); Docker's
 *      build cache pruned;
 *   2. again with no change;
 *   3. again after a one-line change to the backend's source.
 * Prints the table (seconds and ratios of cold) and where the engine's time went in each run
 * (the longest spans of the CLI's plain progress). Targets: no change ≤ 10 %, one line ≤ 35 %.
 *
 *   npm run bench:engine            (root; builds the kit into .cache/dagger-kit on first use)
 */
import { appendFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { build, type App } from "../test/support/docker/app-images.ts";
import { copyCommittableTree } from "../test/support/docker/canaries.ts";
import { dockerTry } from "../test/support/docker/cli.ts";
import { ensureEngine, stopEngine } from "../test/support/docker/engine.ts";
import { ensureStandIns } from "../test/support/docker/standins.ts";
import { run } from "../test/support/docker/cli.ts";
import { dagger, described, type CliResult } from "../test/support/engine/cli.ts";
import { kitUnavailable, resetEngineState, stopKitIfStartedByRun } from "../test/support/engine/kit.ts";
import { setUpEngineTier, type EngineTier } from "../test/support/engine/tier.ts";
import { repoRoot } from "../test/support/paths.ts";
import { TRIVY } from "../test/support/tools/catalog.ts";
import { ensureGoTool } from "../test/support/tools/go-tools.ts";
import { writeTrivyDb } from "../test/support/trivy-db/index.ts";

const TARGETS = { unchanged: 0.1, oneLine: 0.35 };
const APPS: App[] = ["backend", "frontend"];
/** A file of the backend every build compiles; the change is one comment line, kept by tsc. */
const BACKEND_FILE = "examples/app/backend/src/main.ts";

const log = (line: string) => console.error(`[bench] ${line}`);

/** The longest spans of a `--progress=plain` run: "name [12.3s]" lines, longest first. */
function longestSpans(progress: string, count = 6): string[] {
  const spans = new Map<string, number>();
  for (const line of progress.replaceAll(/\x1b\[[0-9;]*m/g, "").split("\n")) {
    const match = /^\s*\d+\s*:\s*[┆ ]*(.+?) DONE \[(?:(\d+)m)?([\d.]+)s\]$/.exec(line);
    if (!match) continue;
    const seconds = Number(match[2] ?? 0) * 60 + Number(match[3]);
    const name = match[1]!.slice(0, 90);
    spans.set(name, Math.max(spans.get(name) ?? 0, seconds));
  }
  return [...spans.entries()].sort((a, b) => b[1] - a[1]).slice(0, count).map(([name, s]) => `${s.toFixed(1).padStart(6)} s  ${name}`);
}

async function engineRun(tier: EngineTier, label: string, extra: string[] = []): Promise<number> {
  const result: CliResult = await dagger(tier.kit, ["--progress=plain", "call", "--source=examples/app", ...extra, "build-and-scan"], { cwd: tier.moduleDir });
  if (result.code !== 0) throw new Error(described(result));
  log(`engine, ${label}: ${result.seconds.toFixed(1)} s; longest spans:\n${longestSpans(result.stderr).map((l) => `    ${l}`).join("\n")}`);
  return result.seconds;
}

/** What a user would script: docker build both, then per image one scan per format; the gate is Trivy's exit code. */
async function scriptedRun(context: string, bases: Awaited<ReturnType<typeof ensureStandIns>>, trivy: string, cacheDir: string, work: string, label: string): Promise<number> {
  const started = Date.now();
  for (const app of APPS) {
    const tag = `drydock-bench/${app}:engine`;
    await build({ app, context, tag, bases: { origin: "stand-in", build: bases.build, runtime: bases.build, baseName: bases.build, baseDigest: "local", postgres: bases.postgres } });
    const tarball = path.join(work, `${app}.tar`);
    const saved = await dockerTry(["save", "-o", tarball, tag]);
    if (saved.code !== 0) throw new Error(saved.stderr);
    for (const format of ["json", "sarif", "cyclonedx"]) {
      const args = ["image", "--input", tarball, "--cache-dir", cacheDir, "--skip-db-update", "--skip-java-db-update", "--skip-check-update", "--skip-version-check", "--disable-telemetry", "--quiet", "--format", format, "--output", path.join(work, `${app}.${format}`)];
      // The gate, as such scripts have it: the JSON scan exits 1 on a HIGH or CRITICAL finding.
      if (format === "json") args.push("--exit-code", "1", "--severity", "HIGH,CRITICAL");
      const scanned = await run(trivy, args, { timeoutMs: 10 * 60_000 });
      if (scanned.code !== 0 && !(format === "json" && scanned.code === 1)) throw new Error(`trivy ${args.join(" ")}: ${scanned.stderr}`);
    }
  }
  const seconds = (Date.now() - started) / 1000;
  log(`docker build + Trivy per format, ${label}: ${seconds.toFixed(1)} s`);
  return seconds;
}

async function main(): Promise<void> {
  const unavailable = kitUnavailable();
  if (unavailable) throw new Error(`bench:engine needs the engine kit: ${unavailable}`);
  const docker = await ensureEngine();
  const work = await mkdtemp(path.join(os.tmpdir(), "drydock-bench-engine-"));
  try {
    log("starting from a new engine: its state deleted");
    await resetEngineState();
    const tier = await setUpEngineTier();
    const bases = await ensureStandIns(log);
    const trivy = await ensureGoTool(TRIVY, log);
    const cacheDir = path.join(work, "trivy-cache");
    await writeTrivyDb({ cacheDir, updatedAt: new Date(Date.now() - 3_600_000), log });
    const context = path.join(work, "app");
    await copyCommittableTree(repoRoot, "examples/app", context);

    log("pruning Docker's build cache");
    await dockerTry(["builder", "prune", "--all", "--force"]);

    const engine = { cold: await engineRun(tier, "cold"), unchanged: await engineRun(tier, "no change"), unchangedNoSmoke: 0, oneLine: 0 };
    // The smoke stage is never cached (it proves the images start, every run): the same run with
    // it off shows what the rest costs when nothing changed.
    const smokeOff = path.join(work, "smoke-off.yml");
    const example = await readFile(path.join(tier.moduleDir, "examples/app/security-config.yml"), "utf8");
    await writeFile(smokeOff, `${example.replace(/^\$schema:.*\n/m, "")}\nsmoke:\n  enabled: false\n`);
    engine.unchangedNoSmoke = await engineRun(tier, "no change, smoke stage off", [`--config=${smokeOff}`]);
    const scripted = { cold: await scriptedRun(context, bases, trivy, cacheDir, work, "cold"), unchanged: 0, oneLine: 0 };
    scripted.unchanged = await scriptedRun(context, bases, trivy, cacheDir, work, "no change");

    const line = `// bench:engine ${new Date().toISOString()}\n`;
    await appendFile(path.join(tier.moduleDir, BACKEND_FILE), line);
    await appendFile(path.join(context, "backend/src/main.ts"), line);
    engine.oneLine = await engineRun(tier, "one-line backend change");
    scripted.oneLine = await scriptedRun(context, bases, trivy, cacheDir, work, "one-line backend change");

    const pct = (a: number, b: number) => `${((100 * a) / b).toFixed(0)} %`;
    console.log(`\nbuild-and-scan of examples/app on the kit's Dagger engine v0.21.8 (2 cores), against docker build + one Trivy scan per format + Trivy's exit code as the gate:\n`);
    console.log("| run | drydock on the engine | ÷ its cold | target | scripted (docker build + trivy ×3 per image) | ÷ its cold | drydock ÷ scripted |");
    console.log("|---|---|---|---|---|---|---|");
    console.log(`| cold | ${engine.cold.toFixed(1)} s | 100 % | | ${scripted.cold.toFixed(1)} s | 100 % | ${(engine.cold / scripted.cold).toFixed(2)} |`);
    console.log(`| no change | ${engine.unchanged.toFixed(1)} s | ${pct(engine.unchanged, engine.cold)} | ≤ ${TARGETS.unchanged * 100} % | ${scripted.unchanged.toFixed(1)} s | ${pct(scripted.unchanged, scripted.cold)} | ${(engine.unchanged / scripted.unchanged).toFixed(2)} |`);
    console.log(`| no change, smoke stage off | ${engine.unchangedNoSmoke.toFixed(1)} s | ${pct(engine.unchangedNoSmoke, engine.cold)} | | ${scripted.unchanged.toFixed(1)} s | ${pct(scripted.unchanged, scripted.cold)} | ${(engine.unchangedNoSmoke / scripted.unchanged).toFixed(2)} |`);
    console.log(`| one-line backend change | ${engine.oneLine.toFixed(1)} s | ${pct(engine.oneLine, engine.cold)} | ≤ ${TARGETS.oneLine * 100} % | ${scripted.oneLine.toFixed(1)} s | ${pct(scripted.oneLine, scripted.cold)} | ${(engine.oneLine / scripted.oneLine).toFixed(2)} |`);
    console.log("\nThe scripted side builds no SBOM from its scan, starts no image (no smoke stage) and has no policy file: drydock does more in each run.");
    const missed = engine.unchanged / engine.cold > TARGETS.unchanged || engine.oneLine / engine.cold > TARGETS.oneLine;
    if (missed) process.exitCode = 1;
  } finally {
    await rm(work, { recursive: true, force: true });
    await stopKitIfStartedByRun();
    await stopEngine(docker);
  }
}

await main();
