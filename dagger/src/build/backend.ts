/** The NestJS + Prisma backend: mirrors Dockerfile.backend. */
import type { AppRecipe } from "./recipe.js";

/** Production files go here; the runtime image gets exactly this folder as /app. */
const OUT = "/out";

export function backendRecipe(port: number): AppRecipe {
  return {
    build: [
      ["pnpm", "exec", "prisma", "generate"],
      ["pnpm", "run", "build"],
    ],
    buildEnv: {},
    prune: [
      ["pnpm", "deploy", "--prod", "--offline", "--store-dir=/pnpm/store", "/deploy"],
      ["sh", "-c", `mkdir ${OUT} && cp -a /deploy/package.json /deploy/node_modules dist ${OUT}/`],
      [
        "sh",
        "-c",
        // Prisma's client runtime ships a query compiler per database; only the schema's provider
        // is ever loaded. Source maps and type declarations are never loaded at run time either.
        `for db in cockroachdb mysql postgresql sqlite sqlserver; do ` +
          `grep -Eq "provider *= *\\"$db\\"" prisma/schema.prisma || find ${OUT}/node_modules -path '*/@prisma/client/runtime/*' -name "*.$db.*" -delete; ` +
          `done && ` +
          `find ${OUT}/node_modules -path '*/@prisma/client/runtime/*' \\( -name '*.map' -o -name '*.d.ts' -o -name '*.d.mts' \\) -delete`,
      ],
    ],
    output: OUT,
    runtime: {
      title: "drydock-backend",
      description: "NestJS + Prisma backend, built by drydock",
      port,
      healthPath: "/health",
      entrypoint: ["node", "dist/main.js"],
      env: {},
    },
  };
}
