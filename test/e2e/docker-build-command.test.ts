/**
 * `app --name=backend docker-build-command`, for real: the printed line (read by a real shell)
 * builds the reference backend with Docker, and the image is the one the e2e's own `docker build`
 * of Dockerfile.backend makes — same image config, same layers. Then the README's hardened
 * `docker run` lines start the images as written: read-only root, no capabilities, no privilege
 * escalation, uid 1000, and a tmpfs only where the app writes (Next's image cache).
 */
import { copyFile, readFile } from "node:fs/promises";
import path from "node:path";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { App } from "../../dagger/src/objects/app.ts";
import { buildCaFile, dockerfileOf, ensureBuilt, LABEL_ARGS } from "../support/docker/app-images.ts";
import { docker, dockerTry, failureMessage } from "../support/docker/cli.ts";
import { appBuild, imageTag, RUN_LABEL } from "../support/docker/e2e-context.ts";
import { http, pollUntil } from "../support/docker/stack.ts";
import { useFakeEngine, withEngine } from "../support/fake-engine/index.js";
import { drydock } from "../support/plan-helpers.js";
import { runWithFakeDocker } from "../support/sh-argv.js";

const ctx = inject("drydockE2e");
const log = (line: string) => console.log(`[e2e] ${line}`);
const engine = useFakeEngine();

/** The hardening flags of the README's `docker run` lines (and of compose.security.yaml's x-app-hardening). */
const HARDENING = ["--read-only", "--cap-drop=ALL", "--security-opt=no-new-privileges", "--user", "1000:1000"];
/** What the frontend writes: Next's image optimiser cache, owned by the app user. */
const FRONTEND_TMPFS = ["--tmpfs", "/app/.next/cache:uid=1000,gid=1000,mode=0700,size=64m"];

/** What `docker image inspect` says of an image that both ways of building must agree on. */
async function imageFacts(ref: string): Promise<{ config: Record<string, unknown>; layers: string[] }> {
  const [image] = JSON.parse(await docker(["image", "inspect", ref])) as [{ Config: Record<string, unknown>; RootFS: { Layers: string[] } }];
  const { Config } = image;
  return { config: { User: Config.User, Env: Config.Env, ExposedPorts: Config.ExposedPorts, Healthcheck: Config.Healthcheck, Labels: Config.Labels, Entrypoint: Config.Entrypoint, Cmd: Config.Cmd, WorkingDir: Config.WorkingDir }, layers: image.RootFS.Layers };
}

const printedTag = imageTag(ctx.runId, "backend-printed");

