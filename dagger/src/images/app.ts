/**
 * One app, from its folder in the source to its hardened image: the config says where it is, the
 * recipe says how it builds, the toolchain says with what.
 */
import path from "node:path/posix";

import { type Container, type Directory } from "@dagger.io/dagger";

import type { ListedApp } from "../config/apps.js";
import type { AppSource } from "../source.js";
import type { InstallLayout } from "../workspace.js";
import { backendRecipe } from "./backend.js";
import { frontendRecipe } from "./frontend.js";
import { migrationFiles, migrationsImage, migrationsTitle } from "./migrations.js";
import { DEFAULT_SCHEMA, detectPrisma, type PrismaSchema } from "./prisma.js";
import { BUILD_DIR, INSTALL_INPUTS } from "./defaults.js";
import { depsStage, laterStages, runtimeStage, type AppPlacement, type AppRecipe, type BuiltStages, type Toolchain } from "./recipe.js";
import { containerOn } from "./platform.js";
import { splitPinnedImage, type ImageMetadata } from "./runtime.js";

export interface AppStages extends BuiltStages {
  recipe: AppRecipe;
  /** The backend's Prisma schema when it has one: only then does the smoke stage run its migrations. */
  prisma?: PrismaSchema;
}

/** The label values of an image that do not come from its base. */
export type BuildLabels = Omit<ImageMetadata, "baseName" | "baseDigest">;

/** The stages of the listed app `target`'s build, from its folder in `source` (`found`, as appSource read it). */
export async function appStages(source: Directory, target: ListedApp, { app, layout }: AppSource, toolchain: Toolchain): Promise<AppStages> {
  const { name, settings } = target;
  // Prisma is detected, not assumed: a backend without it has no generate stage and no query-compiler prune.
  const prisma = name === "backend" ? await detectPrisma(app, layout.folder) : undefined;
  const recipe = name === "backend" ? backendRecipe(settings, toolchain.prisma, prisma) : frontendRecipe(settings);
  const placement = appPlacement(source, app, layout);
  // The whole chain starts on the toolchain's platform: no stage is shared with another platform's build.
  const deps = depsStage(containerOn(toolchain.platform).from(toolchain.buildImage), placement, toolchain);
  return { recipe, prisma, ...laterStages(deps, placement, recipe) };
}

/**
 * The files of the source each step of the build gets, at their paths in the repository: what
 * the install sees (the install root's INSTALL_INPUTS and every project's package.json), the
 * local packages the app links to, and the app's folder.
 */
export function appPlacement(source: Directory, app: Directory, layout: InstallLayout): AppPlacement {
  const localPackages = layout.localPackages.map((dir) => `${dir}/**`);
  return {
    app,
    appDir: path.join(BUILD_DIR, layout.folder),
    installInputs: source.filter({ include: installInputPatterns(layout) }),
    // An empty include would keep everything: no local packages, no step.
    ...(localPackages.length > 0 ? { localPackages: source.filter({ include: localPackages }) } : {}),
  };
}

/** The install inputs of a layout as Directory.filter patterns of the source, in order, each once. */
export function installInputPatterns(layout: InstallLayout): string[] {
  const manifests = [layout.folder, ...layout.members].map((dir) => path.join(dir, "package.json"));
  return [...new Set([...INSTALL_INPUTS.map((file) => path.join(layout.root, file)), ...manifests])];
}

/**
 * The listed backend `target`'s migrations image (migrations.ts), from the same stages as its
 * image; when it has none — no Prisma, or Prisma without committed migrations — what it lacks.
 */
export async function appMigrationsImage(
  source: Directory,
  target: ListedApp,
  found: AppSource,
  toolchain: Toolchain,
  labels: BuildLabels,
): Promise<{ image: Container } | { lacks: string }> {
  const { prisma, packages } = await appStages(source, target, found, toolchain);
  if (!prisma) return { lacks: `no Prisma schema (no prisma.config.* and no ${DEFAULT_SCHEMA})` };
  if ((await migrationFiles(found.app, prisma)).length === 0) return { lacks: `no migration (migrations/<name>/migration.sql) beside the Prisma schema ${prisma.path}` };
  const title = migrationsTitle(target.settings.image);
  return { image: migrationsImage({ packages, app: found.app, prisma, title }, toolchain, { ...labels, ...splitPinnedImage(toolchain.runtimeImage) }) };
}

/** The listed app `target`'s hardened image. */
export async function appImage(source: Directory, target: ListedApp, found: AppSource, toolchain: Toolchain, labels: BuildLabels): Promise<Container> {
  const { recipe, ...stages } = await appStages(source, target, found, toolchain);
  return runtimeStage(stages, recipe, toolchain, { ...labels, ...splitPinnedImage(toolchain.runtimeImage) });
}
