/**
 * The images the engine tier runs, pushed into the kit's registry and pinned by the digest it
 * gives them: no registry outside this machine can be reached, so each official image drydock
 * pins has a stand-in here, and the test copy of the module names the stand-ins instead.
 *
 * - node      the e2e's Debian stand-in of node:24-alpine (build and runtime base, as the default is):
 *             an index of linux/amd64 and linux/arm64, as the official image is, so a release builds
 *             each platform's variant from its own base. arm64 needs QEMU user emulation here
 *             (scripts/e2e/ensure-emulation.sh); without it the index holds amd64 alone, and says so.
 * - postgres  the e2e's stand-in of the smoke stage's Postgres
 * - trivy     the Trivy the e2e builds from its Go module, on the kit's Debian base
 * - cosign    the cosign the e2e builds, at /ko-app/cosign as in the distroless image
 *
 * The node stand-in also carries two settings of this machine in its environment, so the README's
 * commands run as written, without the builders a user of such a machine would add (`with-prisma`,
 * `with-ca-certificates`): see MACHINE_ENV.
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { docker, failureMessage, run } from "../docker/cli.ts";
import { ensureEmulation } from "../docker/emulation.ts";
import { AMD64, ARM64, platformOf } from "../docker/standin-platform.ts";
import { ensureNodeStandIns, ensureStandIns } from "../docker/standins.ts";
import { COSIGN, TRIVY, TRIVY_VERSION, COSIGN_VERSION } from "../tools/catalog.ts";
import { ensureGoTool } from "../tools/go-tools.ts";
import { craneInEngine, KIT_REGISTRY, KIT_WORK, type Log } from "./kit.ts";

export interface LabImages {
  /** An index, pinned by its digest. */
  node: string;
  /** The platforms in the node index: linux/amd64, and linux/arm64 where emulation runs. */
  nodePlatforms: string[];
  postgres: string;
  trivy: string;
  cosign: string;
}

/**
 * - PRISMA_SCHEMA_ENGINE_BINARY: Prisma's binaries host is unreachable here; generate needs no engine.
 * - NODE_EXTRA_CA_CERTS: HTTPS leaves this machine through a TLS-intercepting proxy. The engine
 *   installs the proxy's CA into every container's system bundle (the kit gives it the host's
 *   extra CAs), but node reads only its own store unless told; the kit's lab/node says the same.
 */
const MACHINE_ENV = ["PRISMA_SCHEMA_ENGINE_BINARY=/bin/false", "NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt"];
const PATH_ENV = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/** Push every stand-in (the registry forgets its manifests when the engine restarts, so always). */
export async function pushLabImages(log: Log): Promise<LabImages> {
  const standIns = await ensureStandIns(log);
  const work = await mkdtemp(path.join(os.tmpdir(), "drydock-lab-"));
  try {
    const { node, nodePlatforms } = await pushNodeIndex(standIns.build, work, log);
    const postgres = await pushDockerImage(standIns.postgres, "drydock-lab/postgres:17", work);
    const trivy = await pushToolImage(await ensureGoTool(TRIVY, log), "/usr/local/bin/trivy", `drydock-lab/trivy:${TRIVY_VERSION}`, work);
    const cosign = await pushToolImage(await ensureGoTool(COSIGN, log), "/ko-app/cosign", `drydock-lab/cosign:${COSIGN_VERSION}`, work);
    const images = { node, nodePlatforms, postgres, trivy, cosign };
    log(`lab images: ${[node, postgres, trivy, cosign].join(", ")} (node for ${nodePlatforms.join(", ")})`);
    return images;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * The node stand-in of each platform this machine can build, pushed by digest, then one index of
 * them under the tag the module copy pins. The arm64 stand-in carries Node 24.20.0 (the npm
 * registry has no 24.13.1 for arm64: standin-platform.ts); the tag names the amd64 one's.
 */
async function pushNodeIndex(amd64Build: string, work: string, log: Log): Promise<{ node: string; nodePlatforms: string[] }> {
  const emulation = await ensureEmulation();
  if (!emulation.ok) log(`lab node: linux/amd64 only, as linux/arm64 cannot run here: ${emulation.reason}`);
  const builds: [string, string][] = [[platformOf(AMD64), amd64Build]];
  if (emulation.ok) builds.push([platformOf(ARM64), (await ensureNodeStandIns(ARM64, log)).build]);
  const env = MACHINE_ENV.flatMap((e) => ["--env", e]);
  const variants = await Promise.all(builds.map(([platform, local]) => pushDockerImage(local, `drydock-lab/node:24.13.1-${platform.split("/")[1]}`, work, env)));
  const target = `${KIT_REGISTRY}/drydock-lab/node:24.13.1`;
  // crane infers each entry's platform from its config: the index says what the images say.
  await craneInEngine(["index", "append", ...variants.flatMap((v) => ["-m", v]), "-t", target]);
  return { node: await pinned(target), nodePlatforms: builds.map(([platform]) => platform) };
}

/** `docker save` then `crane push`; extra `crane mutate` flags apply after the push. */
async function pushDockerImage(local: string, name: string, work: string, mutate: string[] = []): Promise<string> {
  const tarball = path.join(work, `${name.replaceAll(/[/:]/g, "_")}.tar`);
  await docker(["save", "-o", tarball, local]);
  const target = `${KIT_REGISTRY}/${name}`;
  await craneInEngine(["push", tarball, target]);
  if (mutate.length > 0) await craneInEngine(["mutate", target, "-t", target, ...mutate]);
  return pinned(target);
}

/** The kit's Debian base (kit.sh rootfs) with one binary added at `into`. */
async function pushToolImage(binary: string, into: string, name: string, work: string): Promise<string> {
  const layerRoot = path.join(work, name.replaceAll(/[/:]/g, "_"));
  const layer = `${layerRoot}.tar.gz`;
  // Same bytes on every run (no times, sorted, gzip without a name or time): the same digest, so the
  // engine's cache of the module and of every scan survives a new run.
  const pack = 'mkdir -p "$1$(dirname "$3")" && cp "$2" "$1$3" && tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$1" -cf - . | gzip -n > "$4"';
  const placed = await run("sh", ["-c", pack, "sh", layerRoot, binary, into, layer]);
  if (placed.code !== 0) throw new Error(failureMessage(`packing ${binary}`, placed));
  const target = `${KIT_REGISTRY}/${name}`;
  await craneInEngine(["append", "--oci-empty-base", "-f", path.join(KIT_WORK, "images/base.tar.gz"), "-f", layer, "-t", target]);
  await craneInEngine(["mutate", target, "-t", target, "--set-platform", "linux/amd64", "--env", PATH_ENV]);
  return pinned(target);
}

async function pinned(target: string): Promise<string> {
  const digest = await craneInEngine(["digest", target]);
  if (!/^sha256:[a-f0-9]{64}$/.test(digest)) throw new Error(`crane digest ${target} printed "${digest}"`);
  return `${target}@${digest}`;
}
