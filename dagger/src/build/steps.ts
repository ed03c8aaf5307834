/**
 * Named build steps, each `(c: Container) => Container`, composed with `.with(...)`. They mirror
 * the RUN and COPY lines of Dockerfile.backend and Dockerfile.frontend (the parity test compares them).
 */
import { dag, type Container, type Directory, type Secret } from "@dagger.io/dagger";

import { BUILD_DIR, CA_PATH, INSTALL_INPUTS, NPM_CACHE, NPMRC_PATH, PNPM_STORE, type CacheMount } from "./defaults.js";

/** Optional credentials of the install steps; only ever mounted, never copied into a layer. */
export interface InstallSecrets {
  /** An .npmrc for private registries or a mirror. */
  npmrc?: Secret;
  /** An extra CA bundle (PEM), e.g. for a TLS-intercepting proxy. */
  ca?: Secret;
}

/** What one command gets for itself alone, as a BuildKit `RUN --mount=…` or a Dockerfile ARG in scope. */
export interface RunScope {
  caches?: readonly CacheMount[];
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
  const caches = scope.caches ?? [];
  const env = Object.entries(scope.env ?? {});
  const { npmrc, ca } = scope.secrets ?? {};
  return (c) => {
    let out = c;
    for (const cache of caches) out = out.withMountedCache(cache.path, dag.cacheVolume(cache.volume));
    if (npmrc) out = out.withMountedSecret(NPMRC_PATH, npmrc);
    if (ca) out = out.withMountedSecret(CA_PATH, ca).withEnvVariable("NODE_EXTRA_CA_CERTS", CA_PATH);
    for (const [name, value] of env) out = out.withEnvVariable(name, value);
    out = out.withExec([...args]);
    for (const cache of caches) out = out.withoutMount(cache.path);
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

/** Install the pinned pnpm with npm (corepack refuses pnpm 12's unsigned releases), after checking its version. */
export function withPnpm(version: string, secrets: InstallSecrets): (c: Container) => Container {
  return (c) =>
    c
      .with(withRun(["node", "-e", PNPM_VERSION_CHECK, version]))
      .with(withRun(["npm", "install", "--global", `pnpm@${version}`], { caches: [NPM_CACHE], secrets }));
}

/** Install dependencies from the manifest and lockfile alone: only INSTALL_INPUTS reach this step, so a source edit leaves it cached. */
export function withFrozenInstall(app: Directory, secrets: InstallSecrets): (c: Container) => Container {
  return (c) =>
    c
      .with(withSource(app, INSTALL_INPUTS))
      .with(withRun(["pnpm", "install", "--frozen-lockfile", `--store-dir=${PNPM_STORE.path}`], { caches: [PNPM_STORE], secrets }));
}

/**
 * Add the app's source to BUILD_DIR — only the files `include` matches (Directory.filter
 * patterns, relative to the app folder), or all of it — so each step's cache depends on exactly
 * the files it reads.
 */
export function withSource(app: Directory, include?: readonly string[]): (c: Container) => Container {
  return (c) => c.withDirectory(BUILD_DIR, include ? app.filter({ include: [...include] }) : app);
}
