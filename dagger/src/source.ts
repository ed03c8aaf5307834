/**
 * Reading the application repository: the config, each app's folder, and optional inputs. Every
 * missing piece is an error that names the path and says how to fix it.
 */
import { ExistsType, type Directory, type File } from "@dagger.io/dagger";

import { parseSecurityConfig, type LoadedConfig } from "./config/load.js";
import { SourceError } from "./errors.js";
import { appPnpmVersion } from "./pnpm-version.js";

export { SourceError } from "./errors.js";

export type AppName = "backend" | "frontend";

/** Where the config is looked for unless --config-path says otherwise. */
export const DEFAULT_CONFIG_PATH = "security-config.yml";

/**
 * The config of the source. Only the default file may be missing, meaning the defaults (and the
 * summaries say so): a --config-path that names nothing is a typo, and falling back to the
 * defaults would drop its thresholds and exceptions without a word.
 */
export async function loadConfig(source: Directory, path: string): Promise<LoadedConfig> {
  const exists = await source.exists(path, { expectedType: ExistsType.RegularType });
  if (!exists && path !== DEFAULT_CONFIG_PATH) {
    throw new SourceError({
      where: "--config-path",
      found: `no file ${JSON.stringify(path)} in the source`,
      expected: "the security config",
      fix: `fix the path, or leave --config-path out to use ${DEFAULT_CONFIG_PATH} (the defaults apply when that is absent too)`,
    });
  }
  return parseSecurityConfig(exists ? await source.file(path).contents() : undefined, path);
}

/** A config given as a file from anywhere (--config): it must be there and valid; messages name it by its file name. */
export async function loadConfigFile(file: File): Promise<LoadedConfig> {
  const [name, text] = await Promise.all([file.name(), file.contents()]);
  return parseSecurityConfig(text, name);
}

/** Where a path came from: the config file and the dotted key in it. */
export interface Setting {
  readonly file: string;
  readonly key: string;
}

/**
 * An app's folder, checked for what a frozen install needs before anything runs, so a missing
 * lockfile fails in a second with its name rather than minutes into a build.
 */
export async function appSource(source: Directory, path: string, setting: Setting): Promise<Directory> {
  if (!(await source.exists(path, { expectedType: ExistsType.DirectoryType }))) {
    throw new SourceError(
      `${setting.file}: ${setting.key}: folder "${path}" not found in the source — set ${setting.key} in ${setting.file} to the app's folder`,
    );
  }
  const app = source.directory(path);
  for (const [file, fix] of [
    ["package.json", "the app's manifest is required"],
    ["pnpm-lock.yaml", "drydock installs with --frozen-lockfile: run `pnpm install` in that folder and commit pnpm-lock.yaml"],
  ] as const) {
    if (!(await app.exists(file, { expectedType: ExistsType.RegularType }))) {
      throw new SourceError(`${path}/${file} not found in the source (the folder of ${setting.key}) — ${fix}`);
    }
  }
  return app;
}

/**
 * The pnpm that installs the app in `folder` (an appSource): its package.json's packageManager,
 * refused when the lockfile records another version.
 */
export async function appPnpm(app: Directory, folder: string): Promise<string> {
  const [manifest, lockfile] = await Promise.all([app.file("package.json").contents(), app.file("pnpm-lock.yaml").contents()]);
  return appPnpmVersion({ manifest, lockfile }, folder);
}

/** A file of the source named by the config; its absence is an error naming the config key. */
export async function requiredFile(source: Directory, path: string, configKey: string): Promise<File> {
  if (!(await source.exists(path, { expectedType: ExistsType.RegularType }))) {
    throw new SourceError({ where: configKey, found: `no file ${JSON.stringify(path)} in the source`, expected: "a file of the repository", fix: "fix the path or remove the entry" });
  }
  return source.file(path);
}

/**
 * A file of an optional directory argument: nothing when the directory was not given, an error
 * when it was given without the file — a baseline that silently covers only some scans would hide
 * findings.
 */
export async function optionalFile(dir: Directory | undefined, path: string, argName: string): Promise<File | undefined> {
  if (!dir) return undefined;
  if (!(await dir.exists(path, { expectedType: ExistsType.RegularType }))) {
    throw new SourceError({
      where: argName,
      found: `no ${path}`,
      expected: "the reports of an earlier run",
      fix: "pass the folder written by `build-and-scan reports export` (it holds backend/, frontend/ and lint/ with trivy.json each)",
    });
  }
  return dir.file(path);
}
