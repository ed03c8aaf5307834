/**
 * A throw-away copy of the application repository with "canary" files planted where developers
 * leave things that must never reach an image: environment files, VCS metadata, local installs,
 * tests and editor droppings. Each holds a unique string, so a scan of the image's bytes can prove
 * that none of them got in. An install script planted in the apps' manifests proves that the app's
 * install-time code cannot read the build's credentials. The committed tree is never touched.
 */
import { randomBytes } from "node:crypto";
import { copyFile, lstat, mkdir, readFile, readlink, symlink, writeFile } from "node:fs/promises";
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

/**
 * The install-script canary: a `postinstall` script planted in each app's package.json in the copy
 * (a root project's own scripts are not in its lockfile, so the frozen install still accepts it).
 * pnpm runs it where the app's install scripts and pnpmfile run; it fails the build, naming what it
 * found, when it can read a build credential — the npmrc or CA secret where the Dockerfiles mount
 * them, or NODE_EXTRA_CA_CERTS — and otherwise leaves a note, so a test can tell that it did run.
 */
export const INSTALL_SCRIPT_CANARY = {
  apps: ["backend", "frontend"],
  /** The note a clean run leaves, relative to the app folder of the build stage. */
  note: "node_modules/.drydock-install-canary",
  /** What the note says. */
  clean: "install scripts ran without the build credentials",
  /** The start of the error a run that can read a credential prints. */
  exposed: "drydock canary: install-time code of the app can read the build credentials:",
} as const;

const INSTALL_SCRIPT_PROGRAM = [
  'const fs=require("fs");',
  'const seen=["/root/.npmrc","/run/secrets/npmrc","/run/secrets/ca"].filter((f)=>{try{return fs.readFileSync(f).length>0}catch{return false}});',
  'if(process.env.NODE_EXTRA_CA_CERTS!==undefined)seen.push("NODE_EXTRA_CA_CERTS="+process.env.NODE_EXTRA_CA_CERTS);',
  `if(seen.length>0){console.error(${JSON.stringify(INSTALL_SCRIPT_CANARY.exposed)}+" "+seen.join(", "));process.exit(1)}`,
  `fs.writeFileSync(${JSON.stringify(INSTALL_SCRIPT_CANARY.note)},${JSON.stringify(INSTALL_SCRIPT_CANARY.clean)}+"\\n");`,
].join("");

/** Where each app of an application repository lives: examples/app's folders unless told otherwise. */
export type AppFolders = Readonly<Record<(typeof INSTALL_SCRIPT_CANARY.apps)[number], string>>;
export const EXAMPLE_APP_FOLDERS: AppFolders = { backend: "backend", frontend: "frontend" };

/** Add the install-script canary to each app's package.json under `root`. */
export async function plantInstallScriptCanary(root: string, folders: AppFolders = EXAMPLE_APP_FOLDERS): Promise<void> {
  // pnpm hands the script to sh: single quotes keep the program one word, so it must hold none.
  if (INSTALL_SCRIPT_PROGRAM.includes("'")) throw new Error("the install-script canary's program must not contain a single quote");
  for (const app of INSTALL_SCRIPT_CANARY.apps.map((name) => folders[name])) {
    const file = path.join(root, app, "package.json");
    const manifest = JSON.parse(await readFile(file, "utf8")) as { scripts?: Record<string, string> };
    if (manifest.scripts?.["postinstall"] !== undefined) throw new Error(`${file}: has a postinstall script already; the install-script canary needs the slot`);
    manifest.scripts = { ...manifest.scripts, postinstall: `node -e '${INSTALL_SCRIPT_PROGRAM}'` };
    await writeFile(file, `${JSON.stringify(manifest, null, 2)}\n`);
  }
}

/** A fresh unique marker; the prefix makes a hit in a byte scan easy to recognise. */
export function newMarker(kind: string): string {
  return `DRYDOCK-CANARY-${kind.replace(/[^a-z]+/gi, "-")}-${randomBytes(12).toString("hex")}`;
}

/**
 * Copy the application repository at `appDir` (the files git would commit: tracked plus untracked
 * but not ignored, so local build output stays behind) to `dest`, then plant the canaries, in the
 * apps' `folders`.
 */
export async function copyAppWithCanaries(repoRoot: string, appDir: string, dest: string, folders: AppFolders = EXAMPLE_APP_FOLDERS): Promise<Canary[]> {
  await copyCommittableTree(repoRoot, appDir, dest);
  await plantInstallScriptCanary(dest, folders);
  const canaries: Canary[] = [];
  for (const planted of PLANTS) {
    const [top, ...rest] = planted.file.split("/");
    const plant = { ...planted, file: top === "backend" || top === "frontend" ? [folders[top], ...rest].join("/") : planted.file };
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
