/**
 * Global setup of the e2e project: a Docker engine (installed and started when missing, stopped
 * again at the end), base images (official or stand-ins), and a canary copy of the application.
 * Teardown removes every container, network, volume and image tag the run created; build cache
 * and stand-in bases stay, so the next run is fast.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import type { TestProject } from "vitest/node";
import { resolveBaseImages } from "./base-images.ts";
import { copyAppWithCanaries, newMarker } from "./canaries.ts";
import { dockerTry } from "./cli.ts";
import { checkFreeSpace, describeFreeSpace, freeSpace, minFreeGib } from "./disk.ts";
import { imageTag, RUN_LABEL, type E2eContext } from "./e2e-context.ts";
import { ensureEngine, REPO_ROOT, stopEngine } from "./engine.ts";
import { stopKitIfStartedByRun } from "../engine/kit.ts";
import { onCi } from "../shared-material.ts";
import { prefetchTools, prefetchWanted } from "../tools/prefetch.ts";

const log = (line: string) => console.log(`[e2e] ${line}`);

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const engine = await ensureEngine();
  log(engine.kind === "started" ? `started dockerd (pid ${engine.pid}); it is stopped after the run` : "using the running Docker engine");
  const space = await freeSpace();
  log(`disk at the start: ${describeFreeSpace(space)}`);
  try {
    checkFreeSpace(space, minFreeGib());
  } catch (error) {
    await stopEngine(engine);
    throw error;
  }
  // The tools build in the background while the first files (which need none) run; see prefetch.ts.
  const stopPrefetch = new AbortController();
  const prefetch = prefetchWanted(process.env, onCi()) ? prefetchTools(log, stopPrefetch.signal) : undefined;
  if (!prefetch) log("tools are built by the files that need them (DRYDOCK_E2E_PREFETCH=1 builds them all in the background from the start)");
  const runId = `${Date.now().toString(36)}${randomBytes(3).toString("hex")}`;
  const workDir = await mkdtemp(path.join(os.tmpdir(), "drydock-e2e-"));
  const teardown = async () => {
    // A prefetch still building (a run of a few files, or an interrupted one) is stopped, not waited for.
    stopPrefetch.abort();
    await prefetch;
    log(`disk at the end: ${describeFreeSpace(await freeSpace())}`);
    await removeRunObjects(runId);
    await rm(workDir, { recursive: true, force: true });
    if (await stopKitIfStartedByRun()) log("stopped the Dagger engine kit this run started");
    await stopEngine(engine);
  };
  try {
    const bases = await resolveBaseImages(log);
    const appCopy = path.join(workDir, "app");
    const canaries = await copyAppWithCanaries(REPO_ROOT, "examples/app", appCopy);
    const npmrcMarker = newMarker("npmrc token");
    const npmrcFile = path.join(workDir, "npmrc");
    // A scoped registry nobody installs from: pnpm reads the token but never sends it anywhere.
    await writeFile(npmrcFile, `@drydock-canary:registry=https://npm.invalid/\n//npm.invalid/:_authToken=${npmrcMarker}\n`, { mode: 0o600 });
    const ctx: E2eContext = { runId, workDir, appCopy, canaries, npmrc: { file: npmrcFile, marker: npmrcMarker }, bases };
    project.provide("drydockE2e", ctx);
    log(`run ${runId}: ${bases.origin} base images; context ${appCopy} with ${canaries.length} canary files`);
  } catch (error) {
    await teardown();
    throw error;
  }
  return teardown;
}

async function removeRunObjects(runId: string): Promise<void> {
  const filter = `label=${RUN_LABEL}=${runId}`;
  const containers = (await dockerTry(["ps", "-aq", "--filter", filter])).stdout.split("\n").filter(Boolean);
  if (containers.length > 0) await dockerTry(["rm", "-f", "-v", ...containers]);
  const networks = (await dockerTry(["network", "ls", "-q", "--filter", filter])).stdout.split("\n").filter(Boolean);
  if (networks.length > 0) await dockerTry(["network", "rm", ...networks]);
  const volumes = (await dockerTry(["volume", "ls", "-q", "--filter", filter])).stdout.split("\n").filter(Boolean);
  if (volumes.length > 0) await dockerTry(["volume", "rm", ...volumes]);
  const images = (await dockerTry(["images", "-q", "--filter", `reference=${imageTag(runId, "*")}`])).stdout.split("\n").filter(Boolean);
  if (images.length > 0) await dockerTry(["rmi", "-f", ...new Set(images)]);
}
