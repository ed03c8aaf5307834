/**
 * Reproducible file times: every file, folder and symbolic link an image gets from the build or
 * the source carries the image's SOURCE_DATE_EPOCH (the seconds of its `created` label), not the
 * time a step wrote it or a checkout made it — so two builds of one commit give the same layers.
 *
 * Why a step of its own, not `Directory.withTimestamps`: that sets each path with os.Chtimes, which
 * follows a symbolic link to its target, so the links themselves (most of pnpm's node_modules)
 * keep the time they were made; and the folder a `withDirectory` lands in (`/app`) takes the time
 * of the copy. Both were measured on Dagger v0.21.8 (test/e2e/engine-reproducible.test.ts). So each
 * folder the image gets is placed in a tree at its path from the root (`app/dist`); a fixed node
 * program sets every entry of the tree, links included (`lutimes`), in a container of the build
 * image; and the image gets the tree at `/`. Every folder the copy creates is then one of the
 * tree's own, with its set time, and one that exists already (`/`, or `/app` for `/app/dist`)
 * keeps the time it had: the engine's copy restores it.
 */
import { dag, type Container, type Directory, type Platform } from "@dagger.io/dagger";

import { containerOn } from "./platform.js";

/** A folder of the image's files and where in the image it goes (an absolute path). */
export interface ImageFolder {
  files: Directory;
  to: string;
}

/** Where the tree is mounted while its times are set. */
export const STAMP_DIR = "/stamp";

/**
 * SOURCE_DATE_EPOCH of an image: the seconds of its `created` time (1970-01-01T00:00:00Z unless
 * `with-labels --created` gives another, e.g. the commit's).
 */
export function sourceDateEpoch(created: string): number {
  const seconds = Math.floor(Date.parse(created) / 1000);
  if (!Number.isSafeInteger(seconds) || seconds < 0) {
    throw new Error(`--created: found ${JSON.stringify(created)}, expected an RFC 3339 time from 1970-01-01T00:00:00Z on — file times start at the Unix epoch`);
  }
  return seconds;
}

/**
 * Sets every entry under its first argument — files, folders, and symbolic links themselves, never
 * their targets (`lutimes`) — to its second, whole seconds since 1970. Node, not `touch -h`: the
 * build image may be Alpine's, whose busybox `touch` and `find` lack or differ in what GNU's have,
 * and every build image has node. Fixed text; the folder and the time are its arguments.
 */
export const STAMP_PROGRAM =
  'const fs=require("fs"),path=require("path");const [root,epoch]=process.argv.slice(1);const t=Number(epoch);if(!/^[0-9]+$/.test(epoch)||!Number.isSafeInteger(t)){console.error("file times: found "+JSON.stringify(epoch)+", expected whole seconds since 1970");process.exit(1)}const stamp=(p)=>{if(fs.lstatSync(p).isDirectory())for(const name of fs.readdirSync(p))stamp(path.join(p,name));fs.lutimesSync(p,t,t)};stamp(root);';

/** The command that sets every entry under STAMP_DIR to `epoch` (STAMP_PROGRAM). */
export function stampCommand(epoch: number): string[] {
  if (!Number.isSafeInteger(epoch) || epoch < 0) throw new Error(`file times: expected seconds since 1970 as a whole number, got ${epoch}`);
  return ["node", "-e", STAMP_PROGRAM, STAMP_DIR, String(epoch)];
}

/** Where the build comes from: its image and platform (a Toolchain's). */
export interface Stamper {
  buildImage: string;
  platform?: Platform;
}

/** `folder` placed at its path in a tree to copy to the image's `/`, every entry's time `created`'s epoch. */
export function shippedTree({ files, to }: ImageFolder, created: string, { buildImage, platform }: Stamper): Directory {
  const command = stampCommand(sourceDateEpoch(created));
  const tree = dag.directory().withDirectory(pathFromRoot(to), files);
  return containerOn(platform).from(buildImage).withUser("0:0").withMountedDirectory(STAMP_DIR, tree).withExec(command).directory(STAMP_DIR);
}

/**
 * `container` with each of `folders` copied in, in order, owned by root, every time in them
 * `created`'s epoch: one layer per folder.
 */
export function withShippedFolders(container: Container, folders: readonly ImageFolder[], created: string, stamper: Stamper): Container {
  // Owned by root and read-only to the image's user: the process cannot rewrite its own code.
  return folders.reduce((out, folder) => out.withDirectory("/", shippedTree(folder, created, stamper), { owner: "0:0" }), container);
}

/** `to` without its leading slash: where the folder goes in the tree that is copied to `/`. */
function pathFromRoot(to: string): string {
  if (!to.startsWith("/") || to === "/" || to.split("/").includes("..")) throw new Error(`image folder: expected an absolute path below /, got ${JSON.stringify(to)}`);
  return to.slice(1);
}
