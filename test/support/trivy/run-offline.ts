/**
 * Run a real Trivy with no network at all: in a fresh network namespace (`unshare --net`, root
 * only) nothing can be reached, so a step that needed a download fails here instead of quietly
 * fetching something the engine's offline run would not have.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { run, type RunResult } from "../docker/cli.ts";

export interface TrivyRun extends RunResult {
  argv: readonly string[];
  seconds: number;
}

let isolation: "unshare" | "none" | undefined;

/** Whether a network namespace can be made here; asked once. */
async function networkIsolation(): Promise<"unshare" | "none"> {
  if (isolation === undefined) {
    const probe = process.getuid?.() === 0 ? await run("unshare", ["--net", "--", "true"]).catch(() => undefined) : undefined;
    isolation = probe?.code === 0 ? "unshare" : "none";
    if (isolation === "none") console.log("[e2e] Trivy runs with the network reachable: `unshare --net` needs root here");
  }
  return isolation;
}

/** A HOME of its own, so nothing Trivy writes outside its --cache-dir lands in the user's home. */
const scratchHome = () => mkdtempSync(path.join(os.tmpdir(), "drydock-trivy-home-"));

/**
 * Run `argv` (the binary first) without network, with the plan's environment variables for the
 * step and a private HOME; never throws for a non-zero exit.
 */
export async function runTrivyOffline(argv: readonly string[], env: Readonly<Record<string, string>> = {}, timeoutMs = 10 * 60_000): Promise<TrivyRun> {
  const [binary, ...args] = argv;
  if (!binary) throw new Error("runTrivyOffline: empty argv");
  const wrapped = (await networkIsolation()) === "unshare" ? ["unshare", ["--net", "--", binary, ...args]] as const : [binary, args] as const;
  const started = performance.now();
  const home = scratchHome();
  const result = await run(wrapped[0], wrapped[1], { env: { ...env, HOME: home }, timeoutMs }).finally(() => rmSync(home, { recursive: true, force: true }));
  return { ...result, argv, seconds: (performance.now() - started) / 1000 };
}

/** The run's outcome as an error message: the command and the end of Trivy's stderr. */
export function describeRun(trivyRun: TrivyRun, lines = 25): string {
  return `exit ${trivyRun.code} after ${trivyRun.seconds.toFixed(1)} s: ${trivyRun.argv.join(" ")}\n${trivyRun.stderr.trimEnd().split("\n").slice(-lines).join("\n")}`;
}
