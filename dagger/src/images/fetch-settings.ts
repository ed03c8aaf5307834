/**
 * The download step's pnpm settings: generated, never the repository's own file.
 *
 * `pnpm fetch` is the one pnpm command that holds the npmrc and the CA. pnpm 12 reads network
 * settings from pnpm-workspace.yaml — `registry`, `registries`, `namedRegistries`, `httpsProxy`,
 * `httpProxy`, `proxy`, `noProxy`, `pnprServer`, `userAgent`… — so a pull request that adds
 * `httpsProxy:` there would route every authenticated request through a host it controls. The
 * download therefore reads a pnpm-workspace.yaml that holds only the keys below, taken from the
 * repository's settings as pnpm itself parsed them (`pnpm config list --json`, run without any
 * secret: no second YAML parser that could read the file differently), and an empty package.json
 * (no `packageManager` to switch pnpm versions with the npmrc mounted). Network settings come
 * only from the caller: the npmrc and CA secrets, and the engine's own proxy variables.
 *
 * Why each key is kept (pnpm's `check_lockfile_settings`, pnpm/crates/lockfile/src/freshness.rs:
 * a frozen download refuses a lockfile whose recorded settings differ from the configuration):
 * - `catalogs`, `overrides`, `packageExtensions` (its checksum), `ignoredOptionalDependencies`,
 *   `autoInstallPeers`, `dedupePeers`, `excludeLinksFromLockfile`, `injectWorkspacePackages`,
 *   `peersSuffixMaxLength`: compared with the lockfile; without them the download fails with
 *   ERR_PNPM_LOCKFILE_CONFIG_MISMATCH. (`catalog` is kept as `catalogs.default`, as pnpm merges it.)
 * - `supportedArchitectures`: which optional platform packages are downloaded; the offline
 *   install that follows reads the same key from the repository's file and needs them present.
 * - `minimumReleaseAge*`, `trustPolicy*`, `blockExoticSubdeps`: the repository's own supply-chain
 *   checks of its lockfile, which pnpm runs while downloading. They name no host.
 * Not kept, so a lockfile that needs it fails the download: `patchedDependencies` (its patch
 * files are not install inputs — drydock does not support pnpm patches yet).
 */

/** The pnpm settings the download step reads, as pnpm 12 names them in `pnpm config list --json`. */
export const FETCH_SETTINGS_KEYS = [
  "catalogs",
  "overrides",
  "packageExtensions",
  "ignoredOptionalDependencies",
  "autoInstallPeers",
  "dedupePeers",
  "excludeLinksFromLockfile",
  "injectWorkspacePackages",
  "peersSuffixMaxLength",
  "supportedArchitectures",
  "minimumReleaseAge",
  "minimumReleaseAgeExclude",
  "minimumReleaseAgeStrict",
  "minimumReleaseAgeIgnoreMissingTime",
  "trustPolicy",
  "trustPolicyExclude",
  "trustPolicyIgnoreAfter",
  "blockExoticSubdeps",
] as const;

/** Where the settings as pnpm parsed them are written: pnpm's defaults, and the repository's. */
export const SETTINGS_DIR = "/pnpm/settings";

/**
 * Writes the download's pnpm-workspace.yaml (as JSON, which YAML reads) from the repository's
 * settings, keeping only FETCH_SETTINGS_KEYS, and says on stderr which settings the repository
 * changed from pnpm's defaults that the download does not read — a registry or proxy there is not
 * used, and the user learns it from the build log. Fixed program text: the key list is a constant
 * of drydock, the three files are its arguments. No single quote and no backslash:
 * Dockerfile.backend and Dockerfile.frontend hold it verbatim in `RUN node -e '…'`, one line of it
 * a line there.
 */
const LINES = [
  'const fs=require("fs");',
  "const [defaultsFile,repositoryFile,out]=process.argv.slice(1);",
  `const KEEP=${JSON.stringify(FETCH_SETTINGS_KEYS)};`,
  'const read=(file)=>JSON.parse(fs.readFileSync(file,"utf8"));',
  "const defaults=read(defaultsFile),repository=read(repositoryFile),kept={};",
  "for(const key of KEEP)if(Object.hasOwn(repository,key))kept[key]=repository[key];",
  "const unread=Object.keys(repository).filter((key)=>!KEEP.includes(key)&&JSON.stringify(repository[key])!==JSON.stringify(defaults[key])).sort();",
  'if(unread.length)console.error("pnpm fetch: reads none of these settings of the repository: "+unread.join(", ")+" - the download takes network settings (registry, proxies, TLS) only from the npmrc and CA that the caller passes");',
  'fs.writeFileSync(out,JSON.stringify(kept,null,2)+require("os").EOL);',
] as const;

export const FETCH_SETTINGS_PROGRAM_LINES: readonly string[] = LINES;
export const FETCH_SETTINGS_PROGRAM = LINES.join("");
