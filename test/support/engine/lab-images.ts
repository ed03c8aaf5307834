/**
 * The images the engine tier runs, pushed into the kit's registry and pinned by the digest it
 * gives them: no registry outside this machine can be reached, so each official image drydock
 * pins has a stand-in here, and the test copy of the module names the stand-ins instead.
 *
 * - node      the e2e's Debian stand-in of node:24-alpine (build and runtime base, as the default is)
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
import { ensureStandIns } from "../docker/standins.ts";
import { COSIGN, TRIVY, TRIVY_VERSION, COSIGN_VERSION } from "../tools/catalog.ts";
import { ensureGoTool } from "../tools/go-tools.ts";
import { craneInEngine, KIT_REGISTRY, KIT_WORK, type Log } from "./kit.ts";

export interface LabImages {
  node: string;
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
    const node = await pushDockerImage(standIns.build, "drydock-lab/node:24.13.1", work, MACHINE_ENV.flatMap((e) => ["--env", e]));
    const postgres = await pushDockerImage(standIns.postgres, "drydock-lab/postgres:17", work);
    const trivy = await pushToolImage(await ensureGoTool(TRIVY, log), "/usr/local/bin/trivy", `drydock-lab/trivy:${TRIVY_VERSION}`, work);
    const cosign = await pushToolImage(await ensureGoTool(COSIGN, log), "/ko-app/cosign", `drydock-lab/cosign:${COSIGN_VERSION}`, work);
    const images = { node, postgres, trivy, cosign };
    log(`lab images: ${Object.values(images).join(", ")}`);
    return images;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
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
