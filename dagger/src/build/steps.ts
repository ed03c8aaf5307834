/**
 * Named build steps, each `(c: Container) => Container`, composed with `.with(...)`. They mirror
 * the RUN lines of Dockerfile.backend and Dockerfile.frontend (the parity test compares them).
 */
import { dag, type Container, type Directory, type Secret } from "@dagger.io/dagger";

import { BUILD_DIR, CA_PATH, INSTALL_INPUTS, NPM_CACHE, NPMRC_PATH, PNPM_STORE } from "./defaults.js";

/** Optional credentials of the install steps; only ever mounted, never copied into a layer. */
export interface InstallSecrets {
  /** An .npmrc for private registries or a mirror. */
  npmrc?: Secret;
  /** An extra CA bundle (PEM), e.g. for a TLS-intercepting proxy. */
  ca?: Secret;
}

/** Mount the optional npmrc and CA bundle the way BuildKit mounts the Dockerfiles' secrets. */
export function withInstallSecrets(secrets: InstallSecrets): (c: Container) => Container {
  return (c) => {
    let out = c;
    if (secrets.npmrc) out = out.withMountedSecret(NPMRC_PATH, secrets.npmrc);
    if (secrets.ca) out = out.withMountedSecret(CA_PATH, secrets.ca).withEnvVariable("NODE_EXTRA_CA_CERTS", CA_PATH);
    return out;
  };
}

/** Install the pinned pnpm with npm (corepack refuses pnpm 12's unsigned releases). */
export function withPnpm(version: string): (c: Container) => Container {
  return (c) =>
    c
      .withMountedCache(NPM_CACHE, dag.cacheVolume("drydock-npm-cache"))
      .withExec(["npm", "install", "--global", `pnpm@${version}`]);
}

/**
 * Install dependencies from the manifest and lockfile alone. Only INSTALL_INPUTS reach this step,
 * so a source edit leaves it cached; the store is a cache volume shared by both apps and all runs.
 */
export function withFrozenInstall(app: Directory): (c: Container) => Container {
  return (c) =>
    c
      .withWorkdir(BUILD_DIR)
      .withDirectory(BUILD_DIR, app.filter({ include: [...INSTALL_INPUTS] }))
      .withMountedCache(PNPM_STORE, dag.cacheVolume("drydock-pnpm-store"))
      .withExec(["pnpm", "install", "--frozen-lockfile", `--store-dir=${PNPM_STORE}`]);
}

/** Add the rest of the app's source, after the install so the install stays cached. */
export function withSource(app: Directory): (c: Container) => Container {
  return (c) => c.withDirectory(BUILD_DIR, app);
}

/** Run one command of the build, as written in the Dockerfile. */
export function withRun(args: string[]): (c: Container) => Container {
  return (c) => c.withExec(args);
}
