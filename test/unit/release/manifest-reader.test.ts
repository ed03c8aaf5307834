/**
 * The manifest reader: its argv and schemes, and the fixed program run for real with node against
 * small registries on 127.0.0.1 that answer as distribution's (Basic) and a token-service registry
 * (Bearer) do — the login from a Docker config.json or cosign's variables, and each failure's exit code.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseFetchedManifest } from "../../../dagger/src/release/image-index.ts";
import { MANIFEST_READER_PROGRAM, OCI_INDEX, OCI_MANIFEST, readerEnvironment, readManifestArgs, READER_EXIT, registrySchemes } from "../../../dagger/src/release/manifest-reader.ts";

const BODY = JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [{ mediaType: OCI_MANIFEST, digest: `sha256:${"a".repeat(64)}`, size: 1, platform: { os: "linux", architecture: "amd64" } }] });
const DIGEST = `sha256:${createHash("sha256").update(BODY).digest("hex")}`;
const PATH = "acme/drydock-backend";
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;

describe("readManifestArgs", () => {
  it("passes the registry, path, digest and schemes as arguments to the fixed program", () => {
    expect(readManifestArgs(`ghcr.io/${PATH}:1.2.3@${DIGEST}`)).toEqual(["node", "-e", MANIFEST_READER_PROGRAM, "ghcr.io", PATH, DIGEST, "https"]);
  });

  it("refuses a reference without digest", () => expect(() => readManifestArgs(`ghcr.io/${PATH}:1.2.3`)).toThrow(/has no digest/));

  it.each([
    { registry: "ghcr.io", flags: {}, schemes: ["https"] },
    { registry: "registry.example.com:5000", flags: { allowHttpRegistry: true }, schemes: ["https", "http"] },
    { registry: "127.0.0.1:5000", flags: {}, schemes: ["https", "http"] },
    { registry: "localhost:5000", flags: {}, schemes: ["https", "http"] },
    { registry: "10.199.0.2:5001", flags: {}, schemes: ["https", "http"] },
    { registry: "172.20.0.1", flags: {}, schemes: ["https", "http"] },
    { registry: "172.32.0.1", flags: {}, schemes: ["https"] },
    { registry: "192.168.1.9:443", flags: {}, schemes: ["https", "http"] },
  ])("$registry → $schemes, as cosign's registry client", ({ registry, flags, schemes }) => expect(registrySchemes(registry, flags)).toEqual(schemes));

  it("skips TLS verification only for --allow-insecure-registry", () => {
    expect(readerEnvironment({})).toEqual({});
    expect(readerEnvironment({ allowInsecureRegistry: true })).toEqual({ NODE_TLS_REJECT_UNAUTHORIZED: "0" });
  });
});

interface Registry {
  host: string;
  requests: string[];
}

const servers: Server[] = [];
const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function registry(handle: (req: IncomingMessage, res: ServerResponse, host: string) => void): Promise<Registry> {
  const requests: string[] = [];
  let host = "";
  const server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url} ${req.headers.authorization ?? "-"}`);
    handle(req, res, host);
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const address = server.address();
  host = `127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  return { host, requests };
}

const serveBody = (res: ServerResponse) => {
  res.writeHead(200, { "Content-Type": OCI_INDEX, "Docker-Content-Digest": DIGEST });
  res.end(BODY);
};

/** Run the reader's argv for real with this machine's node, in `env`. */
function runReader(host: string, env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  const [, ...args] = readManifestArgs(`${host}/${PATH}@${DIGEST}`);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { env: { PATH: process.env["PATH"] ?? "", ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (b: Buffer) => (stdout += b.toString()));
    child.stderr.on("data", (b: Buffer) => (stderr += b.toString()));
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

function dockerConfig(auths: Record<string, unknown>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "drydock-reader-"));
  dirs.push(dir);
  writeFileSync(path.join(dir, "config.json"), JSON.stringify({ auths }));
  return dir;
}

function rawConfig(text: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "drydock-reader-"));
  dirs.push(dir);
  writeFileSync(path.join(dir, "config.json"), text);
  return dir;
}

/** distribution's registry with htpasswd: a Basic challenge, then the manifest for the right login. */
const basicRegistry = () =>
  registry((req, res) => {
    if (req.headers.authorization !== basic("drydock-bot", "s3cret")) {
      res.writeHead(401, { "WWW-Authenticate": 'Basic realm="drydock-e2e"', "Content-Type": "application/json" });
      res.end('{"errors":[{"code":"UNAUTHORIZED"}]}');
      return;
    }
    if (req.url !== `/v2/${PATH}/manifests/${DIGEST}`) {
      res.writeHead(404);
      res.end('{"errors":[{"code":"MANIFEST_UNKNOWN"}]}');
      return;
    }
    serveBody(res);
  });

