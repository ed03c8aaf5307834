/**
 * Build the application images with the repository's Dockerfiles, the way a user would
 * (`docker build -f Dockerfile.backend <app repository>`), on the base images chosen for this run.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { docker, dockerTry, failureMessage, imageExists, type RunResult } from "./cli.ts";
import { REPO_ROOT } from "./engine.ts";
import type { BaseImages } from "./base-images.ts";

export type App = "backend" | "frontend";
export const APPS: readonly App[] = ["backend", "frontend"];

/**
 * The extra CA bundle handed to builds as the `ca` secret: DRYDOCK_E2E_CA, else the
 * TLS-intercepting proxy's CA of the machines this runs on, when present.
 */
export function buildCaFile(): string | undefined {
  const configured = process.env.DRYDOCK_E2E_CA;
  if (configured !== undefined) {
    if (!existsSync(configured)) throw new Error(`DRYDOCK_E2E_CA is "${configured}", which does not exist; expected a PEM file`);
    return configured;
  }
  const proxyCa = "/usr/local/share/ca-certificates/sandboxing-egress-ca.crt";
  return existsSync(proxyCa) ? proxyCa : undefined;
}

export interface BuildRequest {
  app: App;
  /** The application repository root (the build context). */
  context: string;
  tag: string;
  bases: BaseImages;
  /** Secret id -> file. `ca` is added from buildCaFile() unless given. */
  secrets?: Record<string, string>;
  /** Build arguments on top of the base images, labels and Prisma's offline knob. */
  buildArgs?: Record<string, string>;
  /** Dockerfile to use instead of the repository's Dockerfile.<app>. */
  dockerfile?: string;
  /** Build only up to this stage. */
  target?: string;
  noCache?: boolean;
  /** `docker build --platform`, e.g. linux/arm64 (under emulation); the engine's own when not given. */
  platform?: string;
}

/** The label values the e2e builds pass, so the tests can check they land in the image. */
export const LABEL_ARGS = {
  VERSION: "1.2.3-e2e",
  REVISION: "0123456789abcdef0123456789abcdef01234567",
  CREATED: "2026-11-27T12:00:00Z",
  SOURCE: "https://example.invalid/drydock/reference-app",
  LICENSES: "MIT",
} as const;

export function dockerfileOf(app: App): string {
  return path.join(REPO_ROOT, `Dockerfile.${app}`);
}

/** The full `docker build` argument list for a request. */
export function buildArgv(request: BuildRequest): string[] {
  const args: Record<string, string> = {
    BUILD_IMAGE: request.bases.build,
    RUNTIME_IMAGE: request.bases.runtime,
    BASE_NAME: request.bases.baseName,
    BASE_DIGEST: request.bases.baseDigest,
    ...LABEL_ARGS,
    // No registry of Prisma engines is reachable; `prisma generate` needs none (see Dockerfile.backend).
    ...(request.app === "backend" ? { PRISMA_SCHEMA_ENGINE_BINARY: "/bin/false" } : {}),
    ...request.buildArgs,
  };
  const ca = buildCaFile();
  const secrets: Record<string, string> = { ...(ca ? { ca } : {}), ...request.secrets };
  return [
    "build",
    "--progress=plain",
    "--file",
    request.dockerfile ?? dockerfileOf(request.app),
    "--tag",
    request.tag,
    ...(request.target ? ["--target", request.target] : []),
    ...(request.platform ? ["--platform", request.platform] : []),
    ...(request.noCache ? ["--no-cache"] : []),
    ...Object.entries(args).flatMap(([k, v]) => ["--build-arg", `${k}=${v}`]),
    ...Object.entries(secrets).flatMap(([id, src]) => ["--secret", `id=${id},src=${src}`]),
    request.context,
  ];
}

export interface BuildOutcome extends RunResult {
  seconds: number;
}

/** Run a build and return its outcome whether it succeeded or not. */
export async function tryBuild(request: BuildRequest): Promise<BuildOutcome> {
  const started = Date.now();
  const result = await dockerTry(buildArgv(request), { timeoutMs: 30 * 60_000 });
  return { ...result, seconds: (Date.now() - started) / 1000 };
}

/** Run a build that must succeed; a failure throws with the end of BuildKit's log. */
export async function build(request: BuildRequest): Promise<BuildOutcome> {
  const outcome = await tryBuild(request);
  if (outcome.code !== 0) throw new Error(failureMessage(`docker build ${request.app} (${request.tag})`, outcome, 60));
  return outcome;
}

/** Build unless an image with that tag exists already (tags are unique per test run). */
export async function ensureBuilt(request: BuildRequest, log: (line: string) => void): Promise<void> {
  if (await imageExists(request.tag)) return;
  const outcome = await build(request);
  log(`built ${request.tag} in ${outcome.seconds.toFixed(1)} s on ${request.bases.origin} bases`);
}

/**
 * Bytes an image adds above its base: Docker's image size minus its bottom layer (the runtime root
 * filesystem, copied onto scratch as one layer). The figure the README's app-layer sizes state.
 */
export async function appLayersSize(ref: string): Promise<number> {
  const size = Number(await docker(["image", "inspect", "--format", "{{.Size}}", ref]));
  const layers = (await docker(["history", "--no-trunc", "--human=false", "--format", "{{.Size}}", ref])).split("\n");
  return size - Number(layers[layers.length - 1]);
}
