/**
 * The reference backend as a typical repository has it: without examples/app/backend's
 * `.pnpmfile.mjs`, installed from examples/app-nopnpmfile/backend/pnpm-lock.yaml (the same manifest
 * resolved without the pnpmfile, so `@prisma/client`'s optional peers are linked to the Prisma CLI
 * and TypeScript of the devDependencies). Everything else is the reference backend's own files.
 */
import { cp, copyFile, mkdir, rm, writeFile } from "node:fs/promises";
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

/** The variant of a backend without Prisma: its image tag and its folder in a run's work directory. */
export const NO_PRISMA = "backend-noprisma";

/**
 * The backend's sources of the Prisma-less variant: a Nest app with only a health route, so
 * nothing imports a generated client. The reference backend's manifest and lockfile stay, so the
 * frozen install is the reference one (its Prisma packages are installed, and unused).
 */
const NO_PRISMA_SOURCES: Record<string, string> = {
  "src/main.ts": [
    'import { NestFactory } from "@nestjs/core";',
    'import { AppModule } from "./app.module.ts";',
    "",
    "const app = await NestFactory.create(AppModule);",
    "app.enableShutdownHooks();",
    'await app.listen(Number(process.env.PORT ?? 3000), "0.0.0.0");',
    "",
  ].join("\n"),
  "src/app.module.ts": [
    'import { Controller, Get, Module } from "@nestjs/common";',
    "",
    '@Controller("health")',
    "class HealthController {",
    "  @Get()",
    '  check(): { status: "ok"; prisma: false } {',
    '    return { status: "ok", prisma: false };',
    "  }",
    "}",
    "",
    "@Module({ controllers: [HealthController] })",
    "export class AppModule {}",
    "",
  ].join("\n"),
};

/**
 * Make `dest` the app repository of the Prisma-less variant from `appRepository` (a copy of
 * examples/app): the backend without prisma/, prisma.config.ts and the sources that use them.
 */
export async function writeNoPrismaRepository(appRepository: string, dest: string): Promise<void> {
  await cp(appRepository, dest, { recursive: true, verbatimSymlinks: true });
  for (const gone of ["backend/prisma", "backend/prisma.config.ts", "backend/src"]) await rm(path.join(dest, gone), { recursive: true });
  for (const [file, text] of Object.entries(NO_PRISMA_SOURCES)) {
    await mkdir(path.dirname(path.join(dest, "backend", file)), { recursive: true });
    await writeFile(path.join(dest, "backend", file), text);
  }
}

/** The Prisma-less variant's build in this run, with `docker build --build-arg PRISMA=off`. */
export async function noPrismaBuild(ctx: E2eContext, prisma = "off"): Promise<BuildRequest> {
  const context = path.join(ctx.workDir, "app-noprisma");
  if (!existsSync(context)) await writeNoPrismaRepository(ctx.appCopy, context);
  return { app: "backend", context, tag: imageTag(ctx.runId, NO_PRISMA), bases: ctx.bases, secrets: { npmrc: ctx.npmrc.file }, buildArgs: { PRISMA: prisma } };
}
