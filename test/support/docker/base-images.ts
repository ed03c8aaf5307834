/**
 * Which base images the end-to-end builds use: the pinned official images where a registry can be
 * reached (or they are already present), otherwise stand-ins built from Debian packages.
 */
import { docker, dockerTry, imageExists } from "./cli.ts";
import { ensureStandIns } from "./standins.ts";

/** The Dockerfiles' defaults: keep equal to their BASE_NAME/BASE_DIGEST. */
export const OFFICIAL_NODE = {
  name: "docker.io/library/node:24.13.1-alpine",
  digest: "sha256:4f696fbf39f383c1e486030ba6b289a5d9af541642fc78ab197e584a113b9c03",
};
/** compose.security.yaml's default database image. */
export const OFFICIAL_POSTGRES =
  "docker.io/library/postgres:17-alpine@sha256:742f40ea20b9ff2ff31db5458d127452988a2164df9e17441e191f3b72252193";

/** How long a pull may take to show that a registry answers at all. */
const REGISTRY_PROBE_MS = 20_000;

export interface BaseImages {
  origin: "official" | "stand-in";
  /** BUILD_IMAGE of the Dockerfiles. */
  build: string;
  /** RUNTIME_IMAGE of the Dockerfiles. */
  runtime: string;
  /** Values for the org.opencontainers.image.base.* labels. */
  baseName: string;
  baseDigest: string;
  postgres: string;
}

/**
 * Use the official images when present or pullable within a short timeout, else build stand-ins.
 * DRYDOCK_E2E_BASES=stand-in skips the registry probe; =official makes a failed pull an error.
 */
export async function resolveBaseImages(log: (line: string) => void): Promise<BaseImages> {
  const wanted = process.env.DRYDOCK_E2E_BASES;
  if (wanted !== undefined && wanted !== "official" && wanted !== "stand-in") {
    throw new Error(`DRYDOCK_E2E_BASES is "${wanted}"; expected "official", "stand-in" or unset`);
  }
  const officialNode = `${OFFICIAL_NODE.name}@${OFFICIAL_NODE.digest}`;
  if (wanted !== "stand-in") {
    const node = await presentOrPulled(officialNode);
    const postgres = node === true ? await presentOrPulled(OFFICIAL_POSTGRES) : node;
    if (postgres === true) {
      log(`base images: official ${officialNode} and ${OFFICIAL_POSTGRES}`);
      return {
        origin: "official",
        build: officialNode,
        runtime: officialNode,
        baseName: OFFICIAL_NODE.name,
        baseDigest: OFFICIAL_NODE.digest,
        postgres: OFFICIAL_POSTGRES,
      };
    }
    if (wanted === "official") throw new Error(`DRYDOCK_E2E_BASES=official but the official images cannot be had: ${postgres}`);
    log(`base images: no registry reachable (${postgres.split("\n")[0]}); using stand-ins`);
  }
  const standIns = await ensureStandIns(log);
  // An imported image has no registry digest; its image ID is the content address there is.
  const runtimeId = await docker(["image", "inspect", "--format", "{{.Id}}", standIns.runtime]);
  log(`base images: stand-ins ${standIns.build}, ${standIns.runtime}, ${standIns.postgres}`);
  return {
    origin: "stand-in",
    build: standIns.build,
    runtime: standIns.runtime,
    baseName: standIns.runtime,
    baseDigest: runtimeId,
    postgres: standIns.postgres,
  };
}

/** True when the image is there (already or after a pull), else why the pull failed. */
async function presentOrPulled(ref: string): Promise<true | string> {
  if (await imageExists(ref)) return true;
  const pulled = await dockerTry(["pull", "--quiet", ref], { timeoutMs: REGISTRY_PROBE_MS });
  return pulled.code === 0 ? true : `docker pull ${ref}: ${pulled.stderr.trim()}`;
}
