/** The Next.js frontend: mirrors Dockerfile.frontend. */
import { APP_DIR } from "./defaults.js";
import { ENTRYPOINT_LINK, entrypointCheck } from "./entrypoint.js";
import type { AppRecipe, AppShape } from "./recipe.js";

/** Production files go here; the runtime image gets exactly this folder as /app. */
const OUT = "/out";

/**
 * Prints the app's folder within the standalone output: Next's relativeAppDir (empty, printed as
 * ".", when the app is its own root), refused when it is no plain relative path. Fixed text
 * without a single quote: the shell script holds it in single quotes.
 */
const APP_DIR_IN_OUTPUT =
  'const r=require("./.next/required-server-files.json").relativeAppDir||"";if(!/^[A-Za-z0-9._~/-]*$/.test(r)||r.startsWith("/")||r.split("/").includes("..")){console.error("prune: relativeAppDir "+JSON.stringify(r)+" in .next/required-server-files.json is no folder inside the standalone output");process.exit(1)}console.log(r||".")';

/** The app's configured shape (AppShape): title label, port, health path, and the entrypoint checked after the build. */
export function frontendRecipe({ image, port, healthPath, entrypoint }: AppShape): AppRecipe {
  return {
    build: {
      // Next's telemetry would phone home from the build.
      env: { NEXT_TELEMETRY_DISABLED: "1" },
      commands: [{ args: ["pnpm", "run", "build"] }],
    },
    prune: {
      from: "build",
      commands: [
        // The standalone server carries the node_modules its trace found; static assets and public/
        // (which an app may not have) are served from beside it but not copied by Next. In a
        // workspace the server sits in the app's folder within the output (Next records which, as
        // relativeAppDir), and static/ and public/ go there. Without output: "standalone" there is
        // no server to ship: say so rather than fail on a bare cp.
        {
          args: [
            "/bin/sh",
            "-c",
            `test -d .next/standalone || { echo 'prune: .next/standalone not found after next build - set output: "standalone" in next.config' >&2; exit 1; } && rel=$(node -e '${APP_DIR_IN_OUTPUT}') && mkdir ${OUT} && cp -a .next/standalone/. ${OUT}/ && cp -a .next/static "${OUT}/$rel/.next/static" && if [ -d public ]; then cp -a public "${OUT}/$rel/public"; fi`,
          ],
        },
        // The configured server must be in what ships.
        { args: entrypointCheck(OUT, entrypoint, "apps.frontend.entrypoint", ENTRYPOINT_LINK.frontend) },
      ],
    },
    appFiles: [{ from: "prune", path: OUT, to: APP_DIR }],
    runtime: {
      title: image,
      description: "Next.js frontend, built by drydock",
      port,
      healthPath,
      entrypoint: ["node", ENTRYPOINT_LINK.frontend],
      env: { NEXT_TELEMETRY_DISABLED: "1", HOSTNAME: "0.0.0.0" },
    },
  };
}
