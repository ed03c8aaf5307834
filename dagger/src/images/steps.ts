/**
 * Named build steps, each `(c: Container) => Container`, composed with `.with(...)`. They mirror
 * the RUN and COPY lines of Dockerfile.backend and Dockerfile.frontend (the parity test compares them).
 */
import type { Container, Directory, Secret } from "@dagger.io/dagger";

import { BUILD_DIR, CA_PATH, FETCH_DIR, NPMRC_PATH, PNPM_STORE_DIR } from "./defaults.js";
import { FETCH_SETTINGS_PROGRAM, SETTINGS_DIR } from "./fetch-settings.js";

/** Optional credentials of the install steps; only ever mounted, never copied into a layer. */
export interface InstallSecrets {
  /** An .npmrc for private registries or a mirror. */
  npmrc?: Secret;
  /** An extra CA bundle (PEM), e.g. for a TLS-intercepting proxy. */
  ca?: Secret;
}

/**
 * What one command gets for itself alone, as a BuildKit `RUN --mount=…` or a Dockerfile ARG in
 * scope. No cache volume: a volume is shared by every build on the engine, so a command that runs a
 * repository's code could poison what another repository's build reads.
 */
export interface RunScope {
  secrets?: InstallSecrets;
  /** Variables of this command only: a Dockerfile ARG reaches the RUN lines of its stage and is kept in no image. */
  env?: Readonly<Record<string, string>>;
}

/**
 * Run one command of the build, as written in the Dockerfile, with its mounts and variables in
 * place for that command only: the app's own build scripts, which run later, never see the
 * install credentials, and no later stage inherits a build argument.
 */
export function withRun(args: readonly string[], scope: RunScope = {}): (c: Container) => Container {
  const env = Object.entries(scope.env ?? {});
  const { npmrc, ca } = scope.secrets ?? {};
  return (c) => {
    let out = c;
    if (npmrc) out = out.withMountedSecret(NPMRC_PATH, npmrc);
    if (ca) out = out.withMountedSecret(CA_PATH, ca).withEnvVariable("NODE_EXTRA_CA_CERTS", CA_PATH);
    for (const [name, value] of env) out = out.withEnvVariable(name, value);
    out = out.withExec([...args]);
    if (npmrc) out = out.withoutMount(NPMRC_PATH);
    if (ca) out = out.withoutMount(CA_PATH).withoutEnvVariable("NODE_EXTRA_CA_CERTS");
    for (const [name] of env) out = out.withoutEnvVariable(name);
    return out;
  };
}

/**
 * Refuses a pnpm version that is not MAJOR.MINOR.PATCH before npm sees it: the Dockerfiles' only
 * check of their PNPM_VERSION build argument (an npm spec like `npm:other@1` or a URL would install
 * any package as pnpm, with the npmrc mounted). Fixed program text; the version is its argument.
 */
export const PNPM_VERSION_CHECK =
  'const v=process.argv[1];if(!/^[0-9]+[.][0-9]+[.][0-9]+$/.test(v)){console.error("PNPM_VERSION: found "+JSON.stringify(v)+", expected MAJOR.MINOR.PATCH like 12.4.2 - set it to the version that packageManager names, without a +sha512 suffix");process.exit(1)}';

/**
 * Install the pinned pnpm with npm (corepack refuses pnpm 12's unsigned releases), after checking
 * its version. It runs no repository code, so it may have the secrets; npm's cache stays in the
 * layer (no volume shared with other builds), and the layer cache serves an unchanged version.
 */
export function withPnpm(version: string, secrets: InstallSecrets): (c: Container) => Container {
  return (c) =>
    c
      .with(withRun(["node", "-e", PNPM_VERSION_CHECK, version]))
      .with(withRun(["npm", "install", "--global", `pnpm@${version}`], { secrets }));
}

/**
 * The download step's own folder: an empty package.json, the install root's lockfile without its
 * `pnpmfileChecksum:` line (`pnpm fetch --ignore-pnpmfile` refuses a lockfile that records a
 * pnpmfile it is told to ignore), and the pnpm settings as pnpm parses them — pnpm's defaults (read
 * in the still empty folder) and the install root's — for FETCH_SETTINGS_COMMAND to filter. Never
 * the repository's pnpm-workspace.yaml itself: its network settings would reach the step that holds
 * the secrets (fetch-settings.ts). The install root is the nearest folder upward from the app's that
 * holds a pnpm-lock.yaml — the app's own, or its workspace's — as pnpm finds it. Fixed text; it runs
 * with no secret, and pnpm's `config list` runs no code of the repository (no pnpmfile, no config
 * dependency).
 */
