/**
 * Look at an image's root filesystem from inside: a Node script (the images have no shell) walks
 * every path and reports package managers, files the app user could write under the app
 * directory, and any file holding a canary marker.
 */
import { docker } from "./cli.ts";

export interface FilesystemReport {
  /** Paths whose name says npm, npx, corepack, yarn or pnpm. */
  packageManagers: string[];
  /** Paths under the app directory not owned by root, or writable by uid/gid 1000 or anyone. */
  writableByApp: string[];
  /** `path: marker` for every file under the app directory that contains a marker. */
  markerHits: string[];
  /** Entries that exist at the given paths (relative to the app directory). */
  presentPaths: string[];
  /** How many files under the app directory were read (to show the scan saw something). */
  appFilesRead: number;
}

export interface FilesystemQuery {
  appDir: string;
  markers: string[];
  /** Paths relative to appDir that must not exist. */
  absentPaths: string[];
}

/** The walk, run by the image's own node with no network and as root (to see every file). */
const WALK = String.raw`
const fs = require("fs"), path = require("path");
const q = JSON.parse(fs.readFileSync(0, "utf8"));
const PM = /^(npm|npx|corepack|yarn|yarnpkg|pnpm|pnpx|npm-cli\.js|yarn-v[0-9.]+)$/;
const out = { packageManagers: [], writableByApp: [], markerHits: [], presentPaths: [], appFilesRead: 0 };
const skip = new Set(["/proc", "/sys", "/dev"]);
const inApp = (p) => p === q.appDir || p.startsWith(q.appDir + "/");
function walk(p) {
  let st;
  try { st = fs.lstatSync(p); } catch { return; }
  if (PM.test(path.basename(p))) out.packageManagers.push(p);
  if (inApp(p)) {
    const writable = (st.uid === 1000 && st.mode & 0o200) || (st.gid === 1000 && st.mode & 0o020) || (!st.isSymbolicLink() && st.mode & 0o002);
    if (st.uid !== 0 || writable) out.writableByApp.push(p + " uid=" + st.uid + " mode=" + (st.mode & 0o7777).toString(8));
    if (st.isFile()) {
      out.appFilesRead++;
      const bytes = fs.readFileSync(p);
      for (const m of q.markers) if (bytes.includes(m)) out.markerHits.push(p + ": " + m);
    }
  }
  if (st.isDirectory()) for (const e of fs.readdirSync(p)) { const c = path.join(p, e); if (!skip.has(c)) walk(c); }
}
walk("/");
for (const rel of q.absentPaths) { try { fs.lstatSync(path.join(q.appDir, rel)); out.presentPaths.push(rel); } catch {} }
process.stdout.write(JSON.stringify(out));
`;

export async function inspectFilesystem(image: string, query: FilesystemQuery): Promise<FilesystemReport> {
  const stdout = await docker(
    ["run", "--rm", "--interactive", "--network", "none", "--user", "0:0", "--entrypoint", "node", image, "-e", WALK],
    { input: JSON.stringify(query), timeoutMs: 5 * 60_000 },
  );
  return JSON.parse(stdout) as FilesystemReport;
}
