/**
 * Whether the backend uses Prisma, read from its folder without running any of its code: Prisma's
 * config file, if any, and the schema it names, else Prisma's default layout.
 */
import { ExistsType, type Directory } from "@dagger.io/dagger";

import { SourceError } from "../errors.js";
import { refuseSymlinks, type BuildInput } from "../symlinks.js";

/** The schema's place when no config names one (Prisma's default layout). */
export const DEFAULT_SCHEMA = "prisma/schema.prisma";

/** The names Prisma loads its config from, in the app folder: what `prisma generate` reads of them (never a stray prisma.config.ts.orig). */
export const PRISMA_CONFIG_FILES = ["prisma.config.ts", "prisma.config.mts", "prisma.config.cts", "prisma.config.js", "prisma.config.mjs", "prisma.config.cjs"] as const;

/**
 * `schema: "<path>"` in a config, as a plain string literal (quotes or a backtick string without
 * `${`); the first in the text, a commented-out one included. Fixed on purpose: the config is
 * TypeScript that drydock never runs, so a computed path (path.join, an env variable) cannot be
 * read and is reported rather than guessed.
 */
const SCHEMA_LITERAL = /(?:^|[\s{,])["']?schema["']?\s*:\s*(?:"([^"\\\n]+)"|'([^'\\\n]+)'|`([^`\\$\n]+)`)/;

/** The backend's Prisma schema, as its build uses it. */
export interface PrismaSchema {
  /** The schema file or folder, relative to the app folder, normalised (no `./`). */
  path: string;
  /**
   * All `prisma generate` reads (Directory.filter include patterns): a source edit elsewhere then
   * reuses the generated client and, since prune continues generate, the production dependencies too.
   */
  inputs: readonly string[];
}

/** The schema a config's text names, if it names one as a literal. */
export function schemaLiteral(config: string): string | undefined {
  const match = SCHEMA_LITERAL.exec(config);
  return match ? (match[1] ?? match[2] ?? match[3])!.trim() : undefined;
}

/** A path relative to the app folder, `./` and empty segments dropped; undefined when absolute or leaving the folder. */
export function appRelative(path: string): string | undefined {
  if (path.startsWith("/") || /^[A-Za-z]:[\\/]/.test(path)) return undefined;
  const segments = path.split(/[\\/]/).filter((s) => s !== "" && s !== ".");
  if (segments.length === 0 || segments.includes("..")) return undefined;
  return segments.join("/");
}

/**
 * The TypeScript settings Prisma's `prisma-client` generator reads: it looks up the nearest
 * tsconfig.json above its output folder (get-tsconfig, following `extends`) and takes the import
 * extension of the code it writes from it — none found, it writes `./internal/class.ts`, which a
 * project without `rewriteRelativeImportExtensions` compiles unchanged and cannot start with. Every
 * tsconfig*.json of the app folder: the nearest one wherever the output is, and the ones it extends
 * beside it.
 */
export const TSCONFIG_FILES = "**/tsconfig*.json";

/**
 * What `prisma generate` needs of the source: the config, the schema's folder — `prisma/**` for the
 * default layout — or the schema file alone when it sits at the app's root, and the app's
 * TypeScript settings (TSCONFIG_FILES).
 */
export function prismaInputs(schema: string, isFolder: boolean): readonly string[] {
  const folder = isFolder ? schema : schema.includes("/") ? schema.slice(0, schema.lastIndexOf("/")) : undefined;
  return [...PRISMA_CONFIG_FILES, folder === undefined ? schema : `${folder}/**`, TSCONFIG_FILES];
}

/**
 * Prisma in the app folder `app` (at `folder` in the source, for messages): undefined when there
 * is neither a config nor the default schema. A config means Prisma is used: the schema it names
 * (or, when it names none drydock can read, the default one) must exist, or the build fails here
 * rather than ship an image without its generated client. None of what `prisma generate` reads is
 * reached through a symlink (../symlinks.ts): each is checked before it is read.
 */
export async function detectPrisma(app: Directory, folder: string): Promise<PrismaSchema | undefined> {
  const present = await Promise.all(PRISMA_CONFIG_FILES.map((file) => app.exists(file, { expectedType: ExistsType.RegularType })));
  const configs = PRISMA_CONFIG_FILES.filter((_, i) => present[i]);
  await refuseSymlinks(app, configs.map((file): BuildInput => ({ path: file, kind: "file", what: PRISMA_INPUT })), folder);
  const config = configs[0];
  if (config === undefined) return (await hasDefaultSchema(app, folder)) ? { path: DEFAULT_SCHEMA, inputs: prismaInputs(DEFAULT_SCHEMA, false) } : undefined;

  const where = `${folder}/${config}`;
  const literal = schemaLiteral(await app.file(config).contents());
  if (literal === undefined) {
    if (await hasDefaultSchema(app, folder)) return { path: DEFAULT_SCHEMA, inputs: prismaInputs(DEFAULT_SCHEMA, false) };
    throw new SourceError({
      where,
      found: `no \`schema: "<path>"\` string literal, and no ${folder}/${DEFAULT_SCHEMA}`,
      expected: "the schema's path, which drydock reads from the config's text without running it",
      fix: `write the schema's path as a literal (schema: "db/schema.prisma"), or move the schema to ${DEFAULT_SCHEMA}`,
    });
  }
  const schema = appRelative(literal);
  if (schema === undefined) {
    throw new SourceError({
      where: `${where}: schema`,
      found: JSON.stringify(literal),
      expected: `a path inside ${folder}, the only folder the backend's build gets`,
      fix: "move the schema into the backend's folder and name it relative to the config",
    });
  }
  await refuseSymlinks(app, [{ path: schema, kind: "file or folder", what: PRISMA_INPUT, orElse: `, or name the real path in ${where}` }], folder);
  if (await isFile(app, schema)) return { path: schema, inputs: prismaInputs(schema, false) };
  if (await app.exists(schema, { expectedType: ExistsType.DirectoryType })) return { path: schema, inputs: prismaInputs(schema, true) };
  throw new SourceError({
    where: `${where}: schema`,
    found: `${JSON.stringify(literal)}, which is not in the source`,
    expected: "the schema file or folder Prisma generates the client from",
    fix: `fix the path (relative to ${config}), or commit the schema`,
  });
}

const PRISMA_INPUT = "an input of prisma generate";

/** Whether the default schema is there, refusing a symlink on its way. */
async function hasDefaultSchema(app: Directory, folder: string): Promise<boolean> {
  await refuseSymlinks(app, [{ path: DEFAULT_SCHEMA, kind: "file", what: PRISMA_INPUT }], folder);
  return isFile(app, DEFAULT_SCHEMA);
}

function isFile(app: Directory, path: string): Promise<boolean> {
  return app.exists(path, { expectedType: ExistsType.RegularType });
}
