import { readFile } from "node:fs/promises";
import path from "node:path";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { build, type BuildRequest } from "../support/docker/app-images.ts";
import { docker } from "../support/docker/cli.ts";
import { readComposeFile } from "../support/docker/compose-flags.ts";
import { appBuild, imageTag, RUN_LABEL } from "../support/docker/e2e-context.ts";
import { EMULATED_MEMORY, ensureEmulation, withBackendMemory } from "../support/docker/emulation.ts";
import { REPO_ROOT } from "../support/docker/engine.ts";
import { http, pollUntil, Stack } from "../support/docker/stack.ts";
import { ARM64, platformOf } from "../support/docker/standin-platform.ts";
import { ensureNodeStandIns } from "../support/docker/standins.ts";
import { onCi } from "../support/shared-material.ts";

const PLATFORM = platformOf(ARM64);

const ctx = inject("drydockE2e");
const log = (line: string) => console.log(`[e2e] ${line}`);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

// Registers QEMU's aarch64 handler when it is not (root only); without it nothing here can run.
const emulation = await ensureEmulation();
// On CI a skip would hide a broken install step: there, no emulation fails the file.
if (!emulation.ok && onCi()) throw new Error(`CI=${process.env["CI"]}: linux/arm64 emulation is required, and: ${emulation.reason}`);
if (!emulation.ok) console.warn(`[e2e] skipping test/e2e/arm64.test.ts (linux/arm64 under emulation): ${emulation.reason}`);

/**
 * The issue "multi-platform, end to end": Dockerfile.backend builds for linux/arm64 on this amd64
 * machine (every RUN of the build emulated by QEMU), on arm64 stand-in bases, and the image starts
 * under emulation beside the amd64 Postgres of the run, as the hardened stack runs it. Each step
 * logs its time: the cost of emulation, against the amd64 figures of the other files.
 */
describe.skipIf(!emulation.ok)(`the backend built for ${PLATFORM} with Dockerfile.backend, run under QEMU user emulation`, () => {
  const tag = imageTag(ctx.runId, "backend-arm64");
  let bases: { build: string; runtime: string };
  let stack: Stack;

  beforeAll(async () => {
    if (emulation.ok) log(`emulation: qemu-aarch64 ${emulation.how} in ${seconds(emulation.seconds * 1000)}`);
    const standInsStarted = Date.now();
    bases = await ensureNodeStandIns(ARM64, log);
    log(`arm64 stand-ins ready in ${seconds(Date.now() - standInsStarted)}`);
    const runtimeId = await docker(["image", "inspect", "--format", "{{.Id}}", bases.runtime]);
    // The run's own backend build (canary context, npmrc secret, labels), for arm64 bases and platform.
    const request: BuildRequest = {
      ...appBuild(ctx, "backend"),
      tag,
      platform: PLATFORM,
      bases: { origin: "stand-in", build: bases.build, runtime: bases.runtime, baseName: bases.runtime, baseDigest: runtimeId, postgres: ctx.bases.postgres },
    };
    const outcome = await build(request);
    log(`built ${tag} for ${PLATFORM} in ${outcome.seconds.toFixed(1)} s`);
    stack = new Stack(ctx, withBackendMemory(await readComposeFile(path.join(REPO_ROOT, "compose.security.yaml")), EMULATED_MEMORY), "arm64");
  });

  it(`runs the arm64 stand-ins with docker run --platform ${PLATFORM}: the kernel hands their binaries to QEMU inside a container`, async () => {
    const shell = await docker(["run", "--rm", "--platform", PLATFORM, "--network", "none", "--label", `${RUN_LABEL}=${ctx.runId}`, bases.build, "sh", "-c", "uname -m; dpkg --print-architecture"]);
    expect(shell.split("\n")).toEqual(["aarch64", "arm64"]);
    const node = await docker(["run", "--rm", "--platform", PLATFORM, "--network", "none", "--label", `${RUN_LABEL}=${ctx.runId}`, bases.runtime, "node", "-p", "process.arch"]);
    expect(node).toBe("arm64");
  });

  it("says linux/arm64 in its image config", async () => {
    expect(await docker(["image", "inspect", "--format", "{{.Os}} {{.Architecture}}", tag])).toBe("linux arm64");
  });

  it("runs an arm64 node: process.arch inside the image is arm64", async () => {
    const arch = await docker(["run", "--rm", "--platform", PLATFORM, "--network", "none", "--label", `${RUN_LABEL}=${ctx.runId}`, "--entrypoint", "node", tag, "-p", "process.arch"]);
    expect(arch).toBe("arm64");
  });

  it(`starts against the run's amd64 Postgres, with the compose file's hardening (memory limit ${EMULATED_MEMORY}), and answers 200 on /health`, async () => {
    await stack.createNetworks();
    const databaseUrl = await stack.startDatabase(ctx.bases.postgres);
    const applied = await stack.applyMigrations(path.join(ctx.appCopy, "backend/prisma/migrations"), "app", "app");
    log(`applied migrations ${applied.join(", ")} to ${ctx.bases.postgres}`);

    const started = Date.now();
    await stack.start({ service: "backend", image: tag, environment: { DATABASE_URL: databaseUrl, PORT: "3000" } });
    const backend = `http://${await stack.ip("backend", "web")}:3000`;
    const answered = await pollUntil("the arm64 backend's /health", () => http(`${backend}/health`), (r) => r.status === 200, 180_000);
    const firstAnswer = Date.now() - started;
    expect(answered).toEqual({ status: 200, body: '{"status":"ok"}' });
    // The image's own HEALTHCHECK (an emulated node too), every 10 s: "healthy" after its first pass.
    await stack.waitHealthy("backend", 180_000);
    log(`arm64 backend: docker run to first 200 on /health ${seconds(firstAnswer)}, to "healthy" ${seconds(Date.now() - started)}`);
    log(`arm64 backend memory once healthy: ${await docker(["stats", "--no-stream", "--format", "{{.MemUsage}}", stack.name("backend")])}`);

    // Emulated, not native: on the host, the container's PID 1 is QEMU's aarch64 interpreter running node.
    const pid = await docker(["inspect", "--format", "{{.State.Pid}}", stack.name("backend")]);
    const [interpreter, ...args] = (await readFile(`/proc/${pid}/cmdline`, "utf8")).split("\0");
    expect(interpreter).toMatch(/qemu.*aarch64|aarch64.*qemu/);
    expect(args.slice(0, 3)).toEqual(["/usr/local/bin/node", "node", "dist/.drydock-entrypoint"]);
  });
});
