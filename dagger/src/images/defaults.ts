/**
 * Pinned defaults of the build, shared with Dockerfile.backend and Dockerfile.frontend (a test
 * keeps the two equal). A tag can be re-pushed, a digest cannot: every image is pinned by both.
 */

/** Official Node 24 Alpine image: the build environment and the runtime base. */
export const NODE_IMAGE =
  "docker.io/library/node:24.13.1-alpine@sha256:4f696fbf39f383c1e486030ba6b289a5d9af541642fc78ab197e584a113b9c03";

/** pnpm that installs the apps; equal to their package.json "packageManager", or pnpm switches versions. */
export const PNPM_VERSION = "12.4.2";

/** Numeric, so Kubernetes `runAsNonRoot` can verify it. */
export const APP_USER = "1000:1000";

/** Where the app lives in every image. */
export const APP_DIR = "/app";

/** Where the sources are built. */
export const BUILD_DIR = "/src";

/**
 * Where the download step puts the packages, and the store every later pnpm command reads. It is
 * part of the build's own filesystem, never a cache volume: a volume is shared with every other
 * build on the engine, and the install scripts of one repository could rewrite files that another
 * repository's install then trusts. The engine's layer cache still serves an unchanged lockfile.
 */
export const PNPM_STORE_DIR = "/pnpm/store";

/** Where the download step reads the lockfile from: a copy, so the app's own files stay as they are. */
export const FETCH_DIR = "/pnpm/fetch";

/** Mount points of the optional secrets, as BuildKit mounts them. */
export const NPMRC_PATH = "/root/.npmrc";
export const CA_PATH = "/run/secrets/ca";

/**
 * Set for every command of the build, from the deps stage on. pnpm 12 re-checks node_modules before
 * every `pnpm run`/`exec` by file timestamps, which a cached install and a fresh checkout disagree
 * on: it would reinstall, from the network, in the build steps. The install is from the frozen
 * lockfile; nothing later may change it.
 */
export const PNPM_ENV: Readonly<Record<string, string>> = { pnpm_config_verify_deps_before_run: "false" };

/** The manifest, lockfile and pnpm settings: all an install sees, so a source edit never invalidates it. */
export const INSTALL_INPUTS = ["package.json", "pnpm-lock.yaml", "pnpm-workspace.yaml", ".pnpmfile.*"] as const;

/** Package managers the base image ships and the runtime must not (paths relative to /). */
export const PACKAGE_MANAGER_PATHS = [
  "usr/local/lib/node_modules",
  "opt/yarn-*",
  "usr/local/bin/npm",
  "usr/local/bin/npx",
  "usr/local/bin/corepack",
  "usr/local/bin/yarn",
  "usr/local/bin/yarnpkg",
] as const;

export const RUNTIME_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
