import { func, object, type CacheVolume, type Container, type Directory, type File, type Secret } from "@dagger.io/dagger";

import { Drydock } from "../index.js";
import { APP_NAMES, type AppName } from "../config/schema.js";
import { ArgumentError } from "./arguments.js";
import type { ImageScan } from "./scan.js";

/** An app name argument: one of the apps drydock builds (whether the config lists it is checked where it is built). */
export function requireAppName(name: string): AppName {
  const found = APP_NAMES.find((app) => app === name);
  if (!found) {
    throw new ArgumentError({ where: "--name", found: JSON.stringify(name), expected: `one of ${APP_NAMES.join(", ")}`, fix: "pass --name=backend or --name=frontend" });
  }
  return found;
}

/**
 * One app of the source: its hardened image, its build environment, and its scan. Only an app the
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

  // Drydock's state, field for field (a plan test keeps the two lists equal).
  readonly source: Directory;
  readonly config?: File;
  readonly configPath: string;
  readonly buildImage: string;
  readonly runtimeImage: string;
  readonly pnpmVersion?: string;
  readonly imageVersion: string;
  readonly revision: string;
  readonly created: string;
  readonly sourceUrl: string;
  readonly licenses: string;
  readonly npmrc?: Secret;
  readonly caCertificates?: Secret;
  readonly prismaSchemaEngineBinary?: string;
  readonly prismaEnginesMirror?: string;
  readonly trivyCache?: CacheVolume;
  readonly cosignImage: string;

  constructor(drydock: Drydock, name: string) {
    this.name = requireAppName(name);
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
    // Optional fields stay unset when absent: the engine cannot carry a null object field.
    const optional = { config: drydock.config, npmrc: drydock.npmrc, caCertificates: drydock.caCertificates, trivyCache: drydock.trivyCache };
    const strings = { pnpmVersion: drydock.pnpmVersion, prismaSchemaEngineBinary: drydock.prismaSchemaEngineBinary, prismaEnginesMirror: drydock.prismaEnginesMirror };
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
   * Build the app's image, scan it with Trivy and gate it with the policy. Never cached.
   *
   * Example: dagger call app --name=backend scan failing
   */
  @func({ cache: "never" })
  async scan(): Promise<ImageScan> {
    const name = requireAppName(this.name);
    return (await this.drydock().appScan(name, `app --name=${name} scan`)).scan;
  }

  /** The Drydock this app was chosen from, rebuilt from the copied state. */
  private drydock(): Drydock {
    const { name: _name, ...state } = this;
    return Object.assign(Object.create(Drydock.prototype) as Drydock, state);
  }
}
