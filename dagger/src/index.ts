/**
 * Build, scan and gate hardened container images of a NestJS + Prisma backend and a Next.js
 * frontend, each a pnpm project — the same way on a laptop and in any CI.
 */
import { argument, check, func, object, type CacheVolume, type Container, type Directory, type File, type Secret } from "@dagger.io/dagger";

import { appImage, appStages, type BuildLabels } from "./build/app.js";
import { NODE_IMAGE, PNPM_VERSION } from "./build/defaults.js";
import type { Toolchain } from "./build/recipe.js";
import type { LoadedConfig } from "./config/load.js";
import { App } from "./objects/app.js";
import {
  ArgumentError,
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
import type { ImageScan, LintScan } from "./objects/scan.js";
import { lintSource, scanImage, type ScanContext, type ScanRun } from "./scan/run.js";
import { Trivy } from "./scan/trivy.js";
import { judgeReport, unusedInAll } from "./scan/verdict.js";
import { DEFAULT_CONFIG_PATH, loadConfig, loadConfigFile, optionalFile, type AppName } from "./source.js";

export { App } from "./objects/app.js";
export { AllowedBy, Finding, FindingKind, Severity } from "./objects/finding.js";
export { Report } from "./objects/report.js";
export { ImageScan, LintScan } from "./objects/scan.js";

/** The label defaults: reproducible builds that claim nothing. */
const DEFAULT_LABELS = { imageVersion: "0.0.0-dev", revision: "unknown", created: "1970-01-01T00:00:00Z", sourceUrl: "", licenses: "NOASSERTION" } as const;

/**
 * drydock: hardened, scanned, policy-gated images of a pnpm NestJS + Prisma backend and Next.js frontend.
 */
@object()
export class Drydock {
  // State, set by the constructor and the with* builders; private (no @func), so `dagger functions`
  // lists only functions. Every field is a type the engine can carry between calls.
  readonly source: Directory;
  readonly config?: File;
  readonly configPath: string;
  readonly buildImage: string = NODE_IMAGE;
  readonly runtimeImage: string = NODE_IMAGE;
  readonly pnpmVersion: string = PNPM_VERSION;
  readonly imageVersion: string = DEFAULT_LABELS.imageVersion;
  readonly revision: string = DEFAULT_LABELS.revision;
  readonly created: string = DEFAULT_LABELS.created;
  readonly sourceUrl: string = DEFAULT_LABELS.sourceUrl;
  readonly licenses: string = DEFAULT_LABELS.licenses;
  readonly npmrc?: Secret;
  readonly caCertificates?: Secret;
  readonly prismaSchemaEngineBinary?: string;
  readonly prismaEnginesMirror?: string;
  readonly trivyCache?: CacheVolume;

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
     * A security config from anywhere, e.g. --config=../org/security-config.yml: an
     * organisation-wide policy kept outside the source. Overrides the source's config file.
     * Default: --config-path inside the source.
     */
    config?: File,
    /**
     * Path of the security config inside the source, e.g. --config-path=ci/security.yml. When the
     * default file is missing the defaults apply and every summary says so; a --config-path that
     * names no file is an error. Default: security-config.yml.
     */
    configPath = DEFAULT_CONFIG_PATH,
  ) {
    if (config && configPath !== DEFAULT_CONFIG_PATH) {
      throw new ArgumentError({
        where: "--config-path",
        found: `${JSON.stringify(configPath)} together with --config`,
        expected: "one config: a file from anywhere (--config) or a path inside the source (--config-path)",
        fix: "drop one of them",
      });
    }
    this.source = source;
    // Left unset rather than undefined when absent: the engine cannot carry a null object field.
    if (config) this.config = config;
    this.configPath = configPath;
  }

  /**
   * Set the OCI labels of both images.
   *
   * Example: dagger call with-labels --image-version=1.4.0 --revision=$(git rev-parse HEAD) --created=$(date -u +%Y-%m-%dT%H:%M:%SZ) --source-url=https://github.com/acme/shop --licenses=MIT backend
   */
  @func()
  withLabels(
    /** Release version (org.opencontainers.image.version), e.g. 1.4.0. Default: unchanged (0.0.0-dev at first). */
    imageVersion?: string,
    /** VCS revision (org.opencontainers.image.revision), e.g. $(git rev-parse HEAD). Default: unchanged (unknown at first). */
    revision?: string,
    /** Build time, RFC 3339 (org.opencontainers.image.created). Default: unchanged (1970-01-01T00:00:00Z at first, which keeps builds reproducible). */
    created?: string,
    /** Repository web URL (org.opencontainers.image.source); never one with credentials. Default: unchanged (empty at first). */
    sourceUrl?: string,
    /** SPDX licence expression (org.opencontainers.image.licenses), e.g. MIT. Default: unchanged (NOASSERTION at first). */
    licenses?: string,
  ): Drydock {
    return this.with({
      ...(imageVersion === undefined ? {} : { imageVersion: requireLabelWord(imageVersion, "--image-version", "1.4.0") }),
      ...(revision === undefined ? {} : { revision: requireLabelWord(revision, "--revision", "$(git rev-parse HEAD)") }),
      ...(created === undefined ? {} : { created: requireTimestamp(created, "--created") }),
      ...(sourceUrl === undefined
        ? {}
        : {
            // Empty states no source, as at first.
            sourceUrl:
              sourceUrl &&
              requireUrl(sourceUrl, "--source-url", ["https", "http", "ssh", "git"], "the label is public: pass the repository's web URL (e.g. GitLab's CI_PROJECT_URL, not CI_REPOSITORY_URL, which carries a job token)"),
          }),
      ...(licenses === undefined ? {} : { licenses: requireLicenseExpression(licenses, "--licenses") }),
    });
  }

  /**
   * Mount an .npmrc while installing: private registries, or a mirror. Only ever mounted, never in a layer.
   *
   * Example: dagger call with-npmrc --npmrc=file:$HOME/.npmrc backend
   */
  @func()
  withNpmrc(
    /** The .npmrc, e.g. --npmrc=file:$HOME/.npmrc or --npmrc=env:NPMRC. */
    npmrc: Secret,
  ): Drydock {
    return this.with({ npmrc });
  }

  /**
   * Trust extra CA certificates (PEM) while installing: a TLS-intercepting proxy. Only ever mounted.
   *
   * Example: dagger call with-ca-certificates --ca-certificates=file:./proxy-ca.pem backend
   */
  @func()
  withCaCertificates(
    /** PEM certificates, e.g. --ca-certificates=file:./proxy-ca.pem. */
    caCertificates: Secret,
  ): Drydock {
    return this.with({ caCertificates });
  }

  /**
   * Point the backend's prisma generate at an offline engine or a mirror.
   *
   * Example: dagger call with-prisma --prisma-schema-engine-binary=/bin/false backend
   */
  @func()
  withPrisma(
    /**
     * Path of an existing file in the build image, e.g. /bin/false: prisma generate runs offline
     * (Prisma 7 generates its client without the schema engine, but downloads it first unless
     * this is set). Default: unchanged (not set at first).
     */
    prismaSchemaEngineBinary?: string,
    /**
     * A mirror of binaries.prisma.sh to download the schema engine from, e.g.
     * https://mirror.example.com/prisma; never one with credentials. Default: unchanged (not set at first).
     */
    prismaEnginesMirror?: string,
  ): Drydock {
    return this.with({
      ...(prismaSchemaEngineBinary === undefined ? {} : { prismaSchemaEngineBinary: requireAbsolutePath(prismaSchemaEngineBinary, "--prisma-schema-engine-binary", "/bin/false") }),
      ...(prismaEnginesMirror === undefined
        ? {}
        : {
            prismaEnginesMirror: requireUrl(
              prismaEnginesMirror,
              "--prisma-engines-mirror",
              ["https", "http"],
              "the URL reaches the build's environment and logs: serve the mirror without credentials on your network, or pass --prisma-schema-engine-binary and download nothing",
            ),
          }),
    });
  }

  /**
   * Build in another image, pinned by digest: a mirror of the default, with a shell, node and npm.
   *
   * Example: dagger call with-build-image --build-image=registry.example.com/node:24.13.1-alpine@sha256:<64 hex> backend
   */
  @func()
  withBuildImage(
    /** The image, name:tag@sha256:<64 hex>. Default: docker.io/library/node:24.13.1-alpine pinned by digest. */
    buildImage: string,
  ): Drydock {
    return this.with({ buildImage: requirePinnedImage(buildImage, "--build-image") });
  }

  /**
   * Start the runtime images from another image, pinned by digest: a mirror, or another Node image whose node is on the standard PATH (e.g. Chainguard's). Its npm, npx, corepack and yarn are removed.
   *
   * Example: dagger call with-runtime-image --runtime-image=registry.example.com/node:24.13.1-alpine@sha256:<64 hex> backend
   */
  @func()
  withRuntimeImage(
    /** The image, name:tag@sha256:<64 hex>. Default: docker.io/library/node:24.13.1-alpine pinned by digest. */
    runtimeImage: string,
  ): Drydock {
    return this.with({ runtimeImage: requirePinnedImage(runtimeImage, "--runtime-image") });
  }

  /**
   * Install the apps with another pnpm; keep it equal to their package.json "packageManager".
   *
   * Example: dagger call with-pnpm-version --pnpm-version=12.4.2 backend
   */
  @func()
  withPnpmVersion(
    /** An exact version, MAJOR.MINOR.PATCH. Default: 12.4.2. */
    pnpmVersion: string,
  ): Drydock {
    return this.with({ pnpmVersion: requirePnpmVersion(pnpmVersion) });
  }

  /**
   * Keep Trivy's vulnerability DB in this cache volume instead of the default one. Give each
   * scanner config (trivyImage, dbRepositories) a volume of its own: a config that writes the DB
   * decides what every scan sharing the volume trusts.
   *
   * Example: dagger call with-trivy-cache --cache=trivy-db-ci build-and-scan gate
   */
  @func()
  withTrivyCache(
    /** The volume, e.g. --cache=trivy-db-ci. Default: drydock-trivy-db-<hash of the scanner config>. */
    cache: CacheVolume,
  ): Drydock {
    return this.with({ trivyCache: cache });
  }

  /**
   * Choose one app by name, for its image, build environment and scan.
   *
   * Example: dagger call app --name=backend image export --path=backend.tar
   */
  @func()
  app(
    /** The app: backend or frontend. */
    name: string,
  ): App {
    return new App(this, name);
  }

  /**
   * Build the hardened backend image: frozen pnpm install, prisma generate, nest build, production
   * dependencies only, on the pinned runtime base as user 1000:1000. Short for `app --name=backend image`.
   *
   * Example: dagger call backend export --path=backend.tar
   */
  @func()
  async backend(): Promise<Container> {
    return this.appImage("backend");
  }

  /**
   * Build the hardened frontend image: frozen pnpm install, next build, the standalone server with
   * public/ and .next/static, on the pinned runtime base as user 1000:1000. Short for `app --name=frontend image`.
   *
   * Example: dagger call frontend as-service up --ports=3000:3000
   */
  @func()
  async frontend(): Promise<Container> {
    return this.appImage("frontend");
  }

  /**
   * Return the backend's build environment after its build commands ran, to debug a failing build. Short for `app --name=backend build`.
   *
   * Example: dagger call backend-build terminal
   */
  @func()
  async backendBuild(): Promise<Container> {
    return this.appBuild("backend");
  }

  /**
   * Return the frontend's build environment after its build commands ran, to debug a failing build. Short for `app --name=frontend build`.
   *
   * Example: dagger call frontend-build terminal
   */
  @func()
  async frontendBuild(): Promise<Container> {
    return this.appBuild("frontend");
  }

  /**
   * Scan an image with Trivy (vulnerabilities, secrets, image-config misconfigurations) and gate
   * it with the policy. Never cached: the vulnerability DB and exception expiries change daily.
   *
   * Example: dagger call scan --image=docker.io/library/alpine:3.22.2@sha256:4b7ce07002c69e8f3d704a9c5d6fd3053be500b7f1c69fc0d80990c2ad8dd412 --name=alpine failing
   */
  @func({ cache: "never" })
  async scan(
    /** The image to scan. */
    image: Container,
    /** Name of the image in summaries and reports. */
    name: string,
  ): Promise<ImageScan> {
    return (await scanImage(await this.scanContext(), image, name)).scan;
  }

  /**
   * Lint the Dockerfiles of the source with Trivy's misconfiguration checks, through the same gate.
   * The summary names the files linted, or says there were none.
   *
   * Example: dagger call lint summary
   */
  @func({ cache: "never" })
  async lint(): Promise<LintScan> {
    return (await lintSource(await this.scanContext())).scan;
  }

  /**
   * Apply the policy to an existing Trivy JSON report; fail with the Markdown summary when the
   * gate fails, print it when it passes.
   *
   * Example: dagger call gate --report=./trivy.json --baseline=./main-trivy.json
   */
  @func({ cache: "never" })
  async gate(
    /** A Trivy JSON report (trivy … --format json). */
    report: File,
    /** A previous report of the same target: only findings that are new since it can fail. Default: none, every finding counts. */
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
    /** Reports of an earlier run (as exported by `reports`): only findings new since then can fail. Default: none. */
    baseline?: Directory,
  ): Promise<Report> {
    const context: ScanContext = { ...(await this.scanContext()), oneOfSeveral: true };
    // Three independent branches: each app's build and scan, and the lint. Nothing in one waits for another.
    const scanApp = async (name: AppName) => {
      const [image, previous] = await Promise.all([this.appImage(name, context.loaded), optionalFile(baseline, `${name}/trivy.json`, "--baseline")]);
      return { image, ...(await scanImage({ ...context, baseline: previous }, image, name)) };
    };
    const lint = async () => lintSource({ ...context, baseline: await optionalFile(baseline, "lint/trivy.json", "--baseline") });
    const [backend, frontend, lintRun] = await Promise.all([scanApp("backend"), scanApp("frontend"), lint()]);
    const notes = unusedInAll([backend.verdict, frontend.verdict, lintRun.verdict]);
    return new Report(backend.image, frontend.image, backend.scan, frontend.scan, lintRun.scan, notes);
  }

  /**
   * Gate both images with the policy, for `dagger check`.
   *
   * Example: dagger check images-pass-policy
   */
  @func({ cache: "never" })
  @check()
  async imagesPassPolicy(): Promise<void> {
    const context: ScanContext = { ...(await this.scanContext()), oneOfSeveral: true };
    const runs = await Promise.all((["backend", "frontend"] as const).map(async (name) => scanImage(context, await this.appImage(name, context.loaded), name)));
    // Both summaries, so one failing image does not hide what the other found.
    const scans = runs.map((run) => run.scan);
    enforce(
      scans.every((scan) => scan.passed),
      combinedSummary(scans, unusedInAll(runs.map((run) => run.verdict))),
    );
  }

  /**
   * Gate the Dockerfile lint with the policy, for `dagger check`.
   *
   * Example: dagger check dockerfiles-pass-lint
   */
  @func({ cache: "never" })
  @check()
  async dockerfilesPassLint(): Promise<void> {
    const scan = await this.lint();
    enforce(scan.passed, scan.summary);
  }

  // What App and the short forms share. Not @func: the engine never sees these.

  /** One app's hardened image. */
  async appImage(name: AppName, loaded?: LoadedConfig): Promise<Container> {
    const labels: BuildLabels = {
      version: this.imageVersion,
      revision: this.revision,
      created: this.created,
      source: this.sourceUrl,
      licenses: this.licenses,
    };
    return appImage(this.source, loaded ?? (await this.loadedConfig()), name, this.toolchain(), labels);
  }

  /** One app's build environment after its build commands ran. */
  async appBuild(name: AppName): Promise<Container> {
    return (await appStages(this.source, await this.loadedConfig(), name, this.toolchain())).build;
  }

  /** One app's image, scanned and gated on its own. */
  async appScan(name: AppName): Promise<ScanRun<ImageScan>> {
    const context = await this.scanContext();
    return scanImage(context, await this.appImage(name, context.loaded), name);
  }

  /** A copy with `changes`: the builders never change the object they were called on. */
  private with(changes: Partial<Drydock>): Drydock {
    return Object.assign(Object.create(Drydock.prototype) as Drydock, this, changes);
  }

  private loadedConfig(): Promise<LoadedConfig> {
    return this.config ? loadConfigFile(this.config) : loadConfig(this.source, this.configPath);
  }

  private toolchain(): Toolchain {
    return {
      buildImage: this.buildImage,
      runtimeImage: this.runtimeImage,
      pnpmVersion: this.pnpmVersion,
      secrets: { npmrc: this.npmrc, ca: this.caCertificates },
      prisma: { schemaEngineBinary: this.prismaSchemaEngineBinary, enginesMirror: this.prismaEnginesMirror },
    };
  }

  /** One Trivy, and so one DB refresh, and one day for every verdict of a call. */
  private async scanContext(): Promise<ScanContext> {
    const loaded = await this.loadedConfig();
    const today = new Date();
    return { trivy: new Trivy(loaded.config.scanner, today, this.trivyCache), source: this.source, loaded, today };
  }
}
