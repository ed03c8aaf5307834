/**
 * Free disk space where an e2e run writes: Docker's data root (images, build cache), the temporary
 * folder (saved image archives, scratch repositories) and the repository's .cache (tools, the
 * Dagger engine kit). A full run needs about MIN_FREE_GIB there; below that it fails half-way with
 * "no space left on device" in whichever test is unlucky, so the run stops before it starts instead.
 */
import { stat, statfs } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { dockerTry } from "./cli.ts";
import { REPO_ROOT } from "./engine.ts";

/**
 * Measured: a full run from a clean clone (the kit built, the Docker build cache empty) went from
 * 51.8 to 25.5 GiB free at its end, and 26 GiB at its lowest; some headroom on top.
 */
export const MIN_FREE_GIB = 32;

const GIB = 1024 ** 3;

export interface FreeSpace {
  /** What the folder is for, and where it is. */
  place: string;
  freeGib: number;
}

/** The nearest folder that exists: .cache is made by the run itself. */
async function existing(dir: string): Promise<string> {
  for (let at = dir; ; at = path.dirname(at)) {
    if (await stat(at).then(() => true, () => false)) return at;
    if (at === path.dirname(at)) return at;
  }
}

/** Free space of each distinct filesystem the run writes to (one line per filesystem). */
export async function freeSpace(): Promise<FreeSpace[]> {
  const dockerRoot = (await dockerTry(["info", "--format", "{{.DockerRootDir}}"])).stdout.trim() || "/var/lib/docker";
  const places: [string, string][] = [
    ["Docker's data root", dockerRoot],
    ["the temporary folder", os.tmpdir()],
    ["the repository's .cache", path.join(REPO_ROOT, ".cache")],
  ];
  const seen = new Map<number, FreeSpace>();
  for (const [what, dir] of places) {
    const at = await existing(dir);
    // One line per filesystem (device), naming every use it serves.
    const device = (await stat(at)).dev;
    const known = seen.get(device);
    if (known) known.place += `, ${what} (${dir})`;
    else {
      const stats = await statfs(at);
      seen.set(device, { place: `${what} (${dir})`, freeGib: (stats.bavail * stats.bsize) / GIB });
    }
  }
  return [...seen.values()];
}

/** The one-line account of free space, for the run's log. */
export function describeFreeSpace(spaces: readonly FreeSpace[]): string {
  return spaces.map((space) => `${space.freeGib.toFixed(1)} GiB free on ${space.place}`).join("; ");
}

/** The minimum from DRYDOCK_E2E_MIN_FREE_GIB (a number of GiB, 0 or more), else MIN_FREE_GIB. */
export function minFreeGib(env: NodeJS.ProcessEnv = process.env): number {
  const text = env.DRYDOCK_E2E_MIN_FREE_GIB;
  if (text === undefined || text === "") return MIN_FREE_GIB;
  const value = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text.trim()) || !Number.isFinite(value)) {
    throw new Error(`DRYDOCK_E2E_MIN_FREE_GIB is ${JSON.stringify(text)}: expected a number of GiB such as 32 (0 turns the check off)`);
  }
  return value;
}

/** Throws, naming each short filesystem and what to free, when one has less than `minGib`. */
export function checkFreeSpace(spaces: readonly FreeSpace[], minGib = MIN_FREE_GIB): void {
  const short = spaces.filter((space) => space.freeGib < minGib);
  if (short.length === 0) return;
  throw new Error(
    `the e2e run needs about ${minGib} GiB free, and has ${describeFreeSpace(short)}. ` +
      "Free space first, e.g. `docker builder prune -af` (the build cache of earlier runs) and old " +
      "drydock-* folders in the temporary folder; or set DRYDOCK_E2E_MIN_FREE_GIB to run anyway.",
  );
}
