/**
 * A throw-away copy of the application repository with "canary" files planted where developers
 * leave things that must never reach an image: environment files, VCS metadata, local installs,
 * tests and editor droppings. Each holds a unique string, so a scan of the image's bytes can prove
 * that none of them got in. The committed tree is never touched.
 */
import { randomBytes } from "node:crypto";
import { copyFile, lstat, mkdir, readlink, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { run, failureMessage } from "./cli.ts";

export interface Canary {
  /** What kind of stray file this stands for, e.g. "dotenv". */
  kind: string;
  /** Path relative to the copy's root. */
  file: string;
  /** The unique string the file holds. */
  marker: string;
}

/** Where the canaries go, relative to the application repository root. */
const PLANTS: ReadonlyArray<Omit<Canary, "marker">> = [
  { kind: "dotenv at the root", file: ".env" },
  { kind: "backend dotenv", file: "backend/.env" },
  { kind: "frontend local dotenv", file: "frontend/.env.local" },
  { kind: "git config", file: ".git/config" },
  { kind: "git object", file: ".git/objects/ca/nary" },
  { kind: "backend node_modules junk", file: "backend/node_modules/.canary/index.js" },
  { kind: "frontend node_modules junk", file: "frontend/node_modules/canary.txt" },
  { kind: "backend test file", file: "backend/src/canary.spec.ts" },
  { kind: "frontend test file", file: "frontend/lib/canary.test.ts" },
  { kind: "editor swap file", file: "backend/src/.main.ts.swp" },
  { kind: "editor backup file", file: "frontend/app/page.tsx~" },
];

/** A fresh unique marker; the prefix makes a hit in a byte scan easy to recognise. */
export function newMarker(kind: string): string {
  return `DRYDOCK-CANARY-${kind.replace(/[^a-z]+/gi, "-")}-${randomBytes(12).toString("hex")}`;
}

/**
 * Copy the application repository at `appDir` (the files git would commit: tracked plus untracked
 * but not ignored, so local build output stays behind) to `dest`, then plant the canaries.
 */
export async function copyAppWithCanaries(repoRoot: string, appDir: string, dest: string): Promise<Canary[]> {
  await copyCommittableTree(repoRoot, appDir, dest);
  const canaries: Canary[] = [];
  for (const plant of PLANTS) {
    const marker = newMarker(plant.kind);
    const target = path.join(dest, plant.file);
    await mkdir(path.dirname(target), { recursive: true });
    // Valid-looking content, so a file that did get in would also be picked up by tooling.
    const content = plant.file.endsWith(".ts") || plant.file.endsWith(".js") ? `export const canary = "${marker}";\n` : `CANARY=${marker}\n`;
    await writeFile(target, content);
    canaries.push({ ...plant, marker });
  }
  return canaries;
}

/** Copy the files git would commit under `appDir` (relative to `repoRoot`) into `dest`. */
export async function copyCommittableTree(repoRoot: string, appDir: string, dest: string): Promise<void> {
  const listed = await run("git", ["-C", repoRoot, "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", appDir]);
  if (listed.code !== 0) throw new Error(failureMessage(`git ls-files ${appDir}`, listed));
  const files = listed.stdout.split("\0").filter(Boolean);
  if (files.length === 0) throw new Error(`${path.join(repoRoot, appDir)}: git lists no files; expected the reference application`);
  for (const file of files) {
    const target = path.join(dest, path.relative(appDir, file));
    await mkdir(path.dirname(target), { recursive: true });
    // A file deleted in the working tree but still in the index is not part of the checkout.
    const stat = await lstat(path.join(repoRoot, file)).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== "ENOENT") throw e;
    });
    if (!stat) continue;
    // A symlink is copied as the link it is, never followed: it could name any file of the host.
    if (stat.isSymbolicLink()) await symlink(await readlink(path.join(repoRoot, file)), target);
    else if (stat.isFile()) await copyFile(path.join(repoRoot, file), target);
    else throw new Error(`${path.join(repoRoot, file)}: git lists it but it is neither a file nor a symlink`);
  }
}
