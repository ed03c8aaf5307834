/**
 * Build, scan and gate hardened container images of a NestJS + Prisma backend and a Next.js
 * frontend, each a pnpm project — the same way on a laptop and in any CI.
 */
import { argument, check, func, object, type Container, type Directory, type File, type Secret } from "@dagger.io/dagger";

import { appImage, appStages, type BuildLabels } from "./build/app.js";
import { NODE_IMAGE, PNPM_VERSION } from "./build/defaults.js";
import type { Toolchain } from "./build/recipe.js";
import type { LoadedConfig } from "./config/load.js";
import {
  requireAbsolutePath,
  requireLabelWord,
  requireLicenseExpression,
  requirePinnedImage,
  requirePnpmVersion,
  requireTimestamp,
  requireUrl,
} from "./objects/arguments.js";
import { enforce } from "./objects/gate-error.js";
import { combinedSummary, Report } from "./objects/report.js";
import type { Scan } from "./objects/scan.js";
import { lintSource, scanImage, type ScanContext } from "./scan/run.js";
import { Trivy } from "./scan/trivy.js";
import { judgeReport, unusedInAll } from "./scan/verdict.js";
import { DEFAULT_CONFIG_PATH, loadConfig, optionalFile, type AppName } from "./source.js";

export { Report } from "./objects/report.js";
export { Scan } from "./objects/scan.js";

/**
 * drydock: hardened, scanned, policy-gated images of a pnpm NestJS + Prisma backend and Next.js frontend.
 */
@object()
export class Drydock {
  /** The application repository. */
  @func()
  source: Directory;

  /** Path of the security config inside the source. */
  @func()
  config: string;

  /** Image of the build stages. */
  @func()
  buildImage: string;

  /** Image whose filesystem the runtime images start from. */
  @func()
  runtimeImage: string;

  /** pnpm version that installs the apps. */
  @func()
  pnpmVersion: string;

  /** Release version, for the org.opencontainers.image.version label. */
  @func()
  imageVersion: string;

  /** VCS revision, for the org.opencontainers.image.revision label. */
  @func()
  revision: string;

  /** Build time (RFC 3339), for the org.opencontainers.image.created label. */
  @func()
  created: string;

  /** Repository URL, for the org.opencontainers.image.source label. */
  @func()
  sourceUrl: string;

  /** SPDX licence expression, for the org.opencontainers.image.licenses label. */
  @func()
  licenses: string;

  /** An .npmrc mounted while installing (private registries, mirrors). */
  npmrc?: Secret;

  /** Extra CA certificates (PEM) trusted while installing (TLS-intercepting proxies). */
  caCertificates?: Secret;

  /** PRISMA_SCHEMA_ENGINE_BINARY of the backend's `prisma generate`, when given. */
  prismaSchemaEngineBinary?: string;

  /** PRISMA_ENGINES_MIRROR of the backend's `prisma generate`, when given. */
  prismaEnginesMirror?: string;

