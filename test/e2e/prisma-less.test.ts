/**
 * A backend without Prisma, built with `docker build --build-arg PRISMA=off` (the Dagger build
 * detects it): no generate stage, no query-compiler prune, and an image that runs hardened.
 */
import path from "node:path";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { build, type BuildOutcome } from "../support/docker/app-images.ts";
import { docker } from "../support/docker/cli.ts";
import { readComposeFile } from "../support/docker/compose-flags.ts";
import { REPO_ROOT } from "../support/docker/engine.ts";
import { inspectFilesystem, type FilesystemReport } from "../support/docker/image-fs.ts";
import { http, Stack } from "../support/docker/stack.ts";
import { noPrismaBuild } from "../support/docker/variants.ts";

const ctx = inject("drydockE2e");
const log = (line: string) => console.log(`[e2e] ${line}`);

describe(`a backend without Prisma (${ctx.bases.origin} base images)`, () => {
  let outcome: BuildOutcome;
  let tag: string;
  let fsReport: FilesystemReport;
  let stack: Stack;
  let backend: string;

  beforeAll(async () => {
    const request = await noPrismaBuild(ctx);
    tag = request.tag;
    outcome = await build(request);
    log(`built ${tag} in ${outcome.seconds.toFixed(1)} s`);
    fsReport = await inspectFilesystem(tag, { appDir: "/app", markers: [ctx.npmrc.marker], absentPaths: [] });
    stack = new Stack(ctx, await readComposeFile(path.join(REPO_ROOT, "compose.security.yaml")), "np");
    await stack.createNetworks();
    // The compose service declares DATABASE_URL; this backend reads none.
    await stack.start({ service: "backend", image: tag, environment: { DATABASE_URL: "postgresql://unused@db:5432/none", PORT: "3000" } });
    backend = `http://${await stack.ip("backend", "web")}:3000`;
  });

  it("builds without prisma generate and without the query-compiler prune", () => {
    // The steps BuildKit ran, not the text it echoes: the layout program's own messages name prisma generate.
    const log = outcome.stdout + outcome.stderr;
    expect(log).not.toMatch(/\] RUN pnpm exec prisma generate/);
    expect(log).not.toMatch(/\] RUN used=\$\(find .*query_compiler_/);
    expect(log).toMatch(/\[prune-off \d+\/\d+\] RUN find \/out\/node_modules/);
  });

  it("reports healthy through its HEALTHCHECK and answers its health path", async () => {
    log(`no-Prisma backend healthy after ${await stack.waitHealthy("backend", 60_000)} ms`);
    expect(await http(`${backend}/health`)).toEqual({ status: 200, body: '{"status":"ok","prisma":false}' });
  });

  it("holds no package manager, no generated client and nothing writable by the app", async () => {
    expect(fsReport.packageManagers).toEqual([]);
    expect(fsReport.writableByApp).toEqual([]);
    expect(await docker(["run", "--rm", "--network", "none", "--entrypoint", "node", tag, "-e", 'console.log(require("fs").readdirSync("/app/dist").sort().join(" "))'])).toBe(".drydock-entrypoint app.module.js main.js");
  });
});
