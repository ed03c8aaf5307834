/**
 * The hardened runtime image: the base's root filesystem without package managers, the app's
 * production files owned by root, a numeric non-root user, a healthcheck that needs no curl, and
 * OCI labels. Mirrors the `runtime` stage of the Dockerfiles.
 */
import type { Container, Directory, Platform } from "@dagger.io/dagger";

import { parsePinnedImage } from "../pinned-image.js";
import { APP_DIR, APP_USER, PACKAGE_MANAGER_PATHS, RUNTIME_PATH } from "./defaults.js";
import { withShippedFolders, type ImageFolder, type Stamper } from "./file-times.js";
import { containerOn } from "./platform.js";

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

/**
 * Assemble the runtime image from the base's cleaned root and the app's production files, one
 * layer per folder, in order, every time in them the image's SOURCE_DATE_EPOCH (file-times.ts).
 */
export function runtimeImage(root: Directory, appFiles: readonly ImageFolder[], spec: RuntimeSpec, meta: ImageMetadata, stamper: Stamper): Container {
  // On the root's platform: the image config names it, and a publish puts the variant under it.
  let image = withShippedFolders(containerOn(stamper.platform).withRootfs(root), appFiles, meta.created, stamper)
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
