/** The NestJS + Prisma backend: mirrors Dockerfile.backend. */
import { PNPM_STORE } from "./defaults.js";
import type { AppRecipe } from "./recipe.js";

/** Production files go here; the runtime image gets exactly this folder as /app. */
const OUT = "/out";

export function backendRecipe(port: number): AppRecipe {
  return {
    build: [{ args: ["pnpm", "exec", "prisma", "generate"] }, { args: ["pnpm", "run", "build"] }],
    buildEnv: {},
    prune: [
      {
        // Production files only: the compiled app, its manifest and production dependencies. One
        // step, so the move out of /deploy is a rename rather than a copy across layers.
        args: [
          "/bin/sh",
          "-c",
          `pnpm deploy --prod --offline --store-dir=${PNPM_STORE.path} /deploy && ` +
            `mkdir ${OUT} && mv /deploy/package.json /deploy/node_modules ${OUT}/ && cp -a dist ${OUT}/dist`,
        ],
        caches: [PNPM_STORE],
      },
      {
        // Prisma's client runtime ships a query compiler for every database, in two builds and two
        // module formats (tens of MB); the generated client imports exactly one. Keep the files it
        // names — so the compilers of databases the schema does not use go — and fail if it names
        // none (a client generated elsewhere would otherwise lose its compiler). Source maps and
        // type declarations are never loaded.
        args: [
          "/bin/sh",
          "-c",
          [
            String.raw`used=$(find ${OUT} -path '*/@prisma/client/runtime' -prune -o -type f -name '*.*js'`,
            String.raw`-exec grep -hoE 'query_compiler_[a-z]+_bg\.[a-z]+(\.wasm-base64)?\.m?js' {} + | sort -u) &&`,
            `if [ -z "$used" ]; then echo "prune: no generated Prisma client under ${OUT} imports a query compiler" >&2; exit 1; fi &&`,
            `for f in $(find ${OUT}/node_modules -path '*/@prisma/client/runtime/query_compiler_*'); do`,
            `echo "$used" | grep -qxF "$(basename "$f")" || rm "$f";`,
            `done &&`,
            String.raw`find ${OUT}/node_modules -type f \( -name '*.map' -o -name '*.d.ts' -o -name '*.d.mts' -o -name '*.d.cts' \) -delete`,
          ].join(" "),
        ],
      },
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
