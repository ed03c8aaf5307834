import { func, object, type CacheVolume, type Container, type Directory, type File, type Secret } from "@dagger.io/dagger";

import { APP_NAMES, type AppName } from "../config/schema.js";
import { dockerBuildPlace } from "../images/docker-build-args.js";
import { appPipelineOf, type AppPipeline, type DrydockState } from "./app-pipeline.js";
import { ArgumentError } from "./arguments.js";
import type { ImageScan } from "./scan.js";

/** An app name argument (`--name`, or another): one of the apps drydock builds (whether the config lists it is checked where it is built). */
export function requireAppName(name: string, argument = "--name"): AppName {
  const found = APP_NAMES.find((app) => app === name);
  if (!found) {
    throw new ArgumentError({ where: argument, found: JSON.stringify(name), expected: `one of ${APP_NAMES.join(", ")}`, fix: `pass ${argument}=backend or ${argument}=frontend` });
  }
  return found;
}

/**
 * One app of the source: its hardened image, its build environment, its scan, and the backend's migrations image. Only an app the
 * config lists can be built: every function of another fails, naming the config file and key.
 *
 * It carries a flat copy of Drydock's state rather than a Drydock field: the TypeScript runtime
 * rebuilds only the top level of an object's state, so a nested Drydock's Directory and Secret
 * fields would come back as bare IDs.
 */
@object()
export class App {
  /** The app's name: backend or frontend. */
  @func()
  name: string;

  // Drydock's state, field for field (a plan test keeps the two lists equal), set by chosenFrom.
  source!: Directory;
  config?: File;
  configPath!: string;
  baseConfig?: File;
  buildImage!: string;
  runtimeImage!: string;
  pnpmVersion?: string;
  imageVersion!: string;
  revision!: string;
  created!: string;
  sourceUrl!: string;
  licenses!: string;
  npmrc?: Secret;
  caCertificates?: Secret;
  prismaSchemaEngineBinary?: string;
  prismaEnginesMirror?: string;
  trivyCache?: CacheVolume;
  allowedTrivyImage?: string;
  allowedDbRepositories!: string[];
  cosignImage!: string;
  sigstoreTrustedRoot?: File;
  sigstoreSigningConfig?: File;

  constructor(name: string) {
    this.name = requireAppName(name);
  }

  /**
   * The app `name` of the Drydock whose state is given (not the constructor's parameter: the SDK
   * would publish its type in the module's API).
   */
  static chosenFrom(drydock: DrydockState, name: AppName): App {
    const app = new App(name);
    app.copyState(drydock);
    return app;
  }

  private copyState(drydock: DrydockState): void {
    this.source = drydock.source;
    this.configPath = drydock.configPath;
    this.buildImage = drydock.buildImage;
    this.runtimeImage = drydock.runtimeImage;
    this.imageVersion = drydock.imageVersion;
    this.revision = drydock.revision;
    this.created = drydock.created;
    this.sourceUrl = drydock.sourceUrl;
    this.licenses = drydock.licenses;
    this.cosignImage = drydock.cosignImage;
    this.allowedDbRepositories = [...(drydock.allowedDbRepositories ?? [])];
    // Optional fields stay unset when absent: the engine cannot carry a null object field.
    const optional = {
      config: drydock.config,
      baseConfig: drydock.baseConfig,
      npmrc: drydock.npmrc,
      caCertificates: drydock.caCertificates,
      trivyCache: drydock.trivyCache,
      sigstoreTrustedRoot: drydock.sigstoreTrustedRoot,
      sigstoreSigningConfig: drydock.sigstoreSigningConfig,
    };
    const strings = {
      pnpmVersion: drydock.pnpmVersion,
      prismaSchemaEngineBinary: drydock.prismaSchemaEngineBinary,
      prismaEnginesMirror: drydock.prismaEnginesMirror,
      allowedTrivyImage: drydock.allowedTrivyImage,
    };
    Object.assign(this, Object.fromEntries(Object.entries({ ...optional, ...strings }).filter(([, value]) => value !== undefined)));
  }

  /**
   * Build the app's hardened image: frozen pnpm install, the app's build, production files only,
   * on the pinned runtime base as user 1000:1000.
   *
   * Example: dagger call app --name=backend image export --path=backend.tar
   */
  @func()
  async image(): Promise<Container> {
    const name = requireAppName(this.name);
    return this.drydock().appImage(name, undefined, undefined, `app --name=${name} image`);
  }

  /**
   * Return the app's build environment after its build commands ran, to debug a failing build.
   *
   * Example: dagger call app --name=frontend build terminal
   */
  @func()
  async build(): Promise<Container> {
    const name = requireAppName(this.name);
    return this.drydock().appBuild(name, `app --name=${name} build`);
  }

  /**
   * Build the backend's migrations image: the Prisma CLI, the Prisma config, schema and migrations
   * and Prisma's schema engine, on the pinned runtime base as user 1000:1000, no package manager.
   * It runs `prisma migrate deploy` against the DATABASE_URL it is given and exits with its status:
   * run it once before each rollout. Only the backend has one, and only with Prisma migrations.
   *
   * Example: dagger call app --name=backend migrations export --path=backend-migrations.tar
   */
  @func()
  async migrations(): Promise<Container> {
    const name = requireAppName(this.name);
    return this.drydock().appMigrations(name, `app --name=${name} migrations`);
  }

  /**
   * Build the app's image, scan it with Trivy and gate it with the policy. Never cached.
   *
   * Example: dagger call app --name=backend scan failing
   */
  @func({ cache: "never" })
  async scan(): Promise<ImageScan> {
    const name = requireAppName(this.name);
    return (await this.drydock().appScan(name, `app --name=${name} scan`)).scan;
  }

  /**
   * Print the `docker build` command that builds this app's image with Dockerfile.<app>, as drydock
   * builds it: every build argument from security-config.yml and the with-* settings (labels, base
   * images, pnpm, Prisma), each word quoted for sh. Secrets are never printed: name the files for
   * BuildKit's --secret with --npmrc-path and --ca-certificates-path.
   *
   * Example: dagger call with-labels --image-version=1.4.0 app --name=backend docker-build-command --npmrc-path=$HOME/.npmrc
   */
  @func()
  async dockerBuildCommand(
    /** The build context as docker sees it: the application repository root, e.g. --context=../shop. Default: . (run the command there). */
    context = ".",
    /** The Dockerfile as docker sees it, e.g. --dockerfile=../drydock/Dockerfile.backend. Default: Dockerfile.<app>. */
    dockerfile?: string,
    /** The image's tag, e.g. --tag=shop-api:1.4.0. Default: the config's apps.<app>.image. */
    tag?: string,
    /** An .npmrc for BuildKit's npmrc secret, e.g. --npmrc-path=$HOME/.npmrc: named in the command, never read. Default: none (a note says so when with-npmrc is set). */
    npmrcPath?: string,
    /** PEM certificates for BuildKit's ca secret, e.g. --ca-certificates-path=./proxy-ca.pem: named, never read. Default: none (a note says so when with-ca-certificates is set). */
    caCertificatesPath?: string,
  ): Promise<string> {
    const name = requireAppName(this.name);
    // The arguments are checked before the config or the source is read.
    const place = dockerBuildPlace(name, { context, dockerfile, tag, npmrcPath, caCertificatesPath });
    return this.drydock().appDockerBuild(name, place, `app --name=${name} docker-build-command`);
  }

  /** The Drydock this app was chosen from, rebuilt from the copied state. */
  private drydock(): AppPipeline {
    const { name: _name, ...state } = this;
    return appPipelineOf(state);
  }
}
