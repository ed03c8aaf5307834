/**
 * Which apps a repository has: exactly those its config lists under `apps` (both when it has no
 * `apps`). Everything that builds, scans, smoke-tests or releases goes through here, so an app the
 * config does not list is never built, and one it lists is never skipped.
 */
import { ArgumentError } from "../errors.js";
import type { RepositoryConfig } from "./load.js";
import { APP_NAMES, type AppConfig, type AppName } from "./schema.js";

/** The apps the config lists, backend first: what build-and-scan, the smoke stage, publish and release cover. */
export function listedApps(loaded: RepositoryConfig): AppName[] {
  return APP_NAMES.filter((name) => loaded.config.apps[name] !== undefined);
}

/**
 * The error of a function of an app the config does not list, e.g. `security-config.yml: apps:
 * found no backend, expected apps.backend for \`backend\` — add apps.backend to
 * security-config.yml, or call a function of an app it lists (frontend)`. `call` is the function
 * as the CLI spells it.
 */
export function unlistedAppError(file: string, name: AppName, call: string, listed: readonly AppName[]): ArgumentError {
  return new ArgumentError({
    where: `${file}: apps`,
    found: `no ${name}`,
    expected: `apps.${name} for \`${call}\``,
    fix: `add apps.${name} to ${file}, or call a function of an app it lists (${listed.join(", ")})`,
  });
}

/** The settings of `name`; an ArgumentError naming the file, the key and the fix when the config does not list it. */
export function appConfig(loaded: RepositoryConfig, name: AppName, call: string): AppConfig {
  const app = loaded.config.apps[name];
  if (app === undefined) throw unlistedAppError(loaded.file, name, call, listedApps(loaded));
  return app;
}

/** One app the config lists, as the image recipes take it: its name, its settings, and the file they come from (for messages). */
export interface ListedApp {
  readonly name: AppName;
  readonly settings: AppConfig;
  readonly file: string;
}

/** The app `name` of the config, for a build; the ArgumentError of appConfig when the config does not list it. */
export function listedApp(loaded: RepositoryConfig, name: AppName, call: string): ListedApp {
  return { name, settings: appConfig(loaded, name, call), file: loaded.file };
}
