/**
 * Reading the application repository: the config, each app's folder, and optional inputs. Every
 * missing piece is an error that names the path and says how to fix it.
 */
import { join } from "node:path/posix";

import { ExistsType, type Directory, type File } from "@dagger.io/dagger";

import { parseSecurityConfig, type RepositoryConfig } from "./config/load.js";
import { SourceError } from "./errors.js";
import { appPnpmVersion } from "./pnpm-version.js";
import { refuseSymlinks, type BuildInput } from "./symlinks.js";
import { installLayout, normalFolder, type InstallLayout } from "./workspace.js";

export { SourceError } from "./errors.js";

export { APP_NAMES, type AppName } from "./config/app-names.js";

/** Where the config is looked for unless --config-path says otherwise. */
export const DEFAULT_CONFIG_PATH = "security-config.yml";

/**
 * The config of the source. Only the default file may be missing, meaning the defaults (and the
 * summaries say so): a --config-path that names nothing is a typo, and falling back to the
 * defaults would drop its thresholds and exceptions without a word.
 */
export async function loadConfig(source: Directory, path: string): Promise<RepositoryConfig> {
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
export async function loadConfigFile(file: File): Promise<RepositoryConfig> {
  const [name, text] = await Promise.all([file.name(), file.contents()]);
  return parseSecurityConfig(text, name);
}

/** Where a path came from: the config file and the dotted key in it. */
export interface Setting {
  readonly file: string;
  readonly key: string;
}

/** An app's folder in the source and how it installs: the Directory of the folder, its InstallLayout and the lockfile it installs from. */
export interface AppSource {
  app: Directory;
  layout: InstallLayout;
  /** The text of the install root's pnpm-lock.yaml (layout.root), as read to decide the layout. */
  lockfile: string;
}

/**
 * An app's folder, checked for what a frozen install needs before anything runs — its manifest and
 * a lockfile, its own or its workspace's at the repository root — so a missing file fails in a
 * second with its name rather than minutes into a build. No input of the install is reached
 * through a symlink (symlinks.ts).
 */
export async function appSource(source: Directory, path: string, setting: Setting): Promise<AppSource> {
  const where = `${setting.file}: ${setting.key}`;
  const folder = normalFolder(path);
  const folderInput: BuildInput = { path: folder, kind: "folder", what: "the app folder", orElse: `, or set ${setting.key} in ${setting.file} to the folder it points to` };
  const [isFolder] = await Promise.all([source.exists(path, { expectedType: ExistsType.DirectoryType }), refuseSymlinks(source, [folderInput])]);
  if (!isFolder) {
    throw new SourceError(`${where}: folder "${path}" not found in the source — set ${setting.key} in ${setting.file} to the app's folder`);
  }
  const app = appFolder(source, folder);
  if (!(await app.exists("package.json", { expectedType: ExistsType.RegularType }))) {
    throw new SourceError(`${folder}/package.json not found in the source (the folder of ${setting.key}) — the app's manifest is required`);
  }
  const isFile = (p: string) => source.exists(p, { expectedType: ExistsType.RegularType });
  const read = async (p: string) => ((await isFile(p)) ? source.file(p).contents() : undefined);
  const [appLockfile, rootLockfile, rootHasWorkspaceFile] = await Promise.all([
    read(join(folder, "pnpm-lock.yaml")),
    folder === "." ? undefined : read("pnpm-lock.yaml"),
    isFile("pnpm-workspace.yaml"),
  ]);
  const layout = installLayout({ folder, setting: where, appLockfile, rootLockfile, rootHasWorkspaceFile });
  await refuseSymlinks(source, await installInputs(source, layout));
  for (const dir of layout.localPackages) {
    if (!(await source.exists(dir, { expectedType: ExistsType.DirectoryType }))) {
      throw new SourceError({
        where: `${where}: ${JSON.stringify(folder)}`,
        found: `no folder "${dir}" in the source, which the app's lockfile links to`,
        expected: "the local package, in the source",
        fix: "keep it in the source (check the module's ignore list and --source), or run `pnpm install` and commit the lockfile",
      });
    }
  }
  if (layout.root !== folder && !(await isFile(join(layout.root, "package.json")))) {
    throw new SourceError({ where: `${where}: ${JSON.stringify(folder)}`, found: "no package.json at the repository root", expected: "the workspace's root manifest beside its pnpm-lock.yaml", fix: "commit the workspace root's package.json" });
  }
  // installLayout returned, so the lockfile of the root it chose was read.
  return { app, layout, lockfile: (layout.root === folder ? appLockfile : rootLockfile)! };
}

/**
 * One Directory object per source and app folder: what is asked of it (symlinks.ts, prisma.ts) is
 * then asked once per call of the module, which reads the same app more than once.
 */
const appFolders = new WeakMap<Directory, Map<string, Directory>>();

function appFolder(source: Directory, folder: string): Directory {
  const folders = appFolders.get(source) ?? new Map<string, Directory>();
  appFolders.set(source, folders);
  const app = folders.get(folder) ?? source.directory(folder);
  folders.set(folder, app);
  return app;
}

/**
 * What the install and the build read of the source besides the app folder, in the order the
 * Dockerfiles' layout program reads them: the install root's lockfile and manifest, its
 * pnpm-workspace.yaml and pnpmfiles, every project's manifest, then the local packages.
 */
async function installInputs(source: Directory, layout: InstallLayout): Promise<BuildInput[]> {
  const pnpmfiles = (await source.entries({ path: layout.root })).filter((name) => name.startsWith(".pnpmfile.")).sort();
  const rootFiles = ["pnpm-lock.yaml", "package.json", "pnpm-workspace.yaml", ...pnpmfiles].map((file) => join(layout.root, file));
  const manifests = [layout.folder, ...layout.members].map((dir) => join(dir, "package.json")).filter((file) => !rootFiles.includes(file));
  const what = "an input of the install";
  return [
    ...rootFiles.map((file): BuildInput => ({ path: file, kind: "file", what })),
    ...manifests.map((file): BuildInput => ({ path: file, kind: "file", what, orElse: ", or drop the project from pnpm-workspace.yaml and run `pnpm install`" })),
    ...layout.localPackages.map(
      (dir): BuildInput => ({ path: dir, kind: "folder", what: "a local package the app links to", orElse: ", or drop the package from pnpm-workspace.yaml and the dependencies, and run `pnpm install`" }),
    ),
  ];
}

/**
 * The pnpm that installs the app: its install root's package.json's packageManager (the app's, or
 * its workspace root's), refused when that lockfile records another version.
 */
export async function appPnpm(source: Directory, { layout, lockfile }: AppSource): Promise<string> {
  return appPnpmVersion({ manifest: await source.file(join(layout.root, "package.json")).contents(), lockfile }, layout.root);
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
 * findings. `folders` are the scans such a folder holds (the config's apps and lint), for the fix.
 */
export async function optionalFile(dir: Directory | undefined, path: string, argName: string, folders: readonly string[]): Promise<File | undefined> {
  if (!dir) return undefined;
  if (!(await dir.exists(path, { expectedType: ExistsType.RegularType }))) {
    const holds = folders.map((folder) => `${folder}/`);
    throw new SourceError({
      where: argName,
      found: `no ${path}`,
      expected: "the reports of an earlier run",
      fix: `pass the folder written by \`build-and-scan reports export\` (it holds ${[holds.slice(0, -1).join(", "), holds.at(-1)].filter(Boolean).join(" and ")} with trivy.json each)`,
    });
  }
  return dir.file(path);
}
