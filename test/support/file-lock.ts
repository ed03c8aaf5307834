/**
 * One builder at a time for a thing several processes may build at once: the e2e's background
 * prefetch (test/support/tools/prefetch.ts) and a test file that needs the same tool now. The
 * lock is a file holding its owner's pid, made with O_EXCL; a lock whose owner has died is taken
 * over, so a killed run never blocks the next one.
 *
 * It saves work; it does not guard correctness. Two waiters that find the same dead owner at once
 * can both take over (one may remove the other's fresh lock): then two builds run at once, and a
 * tool's build still lands whole, since each builds in a folder of its own and renames the result
 * into place (go-tools.ts). Only a killed run leaves a dead owner behind.
 */
import { open, readFile, rm } from "node:fs/promises";

const POLL_MS = 2_000;

export interface LockOptions {
  /** What is being built, for the waiting line: "trivy v0.69.3". */
  what: string;
  log?: (line: string) => void;
  /** Give up waiting after this long (the owner's own build has a timeout of its own). */
  timeoutMs?: number;
}

/** Run `fn` holding the lock at `lockFile`; wait while another live process holds it. */
export async function withFileLock<T>(lockFile: string, fn: () => Promise<T>, options: LockOptions): Promise<T> {
  await acquire(lockFile, options);
  try {
    return await fn();
  } finally {
    await rm(lockFile, { force: true });
  }
}

async function acquire(lockFile: string, { what, log = () => {}, timeoutMs = 60 * 60_000 }: LockOptions): Promise<void> {
  const started = Date.now();
  let said = false;
  let unnamedSince: number | undefined;
  for (;;) {
    try {
      const handle = await open(lockFile, "wx");
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const owner = Number((await readFile(lockFile, "utf8").catch(() => "")).trim());
    if (!Number.isInteger(owner) || owner <= 0) {
      // Made but not yet named (its owner writes the pid next), or an owner died in between.
      unnamedSince ??= Date.now();
      if (Date.now() - unnamedSince > 10_000) await rm(lockFile, { force: true });
      await sleep(100);
      continue;
    }
    unnamedSince = undefined;
    if (!isAlive(owner)) {
      await rm(lockFile, { force: true });
      continue;
    }
    if (Date.now() - started > timeoutMs) throw new Error(`${lockFile}: ${what} has been built by pid ${owner} for over ${Math.round(timeoutMs / 60_000)} min; stop that process or remove the lock`);
    // The owner may be this process (two callers at once): its other build ends, and this one reuses it.
    if (!said) log(`waiting for ${what}: pid ${owner} is building it (${lockFile})`);
    said = true;
    await sleep(POLL_MS);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: alive, another user's.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