  constructor(
    /**
     * The application repository: holds the backend and frontend projects and security-config.yml,
     * e.g. --source=. Default: the root of the git repository that holds dagger.json — pass
     * --source when calling drydock as a remote module. Never uploaded: what .dockerignore keeps
     * out (credentials, installed and built files, tests), and reports/.
     */
    @argument({
      defaultPath: "/",
      // The same list as examples/app/.dockerignore (a test keeps them equal), so both ways of
      // building see the same context: no credentials in any build stage or cache, and no Prisma
      // client generated on the host replacing the one the generate stage made from the schema.
      ignore: [
        "**/.env*",
        "**/.npmrc",
        "**/*.pem",
        "**/*.key",
        "**/.git",
        "**/.gitignore",
        "**/node_modules",
        "**/dist",
        "**/.next",
        "**/out",
        "**/src/generated",
        "**/next-env.d.ts",
        "**/*.tsbuildinfo",
        "**/*.spec.*",
        "**/*.test.*",
        "**/test",
        "**/__tests__",
        "**/coverage",
        "**/.vscode",
        "**/.idea",
        "**/*.swp",
        "**/*.swo",
        "**/*~",
        "**/.DS_Store",
        "**/*.log",
        "reports",
      ],
    })
    source: Directory,
    /**
     * Path of the security config inside the source, e.g. --config=ci/security.yml. When the
     * default file is missing the defaults apply and every summary says so; a --config that names
     * no file is an error.
     */
    config = DEFAULT_CONFIG_PATH,
    /** Image of the build stages, pinned by digest: needs a shell, node and npm. Swap it for a mirror of the same image. */
    buildImage = NODE_IMAGE,
    /**
     * Image the runtime images start from, pinned by digest: a mirror, or another Node image whose
     * node is on the standard PATH (e.g. Chainguard's). Its npm, npx, corepack and yarn are removed.
     */
    runtimeImage = NODE_IMAGE,
    /** pnpm that installs the apps; keep it equal to their package.json "packageManager". */
    pnpmVersion = PNPM_VERSION,
    /** Release version for the image labels, e.g. 1.4.0. */
    imageVersion = "0.0.0-dev",
    /** VCS revision for the image labels, e.g. --revision=$(git rev-parse HEAD). */
    revision = "unknown",
    /** Build time for the image labels (RFC 3339). The default keeps builds reproducible. */
    created = "1970-01-01T00:00:00Z",
    /** Repository URL for the image labels. */
    sourceUrl = "",
    /** SPDX licence expression for the image labels, e.g. MIT. The default says nothing is stated. */
    licenses = "NOASSERTION",
    /** An .npmrc for private registries or a mirror, e.g. --npmrc=file:$HOME/.npmrc. Only ever mounted. */
    npmrc?: Secret,
    /** Extra CA certificates (PEM) for a TLS-intercepting proxy, e.g. --ca-certificates=file:./proxy-ca.pem. Only ever mounted. */
    caCertificates?: Secret,
    /**
     * Path of an existing file in the build image, e.g. --prisma-schema-engine-binary=/bin/false:
     * lets the backend's prisma generate run offline (Prisma 7 generates its client without the
     * schema engine, but downloads the engine first unless this is set). Default: not set.
     */
    prismaSchemaEngineBinary?: string,
    /**
     * A mirror of binaries.prisma.sh for the backend's prisma generate to download the schema
     * engine from, e.g. --prisma-engines-mirror=https://mirror.example.com/prisma. Default: not set.
     */
    prismaEnginesMirror?: string,
  ) {
    this.source = source;
    this.config = config;
    this.buildImage = buildImage;
    this.runtimeImage = runtimeImage;
    this.pnpmVersion = pnpmVersion;
    this.imageVersion = imageVersion;
    this.revision = revision;
    this.created = created;
    this.sourceUrl = sourceUrl;
    this.licenses = licenses;
    this.npmrc = npmrc;
    this.caCertificates = caCertificates;
    this.prismaSchemaEngineBinary = prismaSchemaEngineBinary;
    this.prismaEnginesMirror = prismaEnginesMirror;
  }

  /**
   * Build the hardened backend image: frozen pnpm install, prisma generate, nest build, production
   * dependencies only, on the pinned runtime base as user 1000:1000.
   *
   * Example: dagger call backend export --path=backend.tar
   */
  @func()
  async backend(): Promise<Container> {
    return this.image("backend", await this.loadedConfig());
  }

  /**
   * Build the hardened frontend image: frozen pnpm install, next build, the standalone server with
   * public/ and .next/static, on the pinned runtime base as user 1000:1000.
   *
   * Example: dagger call frontend as-service up --ports=3000:3000
   */
  @func()
  async frontend(): Promise<Container> {
    return this.image("frontend", await this.loadedConfig());
  }

  /**
   * The backend's build environment after its build commands ran: debug a failing build there.
   *
   * Example: dagger call backend-build terminal
   */
  @func()
  async backendBuild(): Promise<Container> {
    return (await appStages(this.source, await this.loadedConfig(), "backend", this.toolchain())).build;
  }

  /**
   * The frontend's build environment after its build commands ran: debug a failing build there.
   *
   * Example: dagger call frontend-build terminal
   */
  @func()
  async frontendBuild(): Promise<Container> {
    return (await appStages(this.source, await this.loadedConfig(), "frontend", this.toolchain())).build;
  }

  /**
   * Scan an image with Trivy (vulnerabilities, secrets, image-config misconfigurations) and gate
   * it with the policy. Never cached: the vulnerability DB and exception expiries change daily.
   *
   * Example: dagger call scan --image=docker.io/library/alpine:3.22.2@sha256:4b7ce07002c69e8f3d704a9c5d6fd3053be500b7f1c69fc0d80990c2ad8dd412 --name=alpine summary
   */
  @func({ cache: "never" })
  async scan(
    /** The image to scan. */
    image: Container,
    /** Name of the image in summaries and reports. */
    name: string,
  ): Promise<Scan> {
    return (await scanImage(await this.scanContext(), image, name)).scan;
  }

  /**
   * Lint the Dockerfiles of the source with Trivy's misconfiguration checks, through the same gate.
   * The summary names the files linted, or says there were none.
   *
   * Example: dagger call lint summary
   */
  @func({ cache: "never" })
  async lint(): Promise<Scan> {
    return (await lintSource(await this.scanContext())).scan;
  }

  /**
   * Apply the policy of the source's config to an existing Trivy JSON report; fail with the
   * Markdown summary when the gate fails, print it when it passes.
   *
   * Example: dagger call gate --report=./trivy.json --baseline=./main-trivy.json
   */
  @func({ cache: "never" })
  async gate(
    /** A Trivy JSON report (trivy … --format json). */
    report: File,
    /** A previous report of the same target: only findings that are new since it can fail. */
    baseline?: File,
  ): Promise<string> {
    const [loaded, reportText, baselineText, name] = await Promise.all([this.loadedConfig(), report.contents(), baseline?.contents(), report.name()]);
    const verdict = judgeReport({
      report: { text: reportText, label: "--report" },
      baseline: baselineText === undefined ? undefined : { text: baselineText, label: "--baseline" },
      loaded,
      name,
      today: new Date(),
    });
    return enforce(verdict.passed, verdict.markdown);
  }

