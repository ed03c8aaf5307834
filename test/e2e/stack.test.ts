import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { appBuild, imageTag } from "../support/docker/e2e-context.ts";
import { ensureBuilt } from "../support/docker/app-images.ts";
import { NO_PNPMFILE, noPnpmfileBuild } from "../support/docker/variants.ts";
import { docker } from "../support/docker/cli.ts";
import { readComposeFile } from "../support/docker/compose-flags.ts";
import { REPO_ROOT } from "../support/docker/engine.ts";
import { http, pollUntil, Stack } from "../support/docker/stack.ts";
import { run } from "../support/docker/cli.ts";
import { acceptsStatus, parseProbeOutput, probeArgs, STOP_BUDGET_MS, stoppedInTime, type ProbeKind } from "../../dagger/src/smoke/rules.ts";

const ctx = inject("drydockE2e");
const log = (line: string) => console.log(`[e2e] ${line}`);

/**
 * The smoke stage's own probe (dagger/src/smoke/rules.ts), run here with this machine's node
 * against the hardened containers: both ways of running an image apply the same rules.
 */
async function smokeProbe(kind: ProbeKind, url: string, withinMs = 30_000) {
  const [, ...args] = probeArgs(kind, url, withinMs);
  const outcome = parseProbeOutput((await run(process.execPath, args, { timeoutMs: 60_000 })).stdout);
  return outcome;
}

