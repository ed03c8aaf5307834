/**
 * Run a service the e2e needs (the local Sigstore's, the registry) as a child process: its output
 * kept (the last lines name what went wrong), ready only once its own health check answers, and
 * stopped with SIGTERM then SIGKILL. Every failure names the service, so a broken start says
 * "fulcio did not become ready…" with Fulcio's last log lines, not a bare ECONNREFUSED in cosign.
 */
import { spawn, type ChildProcess } from "node:child_process";
import type { Log } from "./tools/go-tools.ts";

export interface ServiceSpec {
  /** Short name for logs and errors: "fulcio", "registry", ... */
  name: string;
  binary: string;
  args: string[];
  env?: Record<string, string>;
  cwd?: string;
  /** What readiness means, for the error: "GET http://127.0.0.1:1234/healthz answering 200". */
  readyWhen: string;
  /** True once the service serves; called every 100 ms until then. A throw counts as "not yet". */
  isReady: () => Promise<boolean>;
  /** Give up after this long (the binaries are prebuilt; 30 s is generous). */
  timeoutMs?: number;
}

export interface Service {
  name: string;
  /** The last lines the process wrote (stdout and stderr interleaved). */
  logTail(lines?: number): string;
  stop(): Promise<void>;
}

const LOG_KEEP_BYTES = 64 * 1024;
const TAIL_LINES = 25;
const STOP_GRACE_MS = 5_000;

/** Children still running, killed if the test process exits without stopping them. */
const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

/** Start the service and resolve once `isReady` says so; reject (with the log tail) if it exits or times out first. */
export async function startService(spec: ServiceSpec, log: Log): Promise<Service> {
  const child = spawn(spec.binary, spec.args, {
    cwd: spec.cwd,
    env: { ...process.env, ...spec.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(child);
  let output = "";
  const keep = (chunk: Buffer) => {
    output += chunk.toString("utf8");
    if (output.length > LOG_KEEP_BYTES) output = output.slice(-LOG_KEEP_BYTES);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  let spawnError: Error | undefined;
  child.once("error", (error) => (spawnError = error));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  exited.then(() => running.delete(child));

  // Fulcio logs a Go stack trace with every error; its frames (a tab-indented file:line, or one
  // word like pkg.(*T).Method) would crowd the messages out of the tail.
  const isFrame = (line: string) => line.startsWith("\t") || /^\S+$/.test(line);
  const logTail = (lines = TAIL_LINES) =>
    output.trimEnd().split("\n").filter((line) => !isFrame(line)).slice(-lines).join("\n");
  /** A Go panic's cause sits above its (long) stack trace: name it before the tail. */
  const exitReport = () => {
    const panic = /^(panic|fatal error): .*$/m.exec(output)?.[0];
    return `${panic ? `${panic}\n...\n` : ""}${logTail()}`;
  };
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), STOP_GRACE_MS);
    await exited;
    clearTimeout(timer);
  };

  const started = Date.now();
  const deadline = started + (spec.timeoutMs ?? 30_000);
  for (;;) {
    if (spawnError) throw new Error(`${spec.name} could not start (${spec.binary}): ${spawnError.message}`);
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${spec.name} exited (${child.exitCode ?? child.signalCode}) before ${spec.readyWhen}; its last output:\n${exitReport()}`);
    }
    if (await spec.isReady().catch(() => false)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${spec.name} did not become ready (${spec.readyWhen}) within ${Math.round((Date.now() - started) / 1000)} s; its last output:\n${logTail()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  log(`${spec.name} ready in ${((Date.now() - started) / 1000).toFixed(1)} s (${spec.readyWhen})`);
  return { name: spec.name, logTail, stop };
}

/** An `isReady` for "GET url answers this status" (and, optionally, a body check). */
export function answers(url: string, status = 200, body?: (text: string) => boolean): () => Promise<boolean> {
  return async () => {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    const text = await response.text();
    return response.status === status && (body ? body(text) : true);
  };
}
