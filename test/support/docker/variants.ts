/**
 * The reference backend as a typical repository has it: without examples/app/backend's
 * `.pnpmfile.mjs`, installed from examples/app-nopnpmfile/backend/pnpm-lock.yaml (the same manifest
 * resolved without the pnpmfile, so `@prisma/client`'s optional peers are linked to the Prisma CLI
 * and TypeScript of the devDependencies). Everything else is the reference backend's own files.
 */
import { cp, copyFile, rm } from "node:fs/promises";
import { existsSync } from "node:fs";
import path from "node:path";
import type { BuildRequest } from "./app-images.ts";
import { imageTag, type E2eContext } from "./e2e-context.ts";
import { REPO_ROOT } from "./engine.ts";

/** The variant's name: its image tag and its folder in a run's work directory. */
export const NO_PNPMFILE = "backend-nopnpmfile";

/** The committed lockfile of the variant. */
export const NO_PNPMFILE_LOCKFILE = "examples/app-nopnpmfile/backend/pnpm-lock.yaml";

/**
 * Make `dest` the app repository of the variant from `appRepository` (a copy of examples/app):
 * the backend without its pnpmfile, with the variant's lockfile. The frontend comes along untouched.
 */
export async function writeNoPnpmfileRepository(appRepository: string, dest: string): Promise<void> {
  await cp(appRepository, dest, { recursive: true, verbatimSymlinks: true });
  await rm(path.join(dest, "backend/.pnpmfile.mjs"));
  await copyFile(path.join(REPO_ROOT, NO_PNPMFILE_LOCKFILE), path.join(dest, "backend/pnpm-lock.yaml"));
}

/**
 * The variant's build in this run: the canary copy of the application (canaries, install-script
 * canary and all) turned into the variant, once per run, the npmrc canary as its secret.
 */
export async function noPnpmfileBuild(ctx: E2eContext): Promise<BuildRequest> {
  const context = path.join(ctx.workDir, "app-nopnpmfile");
  if (!existsSync(context)) await writeNoPnpmfileRepository(ctx.appCopy, context);
  return { app: "backend", context, tag: imageTag(ctx.runId, NO_PNPMFILE), bases: ctx.bases, secrets: { npmrc: ctx.npmrc.file } };
}
