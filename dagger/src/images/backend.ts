/** The NestJS + Prisma backend: mirrors Dockerfile.backend. */
import { APP_DIR, BUILD_DIR, PNPM_STORE_DIR } from "./defaults.js";
import { ENTRYPOINT_LINK, entrypointCheck } from "./entrypoint.js";
import { OPTIONAL_PEER_PRUNE } from "./optional-peers.js";
import type { AppRecipe, AppShape, PrismaEngines } from "./recipe.js";

/** The production dependencies go here; the runtime image gets this folder as /app. */
const OUT = "/out";

/**
 * All `prisma generate` reads: its config and the schema folder. A source edit then reuses the
 * generated client and, since prune continues generate, the production dependencies too.
 */
export const PRISMA_INPUTS = ["prisma.config.*", "prisma/**"] as const;

/** The app's configured shape (AppShape): title label, port, health path, and the entrypoint checked after the build. */
export function backendRecipe({ image, port, healthPath, entrypoint }: AppShape, engines: PrismaEngines): AppRecipe {
  return {
    generate: {
      inputs: PRISMA_INPUTS,
      commands: [{ args: ["pnpm", "exec", "prisma", "generate"], env: prismaEnv(engines) }],
    },
    build: {
      commands: [
        { args: ["pnpm", "run", "build"] },
        // Before anything ships: the configured file must be what the build wrote.
        { args: entrypointCheck(BUILD_DIR, entrypoint, "apps.backend.entrypoint", ENTRYPOINT_LINK.backend) },
      ],
    },
    // Production dependencies depend on the lockfile and the generated client only, not on the sources.
    prune: {
      from: "generate",
      commands: [
        {
          // One step, so the move out of /deploy is a rename rather than a copy across layers. The
          // store is the deps stage's own, filled by the download step: nothing is fetched here.
          args: [
            "/bin/sh",
            "-c",
            `pnpm deploy --prod --offline --store-dir=${PNPM_STORE_DIR} /deploy && ` +
              `mkdir ${OUT} && mv /deploy/package.json /deploy/node_modules ${OUT}/`,
          ],
        },
        // Packages only an optional peer leads to (the Prisma CLI and TypeScript, linked to the
        // devDependencies as @prisma/client's optional peers) are no production dependency: drop
        // them, whatever pnpmfile the repository has or has not. Runs no code of the repository.
        { args: ["node", "-e", OPTIONAL_PEER_PRUNE, OUT] },
        {
          // Prisma's client runtime ships a query compiler for every database, in two builds and
          // two module formats (tens of MB); the generated client imports exactly one. Keep the
          // files it names — so the compilers of databases the schema does not use go — and fail
          // if it names none (a client generated elsewhere would otherwise lose its compiler).
          // Source maps and type declarations are never loaded.
          args: [
            "/bin/sh",
            "-c",
            [
              String.raw`used=$(find ${BUILD_DIR} -path ${BUILD_DIR}/node_modules -prune -o -type f \( -name '*.ts' -o -name '*.*js' \)`,
              String.raw`-exec grep -hoE 'query_compiler_[a-z]+_bg\.[a-z]+(\.wasm-base64)?\.m?js' {} + | sort -u) &&`,
              `if [ -z "$used" ]; then echo "prune: no generated Prisma client in the sources imports a query compiler" >&2; exit 1; fi &&`,
              // File names go to the loop as arguments, never through word splitting.
              `export used && find ${OUT}/node_modules -type f -path '*/@prisma/client/runtime/query_compiler_*'`,
              `-exec sh -c 'for f do echo "$used" | grep -qxF "$(basename "$f")" || rm "$f"; done' sh {} + &&`,
              String.raw`find ${OUT}/node_modules -type f \( -name '*.map' -o -name '*.d.ts' -o -name '*.d.mts' -o -name '*.d.cts' \) -delete`,
            ].join(" "),
          ],
        },
      ],
    },
    // Dependencies and compiled code are separate layers: a source change replaces only the small second one.
    appFiles: [
      { from: "prune", path: OUT, to: APP_DIR },
      { from: "build", path: `${BUILD_DIR}/dist`, to: `${APP_DIR}/dist` },
    ],
    runtime: {
      title: image,
      description: "NestJS + Prisma backend, built by drydock",
      port,
      healthPath,
      entrypoint: ["node", ENTRYPOINT_LINK.backend],
      env: {},
    },
  };
}

/** The engine sources given, as the variables Prisma reads; one not given is not set at all, as an unset build arg. */
function prismaEnv(engines: PrismaEngines): Record<string, string> {
  const env: Record<string, string> = {};
  if (engines.schemaEngineBinary !== undefined) env["PRISMA_SCHEMA_ENGINE_BINARY"] = engines.schemaEngineBinary;
  if (engines.enginesMirror !== undefined) env["PRISMA_ENGINES_MIRROR"] = engines.enginesMirror;
  return env;
}
