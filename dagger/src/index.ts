/**
 * Build, scan, gate, publish and sign the container images of a pnpm NestJS + Prisma backend
 * and Next.js frontend — the same way on a laptop and in any CI.
 */
import { argument, Directory, func, object } from "@dagger.io/dagger";

@object()
export class Drydock {
  /** The application repository. */
  source: Directory;
  /** Path of the security config inside the source. */
  config: string;

  constructor(
    /**
     * The application repository: holds the backend and frontend projects and security-config.yml.
     * Default: the directory `dagger` is called from.
     */
    @argument({
      defaultPath: "/",
      ignore: ["**/node_modules", "**/.git", "**/dist", "**/.next", "**/coverage", "**/.env", "**/.env.*", "**/.turbo", "reports"],
    })
    source: Directory,
    /** Path of the security config inside the source. Missing file: the defaults apply, and the summary says so. */
    config = "security-config.yml",
  ) {
    this.source = source;
    this.config = config;
  }
}