describe(`the printed docker build of the backend (${ctx.bases.origin} base images)`, () => {
  // Both builds read one snapshot of Dockerfile.backend: an edit while the run goes on cannot set them apart.
  const dockerfile = path.join(ctx.workDir, "Dockerfile.backend.printed-command");
  const reference = { ...appBuild(ctx, "backend"), tag: imageTag(ctx.runId, "backend-reference"), dockerfile };
  let argv: string[];

  beforeAll(async () => {
    await copyFile(dockerfileOf("backend"), dockerfile);
    await ensureBuilt(reference, log);
    // The module's settings the e2e builds use: its label values, and Prisma offline (no engine mirror here).
    const settings = { imageVersion: LABEL_ARGS.VERSION, revision: LABEL_ARGS.REVISION, created: LABEL_ARGS.CREATED, sourceUrl: LABEL_ARGS.SOURCE, licenses: LABEL_ARGS.LICENSES, prismaSchemaEngineBinary: "/bin/false" };
    const text = await withEngine(engine, () => App.chosenFrom(drydock(ctx.appCopy, settings), "backend").dockerBuildCommand(ctx.appCopy, dockerfile, printedTag, ctx.npmrc.file, buildCaFile()));
    log(`printed:\n${text}`);
    ({ argv } = runWithFakeDocker(text));
    // The one substitution: stand-in bases where no registry serves the pinned ones (the module takes only digest-pinned images).
    const bases: Record<string, string> = { BASE_NAME: ctx.bases.baseName, BASE_DIGEST: ctx.bases.baseDigest, BUILD_IMAGE: ctx.bases.build, RUNTIME_IMAGE: ctx.bases.runtime };
    argv = argv.map((word, i) => {
      const name = argv[i - 1] === "--build-arg" ? word.slice(0, word.indexOf("=")) : undefined;
      return name !== undefined && name in bases ? `${name}=${bases[name]}` : word;
    });
    const started = Date.now();
    const built = await dockerTry(argv, { timeoutMs: 20 * 60_000 });
    if (built.code !== 0) throw new Error(failureMessage("the printed docker build", built, 60));
    log(`built ${printedTag} from the printed line in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }, 25 * 60_000);

  it("builds the image of the e2e's own docker build: the same config and the same layers", async () => {
    expect(await imageFacts(printedTag)).toEqual(await imageFacts(reference.tag));
  });

  it("configures it as security-config.yml and the module's settings say", async () => {
    const { config } = await imageFacts(printedTag);
    expect(config).toMatchObject({ User: "1000:1000", ExposedPorts: { "3000/tcp": {} }, Entrypoint: ["node", "dist/.drydock-entrypoint"] });
    expect(config.Env).toEqual(expect.arrayContaining(["PORT=3000", "HEALTH_PATH=/health", "NODE_ENV=production"]));
    expect(config.Labels).toMatchObject({ "org.opencontainers.image.title": "drydock-backend", "org.opencontainers.image.version": LABEL_ARGS.VERSION, "org.opencontainers.image.revision": LABEL_ARGS.REVISION });
  });
});

/** Start `image` with `flags` on the default bridge (labelled for teardown); its address. */
async function runHardened(name: string, flags: readonly string[], image: string): Promise<{ container: string; url: string }> {
  const container = `drydock-e2e-${ctx.runId}-${name}`;
  await docker(["run", "--detach", "--name", container, "--label", `${RUN_LABEL}=${ctx.runId}`, ...flags, image]);
  const ip = await docker(["inspect", "--format", "{{.NetworkSettings.IPAddress}}", container]);
  return { container, url: `http://${ip}:3000` };
}

/** The container's state and last log lines, for a failure message. */
async function diagnose(container: string): Promise<string> {
  const state = await dockerTry(["inspect", "--format", "{{.State.Status}} exit {{.State.ExitCode}}", container]);
  const logs = await dockerTry(["logs", "--tail", "30", container]);
  return `${container}: ${state.stdout.trim()}\n${logs.stdout}${logs.stderr}`;
}

/** Poll `url` until the server answers at all (any status); the container's logs when it never does. */
async function firstAnswer(container: string, url: string): Promise<{ status: number; body: string }> {
  try {
    return await pollUntil(`GET ${url}`, () => http(url), () => true, 60_000);
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${await diagnose(container)}`);
  }
}

/** The kernel's view of the container's PID 1: uid, effective capabilities, no_new_privs. */
async function processOf(container: string): Promise<{ uid: string[]; capEff: string; noNewPrivs: string }> {
  const pid = await docker(["inspect", "--format", "{{.State.Pid}}", container]);
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const field = (name: string) => new RegExp(`^${name}:\\s+(.*)$`, "m").exec(status)?.[1]?.trim() ?? "";
  return { uid: field("Uid").split(/\s+/), capEff: field("CapEff"), noNewPrivs: field("NoNewPrivs") };
}

const CONFINED = { uid: ["1000", "1000", "1000", "1000"], capEff: "0000000000000000", noNewPrivs: "1" };

/** Next's answer on whether it served an optimised image from its cache (MISS, HIT, STALE). */
async function imageCache(url: string): Promise<string | null> {
  const response = await fetch(`${url}/_next/image?url=%2Fdrydock.png&w=96&q=75`, { headers: { accept: "image/webp" }, signal: AbortSignal.timeout(10_000) });
  await response.arrayBuffer();
  return response.status === 200 ? response.headers.get("x-nextjs-cache") : `status ${response.status}`;
}

describe("the README's hardened docker run lines", () => {
  beforeAll(async () => {
    await ensureBuilt(appBuild(ctx, "frontend"), log);
  }, 25 * 60_000);

  it("start the backend built from the printed line read-only, without capabilities or privilege escalation, as uid 1000: it answers /health (503 without its database)", async () => {
    // An address nothing listens on: the backend starts anyway and says its database is unreachable.
    const { container, url } = await runHardened("hardened-backend", [...HARDENING, "--env", "DATABASE_URL=postgresql://app:unused@127.0.0.1:9/app"], printedTag);
    const health = await firstAnswer(container, `${url}/health`);
    expect({ status: health.status, body: JSON.parse(health.body) }).toEqual({ status: 503, body: { status: "unavailable", reason: "database unreachable" } });
    expect(await processOf(container)).toEqual(CONFINED);
  });

  it.each([
    { name: "with the tmpfs for Next's cache, serves an optimised image from it the second time", tmpfs: FRONTEND_TMPFS, served: ["MISS", "HIT"], logged: false },
    { name: "without it, optimises every time and logs that it cannot write the cache", tmpfs: [], served: ["MISS", "MISS"], logged: true },
  ])("start the frontend read-only, without capabilities or privilege escalation, as uid 1000; $name", async ({ tmpfs, served, logged }) => {
    const { container, url } = await runHardened(`hardened-frontend-${tmpfs.length}`, [...HARDENING, ...tmpfs, "--env", "BACKEND_URL=http://127.0.0.1:9"], imageTag(ctx.runId, "frontend"));
    expect(await firstAnswer(container, `${url}/api/health`)).toEqual({ status: 200, body: '{"status":"ok"}' });
    expect([await imageCache(url), await imageCache(url)]).toEqual(served);
    const logs = await dockerTry(["logs", container]);
    expect(`${logs.stdout}${logs.stderr}`.includes("Failed to write image to cache"), await diagnose(container)).toBe(logged);
    expect(await processOf(container)).toEqual(CONFINED);
  });
});
