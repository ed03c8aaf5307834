/**
 * examples/workspace, built and run as the reference application is: a pnpm workspace with one
 * root lockfile, the apps in services/api and services/web, a local package both link to, a
 * custom health path, no per-app pnpm-workspace.yaml, no pnpmfile and no public/ folder. Built
 * with the repository's Dockerfiles from a canary copy, run hardened beside Postgres.
 */
import { randomBytes } from "node:crypto";
import path from "node:path";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { BUILD_DIR } from "../../dagger/src/images/defaults.ts";
import { build, ensureBuilt, type App, type BuildRequest } from "../support/docker/app-images.ts";
import { copyAppWithCanaries, INSTALL_SCRIPT_CANARY, type AppFolders, type Canary } from "../support/docker/canaries.ts";
import { docker } from "../support/docker/cli.ts";
import { readComposeFile } from "../support/docker/compose-flags.ts";
import { imageTag, RUN_LABEL } from "../support/docker/e2e-context.ts";
import { REPO_ROOT } from "../support/docker/engine.ts";
import { inspectFilesystem, type FilesystemReport } from "../support/docker/image-fs.ts";
import { http, Stack } from "../support/docker/stack.ts";

const ctx = inject("drydockE2e");
const log = (line: string) => console.log(`[e2e] ${line}`);

const FOLDERS: AppFolders = { backend: "services/api", frontend: "services/web" };

/** What examples/workspace/security-config.yml says, as `docker build` takes it. */
const BUILD_ARGS: Record<App, Record<string, string>> = {
  backend: { APP_DIR: FOLDERS.backend, TITLE: "workspace-api", HEALTH_PATH: "/healthz" },
  frontend: { APP_DIR: FOLDERS.frontend, TITLE: "workspace-web", ENTRYPOINT: "services/web/server.js" },
};

let context: string;
let canaries: Canary[];
const request = (app: App): BuildRequest => ({
  app,
  context,
  tag: imageTag(ctx.runId, `workspace-${app}`),
  bases: ctx.bases,
  secrets: { npmrc: ctx.npmrc.file },
  buildArgs: BUILD_ARGS[app],
});

beforeAll(async () => {
  context = path.join(ctx.workDir, "workspace");
  canaries = await copyAppWithCanaries(REPO_ROOT, "examples/workspace", context, FOLDERS);
  await Promise.all((["backend", "frontend"] as const).map((app) => ensureBuilt(request(app), log)));
});

describe.each(["backend", "frontend"] as const)(`the workspace's %s image (${ctx.bases.origin} base images)`, (app) => {
  let fsReport: FilesystemReport;
  let config: { User: string; Env: string[]; Labels: Record<string, string>; Entrypoint: string[] };

  beforeAll(async () => {
    const tag = request(app).tag;
    config = JSON.parse(await docker(["image", "inspect", "--format", "{{json .Config}}", tag])) as typeof config;
    fsReport = await inspectFilesystem(tag, {
      appDir: "/app",
      markers: [...canaries.map((c) => c.marker), ctx.npmrc.marker],
      // At its repository path (a copy of the whole context) or, for this app's own, at its path in the app.
      absentPaths: canaries.flatMap((c) => (c.file.startsWith(`${FOLDERS[app]}/`) ? [c.file, c.file.slice(FOLDERS[app].length + 1)] : [c.file])),
    });
  });

  it("carries the config's image name, health path and the fixed entrypoint", () => {
    expect(config.Labels["org.opencontainers.image.title"]).toBe(BUILD_ARGS[app].TITLE);
    expect(config.Env).toContain(`HEALTH_PATH=${app === "backend" ? "/healthz" : "/api/health"}`);
    expect(config.Entrypoint).toEqual(["node", app === "backend" ? "dist/.drydock-entrypoint" : ".drydock-entrypoint"]);
    expect(config.User).toBe("1000:1000");
  });

  it("holds no package manager, no canary file and no byte of a canary or of the npmrc secret", () => {
    expect(fsReport.packageManagers).toEqual([]);
    expect(fsReport.presentPaths).toEqual([]);
    expect(fsReport.markerHits).toEqual([]);
    expect(fsReport.writableByApp).toEqual([]);
  });

  it("ran the app's install scripts in its workspace folder without the build's credentials", async () => {
    const deps = imageTag(ctx.runId, `workspace-${app}-deps`);
    await build({ ...request(app), tag: deps, target: "deps" });
    const note = await docker(["run", "--rm", "--network", "none", "--label", `${RUN_LABEL}=${ctx.runId}`, "--entrypoint", "cat", deps, path.posix.join(BUILD_DIR, FOLDERS[app], INSTALL_SCRIPT_CANARY.note)]);
    expect(note).toBe(INSTALL_SCRIPT_CANARY.clean);
  });

  it("installed only this app's dependencies: the other app's are in no node_modules of the install", async () => {
    const deps = imageTag(ctx.runId, `workspace-${app}-deps`);
    const other = app === "backend" ? FOLDERS.frontend : FOLDERS.backend;
    const listing = await docker(["run", "--rm", "--network", "none", "--label", `${RUN_LABEL}=${ctx.runId}`, "--entrypoint", "ls", deps, "-a", path.posix.join(BUILD_DIR, other)]);
    expect(listing.split("\n")).not.toContain("node_modules");
  });
});

