/**
 * An app's build, as data: the commands of the Dockerfile's `build` and `prune` stages and what
 * its runtime image needs. The stage functions below turn a recipe into the Dagger chain.
 */
import type { Container, Directory } from "@dagger.io/dagger";

import { BUILD_DIR, type CacheMount } from "./defaults.js";
import { runtimeImage, runtimeRoot, type ImageMetadata, type RuntimeSpec } from "./runtime.js";
import { withFrozenInstall, withPnpm, withRun, withSource, type InstallSecrets } from "./steps.js";

/** One RUN line of a Dockerfile stage: its argv, and the cache volumes mounted for it alone. */
export interface Command {
  args: readonly string[];
  caches?: readonly CacheMount[];
}

export interface AppRecipe {
  /** Commands of the `build` stage, run in BUILD_DIR after the source is added, in order. */
  build: Command[];
  /** Environment of the build commands (placeholders the build tools insist on, never secrets). */
  buildEnv: Record<string, string>;
  /** Commands of the `prune` stage; they leave the production files in `output`. */
  prune: Command[];
  /** Folder the prune stage fills with exactly what the runtime image gets in /app. */
  output: string;
  runtime: RuntimeSpec;
}

/** The images and versions a build uses. */
export interface Toolchain {
  buildImage: string;
  runtimeImage: string;
  pnpmVersion: string;
  secrets: InstallSecrets;
}

/** The `deps` stage: toolchain plus the lockfile-only install, the only steps that get the install secrets. */
export function depsStage(base: Container, app: Directory, toolchain: Toolchain): Container {
  return base
    .withWorkdir(BUILD_DIR)
    .with(withPnpm(toolchain.pnpmVersion, toolchain.secrets))
    .with(withFrozenInstall(app, toolchain.secrets));
}

/** The `build` stage: source added on top of the installed dependencies, then the build commands. */
export function buildStage(deps: Container, app: Directory, recipe: AppRecipe): Container {
  let stage = deps;
  for (const [name, value] of Object.entries(recipe.buildEnv)) stage = stage.withEnvVariable(name, value);
  stage = stage.with(withSource(app));
  for (const command of recipe.build) stage = stage.with(withRun(command.args, { caches: command.caches }));
  return stage;
}

/** The `prune` stage: production files only. */
export function pruneStage(build: Container, recipe: AppRecipe): Container {
  let stage = build;
  for (const command of recipe.prune) stage = stage.with(withRun(command.args, { caches: command.caches }));
  return stage;
}

/** The hardened runtime image of a pruned app. */
export function runtimeStage(pruned: Container, recipe: AppRecipe, toolchain: Toolchain, meta: ImageMetadata): Container {
  return runtimeImage(runtimeRoot(toolchain.runtimeImage), pruned.directory(recipe.output), recipe.runtime, meta);
}
