/**
 * The files an app may not have are optional in both ways of building: a per-app frontend without
 * pnpm-workspace.yaml and without public/ builds with Dockerfile.frontend and serves. (A backend
 * without .pnpmfile.mjs is examples/app-nopnpmfile; a workspace member without either file is
 * examples/workspace's services/web.)
 */
import { cp, rm } from "node:fs/promises";
import path from "node:path";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { build } from "../support/docker/app-images.ts";
import { docker } from "../support/docker/cli.ts";
import { imageTag, RUN_LABEL } from "../support/docker/e2e-context.ts";
import { http, pollUntil } from "../support/docker/stack.ts";

const ctx = inject("drydockE2e");

describe(`a frontend without pnpm-workspace.yaml and without public/ (${ctx.bases.origin} base images)`, () => {
  const tag = imageTag(ctx.runId, "frontend-bare");
  let url: string;

  beforeAll(async () => {
    const context = path.join(ctx.workDir, "app-bare-frontend");
    await cp(ctx.appCopy, context, { recursive: true, verbatimSymlinks: true });
    for (const gone of ["frontend/pnpm-workspace.yaml", "frontend/public"]) await rm(path.join(context, gone), { recursive: true });
    await build({ app: "frontend", context, tag, bases: ctx.bases, secrets: { npmrc: ctx.npmrc.file } });
    const name = `drydock-e2e-${ctx.runId}-frontend-bare`;
    await docker(["run", "-d", "--name", name, "--label", `${RUN_LABEL}=${ctx.runId}`, "--read-only", "--tmpfs", "/app/.next/cache:uid=1000,gid=1000,mode=0700", "--cap-drop", "ALL", tag]);
    url = `http://${await docker(["inspect", "--format", "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}", name])}:3000`;
  });

  it("answers its health path, with no public/ in the image", async () => {
    const health = await pollUntil("the bare frontend's /api/health", () => http(`${url}/api/health`).catch(() => ({ status: 0, body: "" })), (r) => r.status === 200, 30_000);
    expect(health.body).toBe('{"status":"ok"}');
    expect(await docker(["run", "--rm", "--network", "none", "--entrypoint", "node", tag, "-e", 'console.log(require("fs").existsSync("/app/public"))'])).toBe("false");
  });
});
