/**
 * A real OCI registry on 127.0.0.1 that requires credentials: distribution's registry, built from
 * its Go module, with htpasswd (bcrypt) auth — the hash made by the small Go program in
 * htpasswd/, since distribution accepts bcrypt only and Debian's htpasswd may be absent.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { failureMessage, run } from "../docker/cli.ts";
import { freePort } from "../free-port.ts";
import { answers, startService, type Service } from "../service.ts";
import { REGISTRY } from "../tools/catalog.ts";
import { buildLocalGoProgram, ensureGoTool, type Log } from "../tools/go-tools.ts";

const HERE = path.dirname(fileURLToPath(import.meta.url));
/** The small Go program that writes a bcrypt htpasswd line. */
export const HTPASSWD_DIR = path.join(HERE, "htpasswd");

export interface AuthRegistry {
  /** 127.0.0.1:<port>. */
  host: string;
  username: string;
  password: string;
  /** `Authorization` header value for the registry's HTTP API. */
  basicAuth: string;
  stop(): Promise<void>;
}

/** Start the registry and wait until it answers `GET /v2/` with 401 (it requires credentials). */
export async function startAuthRegistry(username: string, password: string, log: Log = () => {}): Promise<AuthRegistry> {
  const binary = await ensureGoTool(REGISTRY, log);
  const htpasswdTool = await buildLocalGoProgram(HTPASSWD_DIR, "htpasswd", log);
  const dir = await mkdtemp(path.join(os.tmpdir(), "drydock-registry-"));
  const hashed = await run(htpasswdTool, [username], { input: `${password}\n` });
  if (hashed.code !== 0) throw new Error(failureMessage("htpasswd", hashed));
  await writeFile(path.join(dir, "htpasswd"), hashed.stdout);
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const config = [
    "version: 0.1",
    "log:",
    "  level: warn",
    "  accesslog:",
    "    disabled: true",
    "storage:",
    "  filesystem:",
    `    rootdirectory: ${path.join(dir, "data")}`,
    "  delete:",
    "    enabled: true",
    "http:",
    `  addr: ${host}`,
    "auth:",
    "  htpasswd:",
    "    realm: drydock-e2e",
    `    path: ${path.join(dir, "htpasswd")}`,
    "",
  ].join("\n");
  await writeFile(path.join(dir, "config.yml"), config);
  const url = `http://${host}/v2/`;
  let service: Service;
  try {
    // Up once it refuses an anonymous request: then it is serving, and requiring credentials.
    service = await startService({ name: "registry", binary, args: ["serve", path.join(dir, "config.yml")], readyWhen: `GET ${url} answering 401`, isReady: answers(url, 401), timeoutMs: 20_000 }, log);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const stop = async () => {
    await service.stop();
    await rm(dir, { recursive: true, force: true });
  };
  log(`registry ${REGISTRY.version} on ${host}, htpasswd auth`);
  return { host, username, password, basicAuth: `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`, stop };
}

/** A Docker config.json with a login for `host`: what `--registry-config` carries, and what cosign reads through DOCKER_CONFIG. */
export function dockerConfigJson(host: string, username: string, password: string): string {
  return `${JSON.stringify({ auths: { [host]: { auth: Buffer.from(`${username}:${password}`).toString("base64") } } }, null, 2)}\n`;
}

/** The digest a tag points to now, asked of the registry's HTTP API. */
export async function digestOfTag(registry: AuthRegistry, repository: string, tag: string): Promise<string> {
  const response = await fetch(`http://${registry.host}/v2/${repository}/manifests/${tag}`, {
    method: "HEAD",
    headers: {
      Authorization: registry.basicAuth,
      Accept: "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.index.v1+json",
    },
  });
  const digest = response.headers.get("docker-content-digest");
  if (response.status !== 200 || !digest) throw new Error(`HEAD ${repository}:${tag} on ${registry.host}: ${response.status}`);
  return digest;
}

/** The image config's labels of `repository@digest`, read through the registry's HTTP API. */
export async function labelsOf(registry: AuthRegistry, repository: string, digest: string): Promise<Record<string, string>> {
  const headers = { Authorization: registry.basicAuth, Accept: "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json" };
  const manifest = (await (await fetch(`http://${registry.host}/v2/${repository}/manifests/${digest}`, { headers })).json()) as { config: { digest: string } };
  const config = (await (await fetch(`http://${registry.host}/v2/${repository}/blobs/${manifest.config.digest}`, { headers })).json()) as { config?: { Labels?: Record<string, string> } };
  return config.config?.Labels ?? {};
}

/**
 * Make the signatures and attestations of digest `from` show up as those of digest `to`: copy the
 * OCI referrers fallback tag (`sha256-<hex>`, an index of the bundles; distribution v3.1 serves no
 * referrers API, so cosign uses this tag). What an attacker who can push would do to pass an
 * image off under another image's signature.
 */
export async function graftSignatures(registry: AuthRegistry, repository: string, from: string, to: string): Promise<void> {
  const tag = (digest: string) => digest.replace(":", "-");
  const got = await fetch(`http://${registry.host}/v2/${repository}/manifests/${tag(from)}`, {
    headers: { Authorization: registry.basicAuth, Accept: "application/vnd.oci.image.index.v1+json" },
  });
  if (got.status !== 200) throw new Error(`GET ${repository}:${tag(from)} on ${registry.host}: ${got.status} — was ${from} signed?`);
  const put = await fetch(`http://${registry.host}/v2/${repository}/manifests/${tag(to)}`, {
    method: "PUT",
    headers: { Authorization: registry.basicAuth, "Content-Type": got.headers.get("content-type") ?? "application/vnd.oci.image.index.v1+json" },
    body: await got.text(),
  });
  if (put.status !== 201) throw new Error(`PUT ${repository}:${tag(to)} on ${registry.host}: ${put.status} ${await put.text()}`);
}
