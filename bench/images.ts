/**
 * What the Dockerfiles' layering buys, measured on real builds of examples/app:
 *   - a cold build of each image (build cache pruned first; base images kept),
 *   - a rebuild after a one-line change in the backend's source (ratio to cold; target ≤ 30 %),
 *   - whether a frontend-only change leaves the backend image ID unchanged (target: yes),
 *   - image sizes and the app layers above the base (targets: backend ≤ 25 MB, frontend ≤ 40 MB),
 *   - the same for the reference backend without its .pnpmfile.mjs, as a typical repository has it
 *     (examples/app-nopnpmfile: only drydock's own prune keeps it lean; target ≤ 30 MB),
 *   - a naive single-stage build of each (bench/images.naive-*.Dockerfile) in the same run, and
 *     how many times larger its app payload is (target ≥ 3×).
 * Prints a table; exits 1 when a target is missed.
 *
 *   npm run bench:images
 *
 * Prunes the whole Docker build cache of the machine, so run it where that is acceptable.
 * Uses the official base images when a registry answers, else the stand-ins (see test/support/docker).
 */
import { appendFile, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { appLayersSize, build, type App, type BuildRequest } from "../test/support/docker/app-images.ts";
import { resolveBaseImages, type BaseImages } from "../test/support/docker/base-images.ts";
import { copyCommittableTree } from "../test/support/docker/canaries.ts";
import { docker, dockerTry } from "../test/support/docker/cli.ts";
import { ensureEngine, REPO_ROOT, stopEngine } from "../test/support/docker/engine.ts";
import { writeNoPnpmfileRepository } from "../test/support/docker/variants.ts";

const TARGETS = {
  rebuildRatio: 0.3,
  appLayersMB: { backend: 25, frontend: 40 } as Record<App, number>,
  noPnpmfileAppLayersMB: 30,
  naivePayloadRatio: 3,
};
const MB = 1e6;

/** A change that alters the compiled output (a comment would be stripped by the compiler). */
const ONE_LINE_CHANGES: Record<App, { file: string; line: () => string }> = {
  backend: { file: "backend/src/config.ts", line: () => `export const benchEdit = "${Date.now()}";\n` },
  frontend: { file: "frontend/lib/backend.ts", line: () => `export const benchEdit = "${Date.now()}";\n` },
};

const log = (line: string) => console.error(`[bench] ${line}`);

interface Measured {
  cold: Record<App, number>;
  rebuild: Record<App, number>;
  backendIdKept: boolean;
  size: Record<App, number>;
  appLayers: Record<App, number>;
  naiveSeconds: Record<App, number>;
  naivePayload: Record<App, number>;
  /** The reference backend without its pnpmfile: cold build, image size, app layers, naive payload. */
  noPnpmfile: { cold: number; size: number; appLayers: number; naivePayload: number };
}

async function main(): Promise<number> {
  const engine = await ensureEngine();
  const workDir = await mkdtemp(path.join(os.tmpdir(), "drydock-bench-"));
  try {
    const bases = await resolveBaseImages(log);
    const context = path.join(workDir, "app");
    await copyCommittableTree(REPO_ROOT, "examples/app", context);
    // Copied before any edit below: the variant is the unedited reference backend without its pnpmfile.
    const variantContext = path.join(workDir, "app-nopnpmfile");
    await writeNoPnpmfileRepository(context, variantContext);
    const measured = await measure(bases, context, variantContext);
    return report(bases, measured);
  } finally {
    await removeBenchImages();
    await rm(workDir, { recursive: true, force: true });
    await stopEngine(engine);
  }
}

async function measure(bases: BaseImages, context: string, variantContext: string): Promise<Measured> {
  const request = (app: App, tag: string): BuildRequest => ({ app, context, tag: `drydock-bench/${app}:${tag}`, bases });

  log("pruning the build cache (base images stay)");
  await docker(["builder", "prune", "--all", "--force"]);
  const cold = { backend: 0, frontend: 0 };
  for (const app of ["backend", "frontend"] as const) {
    cold[app] = (await build(request(app, "cold"))).seconds;
    log(`${app}: cold build ${cold[app].toFixed(1)} s`);
  }
  const variant = { app: "backend" as const, context: variantContext, tag: "drydock-bench/backend-nopnpmfile:cold", bases };
  const variantCold = (await build(variant)).seconds;
  log(`backend without pnpmfile: cold build ${variantCold.toFixed(1)} s`);

  const rebuild = { backend: 0, frontend: 0 };
  for (const app of ["backend", "frontend"] as const) {
    await appendFile(path.join(context, ONE_LINE_CHANGES[app].file), ONE_LINE_CHANGES[app].line());
    rebuild[app] = (await build(request(app, "edited"))).seconds;
    log(`${app}: rebuild after a one-line change ${rebuild[app].toFixed(1)} s`);
  }

  // The frontend was edited last: rebuilding the backend now must reuse every layer.
  const backendBefore = await imageId(`drydock-bench/backend:edited`);
  await build(request("backend", "after-frontend-edit"));
  const backendIdKept = (await imageId(`drydock-bench/backend:after-frontend-edit`)) === backendBefore;

  const size = { backend: 0, frontend: 0 };
  const appLayers = { backend: 0, frontend: 0 };
  for (const app of ["backend", "frontend"] as const) {
    size[app] = await imageSize(`drydock-bench/${app}:edited`);
    appLayers[app] = await appLayersSize(`drydock-bench/${app}:edited`);
  }

  const naiveSeconds = { backend: 0, frontend: 0 };
  const naivePayload = { backend: 0, frontend: 0 };
  const buildBaseSize = await imageSize(bases.build);
  for (const app of ["backend", "frontend"] as const) {
    const naive = { ...request(app, "naive"), dockerfile: path.join(REPO_ROOT, `bench/images.naive-${app}.Dockerfile`), noCache: true };
    naiveSeconds[app] = (await build(naive)).seconds;
    naivePayload[app] = (await imageSize(naive.tag)) - buildBaseSize;
    log(`${app}: naive single-stage build ${naiveSeconds[app].toFixed(1)} s`);
  }
  const naiveVariant = { ...variant, tag: "drydock-bench/backend-nopnpmfile:naive", dockerfile: path.join(REPO_ROOT, "bench/images.naive-backend.Dockerfile"), noCache: true };
  await build(naiveVariant);
  const noPnpmfile = {
    cold: variantCold,
    size: await imageSize(variant.tag),
    appLayers: await appLayersSize(variant.tag),
    naivePayload: (await imageSize(naiveVariant.tag)) - buildBaseSize,
  };
  return { cold, rebuild, backendIdKept, size, appLayers, naiveSeconds, naivePayload, noPnpmfile };
}

function report(bases: BaseImages, m: Measured): number {
  const missed: string[] = [];
  const check = (ok: boolean, what: string) => {
    if (!ok) missed.push(what);
    return ok ? "yes" : "NO";
  };
  const ratio = (app: App) => m.rebuild[app] / m.cold[app];
  const naiveRatio = (app: App) => m.naivePayload[app] / m.appLayers[app];
  const v = m.noPnpmfile;
  const variantNaiveRatio = v.naivePayload / v.appLayers;
  const rows: string[][] = [
    ["", "backend", "frontend", "backend, no pnpmfile", "target", "met"],
    ["cold build", secs(m.cold.backend), secs(m.cold.frontend), secs(v.cold), "", ""],
    [
      "rebuild after a one-line source change",
      `${secs(m.rebuild.backend)} (${pct(ratio("backend"))} of cold)`,
      `${secs(m.rebuild.frontend)} (${pct(ratio("frontend"))} of cold)`,
      "",
      `backend ≤ ${pct(TARGETS.rebuildRatio)}`,
      check(ratio("backend") <= TARGETS.rebuildRatio, "backend rebuild ratio"),
    ],
    ["image ID unchanged by a frontend-only change", m.backendIdKept ? "yes" : "no", "", "", "yes", check(m.backendIdKept, "backend image ID kept")],
    ["image size", mb(m.size.backend), mb(m.size.frontend), mb(v.size), "", ""],
    [
      "app layers above the base",
      mb(m.appLayers.backend),
      mb(m.appLayers.frontend),
      mb(v.appLayers),
      `≤ ${TARGETS.appLayersMB.backend} / ${TARGETS.appLayersMB.frontend} / ${TARGETS.noPnpmfileAppLayersMB} MB`,
      check(
        m.appLayers.backend <= TARGETS.appLayersMB.backend * MB &&
          m.appLayers.frontend <= TARGETS.appLayersMB.frontend * MB &&
          v.appLayers <= TARGETS.noPnpmfileAppLayersMB * MB,
        "app layer sizes",
      ),
    ],
    ["naive single-stage: build (no cache)", secs(m.naiveSeconds.backend), secs(m.naiveSeconds.frontend), "", "", ""],
    ["naive single-stage: payload above the base", mb(m.naivePayload.backend), mb(m.naivePayload.frontend), mb(v.naivePayload), "", ""],
    [
      "naive payload / hardened app layers",
      `${naiveRatio("backend").toFixed(1)}×`,
      `${naiveRatio("frontend").toFixed(1)}×`,
      `${variantNaiveRatio.toFixed(1)}×`,
      `≥ ${TARGETS.naivePayloadRatio}×`,
      check(Math.min(naiveRatio("backend"), naiveRatio("frontend"), variantNaiveRatio) >= TARGETS.naivePayloadRatio, "naive payload ratio"),
    ],
  ];
  console.log(`drydock image benchmark — ${bases.origin} base images (${bases.runtime}), ${os.cpus().length} cores\n`);
  console.log(table(rows));
  if (missed.length > 0) console.log(`\nmissed: ${missed.join(", ")}`);
  return missed.length > 0 ? 1 : 0;
}

async function imageId(ref: string): Promise<string> {
  return docker(["image", "inspect", "--format", "{{.Id}}", ref]);
}

async function imageSize(ref: string): Promise<number> {
  return Number(await docker(["image", "inspect", "--format", "{{.Size}}", ref]));
}

async function removeBenchImages(): Promise<void> {
  const ids = (await dockerTry(["images", "-q", "--filter", "reference=drydock-bench/*"])).stdout.split("\n").filter(Boolean);
  if (ids.length > 0) await dockerTry(["rmi", "-f", ...new Set(ids)]);
}

function secs(s: number): string {
  return `${s.toFixed(1)} s`;
}
function mb(bytes: number): string {
  return `${(bytes / MB).toFixed(1)} MB`;
}
function pct(r: number): string {
  return `${Math.round(r * 100)}%`;
}
function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? "").length)));
  return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c]!)).join("  ").trimEnd()).join("\n");
}

process.exitCode = await main();