// Containers, networks and volumes are removed by the global teardown (by run label), also on failure.
describe(`the hardened stack of compose.security.yaml (${ctx.bases.origin} base images)`, () => {
  let stack: Stack;
  let backend: string;
  let frontend: string;
  let leanBackend: string;

  beforeAll(async () => {
    const variant = await noPnpmfileBuild(ctx);
    await Promise.all([ensureBuilt(appBuild(ctx, "backend"), log), ensureBuilt(appBuild(ctx, "frontend"), log), ensureBuilt(variant, log)]);
    stack = new Stack(ctx, await readComposeFile(path.join(REPO_ROOT, "compose.security.yaml")));
    await stack.createNetworks();

    const databaseUrl = await stack.startDatabase(ctx.bases.postgres);
    const applied = await stack.applyMigrations(path.join(ctx.appCopy, "backend/prisma/migrations"), "app", "app");
    log(`applied migrations ${applied.join(", ")}`);

    await stack.start({
      service: "backend",
      image: imageTag(ctx.runId, "backend"),
      environment: { DATABASE_URL: databaseUrl, PORT: "3000" },
    });
    await stack.start({
      service: "frontend",
      image: imageTag(ctx.runId, "frontend"),
      environment: { BACKEND_URL: "http://backend:3000", PORT: "3000" },
    });
    // The reference backend built without its pnpmfile, as the backend service beside the other:
    // its pruned dependencies must still hold everything Prisma loads (the query compiler, the pg adapter).
    await stack.start({
      service: "backend",
      as: NO_PNPMFILE,
      image: variant.tag,
      environment: { DATABASE_URL: databaseUrl, PORT: "3000" },
    });
    backend = `http://${await stack.ip("backend", "web")}:3000`;
    frontend = `http://${await stack.ip("frontend", "web")}:3000`;
    leanBackend = `http://${await stack.ip(NO_PNPMFILE, "web")}:3000`;
  });

  it.each(["backend", "frontend", NO_PNPMFILE])("reports the %s healthy through the image's own HEALTHCHECK", async (service) => {
    const waited = await stack.waitHealthy(service, 90_000);
    log(`${service} healthy after ${waited} ms`);
  });

  it.each([
    ["backend", "health", "/health"],
    ["frontend", "health", "/api/health"],
    ["frontend", "page", "/"],
  ] as const)("passes the smoke stage's %s %s probe of %s", async (service, kind, urlPath) => {
    const outcome = await smokeProbe(kind, `${service === "backend" ? backend : frontend}${urlPath}`);
    expect(outcome?.healthy, JSON.stringify(outcome)).toBe(true);
    expect(acceptsStatus(kind, outcome!.status!)).toBe(true);
  });

  it("answers 200 on the backend's /health with the database up", async () => {
    expect(await http(`${backend}/health`)).toEqual({ status: 200, body: '{"status":"ok"}' });
  });

  it("shows on the frontend page a note created through the backend's API", async () => {
    const title = `e2e note ${randomBytes(6).toString("hex")}`;
    const created = await http(`${backend}/notes`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ title, body: "written by test/e2e/stack.test.ts" }),
    });
    expect(created.status).toBe(201);
    const page = await http(`${frontend}/`);
    expect(page.status).toBe(200);
    expect(page.body).toContain(`<strong>${title}</strong>`);
  });

  it("serves optimised images, which needs the tmpfs cache on the read-only root", async () => {
    const image = await http(`${frontend}/_next/image?url=%2Fdrydock.png&w=96&q=75`, { headers: { accept: "image/webp" } });
    expect(image.status).toBe(200);
  });

  it(`reads and writes notes through Prisma in the ${NO_PNPMFILE} image too (its query compiler survived the prune)`, async () => {
    expect(await http(`${leanBackend}/health`)).toEqual({ status: 200, body: '{"status":"ok"}' });
    const title = `lean note ${randomBytes(6).toString("hex")}`;
    const created = await http(`${leanBackend}/notes`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ title, body: "written by the lean backend" }) });
    expect(created.status).toBe(201);
    expect((await http(`${leanBackend}/notes`)).body).toContain(title);
  });

  it("runs every app as uid 1000 (read from the host's view of PID 1)", async () => {
    for (const service of ["backend", "frontend", NO_PNPMFILE]) {
      const pid = await docker(["inspect", "--format", "{{.State.Pid}}", stack.name(service)]);
      const status = await readFile(`/proc/${pid}/status`, "utf8");
      expect(/^Uid:\s+(.*)$/m.exec(status)?.[1]?.split(/\s+/), service).toEqual(["1000", "1000", "1000", "1000"]);
      expect(/^Gid:\s+(.*)$/m.exec(status)?.[1]?.split(/\s+/), service).toEqual(["1000", "1000", "1000", "1000"]);
    }
  });

  it("answers 503 on /health while Postgres is stopped, and 200 again once it is back", async () => {
    await docker(["stop", stack.name("db")]);
    const down = await pollUntil("backend /health while the database is down", () => http(`${backend}/health`), (r) => r.status === 503, 30_000);
    expect(JSON.parse(down.body)).toEqual({ status: "unavailable", reason: "database unreachable" });
    // The smoke stage would fail this backend, naming the status.
    expect(await smokeProbe("health", `${backend}/health`, 2_000)).toMatchObject({ healthy: false, status: 503 });

    await docker(["start", stack.name("db")]);
    await stack.waitHealthy("db", 60_000);
    await pollUntil("backend /health after the database restarted", () => http(`${backend}/health`), (r) => r.status === 200, 60_000);
    // The data survived on the volume, as compose keeps it.
    expect((await http(`${backend}/notes`)).body).toContain("written by test/e2e/stack.test.ts");
  });

  it.each(["backend", "frontend", NO_PNPMFILE])(`stops the %s within ${STOP_BUDGET_MS / 1000} s of docker stop (SIGTERM reaches node)`, async (service) => {
    const took = await stack.stopTimed(service);
    log(`docker stop ${service}: ${took} ms`);
    expect(stoppedInTime(took), `${took} ms`).toBe(true);
    const exit = await docker(["inspect", "--format", "{{.State.ExitCode}} {{.State.OOMKilled}}", stack.name(service)]);
    // 137 would mean Docker had to SIGKILL it.
    expect(exit).not.toMatch(/^137 /);
  });
});
