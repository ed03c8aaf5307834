/** The NestJS + Prisma backend: mirrors Dockerfile.backend. */
import { APP_DIR, PNPM_STORE_DIR } from "./defaults.js";
import { ENTRYPOINT_LINK, entrypointCheck } from "./entrypoint.js";
import { DEPLOY_STATE } from "./deploy-state.js";
import { OPTIONAL_PEER_PRUNE } from "./optional-peers.js";
import type { PrismaSchema } from "./prisma.js";
import type { AppRecipe, AppShape, Command, PrismaEngines, SourceStage } from "./recipe.js";

/** The production dependencies go here; the runtime image gets this folder as /app. */
const OUT = "/out";

/** Source maps and type declarations are never loaded: dropped from the production dependencies. */
const DROP_UNLOADED = String.raw`find ${OUT}/node_modules -type f \( -name '*.map' -o -name '*.d.ts' -o -name '*.d.mts' -o -name '*.d.cts' \) -delete`;

/**
 * One step, so the move out of /deploy is a rename rather than a copy across layers. The app in
 * the working folder (`{.}`): in a workspace, its local packages are copied in, from their files
 * the stage adds first.
 */
const DEPLOY: Command = {
  // The store is the deps stage's own, filled by the download step: nothing is fetched here.
  args: ["/bin/sh", "-c", `pnpm deploy --filter '{.}' --prod --offline --store-dir=${PNPM_STORE_DIR} /deploy && mkdir ${OUT} && mv /deploy/package.json /deploy/node_modules ${OUT}/`],
};

/**
 * Packages only an optional peer leads to (the Prisma CLI and TypeScript, linked to the
 * devDependencies as @prisma/client's optional peers) are no production dependency: drop them,
 * whatever pnpmfile the repository has or has not. Runs no code of the repository.
 */
const OPTIONAL_PEERS: Command = { args: ["node", "-e", OPTIONAL_PEER_PRUNE, OUT] };

/** The deploy's files without the time it ran and in one order (deploy-state.ts): reproducible images. */
const DEPLOYED_STATE: Command = { args: ["node", "-e", DEPLOY_STATE, OUT] };

/**
 * Prisma's client runtime ships a query compiler for every database, in two builds and two
 * module formats (tens of MB); the generated client imports exactly one. Keep the files it names —
 * so the compilers of databases the schema does not use go — and fail if it names none (a client
 * generated elsewhere would otherwise lose its compiler). Then DROP_UNLOADED, in the same step.
 */
const QUERY_COMPILER_PRUNE: Command = {
  args: [
    "/bin/sh",
    "-c",
    [
      String.raw`used=$(find . -path ./node_modules -prune -o -type f \( -name '*.ts' -o -name '*.*js' \)`,
      String.raw`-exec grep -hoE 'query_compiler_[a-z]+_bg\.[a-z]+(\.wasm-base64)?\.m?js' {} + | sort -u) &&`,
      `if [ -z "$used" ]; then echo "prune: no generated Prisma client in the sources imports a query compiler" >&2; exit 1; fi &&`,
      // File names go to the loop as arguments, never through word splitting.
      `export used && find ${OUT}/node_modules -type f -path '*/@prisma/client/runtime/query_compiler_*'`,
      `-exec sh -c 'for f do echo "$used" | grep -qxF "$(basename "$f")" || rm "$f"; done' sh {} + &&`,
      DROP_UNLOADED,
    ].join(" "),
  ],
};

/**
 * The app's configured shape (AppShape): title label, port, health path, and the entrypoint
 * checked after the build. With `prisma` (detected in the source, prisma.ts), `prisma generate`
 * runs in a stage of its own and the prune keeps only the query compiler the client imports;
 * without, neither exists and the production dependencies continue `deps` alone.
 */
export function backendRecipe({ image, port, healthPath, entrypoint }: AppShape, engines: PrismaEngines, prisma?: PrismaSchema): AppRecipe {
  const build: SourceStage = {
    commands: [
      { args: ["pnpm", "run", "build"] },
      // Before anything ships: the configured file must be what the build wrote.
      { args: entrypointCheck(".", entrypoint, "apps.backend.entrypoint", ENTRYPOINT_LINK.backend) },
    ],
  };
  const rest = {
    build,
    // Dependencies and compiled code are separate layers: a source change replaces only the small second one.
    appFiles: [
      { from: "prune", path: OUT, to: APP_DIR },
      { from: "build", path: "dist", to: `${APP_DIR}/dist` },
    ],
    runtime: {
      title: image,
      description: "NestJS + Prisma backend, built by drydock",
      port,
      healthPath,
      entrypoint: ["node", ENTRYPOINT_LINK.backend],
      env: {},
    },
  } satisfies Omit<AppRecipe, "generate" | "prune">;
  if (prisma === undefined) {
    // Production dependencies depend on the lockfile and the local packages alone, not on the app's sources.
    return { ...rest, prune: { from: "packages", commands: [DEPLOY, DEPLOYED_STATE, OPTIONAL_PEERS, { args: ["/bin/sh", "-c", DROP_UNLOADED] }] } };
  }
  return {
    ...rest,
    generate: {
      inputs: prisma.inputs,
      commands: [{ args: ["pnpm", "exec", "prisma", "generate"], env: prismaEnv(engines) }],
    },
    // Production dependencies depend on the lockfile, the generated client and the local packages only, not on the app's sources.
    prune: { from: "packages", commands: [DEPLOY, DEPLOYED_STATE, OPTIONAL_PEERS, QUERY_COMPILER_PRUNE] },
  };
}

/** The engine sources given, as the variables Prisma reads; one not given is not set at all, as an unset build arg. */
function prismaEnv(engines: PrismaEngines): Record<string, string> {
  const env: Record<string, string> = {};
  if (engines.schemaEngineBinary !== undefined) env["PRISMA_SCHEMA_ENGINE_BINARY"] = engines.schemaEngineBinary;
  if (engines.enginesMirror !== undefined) env["PRISMA_ENGINES_MIRROR"] = engines.enginesMirror;
  return env;
}
