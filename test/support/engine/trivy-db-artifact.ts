/**
 * The planted Trivy DB, served as the OCI artifact Trivy downloads with `--download-db-only
 * --db-repository`: one layer, `db.tar.gz` (trivy.db and metadata.json), with the media type and
 * title annotation Trivy's DB client asks for (pkg/db/db.go and pkg/oci/artifact.go at v0.69.3).
 * Pushed with the registry API itself: crane writes only image layer media types.
 */
import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { failureMessage, run } from "../docker/cli.ts";
import { writeTrivyDb } from "../trivy-db/index.ts";
import type { Log } from "./kit.ts";

const DB_LAYER_MEDIA_TYPE = "application/vnd.aquasec.trivy.db.layer.v1.tar+gzip";
const DB_CONFIG_MEDIA_TYPE = "application/vnd.aquasec.trivy.config.v1+json";
const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";

/** Write the planted DB (built an hour ago) and push it to `http://<registry>/<repository>:<tag>`. */
export async function pushPlantedDb(registry: string, repositoryAndTag: string, log: Log): Promise<void> {
  const work = await mkdtemp(path.join(os.tmpdir(), "drydock-db-"));
  try {
    // An hour ago, but never yesterday: every summary of the run must say "updated today", also just after midnight (UTC).
    const now = new Date();
    const updatedAt = new Date(Math.max(now.getTime() - 3_600_000, Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate())));
    await writeTrivyDb({ cacheDir: work, updatedAt, log });
    const tarball = path.join(work, "db.tar.gz");
    const packed = await run("tar", ["-czf", tarball, "-C", path.join(work, "db"), "trivy.db", "metadata.json"]);
    if (packed.code !== 0) throw new Error(failureMessage("packing the planted DB", packed));
    const [repository, tag] = repositoryAndTag.split(":") as [string, string];
    const layer = await pushBlob(registry, repository, await readFile(tarball));
    const config = await pushBlob(registry, repository, Buffer.from("{}"));
    const manifest = {
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: DB_CONFIG_MEDIA_TYPE, ...config },
      layers: [{ mediaType: DB_LAYER_MEDIA_TYPE, ...layer, annotations: { "org.opencontainers.image.title": "db.tar.gz" } }],
    };
    const response = await fetch(`http://${registry}/v2/${repository}/manifests/${tag}`, {
      method: "PUT",
      headers: { "content-type": OCI_MANIFEST },
      body: JSON.stringify(manifest),
    });
    if (!response.ok) throw new Error(`pushing the DB manifest to ${registry}/${repositoryAndTag}: ${response.status} ${await response.text()}`);
    log(`planted Trivy DB at ${registry}/${repositoryAndTag}`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function pushBlob(registry: string, repository: string, content: Buffer): Promise<{ digest: string; size: number }> {
  const digest = `sha256:${createHash("sha256").update(content).digest("hex")}`;
  const started = await fetch(`http://${registry}/v2/${repository}/blobs/uploads/`, { method: "POST" });
  const location = started.headers.get("location");
  if (started.status !== 202 || !location) throw new Error(`starting a blob upload to ${registry}/${repository}: ${started.status}`);
  const url = new URL(location, `http://${registry}`);
  url.searchParams.set("digest", digest);
  const put = await fetch(url, { method: "PUT", headers: { "content-type": "application/octet-stream" }, body: new Uint8Array(content) });
  if (put.status !== 201) throw new Error(`uploading ${digest} to ${registry}/${repository}: ${put.status} ${await put.text()}`);
  return { digest, size: content.length };
}
