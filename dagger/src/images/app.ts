/**
 * One app, from its folder in the source to its hardened image: the config says where it is, the
 * recipe says how it builds, the toolchain says with what.
 */
import { dag, type Container, type Directory } from "@dagger.io/dagger";

import type { LoadedConfig } from "../config/load.js";
import { appSource, type AppName } from "../source.js";
import { backendRecipe } from "./backend.js";
import { frontendRecipe } from "./frontend.js";
import { detectPrisma, type PrismaSchema } from "./prisma.js";
import { depsStage, laterStages, runtimeStage, type AppRecipe, type BuiltStages, type Toolchain } from "./recipe.js";
import { containerOn, splitPinnedImage, type ImageMetadata } from "./runtime.js";

export interface AppStages extends BuiltStages {
  recipe: AppRecipe;
  /** The backend's Prisma schema when it has one: only then does the smoke stage run its migrations. */
  prisma?: PrismaSchema;
}

/** The label values of an image that do not come from its base. */
export type BuildLabels = Omit<ImageMetadata, "baseName" | "baseDigest">;

export async function appStages(source: Directory, loaded: LoadedConfig, name: AppName, toolchain: Toolchain): Promise<AppStages> {
  const { config } = loaded;
  const app = await appSource(source, config.apps[name].path, { file: loaded.file, key: `apps.${name}.path` });
  // Prisma is detected, not assumed: a backend without it has no generate stage and no query-compiler prune.
  const prisma = name === "backend" ? await detectPrisma(app, config.apps.backend.path) : undefined;
  const recipe = name === "backend" ? backendRecipe(config.apps.backend, toolchain.prisma, prisma) : frontendRecipe(config.apps.frontend);
  // The whole chain starts on the toolchain's platform: no stage is shared with another platform's build.
  const deps = depsStage(containerOn(toolchain.platform).from(toolchain.buildImage), app, toolchain);
  return { recipe, prisma, ...laterStages(deps, app, recipe) };
}

export async function appImage(
  source: Directory,
  loaded: LoadedConfig,
  name: AppName,
  toolchain: Toolchain,
  labels: BuildLabels,
): Promise<Container> {
  const { recipe, ...stages } = await appStages(source, loaded, name, toolchain);
  return runtimeStage(stages, recipe, toolchain, { ...labels, ...splitPinnedImage(toolchain.runtimeImage) });
}
