import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { withFileLock } from "../../support/file-lock.ts";
import { prefetchWanted } from "../../support/tools/prefetch.ts";

const made: string[] = [];
const tmp = async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), "drydock-lock-"));
  made.push(dir);
  return dir;
};
afterAll(() => Promise.all(made.map((dir) => rm(dir, { recursive: true, force: true }))));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** A process's start time, as the lock records it (/proc/<pid>/stat field 22). */
const ownStart = (pid: number) => {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
};

describe("withFileLock: one builder at a time", () => {
  it("runs two holders one after the other, the second waiting (and saying so once), and removes the lock", async () => {
    const lock = path.join(await tmp(), "tool.lock");
    const events: string[] = [];
    const said: string[] = [];
    const holder = (name: string) =>
      withFileLock(
        lock,
        async () => {
          events.push(`${name} in`);
          await sleep(300);
          events.push(`${name} out`);
        },
        { what: "the tool", log: (line) => said.push(line) },
      );
    await Promise.all([holder("a"), sleep(50).then(() => holder("b"))]);
    expect(events).toEqual(["a in", "a out", "b in", "b out"]);
    expect(said).toEqual([`waiting for the tool: pid ${process.pid} is building it (${lock})`]);
    expect(existsSync(lock)).toBe(false);
  });

  it("takes over a lock whose owner has died", async () => {
    const lock = path.join(await tmp(), "tool.lock");
    const dead = spawnSync("true").pid!;
    await writeFile(lock, `${dead} 1 0123\n`);
    let ran = false;
    await withFileLock(lock, async () => void (ran = (await readFile(lock, "utf8")).startsWith(`${process.pid} `)), { what: "the tool" });
    expect(ran).toBe(true);
  });

  it("takes over a lock whose pid now belongs to another process (its start time differs)", async () => {
    const lock = path.join(await tmp(), "tool.lock");
    await writeFile(lock, `${process.ppid} 1 0123\n`);
    const started = Date.now();
    await withFileLock(lock, async () => {}, { what: "the tool", timeoutMs: 5_000 });
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it("lets exactly one of two waiters take over the same dead owner's lock at a time", async () => {
    const lock = path.join(await tmp(), "tool.lock");
    await writeFile(lock, `${spawnSync("true").pid!} 1 0123\n`);
    let inside = 0;
    let most = 0;
    const holder = () =>
      withFileLock(
        lock,
        async () => {
          most = Math.max(most, ++inside);
          await sleep(200);
          inside--;
        },
        { what: "the tool" },
      );
    await Promise.all([holder(), holder(), holder()]);
    expect(most).toBe(1);
    expect(existsSync(lock)).toBe(false);
  });

  it("leaves a lock that is no longer its own (taken over meanwhile) to its owner", async () => {
    const lock = path.join(await tmp(), "tool.lock");
    const other = `${process.ppid} ${ownStart(process.ppid)} feed\n`;
    await withFileLock(lock, async () => writeFile(lock, other), { what: "the tool" });
    expect(await readFile(lock, "utf8")).toBe(other);
  });

  it("releases the lock when the holder throws, and passes the error on", async () => {
    const lock = path.join(await tmp(), "tool.lock");
    await expect(withFileLock(lock, async () => Promise.reject(new Error("go build failed")), { what: "the tool" })).rejects.toThrow("go build failed");
    expect(existsSync(lock)).toBe(false);
  });

  it("gives up after its timeout, naming the owner, the lock and what to do", async () => {
    const lock = path.join(await tmp(), "tool.lock");
    await writeFile(lock, `${process.ppid} ${ownStart(process.ppid)} feed\n`);
    await expect(withFileLock(lock, async () => {}, { what: "trivy v0.69.3", timeoutMs: 100 })).rejects.toThrow(
      new RegExp(`^waited \\d+ s for trivy v0\\.69\\.3: pid ${process.ppid} still holds ${lock.replaceAll(".", "\\.")} — if that process is stuck, stop it \\(kill ${process.ppid}\\) or remove the lock$`),
    );
  });
});

describe("prefetchWanted", () => {
  it("prefetches on CI and when asked; DRYDOCK_E2E_PREFETCH=0 turns it off everywhere", () => {
    expect(prefetchWanted({}, true)).toBe(true);
    expect(prefetchWanted({}, false)).toBe(false);
    expect(prefetchWanted({ DRYDOCK_E2E_PREFETCH: "1" }, false)).toBe(true);
    expect(prefetchWanted({ DRYDOCK_E2E_PREFETCH: "0" }, true)).toBe(false);
  });
});
