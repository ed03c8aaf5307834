/**
 * The OCI archive the engine writes for `Container.asTarball`, as the fake engine models it once
 * `tar -xf <archive> -C <dir>` unpacks it in a container: index.json, oci-layout, docker load's
 * manifest.json, and the blobs of each variant's config and manifest (and of the index, for several
 * platforms). Each image has one layer, whose digest is that of the chain that made it; the config
 * has the container's environment, user, entrypoint and labels, and the engine's own times, as
 * Dagger v0.21.8 writes them (when the layer's snapshot was made), so the times a release sets are
 * seen to change.
 */
import { createHash } from "node:crypto";
import path from "node:path/posix";
import { ObjectRef, renderChain, type ArgValue, type Chain } from "./chain.js";
import { containerState } from "./container-state.js";

/** The time the fake engine's exporter writes into every config and history entry. */
export const ENGINE_EXPORT_TIME = "2026-12-06T16:40:25.045350821Z";

const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
const OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
const OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip";

const sha256 = (text: string) => `sha256:${createHash("sha256").update(text).digest("hex")}`;
const str = (v: ArgValue | undefined) => (typeof v === "string" ? v : undefined);
const blobPath = (digest: string) => `blobs/sha256/${digest.slice("sha256:".length)}`;

/** The files of the archive the File `chain` is, by their path in it; undefined unless it is a Container.asTarball. */
export function archiveFiles(chain: Chain): Map<string, string> | undefined {
  const step = chain.at(-1);
  if (step?.field !== "asTarball") return undefined;
  const others = step.args["platformVariants"];
  const variants = [chain.slice(0, -1), ...(Array.isArray(others) ? others : []).filter((v): v is ObjectRef => v instanceof ObjectRef).map((v) => v.chain)];
  const files = new Map<string, string>();
  const put = (text: string) => {
    const digest = sha256(text);
    files.set(blobPath(digest), text);
    return { digest, size: Buffer.byteLength(text) };
  };
  const images = variants.map((variant) => {
    const state = containerState(variant);
    const [os, architecture] = (platformOf(variant) ?? "linux/amd64").split("/");
    const layer = sha256(`layer of ${renderChain(variant)}`);
    const labels = Object.fromEntries(variant.filter((s) => s.field === "withLabel").map((s) => [str(s.args["name"]), str(s.args["value"])]));
    const entrypoint = [...variant].reverse().find((s) => s.field === "withEntrypoint")?.args["args"];
    const config = put(
      JSON.stringify({
        architecture,
        os,
        config: { User: state.user, Env: Object.entries(state.env).map(([k, v]) => `${k}=${v}`), Entrypoint: entrypoint, WorkingDir: state.workdir, Labels: labels },
        created: ENGINE_EXPORT_TIME,
        history: [{ created: ENGINE_EXPORT_TIME, created_by: "Directory.withDirectory", comment: "buildkit.exporter.image.v0" }],
        rootfs: { type: "layers", diff_ids: [sha256(`diff of ${renderChain(variant)}`)] },
      }),
    );
    const annotations = Object.fromEntries(variant.filter((s) => s.field === "withAnnotation").map((s) => [str(s.args["name"]), str(s.args["value"])]));
    const manifest = put(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config: { mediaType: OCI_CONFIG, ...config },
        layers: [{ mediaType: OCI_LAYER, digest: layer, size: 1 }],
        ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
      }),
    );
    return { descriptor: { mediaType: OCI_MANIFEST, ...manifest, platform: { architecture, os } }, config: config.digest, layer };
  });
  const root =
    images.length === 1
      ? { mediaType: OCI_MANIFEST, digest: images[0]!.descriptor.digest, size: images[0]!.descriptor.size }
      : { mediaType: OCI_INDEX, ...put(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: images.map((i) => i.descriptor) })) };
  files.set("index.json", JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [root] }));
  files.set("oci-layout", JSON.stringify({ imageLayoutVersion: "1.0.0" }));
  files.set("manifest.json", JSON.stringify(images.map((i) => ({ Config: blobPath(i.config), RepoTags: null, Layers: [blobPath(i.layer)] }))));
  return files;
}

/** The platform a container chain was made for (`container(platform:)`), if it says. */
function platformOf(chain: Chain): string | undefined {
  return str([...chain].reverse().find((s) => s.field === "container")?.args["platform"]);
}

/** What lies at `sub` (relative) in an unpacked archive: a file, a folder, or nothing. */
export function inArchive(files: ReadonlyMap<string, string>, sub: string): { kind: "file"; contents: string } | { kind: "dir" } | undefined {
  const rel = path.normalize(sub).replace(/^\/+|\/+$/g, "").replace(/^\.$/, "");
  const file = files.get(rel);
  if (file !== undefined) return { kind: "file", contents: file };
  return rel === "" || [...files.keys()].some((name) => name.startsWith(`${rel}/`)) ? { kind: "dir" } : undefined;
}

/** The names directly inside `sub` of an unpacked archive; folders end in "/". */
export function listArchive(files: ReadonlyMap<string, string>, sub: string): Set<string> {
  const rel = path.normalize(sub).replace(/^\/+|\/+$/g, "").replace(/^\.$/, "");
  const prefix = rel === "" ? "" : `${rel}/`;
  const names = new Set<string>();
  for (const name of files.keys()) {
    if (!name.startsWith(prefix)) continue;
    const [head, ...rest] = name.slice(prefix.length).split("/");
    names.add(rest.length > 0 ? `${head}/` : head!);
  }
  return names;
}
