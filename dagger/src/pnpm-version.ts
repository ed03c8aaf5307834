/**
 * Which pnpm installs an app: the one its package.json's `packageManager` names, which must be the
 * one its lockfile was written with when the lockfile records it. Pure: the caller reads the files.
 */
import { parseAllDocuments } from "yaml";

import { SourceError } from "./errors.js";

const SEMVER = /^[0-9]+\.[0-9]+\.[0-9]+$/;
const WITH_HASH = /^([0-9]+\.[0-9]+\.[0-9]+)\+(sha(?:224|256|384|512))\.[0-9a-f]+$/;

/**
 * The exact pnpm version `packageManager` names in the manifest `text` (`file` names it in errors).
 * Only `pnpm@MAJOR.MINOR.PATCH`: a range, a tag or a URL could install any package as pnpm, with
 * the npmrc mounted. The `+sha512.<hex>` form is refused rather than silently not verified: npm
 * installs pnpm by name and version and checks the registry's integrity, not packageManager's hash.
 */
export function pnpmFromManifest(text: string, file: string): string {
  const where = `${file}: packageManager`;
  const fixField = `set "packageManager": "pnpm@<version>" in ${file} to the pnpm the lockfile was written with (e.g. \`pnpm --version\`), or pass --pnpm-version`;
  let manifest: unknown;
  try {
    manifest = JSON.parse(text);
  } catch (error) {
    throw new SourceError({ where: file, found: `text that is not JSON (${(error as Error).message})`, expected: "the app's package.json", fix: "fix the file" });
  }
  const field = typeof manifest === "object" && manifest !== null ? (manifest as Record<string, unknown>)["packageManager"] : undefined;
  if (field === undefined) throw new SourceError({ where, found: "no such field", expected: '"pnpm@MAJOR.MINOR.PATCH", the pnpm that installs the app', fix: fixField });
  if (typeof field !== "string" || !field.startsWith("pnpm@")) {
    throw new SourceError({ where, found: JSON.stringify(field), expected: '"pnpm@MAJOR.MINOR.PATCH": drydock installs apps with pnpm', fix: fixField });
  }
  const version = field.slice("pnpm@".length);
  const hashed = WITH_HASH.exec(version);
  if (hashed) {
    throw new SourceError({
      where,
      found: JSON.stringify(field),
      expected: `"pnpm@${hashed[1]}"`,
      fix: `drop the "+${hashed[2]}…" suffix: drydock installs pnpm with npm, which checks the registry's integrity but cannot verify packageManager's hash`,
    });
  }
  if (!SEMVER.test(version)) throw new SourceError({ where, found: JSON.stringify(field), expected: '"pnpm@MAJOR.MINOR.PATCH" like "pnpm@12.4.2"', fix: fixField });
  return version;
}

/**
 * The pnpm version the lockfile `text` records (`importers["."].packageManagerDependencies.pnpm`,
 * written by pnpm 11 and later in the first of the lockfile's two YAML documents), or undefined
 * when it records none. A lockfile that is not YAML is left to pnpm's frozen install to refuse.
 */
export function pnpmFromLockfile(text: string): string | undefined {
  let documents;
  try {
    documents = parseAllDocuments(text);
  } catch {
    return undefined;
  }
  const at = (value: unknown, key: string): unknown => (typeof value === "object" && value !== null ? (value as Record<string, unknown>)[key] : undefined);
  for (const document of Array.isArray(documents) ? documents : [documents]) {
    if (document.errors.length > 0) return undefined;
    const version = at(at(at(at(at(document.toJS(), "importers"), "."), "packageManagerDependencies"), "pnpm"), "version");
    if (typeof version === "string") return version;
  }
  return undefined;
}

/** The app's pnpm: packageManager's version, refused when the lockfile records another. */
export function appPnpmVersion(files: { manifest: string; lockfile: string }, folder: string): string {
  const prefix = folder === "." ? "" : `${folder}/`;
  const manifestFile = `${prefix}package.json`;
  const version = pnpmFromManifest(files.manifest, manifestFile);
  const recorded = pnpmFromLockfile(files.lockfile);
  if (recorded !== undefined && recorded !== version) {
    throw new SourceError({
      where: `${prefix}pnpm-lock.yaml`,
      found: `pnpm ${JSON.stringify(recorded)} recorded (importers → . → packageManagerDependencies)`,
      expected: `the pnpm ${manifestFile} names in packageManager, ${version}`,
      fix: `run \`pnpm install\` with pnpm ${version} in ${folder === "." ? "the repository root" : folder} and commit the lockfile, or set packageManager to "pnpm@${recorded}"`,
    });
  }
  return version;
}
