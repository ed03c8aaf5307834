/**
 * Build, scan and gate hardened container images of a NestJS + Prisma backend and a Next.js
 * frontend, each a pnpm project — the same way on a laptop and in any CI.
 */
import { argument, check, dag, ExistsType, func, object, type CacheVolume, type Container, type Directory, type File, type Platform, type Secret } from "@dagger.io/dagger";

import { appImage, appMigrationsImage, appStages, type BuildLabels } from "./images/app.js";
import { MIGRATE_ENTRYPOINT, MIGRATIONS_SCAN, migrationsTitle } from "./images/migrations.js";
import { NODE_IMAGE } from "./images/defaults.js";
import { sourceDateEpoch } from "./images/file-times.js";
import type { DockerBuildPlace } from "./images/docker-build-args.js";
import { dockerBuildText } from "./images/docker-build.js";
import type { Toolchain } from "./images/recipe.js";
import { appConfig, listedApp, listedApps, type ListedApp } from "./config/apps.js";
import { compareConfigs, type ConfigChange } from "./config/compare.js";
import { effectiveConfigYaml } from "./config/effective.js";
import type { RepositoryConfig } from "./config/load.js";
import { requireAllowedScanner, type ScannerUsed } from "./config/scanner.js";
import { App, requireAppName } from "./objects/app.js";
import { provideAppPipeline } from "./objects/app-pipeline.js";
import {
  ArgumentError,
  requireAbsolutePath,
  requireDbRepository,
  requireLabelWord,
  requireLicenseExpression,
  requirePinnedImage,
  requirePnpmVersion,
  requireRenamedFrom,
  requireTimestamp,
  requireUrl,
} from "./objects/arguments.js";
import { SourceError } from "./errors.js";
import { enforce } from "./objects/gate-error.js";
import { combinedSummary, newReport, type Report } from "./objects/report.js";
import type { ImageScan, LintScan } from "./objects/scan.js";
import { lintSource, scanImage, type ScanContext, type ScanRun } from "./scan/run.js";
import { Trivy } from "./scan/trivy.js";
import { judgeReport, unusedInAll } from "./scan/verdict.js";
import { durationMs } from "./smoke/rules.js";
import { runSmoke, type SmokePlan } from "./smoke/run.js";
import { smokeMarkdown, type SmokeVerdict } from "./smoke/summary.js";
import { appPnpm, appSource, DEFAULT_CONFIG_PATH, loadConfig, loadConfigFile, optionalFile, type AppName, type AppSource } from "./source.js";
import { publication, publishedImage, release as releaseObject, verification, type Publication, type Release, type Verification } from "./objects/release.js";
import {
  annotatedLayout,
  attestPublished,
  certifyAll,
  checkCosignInputs,
  checkSigningConfig,
  checkTrustedRoot,
  COSIGN_IMAGE,
  definedOnly,
  lockfilePath,
  parsePlatforms,
  platformSlug,
  predicateTypes,
  provenancePredicate,
  publishApps,
  rebuildPlan,
  registryLoginOf,
  requireReleasedConfig,
  releaseManifestJson,
  repositoryFor,
  requireGatePassed,
  requireOneRegistryLogin,
  sha256Hex,
  sha256Of,
  signPublished,
  signingMaterial,
  slsaProvenance,
  smokePlatform,
  splitPinnedImage,
  tagsFor,
  verifyPublished,
  publishableReport,
  vulnPredicate,
  predicateFor,
  requireVariantPlatform,
  type AppToPublish,
  type CertifyTarget,
  type CosignRun,
  type PredicateType,
  type ProvenanceInput,
  type RebuildRecord,
  type ReleaseManifest,
  type ReleaseMetadata,
  type SupportedPlatform,
} from "./release/index.js";

export { App } from "./objects/app.js";
export { AllowedBy, Finding, FindingKind, Severity } from "./objects/finding.js";
export { Report } from "./objects/report.js";
export { ImageScan, LintScan } from "./objects/scan.js";
export { ImageVariant, Publication, PublishedImage, Release, ReleasedImage, Verification } from "./objects/release.js";