export const FETCH_FOLDER_SCRIPT =
  `root=$PWD; while [ ! -f "$root/pnpm-lock.yaml" ]; do if [ "$root" = / ]; then echo "install: no pnpm-lock.yaml in $PWD or above" >&2; exit 1; fi; root=$(dirname "$root"); done && ` +
  `mkdir -p ${FETCH_DIR} ${SETTINGS_DIR} && ` +
  `pnpm config list --json --ignore-pnpmfile --dir=${FETCH_DIR} > ${SETTINGS_DIR}/defaults.json && ` +
  `pnpm config list --json --ignore-pnpmfile --dir="$root" > ${SETTINGS_DIR}/repository.json && ` +
  `echo '{}' > ${FETCH_DIR}/package.json && ` +
  `grep -v '^pnpmfileChecksum:' "$root/pnpm-lock.yaml" > ${FETCH_DIR}/pnpm-lock.yaml`;

/** Write the download's pnpm-workspace.yaml: only the settings a frozen download needs (fetch-settings.ts). */
export const FETCH_SETTINGS_COMMAND = [
  "node",
  "-e",
  FETCH_SETTINGS_PROGRAM,
  `${SETTINGS_DIR}/defaults.json`,
  `${SETTINGS_DIR}/repository.json`,
  `${FETCH_DIR}/pnpm-workspace.yaml`,
] as const;

/**
 * Download every package the lockfile names into the store, running no code of the repository:
 * no pnpmfile, no lifecycle script. The only pnpm step that gets the secrets.
 */
export const FETCH_COMMAND = ["pnpm", "fetch", `--dir=${FETCH_DIR}`, "--ignore-pnpmfile", "--ignore-scripts", `--store-dir=${PNPM_STORE_DIR}`] as const;

/**
 * Install from the store alone: the pnpmfile and the install scripts run here, with no secret, no
 * CA variable and no volume shared with other builds — nothing they could send away or poison.
 * Only the app in the working folder and what it depends on (`{.}...`): in a workspace, the other
 * apps' dependencies stay out of this build.
 */
export const INSTALL_COMMAND = ["pnpm", "install", "--frozen-lockfile", "--offline", `--store-dir=${PNPM_STORE_DIR}`, "--filter", "{.}..."] as const;

/**
 * Build the local packages the app links to (`{.}^...`: its workspace dependencies, transitively,
 * not the app), each with its own `build` script and in dependency order; a package without one is
 * used as its sources are. Their built files (dist/, never in the build context) are what the app
 * imports and what `pnpm deploy` ships. Runs no secret. On a failure pnpm names the package's
 * folder; the line after it says what to do.
 */
export const LOCAL_PACKAGES_BUILD = [
  "/bin/sh",
  "-c",
  `pnpm --filter '{.}^...' --if-present run build || { echo "build: a local package the app links to failed its build script - pnpm names its folder above (failed in /src/<folder>); run pnpm run build in that folder to reproduce, and fix the script or the package" >&2; exit 1; }`,
] as const;

/**
 * Install dependencies from the manifests and lockfile alone: only the install inputs reach these
 * steps, so a source edit leaves them cached. Download with the secrets, then install offline without them.
 */
export function withFrozenInstall(installInputs: Directory, secrets: InstallSecrets): (c: Container) => Container {
  return (c) =>
    c
      .withDirectory(BUILD_DIR, installInputs)
      .with(withRun(["/bin/sh", "-c", FETCH_FOLDER_SCRIPT]))
      .with(withRun(FETCH_SETTINGS_COMMAND))
      .with(withRun(FETCH_COMMAND, { secrets }))
      .with(withRun(INSTALL_COMMAND));
}

/**
 * Add the app's source at `appDir` — only the files `include` matches (Directory.filter
 * patterns, relative to the app folder), or all of it — so each step's cache depends on exactly
 * the files it reads.
 */
export function withSource(app: Directory, appDir: string, include?: readonly string[]): (c: Container) => Container {
  return (c) => c.withDirectory(appDir, include ? app.filter({ include: [...include] }) : app);
}
