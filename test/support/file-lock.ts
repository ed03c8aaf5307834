/**
 * One builder at a time for a thing several processes may build at once: the e2e's background
 * prefetch (test/support/tools/prefetch.ts) and a test file that needs the same tool now.
 *
 * The lock is a file made with O_EXCL holding its owner: pid, the process's start time (so a pid
 * reused by another process is no owner) and a random token (so a holder removes only its own
 * lock). A lock whose owner has died — a killed run — is taken over; the takeover itself happens
 * under a short second lock (`.break`), re-reading the owner there, so two waiters that found the
 * same dead owner never both take over.
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { open, readFile, rm, stat } from "node:fs/promises";

const POLL_MS = 2_000;
/** A `.break` lock older than this was left by a process killed in the middle of a takeover. */
const BREAK_STALE_MS = 10_000;
/**
 * How long a waiter waits by default: below the e2e's hook timeout (30 min), so a stuck owner is
 * reported by this message (naming the pid and the lock) rather than by vitest's timeout.
 */
export const LOCK_WAIT_MS = 25 * 60_000;

export interface LockOptions {
  /** What is being built, for the waiting line: "trivy v0.69.3". */
  what: string;
  log?: (line: string) => void;
  /** Give up waiting after this long. Default LOCK_WAIT_MS. */
  timeoutMs?: number;
}

/** Run `fn` holding the lock at `lockFile`; wait while another live process holds it. */
export async function withFileLock<T>(lockFile: string, fn: () => Promise<T>, options: LockOptions): Promise<T> {
  const token = await acquire(lockFile, options);
  try {
    return await fn();
  } finally {
    // Only our own lock: one taken over from us (we would have had to look dead) stays its owner's.
    if ((await readFile(lockFile, "utf8").catch(() => "")) === token) await rm(lockFile, { force: true });
  }
}

/** This process as a lock's owner: `<pid> <start time> <random>`. */
function ownToken(): string {
  return `${process.pid} ${startTime(process.pid) ?? "?"} ${randomBytes(6).toString("hex")}\n`;
}

async function acquire(lockFile: string, { what, log = () => {}, timeoutMs = LOCK_WAIT_MS }: LockOptions): Promise<string> {
  const token = ownToken();
  const started = Date.now();
  let said = false;
  let unnamedSince: number | undefined;
  for (;;) {
    try {
      const handle = await open(lockFile, "wx");
      await handle.writeFile(token);
      await handle.close();
      return token;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const held = await readFile(lockFile, "utf8").catch(() => undefined);
    if (held === undefined) continue; // released just now
    const owner = parseOwner(held);
    if (!owner) {
      // Made but not yet written (its owner writes next), or an owner killed in between.
      unnamedSince ??= Date.now();
      if (Date.now() - unnamedSince > BREAK_STALE_MS) await takeOver(lockFile, held);
      await sleep(100);
      continue;
    }
    unnamedSince = undefined;
    if (!isAlive(owner)) {
      await takeOver(lockFile, held);
      continue;
    }
    const waited = Date.now() - started;
    if (waited > timeoutMs) {
      throw new Error(`waited ${Math.round(waited / 1000)} s for ${what}: pid ${owner.pid} still holds ${lockFile} — if that process is stuck, stop it (kill ${owner.pid}) or remove the lock`);
    }
    // The owner may be this process (two callers at once): its other build ends, and this one reuses it.
    if (!said) log(`waiting for ${what}: pid ${owner.pid} is building it (${lockFile})`);
    said = true;
    await sleep(POLL_MS);
  }
}

interface Owner {
  pid: number;
  /** The process's start time in clock ticks since boot (/proc/<pid>/stat field 22), or "?" where unknown. */
  started: string;
}

function parseOwner(text: string): Owner | undefined {
  const [pid, started] = text.trim().split(" ");
  const number = Number(pid);
  return Number.isInteger(number) && number > 0 && started ? { pid: number, started } : undefined;
}

/** Alive, and the same process: a pid reused since is a dead owner. */
function isAlive({ pid, started }: Owner): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: alive, another user's.
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  const now = startTime(pid);
  return started === "?" || now === undefined || now === started;
}

/** Field 22 of /proc/<pid>/stat (after the parenthesised command name, which may hold spaces). */
function startTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  } catch {
    return undefined;
  }
}

/**
 * Remove a dead owner's lock — under `<lock>.break`, and only if the lock still holds what was
 * judged dead: a waiter that lost the race finds the winner's fresh lock there, and leaves it.
 */
async function takeOver(lockFile: string, judgedDead: string): Promise<void> {
  const breaker = `${lockFile}.break`;
  try {
    await (await open(breaker, "wx")).close();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    const age = Date.now() - ((await stat(breaker).catch(() => undefined))?.mtimeMs ?? Date.now());
    if (age > BREAK_STALE_MS) await rm(breaker, { force: true });
    await sleep(100);
    return;
  }
  try {
    if ((await readFile(lockFile, "utf8").catch(() => undefined)) === judgedDead) await rm(lockFile, { force: true });
  } finally {
    await rm(breaker, { force: true });
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
