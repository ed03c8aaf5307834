/**
 * Dockerfile.backend's migrate target, built with Docker from the canary copy of the reference app
 * and run as a deployment runs it: a one-off, hardened container given DATABASE_URL.
 *
 * What this machine cannot show: a migration applied. `prisma migrate deploy` needs Prisma's native
 * schema engine, and no host serving it is reachable here, so the build is given
 * PRISMA_SCHEMA_ENGINE_BINARY=/bin/false (as every backend build of the e2e) and the image ships
 * that file as its engine. What is proven: the image's contents and config, and that running it
 * runs the CLI's `migrate deploy` — the Prisma config loaded, DATABASE_URL read from the environment
 * — up to the point where the CLI starts the engine, whose failure it reports and exits 1 with.
 * The engine download of a real build (Prisma's fetch-engine, in the runtime base) is exercised only
 * against a stand-in of Prisma's packages (test/unit/images/migrations-programs.test.ts). The image
 * is also scanned with the plan's own Trivy steps, for real (the pinned Trivy, the planted DB), and
 * gated with the default policy, as build-and-scan does.
 */
import { beforeAll, describe, expect, inject, it } from "vitest";
import { parseSecurityConfig } from "../../dagger/src/config/load.ts";
import { judgeReport } from "../../dagger/src/scan/verdict.ts";
import { MIGRATE_ENTRYPOINT, MIGRATIONS_DESCRIPTION, MIGRATIONS_ENV } from "../../dagger/src/images/migrations.ts";
import { ensureBuilt, LABEL_ARGS, type BuildRequest } from "../support/docker/app-images.ts";
import { docker, dockerTry } from "../support/docker/cli.ts";
import { appBuild, imageTag, RUN_LABEL } from "../support/docker/e2e-context.ts";
import { inspectFilesystem, type FilesystemReport } from "../support/docker/image-fs.ts";
import { useFakeEngine } from "../support/fake-engine/index.js";
import { drydock, EXAMPLE_APP } from "../support/plan-helpers.js";
import { saveTarball } from "../support/trivy/image-contents.ts";
import { prepareTrivy, recordTrivySteps, scanImageForReal } from "../support/trivy/real-scan.ts";

const ctx = inject("drydockE2e");
const log = (line: string) => console.log(`[e2e] ${line}`);
const engine = useFakeEngine();

interface ImageConfig {
  User: string;
  Env: string[];
  ExposedPorts?: Record<string, object> | null;
  Healthcheck?: object | null;
  Labels: Record<string, string>;
  Entrypoint: string[];
  Cmd: string[] | null;
  WorkingDir: string;
}

/** The hardened one-off run of a deployment: read-only root, no capability, no network (nothing may be downloaded at run time). */
const HARDENED = ["--rm", "--read-only", "--cap-drop", "ALL", "--security-opt", "no-new-privileges", "--network", "none"];

/** What the image's own node finds at these paths under /app: a file's mode, "dir", or "absent". */
const PROBE = [
  "const fs=require('fs');const out={};",
  "for(const p of process.argv.slice(1)){try{const s=fs.statSync('/app/'+p);out[p]=s.isDirectory()?'dir':(s.mode&0o777).toString(8)}catch{out[p]='absent'}}",
  "console.log(JSON.stringify(out))",
].join("");

