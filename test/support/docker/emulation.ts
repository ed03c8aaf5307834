/**
 * QEMU user emulation of linux/arm64 on an amd64 machine, for the multi-platform e2e: made
 * available with scripts/e2e/ensure-emulation.sh (qemu-user-static, registered with binfmt_misc
 * with the F flag, so containers and chroots run arm64 binaries too).
 */
import path from "node:path";
import { run } from "./cli.ts";
import type { ComposeFile } from "./compose-flags.ts";
import { REPO_ROOT } from "./engine.ts";

const ENSURE_EMULATION = path.join(REPO_ROOT, "scripts/e2e/ensure-emulation.sh");

export type Emulation =
  /** native: this machine is arm64; reused: the handler was registered already; registered: by this call. */
  | { ok: true; how: "native" | "reused" | "registered"; seconds: number }
  | { ok: false; reason: string };

/**
 * Make linux/arm64 programs runnable here, or say why not (the script's own message: what is
 * missing, and what to run). Never throws: a machine without emulation is a reason to skip.
 */
export async function ensureEmulation(): Promise<Emulation> {
  const started = Date.now();
  // Installing qemu-user-static with apt takes a minute at most; a hung apt lock is no reason to wait longer.
  const result = await run("sh", [ENSURE_EMULATION], { timeoutMs: 5 * 60_000 });
  const seconds = (Date.now() - started) / 1000;
  const line = result.stdout.trim();
  if (result.code === 0 && (line === "native" || line === "reused" || line === "registered")) return { ok: true, how: line, seconds };
  const said = result.stderr
    .split("\n")
    .filter((l) => l.startsWith("ensure-emulation: "))
    .map((l) => l.slice("ensure-emulation: ".length));
  const reason = said.at(-1) ?? `${path.relative(REPO_ROOT, ENSURE_EMULATION)} exited ${result.code}: ${(result.stderr + result.stdout).trim().split("\n").slice(-5).join(" / ")}`;
  return { ok: false, reason };
}

/**
 * The backend's memory limit under emulation, in place of the compose file's 384M (sized for a
 * native node: about 125 MiB at its peak on amd64). Under QEMU the same backend holds about
 * 315 MiB (QEMU's translated code beside V8's), and the HEALTHCHECK's second emulated node takes
 * it to about 475 MiB: with 384M the kernel OOM-kills the container at its first health check.
 * Every other flag of the service stays as the compose file says.
 */
export const EMULATED_MEMORY = "1G";

export function withBackendMemory(compose: ComposeFile, memory: string): ComposeFile {
  const backend = compose.services.backend;
  const at = backend?.flags.indexOf("--memory") ?? -1;
  if (!backend || at < 0) throw new Error(`compose.security.yaml: expected services.backend with a memory limit (--memory); found ${JSON.stringify(backend?.flags)}`);
  const flags = backend.flags.map((flag, i) => (i === at + 1 ? memory : flag));
  return { ...compose, services: { ...compose.services, backend: { ...backend, flags } } };
}
