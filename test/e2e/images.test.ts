import { existsSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import path from "node:path";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { HEALTHCHECK_PROGRAM } from "../../dagger/src/images/runtime.ts";
import { BUILD_DIR } from "../../dagger/src/images/defaults.ts";
import { appLayersSize, APPS, build, ensureBuilt, LABEL_ARGS, type App, type BuildRequest } from "../support/docker/app-images.ts";
import { INSTALL_SCRIPT_CANARY } from "../support/docker/canaries.ts";
import { docker } from "../support/docker/cli.ts";
import { appBuild, imageTag, RUN_LABEL } from "../support/docker/e2e-context.ts";
import { saveImage, tarEntries, type SavedImage } from "../support/docker/image-archive.ts";
import { inspectFilesystem, type FilesystemReport } from "../support/docker/image-fs.ts";
import { NO_PNPMFILE, noPnpmfileBuild } from "../support/docker/variants.ts";

const ctx = inject("drydockE2e");
const log = (line: string) => console.log(`[e2e] ${line}`);

/** What each image must say about itself. */
const EXPECTED: Record<App, { title: string; healthPath: string; entrypoint: string[]; env: string[]; packageName: string }> = {
  backend: {
    title: "drydock-backend",
    healthPath: "/health",
    entrypoint: ["node", "dist/.drydock-entrypoint"],
    env: ["NODE_ENV=production", "PORT=3000"],
    packageName: "drydock-example-backend",
  },
  frontend: {
    title: "drydock-frontend",
    healthPath: "/api/health",
    entrypoint: ["node", ".drydock-entrypoint"],
    env: ["NODE_ENV=production", "PORT=3000", "HOSTNAME=0.0.0.0"],
    packageName: "drydock-example-frontend",
  },
};

const MB = 1e6;

/**
 * The images built: the reference apps, and the reference backend without its `.pnpmfile.mjs` —
 * as a typical repository has it — which must come out as lean (drydock's own prune, not the
 * repository's pnpmfile, keeps the Prisma CLI and TypeScript out). Budgets of the app layers above
 * the base, in MB.
 */
const IMAGES: { name: string; app: App; request: () => Promise<BuildRequest>; appLayersMB: number }[] = [
  { name: "backend", app: "backend", request: async () => appBuild(ctx, "backend"), appLayersMB: 25 },
  { name: "frontend", app: "frontend", request: async () => appBuild(ctx, "frontend"), appLayersMB: 40 },
  { name: NO_PNPMFILE, app: "backend", request: () => noPnpmfileBuild(ctx), appLayersMB: 30 },
];

interface ImageConfig {
  User: string;
  Env: string[];
  ExposedPorts: Record<string, object>;
  Healthcheck?: { Test: string[]; Interval: number; Timeout: number; StartPeriod: number; Retries: number };
  Labels: Record<string, string>;
  Entrypoint: string[];
  Cmd: string[] | null;
  WorkingDir: string;
}

describe.each(IMAGES)(`the $name image (${ctx.bases.origin} base images)`, ({ name, app, request: requestOf, appLayersMB }) => {
  const tag = imageTag(ctx.runId, name);
  const expected = EXPECTED[app];
  let request: BuildRequest;
  let config: ImageConfig;
  let fsReport: FilesystemReport;
  let saved: SavedImage;

  beforeAll(async () => {
    request = await requestOf();
    await ensureBuilt(request, log);
    config = JSON.parse(await docker(["image", "inspect", "--format", "{{json .Config}}", tag])) as ImageConfig;
    fsReport = await inspectFilesystem(tag, {
      appDir: "/app",
      markers: [...ctx.canaries.map((c) => c.marker), ctx.npmrc.marker],
      // A canary of this app would sit under /app; any other (root .env, .git) would if the whole context were copied.
      absentPaths: ctx.canaries.map((c) => (c.file.startsWith(`${app}/`) ? c.file.slice(app.length + 1) : c.file)),
    });
    saved = await saveImage(tag, await mkdtemp(path.join(ctx.workDir, `save-${name}-`)));
  });

  it(`adds at most ${appLayersMB} MB above its base`, async () => {
    const bytes = await appLayersSize(tag);
    log(`${name}: app layers ${(bytes / MB).toFixed(1)} MB above the base`);
    expect(bytes).toBeLessThanOrEqual(appLayersMB * MB);
  });

  it.runIf(app === "backend")("ships @prisma/client with the schema's query compiler only, and no Prisma CLI or TypeScript", () => {
    const files = saved.layers.slice(1).flatMap((l) => tarEntries(l.bytes).map((e) => e.name));
    const compilers = files.filter((f) => f.includes("/@prisma/client/runtime/query_compiler_")).map((f) => path.posix.basename(f));
    expect(compilers.length).toBeGreaterThan(0);
    expect(compilers.filter((f) => !f.includes("postgresql"))).toEqual([]);
    // The CLI, Studio, PGlite and TypeScript would sit in pnpm's store under these names.
    const devOnly = files.filter((f) => /^app\/node_modules\/\.pnpm\/(prisma|typescript|@prisma\+studio-core|@electric-sql\+pglite|effect|react-dom)@/.test(f));
    expect(devOnly.map((f) => f.split("/")[3]).filter((v, i, all) => all.indexOf(v) === i)).toEqual([]);
  });

  it("runs as the numeric non-root user 1000:1000", () => {
    expect(config.User).toBe("1000:1000");
  });

  it("sets NODE_ENV=production and the port it exposes", () => {
    expect(config.Env).toEqual(expect.arrayContaining(expected.env));
    expect(Object.keys(config.ExposedPorts)).toEqual(["3000/tcp"]);
  });

  it("starts node directly in exec form, so signals reach the app", () => {
    expect(config.Entrypoint).toEqual(expected.entrypoint);
    expect(config.Cmd).toBeNull();
    expect(config.WorkingDir).toBe("/app");
  });

  it("checks its health with node and fetch (no curl or wget) under a timeout, a fixed program reading the path from HEALTH_PATH", () => {
    const test = config.Healthcheck?.Test ?? [];
    expect(test).toEqual(["CMD", "node", "-e", HEALTHCHECK_PROGRAM]);
    expect(config.Env).toContain(`HEALTH_PATH=${expected.healthPath}`);
    expect(test[3]).toContain("AbortSignal.timeout(");
    expect(config.Healthcheck?.Retries).toBeGreaterThan(0);
  });

  it("carries the OCI labels, with version, revision, creation time and base from the build", () => {
    expect(config.Labels).toEqual({
      "org.opencontainers.image.title": expected.title,
      "org.opencontainers.image.description": expect.any(String),
      "org.opencontainers.image.source": LABEL_ARGS.SOURCE,
      "org.opencontainers.image.licenses": LABEL_ARGS.LICENSES,
      "org.opencontainers.image.version": LABEL_ARGS.VERSION,
      "org.opencontainers.image.revision": LABEL_ARGS.REVISION,
      "org.opencontainers.image.created": LABEL_ARGS.CREATED,
      "org.opencontainers.image.base.name": ctx.bases.baseName,
      "org.opencontainers.image.base.digest": ctx.bases.baseDigest,
    });
  });

  it("holds no npm, npx, corepack, yarn or pnpm anywhere in its filesystem", () => {
    expect(fsReport.packageManagers).toEqual([]);
  });

  it("keeps the app's files owned by root and read-only to the app user", () => {
    expect(fsReport.appFilesRead).toBeGreaterThan(10);
    expect(fsReport.writableByApp).toEqual([]);
  });

  it("runs the app's install scripts without the build's credentials (the install-script canary ran, and found none)", async () => {
    // The build lays the repository out under BUILD_DIR; the install runs in the app's folder.
    // A canary that found a credential fails the build above; this proves it ran at all.
    const deps = imageTag(ctx.runId, `${name}-deps`);
    await build({ ...request, tag: deps, target: "deps" });
    const note = await docker(["run", "--rm", "--network", "none", "--label", `${RUN_LABEL}=${ctx.runId}`, "--entrypoint", "cat", deps, path.posix.join(BUILD_DIR, app, INSTALL_SCRIPT_CANARY.note)]);
    expect(note).toBe(INSTALL_SCRIPT_CANARY.clean);
  });

  it("contains none of the canary files planted in the build context", () => {
    // The copy really had them: otherwise their absence below would prove nothing.
    for (const canary of ctx.canaries) expect(existsSync(path.join(request.context, canary.file)), canary.file).toBe(true);
    expect(fsReport.presentPaths).toEqual([]);
    expect(fsReport.markerHits).toEqual([]);
  });

  it("has no byte of a canary or of the npmrc secret in any layer of `docker save`", () => {
    const markers = [...ctx.canaries.map((c) => c.marker), ctx.npmrc.marker];
    const hits = [...saved.entries].flatMap(([name, bytes]) => markers.filter((m) => bytes.includes(m)).map((m) => `${name}: ${m}`));
    expect(hits).toEqual([]);
    // The scan sees the app: its package name is in a layer, so an empty result above is meaningful.
    expect(saved.layers.some((l) => l.bytes.includes(`"name": "${expected.packageName}"`))).toBe(true);
  });

  it("is one base filesystem layer with only the app's files in the layers above it", () => {
    const names = saved.layers.map((l) => tarEntries(l.bytes).map((e) => e.name.replace(/\/$/, "")));
    expect(names[0]).toEqual(expect.arrayContaining(["usr/local/bin/node", "etc/passwd"]));
    const above = names.slice(1).flat();
    expect(above.length).toBeGreaterThan(10);
    expect(above.filter((n) => n !== "app" && !n.startsWith("app/"))).toEqual([]);
  });
});

describe("both images", () => {
  it("share the same base layer, so a registry and a node store it once", async () => {
    const layers = await Promise.all(
      APPS.map(async (app) => {
        await ensureBuilt(appBuild(ctx, app), log);
        return JSON.parse(await docker(["image", "inspect", "--format", "{{json .RootFS.Layers}}", imageTag(ctx.runId, app)])) as string[];
      }),
    );
    expect(layers[0]?.[0]).toMatch(/^sha256:/);
    expect(layers[1]?.[0]).toBe(layers[0]?.[0]);
  });
});