/** A registry with a token service: a Bearer challenge; the token for a pull of the repository, given to `login` (or anyone when undefined). */
const tokenRegistry = (login?: string) =>
  registry((req, res, host) => {
    const url = new URL(req.url ?? "/", `http://${host}`);
    if (url.pathname === "/token") {
      const scopeOk = url.searchParams.get("scope") === `repository:${PATH}:pull` && url.searchParams.get("service") === "registry.test";
      if (!scopeOk || (login !== undefined && req.headers.authorization !== login)) {
        res.writeHead(401);
        res.end("denied");
        return;
      }
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ token: "t0ken" }));
      return;
    }
    if (req.headers.authorization !== "Bearer t0ken") {
      res.writeHead(401, { "WWW-Authenticate": `Bearer realm="http://${host}/token",service="registry.test",scope="repository:${PATH}:pull"` });
      res.end();
      return;
    }
    serveBody(res);
  });

describe("the reader, run for real", () => {
  it("answers a Basic challenge with the login of the mounted config.json, and prints the bytes served", async () => {
    const r = await basicRegistry();
    const result = await runReader(r.host, { DOCKER_CONFIG: dockerConfig({ [`https://${r.host}`]: { auth: Buffer.from("drydock-bot:s3cret").toString("base64") } }) });
    expect(result.code, result.stderr).toBe(0);
    expect(parseFetchedManifest(result.stdout, `${r.host}/${PATH}@${DIGEST}`)).toMatchObject({ kind: "index", variants: [{ platform: "linux/amd64" }] });
    expect(r.requests).toEqual([`GET /v2/${PATH}/manifests/${DIGEST} -`, `GET /v2/${PATH}/manifests/${DIGEST} ${basic("drydock-bot", "s3cret")}`]);
  });

  it("follows a Bearer challenge to the token service with cosign's login variables, for a pull of the repository", async () => {
    const r = await tokenRegistry(basic("acme-bot", "t0k"));
    const result = await runReader(r.host, { COSIGN_REGISTRY_USERNAME: "acme-bot", COSIGN_REGISTRY_PASSWORD: "t0k" });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ contentType: OCI_INDEX, body: Buffer.from(BODY).toString("base64") });
    expect(r.requests.at(-1)).toBe(`GET /v2/${PATH}/manifests/${DIGEST} Bearer t0ken`);
  });

  it("asks the token service anonymously without a login: a public repository", async () => {
    const r = await tokenRegistry();
    const result = await runReader(r.host, {});
    expect(result.code, result.stderr).toBe(0);
    expect(r.requests.some((line) => line.startsWith("GET /token?") && line.endsWith(" -"))).toBe(true);
  });

  it.each([
    { name: "a wrong password", env: () => ({ COSIGN_REGISTRY_USERNAME: "drydock-bot", COSIGN_REGISTRY_PASSWORD: "wrong" }), code: READER_EXIT.refused, says: /: 401 with the login given: \{"errors":\[\{"code":"UNAUTHORIZED"\}\]\}/ },
    { name: "no login at all", env: () => ({}), code: READER_EXIT.refused, says: /the registry asks for a login and none was given/ },
    { name: "a config.json for another registry", env: () => ({ DOCKER_CONFIG: dockerConfig({ "ghcr.io": { auth: Buffer.from("drydock-bot:s3cret").toString("base64") } }) }), code: READER_EXIT.refused, says: /none was given/ },
    { name: "a DOCKER_CONFIG without config.json (no login, as for docker)", env: () => ({ DOCKER_CONFIG: path.join(os.tmpdir(), "drydock-no-such-config") }), code: READER_EXIT.refused, says: /none was given/ },
    { name: "a config.json that is no JSON", env: () => ({ DOCKER_CONFIG: rawConfig("{ not json") }), code: 1, says: /cannot read the registry login .*config\.json: / },
  ])("exits $code for $name", async ({ env, code, says }) => {
    const r = await basicRegistry();
    const result = await runReader(r.host, env());
    expect(result.code).toBe(code);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(says);
  });

  it("exits 3 when the registry has no such manifest", async () => {
    const r = await registry((_req, res) => {
      res.writeHead(404);
      res.end('{"errors":[{"code":"MANIFEST_UNKNOWN"}]}');
    });
    const result = await runReader(r.host, {});
    expect(result.code).toBe(READER_EXIT.notFound);
    expect(result.stderr).toMatch(/: 404: \{"errors":\[\{"code":"MANIFEST_UNKNOWN"\}\]\}/);
  });

  it("exits 4 naming both schemes it tried when nothing listens", async () => {
    const r = await registry(() => undefined);
    await new Promise((resolve) => servers.pop()!.close(resolve));
    const result = await runReader(r.host, {});
    expect(result.code).toBe(READER_EXIT.unreachable);
    expect(result.stderr).toContain(`https://${r.host}/v2/${PATH}/manifests/${DIGEST}: `);
    expect(result.stderr).toContain(`http://${r.host}/v2/${PATH}/manifests/${DIGEST}: ECONNREFUSED`);
  });
});
