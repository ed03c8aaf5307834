/**
 * Stand-in base images for machines that reach no container registry, built from Debian packages
 * (apt over plain http) and Node's official binary from the npm registry:
 *
 * - node-build    plays node:24-alpine in the Dockerfiles' build stages (standin-node-build.ts)
 * - node-runtime  plays node:24-alpine as the runtime base, with no shell at all (standin-node-runtime.ts)
 * - postgres      plays the official postgres image in the e2e stack (standin-postgres.ts)
 *
 * node-build and node-runtime also come for linux/arm64 (standin-platform.ts; ensureNodeStandIns),
 * for the multi-platform e2e under QEMU emulation; amd64 stays the default of every other file.
 *
 * Each is tagged by a hash of its recipe file, the shared recipe code, and the apt candidate
 * versions of its packages, and reused while that tag exists: `docker import` makes a new image ID
 * on every run, and a new base ID would invalidate every application build cache above it.
 */
import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { dockerTry, imageExists } from "./cli.ts";
import { aptCandidates, ensureHostTools } from "./standin-common.ts";
import * as nodeBuild from "./standin-node-build.ts";
import * as nodeRuntime from "./standin-node-runtime.ts";
import * as postgres from "./standin-postgres.ts";
import { AMD64, type StandInPlatform } from "./standin-platform.ts";

export interface StandIns {
  build: string;
  runtime: string;
  postgres: string;
}

interface Recipe {
  /** Image name; the tag is `<version>-<content hash>`. */
  name: string;
  version: string;
  /** The recipe's own source file, hashed into the tag. */
  file: string;
  packages: string[];
  build: (tag: string, workDir: string) => Promise<void>;
}

const HERE = path.dirname(fileURLToPath(import.meta.url));
/** Shared by every recipe: a change in these rebuilds every stand-in. */
const SHARED_FILES = ["standin-common.ts", "npm-tarball.ts", "standin-platform.ts"];

const RECIPES = {
  build: { name: "drydock-standin/node-build", version: "24.13.1", file: "standin-node-build.ts", packages: nodeBuild.PACKAGES, build: nodeBuild.build },
  runtime: { name: "drydock-standin/node-runtime", version: "24.13.1", file: "standin-node-runtime.ts", packages: nodeRuntime.PACKAGES, build: nodeRuntime.build },
  postgres: { name: "drydock-standin/postgres", version: "15", file: "standin-postgres.ts", packages: postgres.PACKAGES, build: postgres.build },
} satisfies Record<keyof StandIns, Recipe>;

/**
 * node-build and node-runtime of another platform, under names of their own (ensureImage drops
 * every other tag of a name). Their packages' versions are read from the host's apt lists (amd64):
 * Debian releases both architectures of a package from one source version.
 */
function nodeRecipes(platform: StandInPlatform): Pick<typeof RECIPES, "build" | "runtime"> {
  if (platform.arch === "amd64") return RECIPES;
  const suffix = `-${platform.arch}`;
  return {
    build: { ...RECIPES.build, name: `${RECIPES.build.name}${suffix}`, version: platform.nodeVersion, build: (tag, dir) => nodeBuild.build(tag, dir, platform) },
    runtime: { ...RECIPES.runtime, name: `${RECIPES.runtime.name}${suffix}`, version: platform.nodeVersion, build: (tag, dir) => nodeRuntime.build(tag, dir, platform) },
  };
}

/** Build (or reuse, by content tag) the three stand-in images and return their tags. */
export async function ensureStandIns(log: (line: string) => void = () => {}): Promise<StandIns> {
  await ensureHostTools(log);
  return {
    build: await ensureImage(RECIPES.build, log),
    runtime: await ensureImage(RECIPES.runtime, log),
    postgres: await ensureImage(RECIPES.postgres, log),
  };
}

/**
 * node-build and node-runtime for a platform, built (or reused) like ensureStandIns's: amd64 gives
 * exactly its images; arm64's node-build needs QEMU user emulation registered
 * (scripts/e2e/ensure-emulation.sh).
 */
export async function ensureNodeStandIns(platform: StandInPlatform = AMD64, log: (line: string) => void = () => {}): Promise<Pick<StandIns, "build" | "runtime">> {
  await ensureHostTools(log);
  const recipes = nodeRecipes(platform);
  return {
    build: await ensureImage(recipes.build, log),
    runtime: await ensureImage(recipes.runtime, log),
  };
}

/** The tag a recipe's image gets: its content hash over recipe text and package versions. */
async function standInTag(recipe: Recipe): Promise<string> {
  const texts = await Promise.all([recipe.file, ...SHARED_FILES].map((f) => readFile(path.join(HERE, f), "utf8")));
  const hash = createHash("sha256")
    .update([recipe.name, ...texts, await aptCandidates(recipe.packages)].join("\n\0"))
    .digest("hex")
    .slice(0, 16);
  return `${recipe.name}:${recipe.version}-${hash}`;
}

async function ensureImage(recipe: Recipe, log: (line: string) => void): Promise<string> {
  const tag = await standInTag(recipe);
  if (await imageExists(tag)) {
    log(`stand-in ${tag}: reused`);
    return tag;
  }
  const started = Date.now();
  // mmdebstrap unpacks into TMPDIR: give it a private directory on the big disk.
  const workDir = await mkdtemp(path.join(os.tmpdir(), "drydock-standin-"));
  try {
    await recipe.build(tag, workDir);
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
  log(`stand-in ${tag}: built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  await removeOtherTags(recipe.name, tag);
  return tag;
}

/** Stand-ins of an older recipe are never used again: drop them (best effort) so they do not pile up. */
async function removeOtherTags(name: string, keep: string): Promise<void> {
  const listed = await dockerTry(["images", "--format", "{{.Repository}}:{{.Tag}}", name]);
  const stale = listed.stdout.split("\n").filter((ref) => ref.startsWith(`${name}:`) && ref !== keep);
  if (stale.length > 0) await dockerTry(["rmi", ...stale]);
}
