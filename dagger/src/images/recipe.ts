/**
 * An app's build, as data: the stages of its Dockerfile after `deps` — what of the source each
 * adds, the commands each runs, which stage each continues — and what its runtime image gets
 * from which stage. The stage functions below turn a recipe into the Dagger chain.
 */
import type { Container, Directory, Platform } from "@dagger.io/dagger";

import { BUILD_DIR, PNPM_ENV } from "./defaults.js";
import { runtimeImage, runtimeRoot, type ImageMetadata, type RuntimeSpec } from "./runtime.js";
import { LOCAL_PACKAGES_BUILD, withFrozenInstall, withPnpm, withRun, withSource, type InstallSecrets } from "./steps.js";

/** One RUN line of a Dockerfile stage: its argv, and what is in place for it alone (never a secret nor a shared cache: it runs the app's code). */
export interface Command {
  args: readonly string[];
  /** Variables of this command only, as the Dockerfile's ARGs in scope of its RUN line. */
  env?: Readonly<Record<string, string>>;
}

/** A stage that adds app source on top of the stage it continues, then runs its commands in the app's folder. */
export interface SourceStage {
  /** The files of the app folder the stage adds (Directory.filter include patterns); absent: the whole folder. */
  inputs?: readonly string[];
  /** Variables the stage sets for its commands and every stage continuing it (a Dockerfile ENV). */
  env?: Readonly<Record<string, string>>;
  commands: readonly Command[];
}

/**
 * The stage that leaves exactly the production dependencies or files in a folder. It continues
 * `packages` (the local packages the app links to, built, on top of `generate` or `deps`: `pnpm
 * deploy` copies them into the production dependencies) or `build`: the earliest one whose files
 * it needs, so the app's source does not invalidate it when it need not.
 */
export interface PruneStage {
  from: "packages" | "build";
  commands: readonly Command[];
}

/** A folder of a stage copied into the runtime image: one layer, owned by root. */
export interface RuntimeCopy {
  from: "build" | "prune";
  /** Path in the stage: absolute, or relative to the app's folder. */
  path: string;
  /** Absolute path in the runtime image. */
  to: string;
}

/**
 * An app's stages after `deps`: an optional `generate` (code generated from part of the source,
 * e.g. prisma generate), `packages` (the local packages, built: the same for every app, see
 * laterStages), `build` (the whole app source, built) and `prune`.
 */
export interface AppRecipe {
  generate?: SourceStage;
  /** The stage that adds the whole app source and builds it; continues `packages`. */
  build: SourceStage;
  prune: PruneStage;
  /** What the runtime image gets, in order. */
  appFiles: readonly RuntimeCopy[];
  runtime: RuntimeSpec;
}

/** What the config says of an app that its recipe uses (apps.<app> in security-config.yml). */
export interface AppShape {
  /** The image name: the OCI title label. */
  image: string;
  port: number;
  /** The path the healthcheck and the smoke test probe: the image's HEALTH_PATH. */
  healthPath: string;
  /** The file `node` starts, relative to the app in the image: checked after the build, then linked at the image's fixed entrypoint. */
  entrypoint: string;
}

/** Where `prisma generate` gets Prisma's schema engine: Dockerfile.backend's build args of the same names. */
export interface PrismaEngines {
  /** PRISMA_SCHEMA_ENGINE_BINARY: an existing file in the build image (e.g. /bin/false), so generate runs offline. */
  schemaEngineBinary?: string;
  /** PRISMA_ENGINES_MIRROR: a mirror of binaries.prisma.sh to fetch the schema engine from. */
  enginesMirror?: string;
}

/** The images, versions and engine sources a build uses. */
export interface Toolchain {
  buildImage: string;
  runtimeImage: string;
  pnpmVersion: string;
  secrets: InstallSecrets;
  prisma: PrismaEngines;
  /**
   * The platform every stage runs on, from the build image to the runtime base: pnpm fetches and
   * installs that platform's native packages (Prisma's engines, SWC, sharp), never another's.
   * Absent: the engine's own platform.
   */
  platform?: Platform;
}