  /**
   * Build both images, scan them and lint the Dockerfiles, in parallel; gate everything with the
   * policy. Prints whether it passed and the summary; never cached.
   *
   * Example: dagger call --source=. build-and-scan reports export --path=reports
   */
  @func({ cache: "never" })
  async buildAndScan(
    /** Reports of an earlier run (as exported by `reports`): only findings new since then can fail. */
    baseline?: Directory,
  ): Promise<Report> {
    const context: ScanContext = { ...(await this.scanContext()), oneOfSeveral: true };
    // Three independent branches: each app's build and scan, and the lint. Nothing in one waits for another.
    const scanApp = async (name: AppName) => {
      const [image, previous] = await Promise.all([this.image(name, context.loaded), optionalFile(baseline, `${name}/trivy.json`, "--baseline")]);
      return { image, ...(await scanImage({ ...context, baseline: previous }, image, name)) };
    };
    const lint = async () => lintSource({ ...context, baseline: await optionalFile(baseline, "lint/trivy.json", "--baseline") });
    const [backend, frontend, lintRun] = await Promise.all([scanApp("backend"), scanApp("frontend"), lint()]);
    const notes = unusedInAll([backend.verdict, frontend.verdict, lintRun.verdict]);
    return new Report(backend.image, frontend.image, backend.scan, frontend.scan, lintRun.scan, notes);
  }

  /**
   * The security gate of both images, for `dagger check`.
   *
   * Example: dagger check
   */
  @func({ cache: "never" })
  @check()
  async imagesPassPolicy(): Promise<void> {
    const context: ScanContext = { ...(await this.scanContext()), oneOfSeveral: true };
    const runs = await Promise.all(
      (["backend", "frontend"] as const).map(async (name) => scanImage(context, await this.image(name, context.loaded), name)),
    );
    // Both summaries, so one failing image does not hide what the other found.
    const scans = runs.map((run) => run.scan);
    enforce(
      scans.every((scan) => scan.passed),
      combinedSummary(scans, unusedInAll(runs.map((run) => run.verdict))),
    );
  }

  /**
   * The Dockerfile lint, for `dagger check`.
   *
   * Example: dagger check
   */
  @func({ cache: "never" })
  @check()
  async dockerfilesPassLint(): Promise<void> {
    const scan = await this.lint();
    enforce(scan.passed, scan.summary);
  }

  private loadedConfig(): Promise<LoadedConfig> {
    return loadConfig(this.source, this.config);
  }

  private toolchain(): Toolchain {
    return {
      buildImage: requirePinnedImage(this.buildImage, "--build-image"),
      runtimeImage: requirePinnedImage(this.runtimeImage, "--runtime-image"),
      pnpmVersion: requirePnpmVersion(this.pnpmVersion),
      secrets: { npmrc: this.npmrc, ca: this.caCertificates },
      prisma: {
        schemaEngineBinary: this.prismaSchemaEngineBinary && requireAbsolutePath(this.prismaSchemaEngineBinary, "--prisma-schema-engine-binary", "/bin/false"),
        enginesMirror:
          this.prismaEnginesMirror &&
          requireUrl(this.prismaEnginesMirror, "--prisma-engines-mirror", ["https", "http"], "the URL reaches the build's environment and logs: serve the mirror without credentials on your network, or pass --prisma-schema-engine-binary and download nothing"),
      },
    };
  }

  /** One Trivy, and so one DB refresh, and one day for every verdict of a call. */
  private async scanContext(): Promise<ScanContext> {
    const loaded = await this.loadedConfig();
    const today = new Date();
    return { trivy: new Trivy(loaded.config.scanner, today), source: this.source, loaded, today };
  }

  private image(name: AppName, loaded: LoadedConfig): Promise<Container> {
    const labels: BuildLabels = {
      version: requireLabelWord(this.imageVersion, "--image-version", "1.4.0"),
      revision: requireLabelWord(this.revision, "--revision", "$(git rev-parse HEAD)"),
      created: requireTimestamp(this.created, "--created"),
      source:
        this.sourceUrl &&
        requireUrl(this.sourceUrl, "--source-url", ["https", "http", "ssh", "git"], "the label is public: pass the repository's web URL (e.g. GitLab's CI_PROJECT_URL, not CI_REPOSITORY_URL, which carries a job token)"),
      licenses: requireLicenseExpression(this.licenses, "--licenses"),
    };
    return appImage(this.source, loaded, name, this.toolchain(), labels);
  }
}
