/**
 * The hardened runtime image: the base's root filesystem without package managers, the app's
 * production files owned by root, a numeric non-root user, a healthcheck that needs no curl, and
 * OCI labels. Mirrors the `runtime` stage of the Dockerfiles.
 */
import { dag, type Container, type Directory, type Platform } from "@dagger.io/dagger";

import { parsePinnedImage } from "../pinned-image.js";
import { APP_DIR, APP_USER, PACKAGE_MANAGER_PATHS, RUNTIME_PATH } from "./defaults.js";

/** What one app's runtime image needs to know. */
export interface RuntimeSpec {
  /** `org.opencontainers.image.title`, e.g. "drydock-backend". */
  title: string;
  description: string;
  port: number;
  /** HTTP path that answers 200 when the app is healthy. */
  healthPath: string;
  entrypoint: string[];
  /** Extra environment beyond NODE_ENV and PORT (e.g. the frontend's HOSTNAME). */
  env: Record<string, string>;
}

/** Build metadata for the OCI labels. */
export interface ImageMetadata {
  version: string;
  revision: string;
  created: string;
  source: string;
  licenses: string;
  /** The runtime base, split as the labels want it: name without digest, and the digest. */
  baseName: string;
  baseDigest: string;
}

/** The base image's filesystem minus npm, npx, corepack and yarn. Copying the cleaned tree into a
 * fresh container (rather than deleting on top of the base layers) ships them in no layer at all. */
export function runtimeRoot(baseImage: string, platform?: Platform): Directory {
  return containerOn(platform).from(baseImage).rootfs().filter({ exclude: [...PACKAGE_MANAGER_PATHS] });
}

/** An empty container on `platform`; without one, on the engine's own platform (the query is then the same as before platforms existed). */
export function containerOn(platform?: Platform): Container {
  return dag.container(platform ? { platform } : {});
}

/**
 * The probe's program: fixed text, the same for every app and for both ways of building. The path
 * comes from the image's HEALTH_PATH (a Dockerfile cannot pass a build argument into an exec-form
 * HEALTHCHECK, but ENV takes it) and the port from its PORT, so no configured value ever becomes
 * program text. The path is checked again here: a `docker build --build-arg HEALTH_PATH=…` reaches
 * the image unchecked, and a bad one must make the container unhealthy, saying why, not probe elsewhere.
 * No backslash and no double quote, so the text is the same in the Dockerfiles' JSON HEALTHCHECK.
 */
export const HEALTHCHECK_PROGRAM =
  "const p=process.env.HEALTH_PATH||'';if(!new RegExp('^/[A-Za-z0-9._~/-]*$').test(p)||p.split('/').includes('..')){console.error('HEALTH_PATH: found '+JSON.stringify(p)+', expected an absolute URL path of letters, digits and . _ ~ / - (no .. segment)');process.exit(1)}" +
  "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+p,{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))";

/** A Node health probe in exec form: the runtime has no curl or wget, and maybe no shell. */
export const HEALTHCHECK_COMMAND: readonly string[] = ["node", "-e", HEALTHCHECK_PROGRAM];

/** What an HTTP path may hold: no quotes, spaces, `$`, backticks, `?`, `#`, `%` or `..` segments. */
const URL_PATH = /^\/[A-Za-z0-9._~\/-]*$/;

export function requireUrlPath(path: string, what: string): string {
  if (!URL_PATH.test(path) || path.split("/").includes("..")) {
    throw new Error(`${what}: found ${JSON.stringify(path)}, expected an absolute URL path of letters, digits and . _ ~ / - (no ".." segment) — fix the path`);
  }
  return path;
}

export const HEALTHCHECK_TIMING = { interval: "10s", timeout: "5s", startPeriod: "20s", retries: 3 } as const;

export function ociLabels(spec: RuntimeSpec, meta: ImageMetadata): Record<string, string> {
  return titledLabels(spec.title, spec.description, meta);
}

/** The OCI labels of an image named `title` (e.g. the backend's migrations image, which is no app runtime). */
export function titledLabels(title: string, description: string, meta: ImageMetadata): Record<string, string> {
  return {
    "org.opencontainers.image.title": title,
    "org.opencontainers.image.description": description,
    "org.opencontainers.image.source": meta.source,
    "org.opencontainers.image.licenses": meta.licenses,
    "org.opencontainers.image.version": meta.version,
    "org.opencontainers.image.revision": meta.revision,
    "org.opencontainers.image.created": meta.created,
    "org.opencontainers.image.base.name": meta.baseName,
    "org.opencontainers.image.base.digest": meta.baseDigest,
  };
}

/** A folder of the app's production files and where the runtime image gets it. */
export interface AppFiles {
  files: Directory;
  to: string;
}

/**
 * SOURCE_DATE_EPOCH of an image: the seconds of its `created` time (1970-01-01T00:00:00Z unless
 * `with-labels --created` gives another, e.g. the commit's). Every file the image gets from the
 * build or the source carries it instead of the time a step wrote it or a checkout made it, so two
 * builds of one commit hold the same files. (Not yet the same layers: withTimestamps leaves symbolic
 * links and the folder a copy lands in; the README's "Reproducible images".)
 */
export function sourceDateEpoch(meta: Pick<ImageMetadata, "created">): number {
  const seconds = Math.floor(Date.parse(meta.created) / 1000);
  if (!Number.isSafeInteger(seconds) || seconds < 0) {
    throw new Error(`--created: found ${JSON.stringify(meta.created)}, expected an RFC 3339 time from 1970-01-01T00:00:00Z on — file times start at the Unix epoch`);
  }
  return seconds;
}

/** `files` as an image gets them: every time set to the image's SOURCE_DATE_EPOCH. */
export function asShipped(files: Directory, meta: Pick<ImageMetadata, "created">): Directory {
  return files.withTimestamps(sourceDateEpoch(meta));
}

/** Assemble the runtime image from the base's cleaned root and the app's production files, one layer per folder, in order. */
export function runtimeImage(root: Directory, appFiles: readonly AppFiles[], spec: RuntimeSpec, meta: ImageMetadata, platform?: Platform): Container {
  // On the root's platform: the image config names it, and a publish puts the variant under it.
  let image = containerOn(platform).withRootfs(root);
  // Owned by root and read-only to the app user: the process cannot rewrite its own code.
  for (const { files, to } of appFiles) image = image.withDirectory(to, asShipped(files, meta), { owner: "0:0" });
  image = image
    .withWorkdir(APP_DIR)
    .withEnvVariable("PATH", RUNTIME_PATH)
    .withEnvVariable("NODE_ENV", "production")
    .withEnvVariable("PORT", String(spec.port))
    .withEnvVariable("HEALTH_PATH", requireUrlPath(spec.healthPath, "health path"));
  for (const [name, value] of Object.entries(spec.env)) image = image.withEnvVariable(name, value);
  image = image
    .withUser(APP_USER)
    .withExposedPort(spec.port)
    .withDockerHealthcheck([...HEALTHCHECK_COMMAND], HEALTHCHECK_TIMING);
  for (const [name, value] of Object.entries(ociLabels(spec, meta))) image = image.withLabel(name, value);
  return image.withEntrypoint(spec.entrypoint);
}

/** Split `name[:tag]@sha256:…` into the two base labels. */
export function splitPinnedImage(ref: string): { baseName: string; baseDigest: string } {
  const { baseName, digest } = parsePinnedImage(ref, "runtime image");
  return { baseName, baseDigest: digest };
}
