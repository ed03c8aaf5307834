/**
 * What every file of the engine tier starts from: the kit's engine running, the stand-ins and the
 * planted DB pushed, and a fresh test copy of the module — or the one notice that the tier is
 * skipped here (under CI=true: an error instead).
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { onCi } from "../shared-material.ts";
import { ensureKitRunning, kitUnavailable, LAB_REGISTRY, type RunningKit } from "./kit.ts";
import { pushLabImages, type LabImages } from "./lab-images.ts";
import { labDbRepository, writeModuleCopy } from "./module-copy.ts";
import { pushPlantedDb } from "./trivy-db-artifact.ts";

export const log = (line: string) => console.log(`[engine] ${line}`);

export interface EngineTier {
  kit: RunningKit;
  images: LabImages;
  /** A scratch folder of this file's run. */
  work: string;
  /** The test copy of the module: a git repository of one commit. */
  moduleDir: string;
}

/** Why the tier is skipped on this machine (said once per file), or undefined; throws under CI=true. */
export function engineTierUnavailable(): string | undefined {
  const unavailable = kitUnavailable();
  if (unavailable === undefined) return undefined;
  if (onCi()) throw new Error(`the engine tier cannot run: ${unavailable} — CI=true refuses to skip it`);
  console.warn(`\n[engine] the engine tier is SKIPPED: ${unavailable}\n`);
  return unavailable;
}

export async function setUpEngineTier(): Promise<EngineTier> {
  const kit = await ensureKitRunning(log);
  const images = await pushLabImages(log);
  await pushPlantedDb(LAB_REGISTRY, "aquasec/trivy-db:2", log);
  const work = await mkdtemp(path.join(os.tmpdir(), "drydock-engine-"));
  const moduleDir = path.join(work, "drydock");
  await writeModuleCopy(moduleDir, images, LAB_REGISTRY, kit.labNode);
  log(`module copy ${moduleDir}; Trivy DB at ${labDbRepository(LAB_REGISTRY)}`);
  return { kit, images, work, moduleDir };
}

/**
 * Remove a file's scratch folder (its module copy, repositories and image tarballs: most of a GiB),
 * unless DRYDOCK_E2E_KEEP=1 asks to keep it for a look after a failure.
 */
export async function tearDownEngineTier(work: string | undefined): Promise<void> {
  if (work === undefined) return;
  if (process.env.DRYDOCK_E2E_KEEP === "1") {
    log(`fixtures kept in ${work} (DRYDOCK_E2E_KEEP=1)`);
    return;
  }
  await rm(work, { recursive: true, force: true });
}
