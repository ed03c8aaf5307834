/**
 * The backend's migrations image, for running `prisma migrate deploy` before a rollout: the Prisma
 * CLI with only what it loads, the Prisma config, schema and migrations, and Prisma's schema
 * engine, on the cleaned runtime base as user 1000:1000, with no package manager. Its entrypoint is
 * the migration itself: `docker run --rm -e DATABASE_URL=… <image>` applies the pending migrations
 * and exits with the CLI's status. Mirrors the migrate-deps, migrate-engine and migrate stages of
 * Dockerfile.backend.
 */
import type { Container, Directory } from "@dagger.io/dagger";

import { APP_DIR, APP_USER, PNPM_STORE_DIR, RUNTIME_PATH } from "./defaults.js";
import { DEPLOY_STATE } from "./deploy-state.js";
import { ENGINE_PROGRAM, MIGRATIONS_PROGRAM } from "./migrations-programs.js";
import type { PrismaSchema } from "./prisma.js";
import type { Toolchain } from "./recipe.js";
import { withShippedFolders } from "./file-times.js";
import { containerOn } from "./platform.js";
import { runtimeRoot, titledLabels, type ImageMetadata } from "./runtime.js";
import { withRun } from "./steps.js";

/** Where the build assembles the image's /app: the CLI's dependencies, then the schema engine. */
export const MIGRATIONS_DIR = "/migrate";

/** The schema engine in the image; PRISMA_SCHEMA_ENGINE_BINARY names it, so the CLI never downloads one at run time (as 1000:1000 on a read-only root, it could not). */
export const SCHEMA_ENGINE = `${APP_DIR}/schema-engine`;

/** The Prisma CLI's own entry (its bin), run by node: pnpm's `.bin` shim is a shell script, and the image may have no shell. */
export const MIGRATE_ENTRYPOINT: readonly string[] = ["node", "node_modules/prisma/build/index.js", "migrate", "deploy"];

/**
 * The image's environment. CHECKPOINT_DISABLE: the CLI's update check would call Prisma's servers
 * on every run; a migration job has no use for it.
 */
export const MIGRATIONS_ENV: Readonly<Record<string, string>> = {
  PATH: RUNTIME_PATH,
  NODE_ENV: "production",
  CHECKPOINT_DISABLE: "1",
  PRISMA_SCHEMA_ENGINE_BINARY: SCHEMA_ENGINE,
};

export const MIGRATIONS_DESCRIPTION = "Prisma migrations of the NestJS backend, built by drydock: runs prisma migrate deploy";

/** The name of the migrations image's scan, in summaries and as its reports folder. */
export const MIGRATIONS_SCAN = "backend-migrations";

/** The migrations image's name (its title label): the backend's, e.g. drydock-backend-migrations. */
export function migrationsTitle(backendImage: string): string {
  return `${backendImage}-migrations`;
}

/**
 * Every dependency of the app, devDependencies included (the CLI is one), from the deps stage's
 * store: nothing is fetched. The prune then keeps only what the CLI and the Prisma config load.
 */
export const MIGRATIONS_DEPLOY: readonly string[] = [
  "/bin/sh",
  "-c",
  `pnpm deploy --filter '{.}' --offline --store-dir=${PNPM_STORE_DIR} /migrate-deploy && mkdir ${MIGRATIONS_DIR} && mv /migrate-deploy/package.json /migrate-deploy/node_modules ${MIGRATIONS_DIR}/`,
];

/** The deploy's files without the time it ran and in one order (deploy-state.ts): reproducible images. */
export const MIGRATIONS_DEPLOY_STATE: readonly string[] = ["node", "-e", DEPLOY_STATE, MIGRATIONS_DIR];

export const MIGRATIONS_PRUNE: readonly string[] = ["node", "-e", MIGRATIONS_PROGRAM, MIGRATIONS_DIR];

export const SCHEMA_ENGINE_FETCH: readonly string[] = ["node", "-e", ENGINE_PROGRAM, MIGRATIONS_DIR];

/** What the migrations image is built from. */
export interface MigrationsSource {
  /** The build's stage with the install, the Prisma inputs and the local packages, built (Dockerfile.backend's build-packages). */
  packages: Container;
  /** The app's folder in the source. */
  app: Directory;
  /** The backend's Prisma: its inputs (the config and the schema's folder, which holds the migrations) are the image's Prisma files. */
  prisma: PrismaSchema;
  title: string;
}

/**
 * The migrations the image would get: `migration.sql` files under a `migrations` folder of the
 * backend's Prisma inputs (where `prisma migrate dev` writes them: beside the schema). The build's
 * prune checks the same again; found here, a backend without any gets no image rather than a
 * failing build.
 */
export function migrationFiles(app: Directory, prisma: PrismaSchema): Promise<string[]> {
  return app.filter({ include: [...prisma.inputs] }).glob("**/migrations/*/migration.sql");
}

/** The migrations image of a backend with Prisma migrations. */
export function migrationsImage({ packages, app, prisma, title }: MigrationsSource, toolchain: Toolchain, meta: ImageMetadata): Container {
  const { schemaEngineBinary, enginesMirror } = toolchain.prisma;
  const deps = packages
    .with(withRun(MIGRATIONS_DEPLOY))
    .with(withRun(MIGRATIONS_DEPLOY_STATE))
    // PRISMA_SCHEMA_ENGINE_BINARY is a file of the build image: the prune copies it in when given.
    .with(withRun(MIGRATIONS_PRUNE, { env: schemaEngineBinary === undefined ? {} : { PRISMA_SCHEMA_ENGINE_BINARY: schemaEngineBinary } }));
  // In the runtime base, as root: Prisma picks the engine for the libc and OpenSSL the image runs
  // with, and writes it into the files copied in. The download may need the CA, never the npmrc.
  const engine = containerOn(toolchain.platform)
    .from(toolchain.runtimeImage)
    .withUser("0:0")
    .withDirectory(MIGRATIONS_DIR, deps.directory(MIGRATIONS_DIR))
    .with(withRun(SCHEMA_ENGINE_FETCH, { secrets: { ca: toolchain.secrets.ca }, env: enginesMirror === undefined ? {} : { PRISMA_ENGINES_MIRROR: enginesMirror } }));
  // On the root's platform; owned by root and read-only to the user, as the backend image's files.
  const folders = [
    { files: engine.directory(MIGRATIONS_DIR), to: APP_DIR },
    { files: app.filter({ include: [...prisma.inputs] }), to: APP_DIR },
  ];
  let image = withShippedFolders(containerOn(toolchain.platform).withRootfs(runtimeRoot(toolchain.runtimeImage, toolchain.platform)), folders, meta.created, toolchain).withWorkdir(APP_DIR);
  for (const [name, value] of Object.entries(MIGRATIONS_ENV)) image = image.withEnvVariable(name, value);
  image = image.withUser(APP_USER);
  for (const [name, value] of Object.entries(titledLabels(title, MIGRATIONS_DESCRIPTION, meta))) image = image.withLabel(name, value);
  return image.withEntrypoint([...MIGRATE_ENTRYPOINT]);
}
