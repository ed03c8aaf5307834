/** The Next.js frontend: mirrors Dockerfile.frontend. */
import { APP_DIR } from "./defaults.js";
import type { AppRecipe } from "./recipe.js";

/** Production files go here; the runtime image gets exactly this folder as /app. */
const OUT = "/out";

/** `image` is the configured image name: the OCI title label. */
export function frontendRecipe(image: string, port: number): AppRecipe {
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
        // (which an app may not have) are served from beside it but not copied by Next. Without
        // output: "standalone" there is no server to ship: say so rather than fail on a bare cp.
        {
          args: [
            "/bin/sh",
            "-c",
            `test -d .next/standalone || { echo 'prune: .next/standalone not found after next build - set output: "standalone" in next.config' >&2; exit 1; } && mkdir ${OUT} && cp -a .next/standalone/. ${OUT}/ && cp -a .next/static ${OUT}/.next/static && if [ -d public ]; then cp -a public ${OUT}/public; fi`,
          ],
        },
      ],
    },
    appFiles: [{ from: "prune", path: OUT, to: APP_DIR }],
    runtime: {
      title: image,
      description: "Next.js frontend, built by drydock",
      port,
      healthPath: "/api/health",
      entrypoint: ["node", "server.js"],
      env: { NEXT_TELEMETRY_DISABLED: "1", HOSTNAME: "0.0.0.0" },
    },
  };
}