/** What images-start prints when every image of the config's apps started. */
function allStarted(apps: readonly AppName[]): string {
  return apps.length === 1
    ? `The ${apps[0]} image started, answered its health path and exited within 10 s of SIGTERM.\n`
    : "Both images started, answered their health paths and exited within 10 s of SIGTERM.\n";
}

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
  /** The base branch's config (--base-config), for the summaries' comparison. */
  readonly baseConfig?: File;
  readonly buildImage: string = NODE_IMAGE;
  readonly runtimeImage: string = NODE_IMAGE;
  /** Set by with-pnpm-version only: otherwise each app's package.json packageManager decides. */
  readonly pnpmVersion?: string;
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
  /** What with-allowed-scanner lets the config name besides drydock's scanner defaults. */
  readonly allowedTrivyImage?: string;
  readonly allowedDbRepositories: string[] = [];
  readonly cosignImage: string = COSIGN_IMAGE;
  /** Set by with-sigstore only: otherwise cosign signs and verifies with the public-good Sigstore. */
  readonly sigstoreTrustedRoot?: File;
  readonly sigstoreSigningConfig?: File;

  constructor(
    /**
     * The application repository: holds the backend and/or frontend projects and security-config.yml,
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
    /**
     * The base branch's security config, e.g. --base-config=base-security-config.yml (written by
     * `git show origin/main:security-config.yml`): every summary says whether the source's config
     * changed from it, naming the keys that did. With --config of the same file, a pull request is
     * gated with its base's policy, not its own. Default: none (no comparison).
     */
    baseConfig?: File,
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
    if (baseConfig) this.baseConfig = baseConfig;
  }

  /**
   * Set the OCI labels of the images.
   *
   * Example: dagger call with-labels --image-version=1.4.0 --revision=$(git rev-parse HEAD) --created=$(git log -1 --format=%cI) --source-url=https://github.com/acme/shop --licenses=MIT backend
   */
  @func()
  withLabels(
    /** Release version (org.opencontainers.image.version), e.g. 1.4.0. Default: unchanged (0.0.0-dev at first). */
    imageVersion?: string,
    /** VCS revision (org.opencontainers.image.revision), e.g. $(git rev-parse HEAD). Default: unchanged (unknown at first). */
    revision?: string,
    /** The commit's time, RFC 3339, e.g. $(git log -1 --format=%cI) (org.opencontainers.image.created, and the time of every file the images get, so two builds of one commit hold the same files). Default: unchanged (1970-01-01T00:00:00Z at first). */
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
   * Point the backend's Prisma schema engine at a file or a mirror: for prisma generate, and the engine its migrations image ships.
   *
   * Example: dagger call with-prisma --prisma-schema-engine-binary=/bin/false backend
   */
  @func()
  withPrisma(
    /**
     * Path of an existing file in the build image, e.g. /bin/false: prisma generate runs offline
     * (Prisma 7 generates its client without the schema engine, but downloads it first unless
     * this is set), and the migrations image ships this file as its schema engine instead of the
     * one Prisma downloads — /bin/false builds an image that cannot migrate. Default: unchanged (not set at first).
     */
    prismaSchemaEngineBinary?: string,
    /**
     * A mirror of binaries.prisma.sh to download the schema engine from (for prisma generate and
     * the migrations image), e.g. https://mirror.example.com/prisma; never one with credentials. Default: unchanged (not set at first).
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
   * Install the apps with this pnpm instead of the one their package.json "packageManager" names (and their lockfile records).
   *
   * Example: dagger call with-pnpm-version --pnpm-version=12.4.2 backend
   */
  @func()
  withPnpmVersion(
    /** An exact version, MAJOR.MINOR.PATCH. Default: the version after "pnpm@" in each app's package.json "packageManager". */
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
   * Allow the config's scanner settings to name this Trivy image and these vulnerability DB
   * repositories besides drydock's defaults: a mirror. The config alone cannot change the scanner
   * (a pull request could point it at one that reports nothing): a config naming another fails.
   *
   * Example: dagger call with-allowed-scanner --trivy-image=registry.example.com/trivy:0.69.3@sha256:<64 hex> --db-repositories=registry.example.com/trivy-db:2 build-and-scan gate
   */
  @func()
  withAllowedScanner(
    /** A Trivy image, name:tag@sha256:<64 hex>, that scanner.trivyImage may name. Default: unchanged (none at first: drydock's default image only). */
    trivyImage?: string,
    /** DB repositories scanner.dbRepositories may list, e.g. registry.example.com/trivy-db:2. Default: unchanged (none at first: drydock's default repositories only). */
    dbRepositories?: string[],
  ): Drydock {
    return this.with({
      ...(trivyImage === undefined ? {} : { allowedTrivyImage: requirePinnedImage(trivyImage, "--trivy-image") }),
      ...(dbRepositories === undefined ? {} : { allowedDbRepositories: dbRepositories.map((repository) => requireDbRepository(repository, "--db-repositories")) }),
    });
  }
  /**
   * Sign, attest and verify with another cosign image, pinned by digest: a mirror of the default, distroless with cosign at /ko-app/cosign.
   *
   * Example: dagger call with-cosign-image --cosign-image=registry.example.com/cosign:v3.1.3@sha256:<64 hex> verify --ref=… --public-key=cosign.pub
   */
  @func()
  withCosignImage(
    /** The image, name:tag@sha256:<64 hex>. Default: ghcr.io/sigstore/cosign/cosign:v3.1.3 pinned by digest. */
    cosignImage: string,
  ): Drydock {
    return this.with({ cosignImage: requirePinnedImage(cosignImage, "--cosign-image") });
  }

  /**
   * Sign, attest and verify with a private Sigstore instead of the public-good one: its trusted root (whom to trust) and, to sign, its signing config (which Fulcio, Rekor and timestamp authority to use), as cosign v3 reads them.
   *
   * Example: dagger call with-sigstore --trusted-root=./trusted_root.json --signing-config=./signing_config.json release --registry=… --git-sha=… --identity-token=env:SIGSTORE_ID_TOKEN --certificate-identity=… --certificate-oidc-issuer=…
   */
  @func()
  async withSigstore(
    /** The Sigstore's trusted_root.json (mediaType application/vnd.dev.sigstore.trustedroot+json;version=0.1): its Fulcio CA, transparency and CT log keys and timestamp authorities. */
    trustedRoot: File,
    /** Its signing_config.json (mediaType application/vnd.dev.sigstore.signingconfig.v0.2+json): needed to sign and attest, not to verify. Default: none (verify only). */
    signingConfig?: File,
  ): Promise<Drydock> {
    const [rootText, configText] = await Promise.all([trustedRoot.contents(), signingConfig?.contents()]);
    checkTrustedRoot(rootText, "with-sigstore --trusted-root");
    if (configText !== undefined) checkSigningConfig(configText, "with-sigstore --signing-config");
    return this.with({ sigstoreTrustedRoot: trustedRoot, sigstoreSigningConfig: signingConfig });
  }


  /**
   * Choose one app by name, for its image, build environment and scan: one the config lists.
   *
   * Example: dagger call app --name=backend image export --path=backend.tar
   */
  @func()
  async app(
    /** The app: backend or frontend, as listed under apps in the config. */
    name: string,
  ): Promise<App> {
    const app = requireAppName(name);
    appConfig(await this.loadedConfig(), app, `app --name=${app}`);
    return App.chosenFrom(this, app);
  }

  /**
   * Build the hardened backend image: frozen pnpm install, prisma generate (when the backend has a
   * Prisma schema), nest build, production dependencies only, on the pinned runtime base as user
   * 1000:1000. Short for `app --name=backend image`.
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
    return this.appBuild("backend", "backend-build");
  }

  /**
   * Return the frontend's build environment after its build commands ran, to debug a failing build. Short for `app --name=frontend build`.
   *
   * Example: dagger call frontend-build terminal
   */
  @func()
  async frontendBuild(): Promise<Container> {
    return this.appBuild("frontend", "frontend-build");
  }

  /**
   * Scan an image with Trivy (vulnerabilities, secrets, image-config misconfigurations) and gate
   * it with the policy. Runs afresh in every session (the vulnerability DB and exception expiries
   * change daily), and once within one, so its fields agree.
   *
   * Example: dagger call scan --image=docker.io/library/alpine:3.22.2@sha256:4b7ce07002c69e8f3d704a9c5d6fd3053be500b7f1c69fc0d80990c2ad8dd412 --name=alpine failing
   */
  @func({ cache: "session" })
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
   * The summary names the files linted, or says there were none. Runs afresh in every session.
   *
   * Example: dagger call lint summary
   */
  @func({ cache: "session" })
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
    /**
     * A previous report of the same image (compared by name, never by registry, tag or digest):
     * only findings that are new since it can fail; a report of another image is refused.
     * Default: none, every finding counts.
     */
    baseline?: File,
    /**
     * The name the image had in --baseline, when it was renamed since, e.g. --baseline-renamed-from=drydock-api:
     * that baseline is applied though its name differs, and the summary says so. Default: none (the names must agree).
     */
    baselineRenamedFrom?: string[],
  ): Promise<string> {
    const renamedFrom = requireRenamedFrom(baselineRenamedFrom, baseline !== undefined);
    const [loaded, reportText, baselineText, name, configChange] = await Promise.all([this.loadedConfig(), report.contents(), baseline?.contents(), report.name(), this.configChange()]);
    const verdict = judgeReport({
      report: { text: reportText, label: "--report" },
      baseline: baselineText === undefined ? undefined : { text: baselineText, label: "--baseline", argument: "--baseline", renamedFrom },
      loaded,
      name,
      today: new Date(),
      configChange,
    });
    return enforce(verdict.passed, verdict.markdown);
  }

  /**
   * Build the images of the apps the config lists, scan them, lint the Dockerfiles and start each
   * image as a service, in parallel; gate everything with the policy. Returns a Report: select its
   * summary, passed, reports or gate. Runs afresh in every session (each `dagger call`), and once
   * within one: every field read from a session comes from the same run.
   *
   * Example: dagger call --source=. build-and-scan reports export --path=reports
   */
  // "session", not "never": with "never", each field a client reads (passed, then summary) ran
  // the whole build, scans and smoke test again, and two reads could disagree.
  @func({ cache: "session" })
  async buildAndScan(
    /**
     * Reports of an earlier run (as exported by `reports`; a folder per app the config lists, and
     * lint/): only findings new since then can fail. Each must report on the same image as its
     * folder's scan (compared by name, never by registry, tag or digest). Default: none.
     */
    baseline?: Directory,
    /**
     * The names images had in --baseline, when renamed since, e.g. --baseline-renamed-from=drydock-api:
     * their baselines are applied though the names differ, and the summaries say so. Default: none (the names must agree).
     */
    baselineRenamedFrom?: string[],
  ): Promise<Report> {
    // One platform, the engine's own: a check for every pull request, smoke-tested natively.
    // `release --platforms` builds and gates every platform's variant.
    return (await this.buildAndScanOn({ folder: baseline, renamedFrom: requireRenamedFrom(baselineRenamedFrom, baseline !== undefined) })).report;
  }

  /**
   * Gate the images of the apps the config lists with the policy, for `dagger check`.
   *
   * Example: dagger check images-pass-policy
   */
  @func({ cache: "never" })
  @check()
  async imagesPassPolicy(): Promise<void> {
    const context: ScanContext = { ...(await this.scanContext()), oneOfSeveral: true };
    const migrations = this.listedMigrations(context.loaded);
    const [apps, migrationsRun] = await Promise.all([
      Promise.all(listedApps(context.loaded).map(async (name) => scanImage(context, await this.appImage(name, context.loaded), name))),
      migrations.then((image) => image && scanImage(context, image, MIGRATIONS_SCAN)),
    ]);
    // The backend's migrations image right after the backend's, as build-and-scan reports it.
    const runs = migrationsRun ? [...apps.slice(0, 1), migrationsRun, ...apps.slice(1)] : apps;
    // Every summary, so one failing image does not hide what another found.
    const scans = runs.map((run) => run.scan);
    enforce(
      scans.every((scan) => scan.passed),
      combinedSummary(scans, unusedInAll(runs.map((run) => run.verdict))),
    );
  }

  /**
   * Start the images of the apps the config lists as services and probe them, for `dagger check`:
   * the backend with a pinned Postgres and its migrations applied, the frontend against the backend
   * (when the config lists one). Each must answer its health path within smoke.timeout and exit
   * within 10 s of SIGTERM.
   *
   * Example: dagger check images-start
   */
  @func({ cache: "never" })
  @check()
  async imagesStart(): Promise<void> {
    const loaded = await this.loadedConfig();
    const verdict = await this.smoke(loaded, this.listedImages(loaded), this.listedMigrations(loaded), new Date());
    enforce(verdict.passed, smokeMarkdown(verdict) || allStarted(listedApps(loaded)));
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

  /**
   * Check the security config and print the effective config as YAML, every default filled in;
   * fail with every problem, each naming the file, the key, and its line and column.
   *
   * Example: dagger call --source=. check-config (or --config=../org/security-config.yml check-config)
   */
  @func({ cache: "never" })
  async checkConfig(): Promise<string> {
    return effectiveConfigYaml(await this.loadedConfig());
  }

  /**
   * Publish the images of the apps the config lists to a registry and return each reference with
   * its digest. No gate: `release` is the gated way. Each image's times are its --created
   * (with-labels), so two builds of one commit publish one digest; pushing it again is harmless.
   *
   * Example: dagger call publish --registry=ghcr.io/acme --username=$GITHUB_ACTOR --password=env:GITHUB_TOKEN --git-sha=$(git rev-parse HEAD) --git-ref=$GITHUB_REF images reference
   */
  @func({ cache: "never" })
  async publish(
    /** A registry and namespace, e.g. ghcr.io/acme: each app goes to <registry>/<its image name>, e.g. ghcr.io/acme/drydock-backend. */
    registry: string,
    /** Registry user, e.g. $GITHUB_ACTOR: cosign pushes with this login. Default: none (--registry-config, else anonymous: a registry that needs no login). */
    username?: string,
    /** Registry password or token, e.g. env:GITHUB_TOKEN. Default: none. */
    password?: Secret,
    /** Exactly these tags, e.g. --tags=1.4.0,stable. Default: computed from --git-ref and --git-sha, as docker/metadata-action does. */
    tags?: string[],
    /** The git ref built, e.g. $GITHUB_REF: refs/tags/v1.2.3 tags 1.2.3, 1.2 and 1; refs/heads/feat/x tags feat-x; refs/pull/12/merge tags pr-12. Default: none (sha-<7> only). */
    gitRef?: string,
    /** The commit built, e.g. $(git rev-parse HEAD): the sha-<7> tag and the revision label and annotation. Required unless --tags. */
    gitSha?: string,
    /** The repository's default branch, e.g. main: a release tag gets `latest` only when --branch is this branch. Default: none (never latest). */
    defaultBranch?: string,
    /** The branch the tagged commit is on (GitHub: github.event.base_ref, or main when tags are cut from main). Default: none (never latest). */
    branch?: string,
    /**
     * Comma-separated platforms, one variant each, published as one index: linux/amd64, linux/arm64.
     * Each variant is built on its platform (pnpm installs that platform's native packages); one
     * that is not the engine's runs under the engine's emulation, and node in each must report its
     * platform, or nothing is pushed. Default: linux/amd64,linux/arm64.
     */
    platforms = "linux/amd64,linux/arm64",
    /** A Docker config.json with a login for the registry, e.g. file:$HOME/.docker/config.json (after docker login, without a credsStore); not with --username. Default: none. */
    registryConfig?: Secret,
  ): Promise<Publication> {
    const releaseTags = tagsFor({ tags, gitRef, gitSha, defaultBranch, branch });
    const auth = registryLoginOf(username, password, { user: "--username", password: "--password" });
    const run: CosignRun = { image: this.cosignImage, runId: crypto.randomUUID(), ...(registryConfig ? { registryConfig } : {}), ...(auth ? { registryLogin: auth } : {}) };
    // Both logins is an error before anything is built: cosign would use one and ignore the other.
    requireOneRegistryLogin(run);
    const drydock = this.forCommit(gitSha);
    const built = parsePlatforms(platforms);
    const loaded = await drydock.loadedConfig();
    const apps = listedApps(loaded);
    const perPlatform = built.map((platform) => drydock.listedImages(loaded, platform));
    const toPublish = await Promise.all(
      apps.map(async (app) => drydock.toPublish(app, loaded, registry, await Promise.all(perPlatform.map((images) => images[app]!)), built)),
    );
    const pushed = await publishApps(toPublish, releaseTags, { run, unpackImage: drydock.buildImage });
    return publication(
      loaded.file,
      apps.map((app) => publishedImage(pushed.find((p) => p.app === app)!)),
    );
  }

  /**
   * Sign an image by digest with cosign: with a key (laptop, air-gapped), or keyless with an OIDC token (CI). An index is signed, and so is each platform's image in it, each by its own digest.
   *
   * Example: dagger call sign --ref=ghcr.io/acme/drydock-backend@sha256:<64 hex> --key=env:COSIGN_KEY --key-password=env:COSIGN_PASSWORD --registry-config=file:$HOME/.docker/config.json
   */
  @func({ cache: "never" })
  async sign(
    /** The image by digest, repository@sha256:<64 hex>, as publish returns it. A tag alone is refused: it can move between signing and use. */
    ref: string,
    /** The private key made by `cosign generate-key-pair`, e.g. env:COSIGN_KEY. Default: none (keyless, with --identity-token). */
    key?: Secret,
    /** The key's password, e.g. env:COSIGN_PASSWORD. Default: none (a key without password). */
    keyPassword?: Secret,
    /** An OIDC identity token for keyless signing through Fulcio and Rekor, e.g. env:SIGSTORE_ID_TOKEN (GitHub Actions: `permissions: id-token: write`). Default: none (sign with --key). */
    identityToken?: Secret,
    /** A Docker config.json with a login for the registry, e.g. file:$HOME/.docker/config.json (after docker login, without a credsStore). Default: none. */
    registryConfig?: Secret,
    /** Registry user, with --registry-password; not with --registry-config. Default: none (anonymous unless --registry-config). */
    registryUsername?: string,
    /** Registry password or token, e.g. env:GITHUB_TOKEN. Default: none. */
    registryPassword?: Secret,
    /** Sign without the transparency log or Sigstore's signing config: air-gapped, key mode only. Default: false. */
    airGapped = false,
  ): Promise<string> {
    const run = this.cosignRun({ registryConfig, registryUsername, registryPassword, airGapped });
    return (await signPublished(ref, signingMaterial(key, keyPassword, identityToken), run, this.runtimeImage)).reference;
  }

  /**
   * Attest an image by digest with cosign: its CycloneDX SBOM, its vulnerability report and its SLSA provenance, each signed like `sign`. An index takes the provenance alone: attest each platform's image (its digest in release.json) with its own SBOM and report. Returns the types attested.
   *
   * Example: dagger call attest --ref=ghcr.io/acme/drydock-backend@sha256:<64 hex> --sbom=reports/backend/sbom.cdx.json --vuln-report=reports/backend/trivy.json --key=env:COSIGN_KEY --key-password=env:COSIGN_PASSWORD
   */
  @func({ cache: "never" })
  async attest(
    /** The image by digest, repository@sha256:<64 hex>; a tag alone is refused. */
    ref: string,
    /** A CycloneDX SBOM, e.g. reports/backend/sbom.cdx.json from build-and-scan: attested as --type cyclonedx. Default: none. */
    sbom?: File,
    /** A Trivy JSON report, e.g. reports/backend/trivy.json: converted with trivy convert --format cosign-vuln, attested as --type vuln; each secret's neighbouring lines and matched line are taken out first. Default: none. */
    vulnReport?: File,
    /** A SLSA provenance v1 predicate (JSON): attested as --type slsaprovenance1. Default: none (release generates one). */
    provenance?: File,
    /** The private key, e.g. env:COSIGN_KEY. Default: none (keyless, with --identity-token). */
    key?: Secret,
    /** The key's password, e.g. env:COSIGN_PASSWORD. Default: none. */
    keyPassword?: Secret,
    /** An OIDC identity token for keyless signing, e.g. env:SIGSTORE_ID_TOKEN. Default: none (sign with --key). */
    identityToken?: Secret,
    /** A Docker config.json with a login for the registry, e.g. file:$HOME/.docker/config.json. Default: none. */
    registryConfig?: Secret,
    /** Registry user, with --registry-password; not with --registry-config. Default: none. */
    registryUsername?: string,
    /** Registry password or token, e.g. env:GITHUB_TOKEN. Default: none. */
    registryPassword?: Secret,
    /** Attest without the transparency log or Sigstore's signing config: air-gapped, key mode only. Default: false. */
    airGapped = false,
  ): Promise<string[]> {
    const run = this.cosignRun({ registryConfig, registryUsername, registryPassword, airGapped });
    // Checked and redacted first, as every report drydock publishes: the attestation is public.
    const vuln = vulnReport ? vulnPredicate((await this.scanningConfig()).loaded.config.scanner.trivyImage, await publishableReport(vulnReport, "--vuln-report")) : undefined;
    const predicates = { ...(sbom ? { cyclonedx: sbom } : {}), ...(vuln ? { vuln } : {}), ...(provenance ? { slsaprovenance1: provenance } : {}) };
    return attestPublished(ref, predicates, signingMaterial(key, keyPassword, identityToken), run, this.runtimeImage);
  }

  /**
   * Verify an image's signature and attestations with cosign, by digest: with a public key, or the keyless signer's certificate identity and OIDC issuer. An index: its signature and provenance, and each platform's image's signature and attestations, each by its own digest.
   *
   * Example: dagger call verify --ref=ghcr.io/acme/drydock-backend@sha256:<64 hex> --certificate-identity=https://github.com/acme/shop/.github/workflows/release.yml@refs/tags/v1.4.0 --certificate-oidc-issuer=https://token.actions.githubusercontent.com
   */
  @func({ cache: "never" })
  async verify(
    /** The image by digest, repository@sha256:<64 hex>; a tag alone is refused. */
    ref: string,
    /** The public key of the signing pair, e.g. cosign.pub. Default: none (keyless, with --certificate-identity and --certificate-oidc-issuer). */
    publicKey?: File,
    /** The keyless signer's exact identity, e.g. https://github.com/acme/shop/.github/workflows/release.yml@refs/heads/main. Default: none. */
    certificateIdentity?: string,
    /** A regexp anchored at both ends (^…$) the keyless signer's identity must match, e.g. ^https://github\.com/acme/shop/\.github/workflows/release\.yml@refs/tags/v[0-9.]+$ (one workflow's tags). Default: none. */
    certificateIdentityRegexp?: string,
    /** The keyless signer's OIDC issuer, e.g. https://token.actions.githubusercontent.com. Default: none. */
    certificateOidcIssuer?: string,
    /** A regexp anchored at both ends (^…$) the keyless signer's OIDC issuer must match; prefer the exact --certificate-oidc-issuer. Default: none. */
    certificateOidcIssuerRegexp?: string,
    /** The attestation types to verify besides the signature; empty for the signature alone. Default: cyclonedx, vuln, slsaprovenance1. */
    attestations: string[] = ["cyclonedx", "vuln", "slsaprovenance1"],
    /** A Docker config.json with a login for the registry, e.g. file:$HOME/.docker/config.json. Default: none. */
    registryConfig?: Secret,
    /** Registry user, with --registry-password; not with --registry-config. Default: none. */
    registryUsername?: string,
    /** Registry password or token, e.g. env:GITHUB_TOKEN. Default: none. */
    registryPassword?: Secret,
    /** Verify signatures made air-gapped: no transparency log (key mode only). Default: false. */
    airGapped = false,
  ): Promise<Verification> {
    const run = this.cosignRun({ registryConfig, registryUsername, registryPassword, airGapped });
    const material = { publicKey, certificateIdentity, certificateIdentityRegexp, certificateOidcIssuer, certificateOidcIssuerRegexp };
    return verification(await verifyPublished(ref, definedOnly(material), predicateTypes(attestations), run, this.runtimeImage));
  }

  /**
   * Release the images of the apps the config lists: build and scan them, stop unless the gate passes, then publish, sign, attest (SBOM, vulnerabilities, SLSA provenance) and verify each by digest — an index and every platform's image in it by its own. Never cached.
   *
   * Example: dagger call release --registry=ghcr.io/acme --username=$GITHUB_ACTOR --password=env:GITHUB_TOKEN --git-sha=$GITHUB_SHA --git-ref=$GITHUB_REF --identity-token=env:SIGSTORE_ID_TOKEN --certificate-identity=$IDENTITY --certificate-oidc-issuer=https://token.actions.githubusercontent.com reports export --path=reports
   */
  @func({ cache: "never" })
  async release(
    /** A registry and namespace, e.g. ghcr.io/acme: each app goes to <registry>/<its image name>. */
    registry: string,
    /** The full commit built, e.g. $(git rev-parse HEAD): tags, labels, annotations and the provenance name it. */
    gitSha: string,
    /** Registry user, e.g. $GITHUB_ACTOR: cosign pushes, signs and attests with this login unless --registry-config. Default: none (--registry-config, else anonymous). */
    username?: string,
    /** Registry password or token, e.g. env:GITHUB_TOKEN. Default: none. */
    password?: Secret,
    /** Exactly these tags. Default: computed from --git-ref and --git-sha, as docker/metadata-action does. */
    tags?: string[],
    /** The git ref built, e.g. $GITHUB_REF. Default: none (sha-<7> only). */
    gitRef?: string,
    /** The repository's default branch, e.g. main: a release tag gets `latest` only when --branch is this branch. Default: none (never latest). */
    defaultBranch?: string,
    /** The branch the tagged commit is on. Default: none (never latest). */
    branch?: string,
    /**
     * Comma-separated platforms, one variant each, published as one index. Every variant is built on
     * its platform (node in it must report that platform: without emulation for it, pass only the
     * engine's), scanned and gated before anything is pushed; the engine's own platform's variants
     * (else the first platform's) are the ones smoke-tested. Default: linux/amd64,linux/arm64.
     */
    platforms = "linux/amd64,linux/arm64",
    /** The private key, e.g. env:COSIGN_KEY (laptop). Default: none (keyless, with --identity-token). */
    key?: Secret,
    /** The key's password, e.g. env:COSIGN_PASSWORD. Default: none. */
    keyPassword?: Secret,
    /** An OIDC identity token for keyless signing, e.g. env:SIGSTORE_ID_TOKEN (CI). Default: none (sign with --key). */
    identityToken?: Secret,
    /** The public key of --key's pair, e.g. cosign.pub: what the release verifies with in key mode. Default: none. */
    publicKey?: File,
    /** The identity the keyless signatures must carry, e.g. https://github.com/acme/shop/.github/workflows/release.yml@refs/tags/v1.4.0. Default: none. */
    certificateIdentity?: string,
    /** A regexp anchored at both ends (^…$) the keyless identity must match, as for verify. Default: none. */
    certificateIdentityRegexp?: string,
    /** The keyless OIDC issuer, e.g. https://token.actions.githubusercontent.com. Default: none. */
    certificateOidcIssuer?: string,
    /** A regexp anchored at both ends (^…$) the keyless OIDC issuer must match; prefer the exact --certificate-oidc-issuer. Default: none. */
    certificateOidcIssuerRegexp?: string,
    /** A Docker config.json for cosign's registry login, e.g. file:$HOME/.docker/config.json. Default: none (cosign uses --username and --password). */
    registryConfig?: Secret,
    /** Sign and verify without the transparency log: air-gapped, key mode only. Default: false. */
    airGapped = false,
    /** Who ran the build, for the provenance: a URI, e.g. ${{ github.server_url }}/${{ github.workflow_ref }} on GitHub Actions. Default: urn:drydock:builder:local. */
    builderId = "urn:drydock:builder:local",
    /** Reports of an earlier run (as exported by `reports`): only findings new since then fail the gate. Each must report on its folder's image, as for build-and-scan. Default: none. */
    baseline?: Directory,
    /** The names images had in --baseline, when renamed since, as for build-and-scan. Default: none (the names must agree). */
    baselineRenamedFrom?: string[],
  ): Promise<Release> {
    const started = new Date().toISOString();
    const login = registryLoginOf(username, password, { user: "--username", password: "--password" });
    const signing = signingMaterial(key, keyPassword, identityToken);
    const verifying = definedOnly({ publicKey, certificateIdentity, certificateIdentityRegexp, certificateOidcIssuer, certificateOidcIssuerRegexp });
    // One run ID for every cosign step of this release: none is served from the engine's cache.
    const run: CosignRun = {
      image: this.cosignImage,
      runId: crypto.randomUUID(),
      airGapped,
      ...(registryConfig ? { registryConfig } : login ? { registryLogin: login } : {}),
      ...this.privateSigstore(),
    };
    // Everything that can be checked before the build is: bad input fails in a second, not after the scans.
    const { mode } = checkCosignInputs(signing, verifying, run);
    const renamedFrom = requireRenamedFrom(baselineRenamedFrom, baseline !== undefined);
    const releaseTags = tagsFor({ tags, gitRef, gitSha, defaultBranch, branch });
    const drydock = this.forCommit(gitSha);
    const built = parsePlatforms(platforms);
    // The scanner checked now: one the caller did not allow fails before anything is built.
    const { loaded } = await drydock.scanningConfig();
    const apps = listedApps(loaded);
    const provenance = (app: AppName, lockfiles: Record<string, string>, platform = built.join(",")) =>
      drydock.provenanceInput(app, loaded, { gitSha, gitRef, builderId, platform, invocationId: run.runId!, started, lockfiles });
    for (const app of apps) {
      slsaProvenance(provenance(app, {}));
      repositoryFor(registry, appConfig(loaded, app, "release").image);
    }
    // Read before anything is pushed: a lockfile that cannot be read must not leave images unsigned.
    const lockfiles = Object.fromEntries(await Promise.all(apps.map(async (app) => [app, await drydock.lockfileDigests(app, loaded)] as const)));

    // Every variant that will be pushed is built, scanned and gated first; exactly those are pushed.
    const { report, variants } = await drydock.buildAndScanOn({ folder: baseline, renamedFrom }, { built, smoked: smokePlatform(built, await dag.defaultPlatform()) });
    requireGatePassed(report.passed, report.summary);
    const variantsOf = (app: AppName) => {
      const built = variants[app];
      // Never an empty release of a listed app: its variants are exactly what was gated.
      if (!built || built.length === 0) throw new Error(`internal: no gated variant of ${app}, which ${loaded.file} lists`);
      return built;
    };
    const pushed = await publishApps(
      apps.map((app) => drydock.toPublish(app, loaded, registry, variantsOf(app).map((v) => v.image), built)),
      releaseTags,
      { run, unpackImage: drydock.buildImage },
    );
    // Each digest its own predicates: a variant's SBOM and report are of its scan, the index's provenance names every platform.
    const predicates = (app: string, target: CertifyTarget, type: PredicateType) =>
      predicateFor(variantsOf(app as AppName), target, type, {
        provenance: (platform) => provenancePredicate(provenance(app as AppName, lockfiles[app]!, platform)),
        vuln: (report) => vulnPredicate(loaded.config.scanner.trivyImage, report),
      });
    const certified = await certifyAll(pushed, predicates, signing, verifying, run, drydock.runtimeImage);
    const trusted = certified[0]!.verification.trusted;
    const manifest: ReleaseManifest = {
      schemaVersion: 1,
      created: started,
      source: { url: this.sourceUrl, revision: gitSha, ...(gitRef ? { ref: gitRef } : {}) },
      rebuild: drydock.rebuildRecord(),
      gate: { passed: report.passed, summary: report.summary },
      signer: {
        mode,
        ...(trusted.mode === "keyless" ? { identity: trusted.identity, issuer: trusted.issuer } : {}),
        transparencyLog: !airGapped,
        ...(this.sigstoreTrustedRoot ? { trustedRoot: await sha256Of(this.sigstoreTrustedRoot) } : {}),
      },
      images: pushed.map((p) => {
        const done = certified.find((c) => c.app === p.app)!;
        const { app, repository, digest, reference, tags, platforms } = p;
        return { app, repository, digest, reference, tags, platforms, signed: true, attestations: done.attestations, verified: true, variants: done.variants };
      }),
    };
    return releaseObject(manifest, releaseManifestJson(manifest), report.reports(), loaded.file);
  }

  /**
   * Rebuild an app's released image from this source and the release's release.json (its rebuild
   * record: labels, pinned images, settings; the commit; the platforms) as the OCI layout release
   * pushed: its index.json names the digest. The released digest again when the build is
   * reproducible — the backend's is; a Next.js frontend's is not (README, Reproducible images).
   * Check out the released commit (source.revision) first.
   *
   * Example: dagger call --source=. rebuild --release=release.json --app=backend export --path=rebuilt
   */
  @func()
  async rebuild(
    /** The release's release.json, from the reports it exported, e.g. --release=release.json. */
    release: File,
    /** The app whose image to rebuild: backend or frontend. Default: backend. */
    app = "backend",
  ): Promise<Directory> {
    const name = requireAppName(app, "--app");
    const plan = rebuildPlan(await release.contents(), `--release ${await release.name()}`, name);
    requireReleasedConfig(plan.config, this.config ? "--config" : this.configPath);
    // Every value of release.json through the builder that checks it, as if typed.
    let drydock = this.withLabels(plan.labels.imageVersion, undefined, plan.labels.created, plan.labels.sourceUrl, plan.labels.licenses)
      .withBuildImage(plan.buildImage)
      .withRuntimeImage(plan.runtimeImage);
    if (plan.pnpmVersion !== undefined) drydock = drydock.withPnpmVersion(plan.pnpmVersion);
    if (plan.prisma.schemaEngineBinary !== undefined || plan.prisma.enginesMirror !== undefined) drydock = drydock.withPrisma(plan.prisma.schemaEngineBinary, plan.prisma.enginesMirror);
    drydock = drydock.forCommit(plan.labels.revision);
    const loaded = await drydock.loadedConfig();
    const variants = await Promise.all(parsePlatforms(plan.platforms).map((platform) => drydock.listedImages(loaded, platform)[name]!));
    const { layout } = await annotatedLayout(variants, drydock.releaseMetadata(name, loaded), drydock.created, drydock.buildImage);
    return layout;
  }

  // What App and the short forms share. Not @func: the engine never sees these.

  /**
   * Build the apps the config lists on each platform, scan and gate every image (one Trivy, so one
   * DB refresh and one day for all), lint once, and smoke-test one platform's images — all in
   * parallel. Without platforms: the engine's own, as build-and-scan. With several, each scan and
   * its reports folder is named `<app>-<os>-<arch>`; the smoked platform's images are the Report's.
   */
  async buildAndScanOn(
    baseline: { folder?: Directory; renamedFrom: readonly string[] },
    platforms?: { built: readonly SupportedPlatform[]; smoked: SupportedPlatform },
  ): Promise<{ report: Report; variants: Partial<Record<AppName, { platform?: SupportedPlatform; image: Container; scan: ImageScan }[]>> }> {
    const context: ScanContext = { ...(await this.scanContext()), oneOfSeveral: true, baselineRenamedFrom: baseline.renamedFrom };
    const apps = listedApps(context.loaded);
    const built: (SupportedPlatform | undefined)[] = platforms ? [...platforms.built] : [undefined];
    const named = (app: AppName, platform?: SupportedPlatform) => (platform && built.length > 1 ? `${app}-${platformSlug(platform)}` : app);
    const smoked = platforms ? built.indexOf(platforms.smoked) : 0;
    if (smoked < 0) throw new Error(`internal: the smoked platform ${platforms!.smoked} is not among those built`);
    // Every scan, in the order of `runs` below: each platform's apps, backend first.
    const scans = built.flatMap((platform, index) => apps.map((app) => ({ app, index, platform, name: named(app, platform) })));
    // The baseline's reports first: a folder that lacks one fails before anything is built.
    const [previous, lintBaseline, migrationsBaseline] = await Promise.all([
      Promise.all(scans.map(({ app, name }) => this.baselineOf(baseline.folder, name, app, apps))),
      this.baselineAt(baseline.folder, "lint/trivy.json", apps),
      this.migrationsBaselineOf(baseline.folder),
    ]);
    const images = built.map((platform) => this.listedImages(context.loaded, platform));
    // The backend's migrations image, on the smoked platform: scanned and gated, and the smoke test's migration.
    const migrations = this.listedMigrations(context.loaded, built[smoked]);
    const scanMigrations = async () => {
      const image = await migrations;
      return image && { image, ...(await scanImage({ ...context, baseline: migrationsBaseline }, image, MIGRATIONS_SCAN)) };
    };
    // Independent branches: each image's build and scan, the lint, and the smoke test, which needs
    // the smoked platform's images but not their scans. Nothing else waits for another.
    const scanApp = async ({ app, index, platform, name }: (typeof scans)[number], i: number) => {
      const image = await images[index]![app]!;
      return { platform, image, ...(await scanImage({ ...context, baseline: previous[i] }, image, name)) };
    };
    const [runs, migrationsRun, lintRun, smoke] = await Promise.all([
      Promise.all(scans.map(scanApp)),
      scanMigrations(),
      lintSource({ ...context, baseline: lintBaseline }),
      this.smoke(context.loaded, images[smoked]!, migrations, context.today),
    ]);
    const runOf = (app: AppName, index: number) => runs[index * apps.length + apps.indexOf(app)]!;
    const main = apps.map((app) => runOf(app, smoked));
    const others = runs.filter((run) => !main.includes(run));
    const notes = unusedInAll([...runs.map((run) => run.verdict), ...(migrationsRun ? [migrationsRun.verdict] : []), lintRun.verdict]);
    const report = newReport({
      configFile: context.loaded.file,
      apps: apps.map((app, i) => ({ app, image: main[i]!.image, scan: main[i]!.scan })),
      ...(migrationsRun ? { migrations: { image: migrationsRun.image, scan: migrationsRun.scan } } : {}),
      lint: lintRun.scan,
      warnings: notes,
      variantScans: others.map((run) => run.scan),
    }).withSmoke(smoke);
    const variants = Object.fromEntries(
      apps.map((app) => [app, built.map((platform, index) => ({ ...(platform ? { platform } : {}), image: runOf(app, index).image, scan: runOf(app, index).scan }))]),
    ) as Partial<Record<AppName, { platform?: SupportedPlatform; image: Container; scan: ImageScan }[]>>;
    return { report, variants };
  }

  /** The baseline report of the scan `name`: its own folder, else (a variant) its app's, as build-and-scan writes it. */
  private async baselineOf(baseline: Directory | undefined, name: string, app: AppName, apps: readonly AppName[]): Promise<{ file: File; path: string } | undefined> {
    if (baseline && name !== app && (await baseline.exists(`${name}/trivy.json`, { expectedType: ExistsType.RegularType }))) return { file: baseline.file(`${name}/trivy.json`), path: `${name}/trivy.json` };
    return this.baselineAt(baseline, `${app}/trivy.json`, apps);
  }

  /**
   * The baseline report of the migrations image, when the folder has one: a baseline made before
   * drydock built that image has none, and every finding of its scan then counts.
   */
  private async migrationsBaselineOf(baseline: Directory | undefined): Promise<{ file: File; path: string } | undefined> {
    const path = `${MIGRATIONS_SCAN}/trivy.json`;
    return baseline && (await baseline.exists(path, { expectedType: ExistsType.RegularType })) ? { file: baseline.file(path), path } : undefined;
  }

  /** The report at `path` of the baseline folder, with that path: an error when the folder lacks it. */
  private async baselineAt(baseline: Directory | undefined, path: string, apps: readonly AppName[]): Promise<{ file: File; path: string } | undefined> {
    const file = await optionalFile(baseline, path, "--baseline", [...apps, "lint"]);
    return file && { file, path };
  }

  /**
   * One app's hardened image, built on `platform` (default: the engine's own); an error naming the
   * config file and key, and nothing built, when the config does not list the app. `call` names the
   * function in that error, as the CLI spells it.
   */
  async appImage(name: AppName, loaded?: RepositoryConfig, platform?: SupportedPlatform, call: string = name): Promise<Container> {
    const target = listedApp(loaded ?? (await this.loadedConfig()), name, call);
    const found = await this.appSourceOf(target);
    const image = await appImage(this.source, target, found, await this.toolchain(found, platform), this.labels());
    // A variant for a platform must be one: never the engine's own files under another platform's name.
    if (platform) await requireVariantPlatform(name, platform, image, { buildImage: this.buildImage, runtimeImage: this.runtimeImage });
    return image;
  }

  /** The images of the apps the config lists, on `platform` (default: the engine's own), each built once however many branches use it. */
  listedImages(loaded: RepositoryConfig, platform?: SupportedPlatform): Partial<Record<AppName, Promise<Container>>> {
    const images = Object.fromEntries(listedApps(loaded).map((app) => [app, this.appImage(app, loaded, platform)])) as Partial<Record<AppName, Promise<Container>>>;
    // A branch that fails first leaves the other images unawaited; each failure is reported where it is awaited.
    for (const image of Object.values(images)) image.catch(() => undefined);
    return images;
  }

  /**
   * The backend's migrations image, built on `platform` (default: the engine's own); an error when
   * the config does not list the app or it is not the backend, or when the backend has no Prisma
   * migrations, naming what it lacks. `call` names the function in that error.
   */
  async appMigrations(name: AppName, call = `app --name=${name} migrations`): Promise<Container> {
    if (name !== "backend") {
      throw new ArgumentError({ where: "--name", found: JSON.stringify(name), expected: "backend: only the backend has Prisma migrations", fix: "call app --name=backend migrations" });
    }
    const target = listedApp(await this.loadedConfig(), name, call);
    const found = await this.appSourceOf(target);
    const built = await appMigrationsImage(this.source, target, found, await this.toolchain(found), this.labels());
    if ("lacks" in built) {
      throw new SourceError({
        where: `${target.file}: apps.backend.path`,
        found: `${built.lacks} in ${found.layout.folder}`,
        expected: "a backend with Prisma migrations: the migrations image runs prisma migrate deploy",
        fix: "commit the migrations prisma migrate dev writes beside the schema, or build only the backend image",
      });
    }
    return built.image;
  }

  /**
   * The backend's migrations image when the config lists a backend that has Prisma migrations, on
   * `platform` (default: the engine's own); undefined otherwise: nothing to migrate.
   */
  listedMigrations(loaded: RepositoryConfig, platform?: SupportedPlatform): Promise<Container | undefined> {
    const backend = loaded.config.apps.backend;
    if (!backend) return Promise.resolve(undefined);
    const target: ListedApp = { name: "backend", settings: backend, file: loaded.file };
    const image = (async () => {
      const found = await this.appSourceOf(target);
      const built = await appMigrationsImage(this.source, target, found, await this.toolchain(found, platform), this.labels());
      return "image" in built ? built.image : undefined;
    })();
    // Awaited by two branches (its scan, the smoke test): a failure is reported where it is awaited.
    image.catch(() => undefined);
    return image;
  }

  /**
   * The smoke test of the images of the apps the config lists (all built on one platform), as the
   * config says: each started, probed and stopped — the backend after its migrations image
   * (`migrations`, undefined without Prisma migrations) ran. An app the config does not list is not part of it.
   */
  async smoke(
    loaded: RepositoryConfig,
    images: Partial<Record<AppName, Promise<Container>>>,
    migrations: Promise<Container | undefined>,
    instant: Date,
  ): Promise<SmokeVerdict> {
    const { apps, smoke } = loaded.config;
    const listed = listedApps(loaded);
    const off = (app: AppName) =>
      !smoke.enabled ? `\`smoke.enabled\` is false in ${loaded.file}` : !smoke[app] ? `\`smoke.${app}\` is false in ${loaded.file}` : undefined;
    const plan: SmokePlan = {
      apps: listed,
      off: Object.fromEntries(listed.flatMap((app) => (off(app) ? [[app, off(app)!]] : []))),
      clientImage: this.runtimeImage,
      timeoutMs: durationMs(smoke.timeout),
      instant: instant.toISOString(),
    };
    const imageOf = (app: AppName) => {
      const image = images[app];
      if (!image) throw new Error(`internal: no image of ${app} for the smoke stage, though ${loaded.file} lists it`);
      return image;
    };
    if (apps.backend && !plan.off.backend) {
      // The migrations image of the same platform as the image under test, as a deployment runs it first.
      const migrate = await migrations;
      // The configured file, not the image's link to it: the same program, named as the config names it.
      plan.backend = {
        image: await imageOf("backend"),
        port: apps.backend.port,
        healthPath: apps.backend.healthPath,
        entrypoint: ["node", apps.backend.entrypoint],
        migrate: migrate ? { image: migrate, title: migrationsTitle(apps.backend.image), entrypoint: MIGRATE_ENTRYPOINT } : undefined,
      };
    }
    if (apps.frontend && !plan.off.frontend) {
      plan.frontend = {
        image: await imageOf("frontend"),
        port: apps.frontend.port,
        healthPath: apps.frontend.healthPath,
        entrypoint: ["node", apps.frontend.entrypoint],
        // Named whenever the config lists a backend, started or not: the frontend is told where it lives.
        backendUrl: apps.backend ? { variables: apps.frontend.backendUrlVariables, port: apps.backend.port } : undefined,
      };
    }
    return runSmoke(plan);
  }

  /** One app's build environment after its build commands ran; an error, and nothing built, when the config does not list the app. */
  async appBuild(name: AppName, call = `app --name=${name} build`): Promise<Container> {
    const target = listedApp(await this.loadedConfig(), name, call);
    const found = await this.appSourceOf(target);
    return (await appStages(this.source, target, found, await this.toolchain(found))).build;
  }

  /** The `docker build` command that builds the listed app `name`'s image with Dockerfile.<name>, as appImage builds it; an error, and nothing printed, when the config does not list the app. */
  async appDockerBuild(name: AppName, place: DockerBuildPlace, call: string): Promise<string> {
    const target = listedApp(await this.loadedConfig(), name, call);
    return dockerBuildText(this.source, target, await this.appSourceOf(target), this, place);
  }

  /** One app's image, scanned and gated on its own; an error, and nothing built, when the config does not list the app. */
  async appScan(name: AppName, call = `app --name=${name} scan`): Promise<ScanRun<ImageScan>> {
    const context = await this.scanContext();
    return scanImage(context, await this.appImage(name, context.loaded, undefined, call), name);
  }

  /** This Drydock labelling its images with `gitSha`; a different --revision set by with-labels is refused. */
  private forCommit(gitSha: string | undefined): Drydock {
    if (gitSha === undefined || gitSha === this.revision) return this;
    if (this.revision !== DEFAULT_LABELS.revision) {
      throw new ArgumentError({
        where: "--git-sha",
        found: `${JSON.stringify(gitSha)} while with-labels set --revision=${JSON.stringify(this.revision)}`,
        expected: "one commit",
        fix: "leave --revision out of with-labels: publish and release label the images with --git-sha",
      });
    }
    return this.with({ revision: requireLabelWord(gitSha, "--git-sha", "$(git rev-parse HEAD)") });
  }

  /** What publish pushes for one app: its image, repository and annotations. */
  private toPublish(app: AppName, loaded: RepositoryConfig, registry: string, variants: readonly Container[], platforms: readonly string[]): AppToPublish {
    const metadata = this.releaseMetadata(app, loaded);
    return { app, variants, platforms, repository: repositoryFor(registry, metadata.title), metadata };
  }

  /** The OCI annotations' values of one app's published image. */
  private releaseMetadata(app: AppName, loaded: RepositoryConfig): ReleaseMetadata {
    const title = appConfig(loaded, app, "publish").image;
    const base = splitPinnedImage(this.runtimeImage);
    return {
      source: this.sourceUrl,
      revision: this.revision === DEFAULT_LABELS.revision ? "" : this.revision,
      version: this.imageVersion,
      created: this.created,
      licenses: this.licenses,
      title,
      baseName: base.name,
      baseDigest: base.digest,
    };
  }

  /** The sha256 of the lockfile the app installs from (its own, or its workspace's), by its path in the source. */
  private async lockfileDigests(app: AppName, loaded: RepositoryConfig): Promise<Record<string, string>> {
    const { layout, lockfile } = await this.appSourceOf(listedApp(loaded, app, "release"));
    return { [lockfilePath(layout.root)]: sha256Hex(lockfile) };
  }

  /** What reaches the images' files besides the source: release.json's rebuild record. */
  private rebuildRecord(): RebuildRecord {
    return {
      created: this.created,
      imageVersion: this.imageVersion,
      licenses: this.licenses,
      sourceDateEpoch: sourceDateEpoch(this.created),
      buildImage: this.buildImage,
      runtimeImage: this.runtimeImage,
      ...definedOnly({ pnpmVersion: this.pnpmVersion, prismaSchemaEngineBinary: this.prismaSchemaEngineBinary, prismaEnginesMirror: this.prismaEnginesMirror }),
      config: this.config ? "--config" : this.configPath,
    };
  }

  /** What the SLSA provenance of one app's image says: source, builder, parameters, pinned images, lockfiles. */
  private provenanceInput(
    app: AppName,
    loaded: RepositoryConfig,
    run: { gitSha: string; gitRef?: string; builderId: string; platform: string; invocationId: string; started: string; lockfiles: Record<string, string> },
  ): ProvenanceInput {
    const buildArguments = definedOnly({
      configPath: this.config ? "--config" : this.configPath,
      pnpmVersion: this.pnpmVersion,
      imageVersion: this.imageVersion,
      created: this.created,
      licenses: this.licenses,
      prismaSchemaEngineBinary: this.prismaSchemaEngineBinary,
      prismaEnginesMirror: this.prismaEnginesMirror,
    });
    return {
      app,
      platform: run.platform,
      sourceUrl: this.sourceUrl,
      revision: run.gitSha,
      ...(run.gitRef ? { gitRef: run.gitRef } : {}),
      builderId: run.builderId,
      buildArguments,
      images: { base: this.runtimeImage, build: this.buildImage, trivy: loaded.config.scanner.trivyImage, cosign: this.cosignImage },
      lockfiles: run.lockfiles,
      invocationId: run.invocationId,
      startedOn: run.started,
    };
  }

  /** The cosign image, run ID and registry login of one sign, attest or verify call. */
  private cosignRun(given: { registryConfig?: Secret; registryUsername?: string; registryPassword?: Secret; airGapped: boolean }): CosignRun {
    const login = registryLoginOf(given.registryUsername, given.registryPassword, { user: "--registry-username", password: "--registry-password" });
    return {
      image: this.cosignImage,
      runId: crypto.randomUUID(),
      airGapped: given.airGapped,
      ...(given.registryConfig ? { registryConfig: given.registryConfig } : {}),
      ...(login ? { registryLogin: login } : {}),
      ...this.privateSigstore(),
    };
  }

  /** The private Sigstore with-sigstore set, as a CosignRun's field; nothing for the public-good one. */
  private privateSigstore(): Pick<CosignRun, "privateSigstore"> {
    if (!this.sigstoreTrustedRoot) return {};
    return { privateSigstore: { trustedRoot: this.sigstoreTrustedRoot, ...(this.sigstoreSigningConfig ? { signingConfig: this.sigstoreSigningConfig } : {}) } };
  }

  /** A copy with `changes`: the builders never change the object they were called on. */
  private with(changes: Partial<Drydock>): Drydock {
    return Object.assign(Object.create(Drydock.prototype) as Drydock, this, changes);
  }

  private loadedConfig(): Promise<RepositoryConfig> {
    return this.config ? loadConfigFile(this.config) : loadConfig(this.source, this.configPath);
  }

  /** The config of a call that runs the scanner: an error, and nothing run, when it names a scanner the caller did not allow. */
  private async scanningConfig(): Promise<{ loaded: RepositoryConfig; scanner: ScannerUsed }> {
    const loaded = await this.loadedConfig();
    return { loaded, scanner: requireAllowedScanner(loaded, { trivyImage: this.allowedTrivyImage, dbRepositories: this.allowedDbRepositories ?? [] }) };
  }

  /**
   * How the source's own config file differs from --base-config's; nothing without it. The
   * source's file even under --config: that is what the change proposes.
   */
  private async configChange(): Promise<ConfigChange | undefined> {
    if (!this.baseConfig) return undefined;
    const [source, base] = await Promise.all([loadConfig(this.source, this.configPath), loadConfigFile(this.baseConfig)]);
    return compareConfigs(source, base);
  }

  /** The listed app's folder and how it installs, read once per build: every step of it, and the toolchain, take this. */
  private appSourceOf(target: ListedApp): Promise<AppSource> {
    return appSource(this.source, target.settings.path, { file: target.file, key: `apps.${target.name}.path` });
  }

  /** The label values of every image built: with-labels', else the defaults. */
  private labels(): BuildLabels {
    return { version: this.imageVersion, revision: this.revision, created: this.created, source: this.sourceUrl, licenses: this.licenses };
  }

  /** What builds the app in `found`: with-pnpm-version's pnpm, else the one its install root's package.json names. */
  private async toolchain(found: AppSource, platform?: SupportedPlatform): Promise<Toolchain> {
    const pnpmVersion = this.pnpmVersion ?? (await appPnpm(this.source, found));
    return {
      ...(platform ? { platform: platform as Platform } : {}),
      buildImage: this.buildImage,
      runtimeImage: this.runtimeImage,
      pnpmVersion,
      secrets: { npmrc: this.npmrc, ca: this.caCertificates },
      prisma: { schemaEngineBinary: this.prismaSchemaEngineBinary, enginesMirror: this.prismaEnginesMirror },
    };
  }

  /** One Trivy, and so one DB refresh, and one day for every verdict of a call. */
  private async scanContext(): Promise<ScanContext> {
    const [{ loaded, scanner }, configChange] = await Promise.all([this.scanningConfig(), this.configChange()]);
    const today = new Date();
    return { trivy: new Trivy(loaded.config.scanner, today, this.trivyCache), source: this.source, loaded, today, scanner, ...(configChange ? { configChange } : {}) };
  }
}

// App's functions run on the Drydock it was chosen from, made again from App's copy of the state
// (objects/app-pipeline.ts): App reaches Drydock through this, and nothing imports index.ts.
provideAppPipeline((state) => Object.assign(Object.create(Drydock.prototype) as Drydock, state));
