/**
 * The repository's pnpm settings cannot steer the credentialed download (security round 3, High).
 *
 * A canary repository's pnpm-workspace.yaml — and its package.json `pnpm` field — name a listener
 * of this test as proxy, registry and scoped registry. The caller's npmrc names this test's small
 * registry and a token for it. A real `docker build` of Dockerfile.frontend (the Dagger plan runs
 * the same commands: test/plan/parity.test.ts) then downloads the lockfile's one package with the
 * real pnpm. The listener must see no connection at all, and the token must reach the registry
 * only, as the caller configured.
 */
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import http from "node:http";
import net from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { tryBuild, type BuildOutcome } from "../support/docker/app-images.ts";
import { newMarker } from "../support/docker/canaries.ts";
import { docker, failureMessage, run } from "../support/docker/cli.ts";
import { imageTag } from "../support/docker/e2e-context.ts";
import { REPO_ROOT } from "../support/docker/engine.ts";

const ctx = inject("drydockE2e");
const SCOPE = "@drydock-fetch-canary";
const PACKAGE = `${SCOPE}/pkg`;
const VERSION = "1.0.0";

interface Listener {
  port: number;
  /** Every connection's first bytes, as text. */
  seen: string[];
  close(): Promise<void>;
}

/** A TCP listener that records what each connection sends, then hangs up: a stand-in for a hostile proxy. */
async function canaryListener(): Promise<Listener> {
  const seen: string[] = [];
  const server = net.createServer((socket) => {
    const index = seen.push("") - 1;
    socket.on("data", (chunk: Buffer) => (seen[index] += chunk.toString("latin1")));
    setTimeout(() => socket.destroy(), 200);
  });
  await new Promise<void>((resolve) => server.listen(0, "0.0.0.0", resolve));
  return { port: (server.address() as net.AddressInfo).port, seen, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

interface Registry {
  port: number;
  /** `METHOD path authorization` of each request. */
  requests: string[];
  close(): Promise<void>;
}

/** The caller's registry: serves the one package's metadata and tarball, and records each request's credentials. */
async function packageRegistry(tarball: Buffer, integrity: string, host: () => string): Promise<Registry> {
  const requests: string[] = [];
  const tarballPath = `/${PACKAGE}/-/pkg-${VERSION}.tgz`;
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url} ${req.headers.authorization ?? "-"}`);
    if (req.url === tarballPath) {
      res.writeHead(200, { "content-type": "application/octet-stream" }).end(tarball);
    } else if (decodeURIComponent(req.url ?? "") === `/${PACKAGE}`) {
      const dist = { tarball: `${host()}${tarballPath.slice(1)}`, integrity };
      const packument = { name: PACKAGE, "dist-tags": { latest: VERSION }, versions: { [VERSION]: { name: PACKAGE, version: VERSION, dist } }, time: { [VERSION]: "2026-01-01T00:00:00.000Z" } };
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(packument));
    } else {
      res.writeHead(404).end("{}");
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "0.0.0.0", resolve));
  return { port: (server.address() as net.AddressInfo).port, requests, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** The host's address on Docker's default bridge, which build steps reach. */
async function bridgeGateway(): Promise<string> {
  const gateway = (await docker(["network", "inspect", "bridge", "--format", "{{range .IPAM.Config}}{{.Gateway}}{{end}}"])).trim();
  if (!/^\d+\.\d+\.\d+\.\d+$/.test(gateway)) throw new Error(`docker network inspect bridge: found gateway ${JSON.stringify(gateway)}, expected an IPv4 address`);
  return gateway;
}

/** A package tarball (package/package.json) and its sha512 integrity, as a registry serves it. */
async function packTarball(dir: string): Promise<{ bytes: Buffer; integrity: string }> {
  await mkdir(path.join(dir, "package"), { recursive: true });
  await writeFile(path.join(dir, "package/package.json"), JSON.stringify({ name: PACKAGE, version: VERSION }));
  const file = path.join(dir, "package.tgz");
  const packed = await run("tar", ["-czf", file, "-C", dir, "package"]);
  if (packed.code !== 0) throw new Error(`tar: ${packed.stderr}`);
  const bytes = await readFile(file);
  return { bytes, integrity: `sha512-${createHash("sha512").update(bytes).digest("base64")}` };
}

describe("the credentialed download, with a repository whose pnpm settings name a hostile proxy and registry", () => {
  let canary: Listener;
  let registry: Registry;
  let token: string;
  let outcome: BuildOutcome;

  beforeAll(async () => {
    const gateway = await bridgeGateway();
    const root = await mkdtemp(path.join(ctx.workDir, "fetch-settings-"));
    const { bytes, integrity } = await packTarball(path.join(root, "pack"));
    canary = await canaryListener();
    registry = await packageRegistry(bytes, integrity, () => `http://${gateway}:${registry.port}/`);
    const hostile = `http://${gateway}:${canary.port}/`;
    const hostileSettings = {
      registry: hostile,
      registries: { [hostile]: { scopes: ["@"] } },
      namedRegistries: { work: hostile },
      pnprServer: hostile,
      httpsProxy: hostile,
      httpProxy: hostile,
      proxy: hostile,
    };

    const app = path.join(root, "repo/frontend");
    await mkdir(app, { recursive: true });
    const manifest = { name: "fetch-canary", private: true, packageManager: "pnpm@12.4.2", dependencies: { [PACKAGE]: VERSION }, pnpm: hostileSettings };
    await writeFile(path.join(app, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
    // JSON is YAML: the settings exactly as written above.
    await writeFile(path.join(app, "pnpm-workspace.yaml"), `${JSON.stringify(hostileSettings, null, 2)}\n`);
    // pnpm 12 records the pnpm it runs as the lockfile's first document: the example's, as written by pnpm.
    const example = await readFile(path.join(REPO_ROOT, "examples/app/frontend/pnpm-lock.yaml"), "utf8");
    const pnpmDocument = example.slice(0, example.indexOf("\n---\n", 1) + 1);
    await writeFile(
      path.join(app, "pnpm-lock.yaml"),
      pnpmDocument +
      [
        "---",
        "lockfileVersion: '9.0'",
        "",
        "settings:",
        "  autoInstallPeers: true",
        "  excludeLinksFromLockfile: false",
        "",
        "importers:",
        "",
        "  .:",
        "    dependencies:",
        `      '${PACKAGE}':`,
        `        specifier: ${VERSION}`,
        `        version: ${VERSION}`,
        "",
        "packages:",
        "",
        `  '${PACKAGE}@${VERSION}':`,
        `    resolution: {integrity: ${integrity}}`,
        "",
        "snapshots:",
        "",
        `  '${PACKAGE}@${VERSION}': {}`,
        "",
      ].join("\n"),
    );

    token = newMarker("npmrc token");
    const npmrc = path.join(root, "npmrc");
    await writeFile(npmrc, `${SCOPE}:registry=http://${gateway}:${registry.port}/\n//${gateway}:${registry.port}/:_authToken=${token}\n`, { mode: 0o600 });
    outcome = await tryBuild({
      app: "frontend",
      context: path.join(root, "repo"),
      tag: imageTag(ctx.runId, "fetch-settings"),
      bases: ctx.bases,
      secrets: { npmrc },
      target: "deps",
      noCache: true,
      dockerfile: process.env.DRYDOCK_FETCH_SETTINGS_DOCKERFILE,
    });
  }, 15 * 60_000);

  afterAll(async () => {
    await canary?.close();
    await registry?.close();
  });

  it("downloads the lockfile's package (the offline install that follows reads the repository's own file, with no secret)", () => {
    const log = outcome.stdout + outcome.stderr;
    expect(log.includes("Progress: resolved 1, reused 0, downloaded 1, added 1, done"), failureMessage("docker build --target deps", outcome, 25)).toBe(true);
  });

  it("opens no connection to the proxy, registry or scoped registry the repository names", () => {
    expect(canary.seen).toEqual([]);
  });

  it("downloads from the caller's registry, with the caller's token, and from nowhere else", () => {
    expect(registry.requests).toContain(`GET /${PACKAGE}/-/pkg-${VERSION}.tgz Bearer ${token}`);
  });

  it("says which of the repository's settings the download did not read", () => {
    const log = outcome.stdout + outcome.stderr;
    // BuildKit's output line (`#12 0.35 pnpm fetch: …`), not the echo of the program text.
    const line = log.split("\n").find((l) => /^#\d+ [\d.]+ pnpm fetch: reads none of these settings of the repository: /.test(l)) ?? "";
    expect(line).toMatch(/ httpProxy, httpsProxy, pnprServer, proxy, registries, registry - /);
  });

  it("prints the token nowhere in the build's log", () => {
    expect(outcome.stdout + outcome.stderr).not.toContain(token);
  });
});