describe(`the backend's migrations image, docker build --target migrate (${ctx.bases.origin} base images)`, () => {
  const tag = imageTag(ctx.runId, "backend-migrations");
  let request: BuildRequest;
  let config: ImageConfig;
  let fsReport: FilesystemReport;

  beforeAll(async () => {
    request = { ...appBuild(ctx, "backend"), tag, target: "migrate" };
    await ensureBuilt(request, log);
    config = JSON.parse(await docker(["image", "inspect", "--format", "{{json .Config}}", tag])) as ImageConfig;
    fsReport = await inspectFilesystem(tag, { appDir: "/app", markers: [...ctx.canaries.map((c) => c.marker), ctx.npmrc.marker], absentPaths: [] });
  });

  it("runs as the numeric non-root user 1000:1000, in /app, with the migration as its entrypoint and no default arguments", () => {
    expect({ user: config.User, workdir: config.WorkingDir, entrypoint: config.Entrypoint, cmd: config.Cmd }).toEqual({ user: "1000:1000", workdir: "/app", entrypoint: MIGRATE_ENTRYPOINT, cmd: null });
  });

  it("sets the CLI's schema engine, no update check and NODE_ENV=production, and exposes no port and no healthcheck: a job, not a service", () => {
    expect(config.Env).toEqual(expect.arrayContaining(Object.entries(MIGRATIONS_ENV).map(([name, value]) => `${name}=${value}`)));
    expect(config.ExposedPorts ?? {}).toEqual({});
    expect(config.Healthcheck ?? undefined).toBeUndefined();
  });

  it("carries the OCI labels, named after the backend's image", () => {
    expect(config.Labels).toEqual({
      "org.opencontainers.image.title": "drydock-backend-migrations",
      "org.opencontainers.image.description": MIGRATIONS_DESCRIPTION,
      "org.opencontainers.image.source": LABEL_ARGS.SOURCE,
      "org.opencontainers.image.licenses": LABEL_ARGS.LICENSES,
      "org.opencontainers.image.version": LABEL_ARGS.VERSION,
      "org.opencontainers.image.revision": LABEL_ARGS.REVISION,
      "org.opencontainers.image.created": LABEL_ARGS.CREATED,
      "org.opencontainers.image.base.name": ctx.bases.baseName,
      "org.opencontainers.image.base.digest": ctx.bases.baseDigest,
    });
  });

  it("holds no npm, npx, corepack, yarn or pnpm anywhere, and nothing the job's user could rewrite under /app", () => {
    expect(fsReport.packageManagers).toEqual([]);
    expect(fsReport.appFilesRead).toBeGreaterThan(100);
    expect(fsReport.writableByApp).toEqual([]);
    expect(fsReport.markerHits).toEqual([]);
  });

  it("holds the Prisma CLI, the config, schema and migrations, an executable schema engine — and not the app, its other dependencies or pnpm's shell shims", async () => {
    const paths = [
      "node_modules/prisma/build/index.js",
      "prisma.config.ts",
      "prisma/schema.prisma",
      "prisma/migrations/20261127000000_init/migration.sql",
      "schema-engine",
      "dist",
      "src",
      "node_modules/@nestjs",
      "node_modules/@prisma/client",
      "node_modules/typescript",
      "node_modules/.bin",
    ];
    const out = await docker(["run", "--rm", "--network", "none", "--label", `${RUN_LABEL}=${ctx.runId}`, "--entrypoint", "node", tag, "-e", PROBE, ...paths]);
    expect(JSON.parse(out)).toEqual({
      "node_modules/prisma/build/index.js": "755",
      "prisma.config.ts": "644",
      "prisma/schema.prisma": "644",
      "prisma/migrations/20261127000000_init/migration.sql": "644",
      "schema-engine": "755",
      dist: "absent",
      src: "absent",
      "node_modules/@nestjs": "absent",
      "node_modules/@prisma/client": "absent",
      "node_modules/typescript": "absent",
      "node_modules/.bin": "absent",
    });
  });

  it("runs `prisma migrate deploy` against the DATABASE_URL it is given, hardened and offline, up to the schema engine, and exits with the CLI's failure", async () => {
    const url = "postgresql://drydock:drydock-e2e@db.invalid:5432/app";
    const result = await dockerTry(["run", ...HARDENED, "--label", `${RUN_LABEL}=${ctx.runId}`, "-e", `DATABASE_URL=${url}`, tag], { timeoutMs: 120_000 });
    const said = `${result.stdout}\n${result.stderr}`;
    log(`migrations image run: exit ${result.code}\n${said.trim()}`);
    expect(result.code, said).toBe(1);
    expect(said).toContain("Loaded Prisma config from prisma.config.ts.");
    expect(said).toContain("Prisma schema loaded from prisma/schema.prisma.");
    // The URL of the environment, as the CLI parsed it through prisma.config.ts (the password never printed).
    expect(said).toContain('Datasource "db": PostgreSQL database "app", schema "public" at "db.invalid:5432"');
    expect(said).not.toContain("drydock-e2e");
    // The one thing this machine cannot provide: the engine is /bin/false (PRISMA_SCHEMA_ENGINE_BINARY of the e2e builds).
    expect(said).toContain('Error: Schema engine exited. Error: Command failed with exit code 1: /app/schema-engine --datasource {"url":"<REDACTED>"} cli can-connect-to-database');
  });

  it("fails, saying so, when run without DATABASE_URL", async () => {
    const result = await dockerTry(["run", ...HARDENED, "--label", `${RUN_LABEL}=${ctx.runId}`, tag], { timeoutMs: 120_000 });
    expect(result.code).toBe(1);
    expect(`${result.stdout}\n${result.stderr}`).toContain("Error: The datasource.url property is required in your Prisma config file when using prisma migrate deploy.");
  });
});

describe("the backend's migrations image, scanned by the plan's own Trivy steps and gated", () => {
  it("is scanned as backend-migrations (a container image, no secret, no failing image-config check) and judged by the default policy", async () => {
    const tag = imageTag(ctx.runId, "backend-migrations");
    await ensureBuilt({ ...appBuild(ctx, "backend"), tag, target: "migrate" }, log);
    const trivy = await prepareTrivy(ctx.workDir, log);
    const steps = await recordTrivySteps(engine, async () => (await drydock(EXAMPLE_APP).buildAndScan()).reports().sync());
    const scan = await scanImageForReal(steps, "drydock-backend-migrations", trivy, await saveTarball(tag, ctx.workDir), ctx.workDir);
    const report = JSON.parse(scan.json) as { ArtifactType: string; Results?: { Class: string; Secrets?: unknown[]; Misconfigurations?: { ID: string; Status: string; Severity: string }[]; Packages?: unknown[] }[] };
    expect(report.ArtifactType).toBe("container_image");
    const results = report.Results ?? [];
    expect(results.flatMap((r) => r.Packages ?? []).length, "Trivy saw the CLI's packages").toBeGreaterThan(50);
    expect(results.flatMap((r) => r.Secrets ?? [])).toEqual([]);
    const verdict = judgeReport({
      report: { text: scan.json, label: "Trivy report of backend-migrations" },
      loaded: parseSecurityConfig(undefined, "security-config.yml"),
      name: "backend-migrations",
      today: new Date(),
    });
    expect(verdict.markdown).toMatch(/Security gate (passed|failed): backend-migrations/);
    expect(verdict.result.failing.filter((f) => f.kind !== "vulnerability"), "no secret or image-config finding fails it").toEqual([]);
    log(`backend-migrations: ${verdict.result.failing.length} failing findings with the planted DB (${[...new Set(verdict.result.failing.map((f) => f.id))].join(", ") || "none"})`);
  });
});