describe(`the workspace's hardened stack (${ctx.bases.origin} base images)`, () => {
  let stack: Stack;
  let api: string;
  let web: string;

  beforeAll(async () => {
    stack = new Stack(ctx, await readComposeFile(path.join(REPO_ROOT, "compose.security.yaml")), "ws");
    await stack.createNetworks();
    const databaseUrl = await stack.startDatabase(ctx.bases.postgres);
    log(`workspace: applied migrations ${(await stack.applyMigrations(path.join(context, FOLDERS.backend, "prisma/migrations"), "app", "app")).join(", ")}`);
    await stack.start({ service: "backend", image: request("backend").tag, environment: { DATABASE_URL: databaseUrl, PORT: "3000" } });
    await stack.start({ service: "frontend", image: request("frontend").tag, environment: { BACKEND_URL: "http://backend:3000", PORT: "3000" } });
    api = `http://${await stack.ip("backend", "web")}:3000`;
    web = `http://${await stack.ip("frontend", "web")}:3000`;
  });

  it.each(["backend", "frontend"])("reports the %s healthy through the image's own HEALTHCHECK", async (service) => {
    log(`workspace ${service} healthy after ${await stack.waitHealthy(service, 90_000)} ms`);
  });

  it("answers the api's custom health path with the shared package's body (the local package shipped)", async () => {
    expect(await http(`${api}/healthz`)).toEqual({ status: 200, body: '{"status":"ok","service":"api"}' });
    expect((await http(`${api}/health`)).status).toBe(404);
  });

  it("answers the web app's health path with the shared package's body, from the server in its workspace folder", async () => {
    expect(await http(`${web}/api/health`)).toEqual({ status: 200, body: '{"status":"ok","service":"web"}' });
  });

  it("shows a note created through the api on the page, dated by the shared package, with its static assets served", async () => {
    const title = `workspace note ${randomBytes(6).toString("hex")}`;
    const created = await http(`${api}/notes`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ title, body: "written by test/e2e/workspace.test.ts" }) });
    expect(created.status).toBe(201);
    const page = await http(`${web}/`);
    expect(page.status).toBe(200);
    expect(page.body).toContain(`<strong>${title}</strong>`);
    expect(page.body).toMatch(/\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/);
    const stylesheet = /href="(\/_next\/static\/[^"]+\.css)"/.exec(page.body)?.[1];
    expect(stylesheet, "the page links a stylesheet").toBeDefined();
    expect((await http(`${web}${stylesheet}`)).status).toBe(200);
  });
});
