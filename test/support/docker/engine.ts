/**
 * The Docker engine the end-to-end tests run on: reuse one that answers, or install and start
 * one with scripts/e2e/ensure-docker.sh and stop it again when the run ends.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { run, failureMessage } from "./cli.ts";

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const ENSURE_DOCKER = path.join(REPO_ROOT, "scripts/e2e/ensure-docker.sh");

export type Engine = { kind: "reused" } | { kind: "started"; pid: number };

/** Make sure an engine answers; say whether this call started it (and then with which pid). */
export async function ensureEngine(): Promise<Engine> {
  const result = await run("sh", [ENSURE_DOCKER], { timeoutMs: 10 * 60_000 });
  if (result.code !== 0) throw new Error(failureMessage(ENSURE_DOCKER, result));
  const line = result.stdout.trim();
  if (line === "reused") return { kind: "reused" };
  const started = /^started (\d+)$/.exec(line);
  if (started?.[1]) return { kind: "started", pid: Number(started[1]) };
  throw new Error(`${ENSURE_DOCKER} printed "${line}"; expected "reused" or "started <pid>"`);
}

/** Stop an engine this run started (SIGTERM, then wait up to 30 s); leave a reused one alone. */
export async function stopEngine(engine: Engine): Promise<void> {
  if (engine.kind !== "started") return;
  try {
    process.kill(engine.pid, "SIGTERM");
  } catch {
    return; // already gone
  }
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    try {
      process.kill(engine.pid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`dockerd (pid ${engine.pid}) did not stop within 30 s of SIGTERM`);
}