/** The containers the runtime image takes folders from; `build` is also where a failing build is debugged. */
export interface BuiltStages {
  /** The local packages, built, on `generate` or `deps`: what the production dependencies and the backend's migrations image continue. */
  packages: Container;
  build: Container;
  prune: Container;
}

/**
 * Where an app's source goes in the build: the repository's own layout under BUILD_DIR, so a
 * workspace's relative links hold; the app's folder is every stage's working directory.
 */
export interface AppPlacement {
  /** The app's folder in the source. */
  app: Directory;
  /** Where it lands: BUILD_DIR/<folder>. */
  appDir: string;
  /** What the install sees (the InstallLayout's manifests, lockfile and pnpm settings): a filter of the source, at BUILD_DIR. */
  installInputs: Directory;
  /** The local packages the app links to: a filter of the source, at BUILD_DIR; undefined when there are none. */
  localPackages?: Directory;
}

/**
 * The `deps` stage: toolchain plus the lockfile-only install. Only the pnpm bootstrap and the
 * download, which run no code of the repository, get the install secrets.
 */
export function depsStage(base: Container, placement: AppPlacement, toolchain: Toolchain): Container {
  // The working folder comes after pnpm's own install, which every app of one engine then shares.
  return base
    .with(withEnv(PNPM_ENV))
    .with(withPnpm(toolchain.pnpmVersion, toolchain.secrets))
    .withWorkdir(placement.appDir)
    .with(withFrozenInstall(placement.installInputs, toolchain.secrets));
}

/**
 * The stages after `deps`, each continuing the one before: `generate` when the recipe has one,
 * then `packages` — the local packages the app links to, added and built by their own `build`
 * scripts (LOCAL_PACKAGES_BUILD), so an app source change rebuilds neither them nor the production
 * dependencies — then `build`; `prune` continues `packages` or `build`. The engine runs a stage
 * that two others continue once, and caches it by its own inputs only.
 */
export function laterStages(deps: Container, placement: AppPlacement, recipe: AppRecipe): BuiltStages {
  const generated = recipe.generate ? sourceStage(deps, placement, recipe.generate) : deps;
  const packages = generated.with(withLocalPackages(placement)).with(withRun(LOCAL_PACKAGES_BUILD));
  const build = sourceStage(packages, placement, recipe.build);
  return { packages, build, prune: commandsStage(recipe.prune.from === "packages" ? packages : build, recipe.prune.commands) };
}

/** The hardened runtime image: the cleaned base root, then each of the recipe's folders in order. */
export function runtimeStage(stages: BuiltStages, recipe: AppRecipe, toolchain: Toolchain, meta: ImageMetadata): Container {
  const appFiles = recipe.appFiles.map((copy) => ({ files: stages[copy.from].directory(copy.path), to: copy.to }));
  return runtimeImage(runtimeRoot(toolchain.runtimeImage, toolchain.platform), appFiles, recipe.runtime, meta, toolchain);
}

/** A stage that adds source: its variables, its part of the app's source, then its commands. */
function sourceStage(base: Container, placement: AppPlacement, stage: SourceStage): Container {
  return commandsStage(base.with(withEnv(stage.env ?? {})).with(withSource(placement.app, placement.appDir, stage.inputs)), stage.commands);
}

function withLocalPackages(placement: AppPlacement): (c: Container) => Container {
  return (c) => (placement.localPackages ? c.withDirectory(BUILD_DIR, placement.localPackages) : c);
}

function commandsStage(base: Container, commands: readonly Command[]): Container {
  return commands.reduce((stage, command) => stage.with(withRun(command.args, { env: command.env })), base);
}

function withEnv(env: Readonly<Record<string, string>>): (c: Container) => Container {
  return (c) => Object.entries(env).reduce((out, [name, value]) => out.withEnvVariable(name, value), c);
}
