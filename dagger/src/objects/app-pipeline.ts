/**
 * What App needs of Drydock, without importing index.ts: Drydock's state as App copies it, and the
 * pipeline functions App calls. index.ts, which wires the module, provides the rebuild from that
 * state when it loads — always before the engine calls a function of App, because the runtime
 * loads the module from index.ts.
 */
import type { CacheVolume, Container, Directory, File, Secret } from "@dagger.io/dagger";
import type { RepositoryConfig } from "../config/load.js";
import type { DockerBuildPlace } from "../images/docker-build-args.js";
import type { SupportedPlatform } from "../release/platforms.js";
import type { ScanRun } from "../scan/run.js";
import type { AppName } from "../config/app-names.js";
import type { ImageScan } from "./scan.js";

/** Drydock's state, field for field: what App carries (a plan test keeps App's fields and Drydock's equal). */
export interface DrydockState {
  readonly source: Directory;
  readonly config?: File;
  readonly configPath: string;
  readonly baseConfig?: File;
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
  readonly allowedTrivyImage?: string;
  /** Optional here: a Drydock made again from state JSON (Object.create, no initialisers) may lack it. */
  readonly allowedDbRepositories?: string[];
  readonly cosignImage: string;
  readonly sigstoreTrustedRoot?: File;
  readonly sigstoreSigningConfig?: File;
}

/** The functions of Drydock that App's functions are, for one app; `call` names the CLI call in errors. */
export interface AppPipeline {
  appImage(name: AppName, loaded?: RepositoryConfig, platform?: SupportedPlatform, call?: string): Promise<Container>;
  appBuild(name: AppName, call?: string): Promise<Container>;
  appMigrations(name: AppName, call?: string): Promise<Container>;
  appScan(name: AppName, call?: string): Promise<ScanRun<ImageScan>>;
  appDockerBuild(name: AppName, place: DockerBuildPlace, call: string): Promise<string>;
}

let rebuild: ((state: DrydockState) => AppPipeline) | undefined;

/** index.ts: how a Drydock is made again from App's copy of its state. */
export function provideAppPipeline(fromState: (state: DrydockState) => AppPipeline): void {
  rebuild = fromState;
}

/** The Drydock an App was chosen from, made again from its state. */
export function appPipelineOf(state: DrydockState): AppPipeline {
  if (!rebuild) throw new Error("internal: an App function ran before index.ts provided the Drydock pipeline (provideAppPipeline): import dagger/src/index.ts before calling App's functions");
  return rebuild(state);
}
