/**
 * Build every tool the e2e suite runs — in the background, at a low CPU priority, while the
 * suite's first files (Docker builds and stacks, which need none of them) run. On a machine with
 * empty Go caches these builds take about half an hour on 2 cores; done one after another in the
 * files that need them, nothing else would run meanwhile. A file that needs a tool before the
 * prefetch has built it waits for that build (test/support/file-lock.ts), or builds it itself if
 * the prefetch has not reached it. The order follows the files' (vitest.config.ts: e2eFileOrder):
 * Trivy and its DB writer, then the release's registry and cosign, the local Sigstore, the kit.
 *
 * A failed prefetch build is only logged: the file that needs the tool builds it again and fails
 * with the build's own message, where the failure belongs.
 */
import { buildLocalGoProgram, ensureGoTool, type Log } from "./go-tools.ts";
import { COSIGN, FULCIO, REGISTRY, REKOR_TILES, TESSERACT, TIMESTAMP_SERVER, TRIVY } from "./catalog.ts";
import { TRIVY_DB_WRITER_DIR } from "../trivy-db/index.ts";
import { HTPASSWD_DIR } from "../release/registry.ts";
import { ensureKitBuilt, kitUnavailable } from "../engine/kit.ts";

interface Step {
  what: string;
  build(log: Log): Promise<unknown>;
}

const STEPS: Step[] = [
  { what: "trivy", build: (log) => ensureGoTool(TRIVY, { log, background: true }) },
  { what: "the trivy-db writer", build: (log) => buildLocalGoProgram(TRIVY_DB_WRITER_DIR, "trivy-db", { log, background: true }) },
  { what: "the registry", build: (log) => ensureGoTool(REGISTRY, { log, background: true }) },
  { what: "htpasswd", build: (log) => buildLocalGoProgram(HTPASSWD_DIR, "htpasswd", { log, background: true }) },
  { what: "cosign", build: (log) => ensureGoTool(COSIGN, { log, background: true }) },
  ...[FULCIO, TIMESTAMP_SERVER, REKOR_TILES, TESSERACT].map((tool) => ({ what: tool.name, build: (log: Log) => ensureGoTool(tool, { log, background: true }) })),
  {
    what: "the engine kit",
    build: async (log: Log) => {
      const unavailable = kitUnavailable();
      if (unavailable) return log(`prefetch: no engine kit to build (${unavailable})`);
      await ensureKitBuilt(log, { background: true });
    },
  },
];

/** Whether this run prefetches: on CI (the whole suite runs), or when DRYDOCK_E2E_PREFETCH=1 asks. */
export function prefetchWanted(env: NodeJS.ProcessEnv, onCi: boolean): boolean {
  const asked = env["DRYDOCK_E2E_PREFETCH"];
  if (asked === "0") return false;
  return asked === "1" || onCi;
}

/** Build every tool in turn; never rejects. Returns the seconds it took, for the log. */
export async function prefetchTools(log: Log): Promise<number> {
  const started = Date.now();
  const say: Log = (line) => log(`prefetch: ${line.replace(/^prefetch: /, "")}`);
  for (const step of STEPS) {
    try {
      await step.build(say);
    } catch (error) {
      say(`${step.what} failed; the file that needs it builds it again and reports why: ${(error as Error).message.split("\n")[0]}`);
    }
  }
  const seconds = Math.round((Date.now() - started) / 1000);
  say(`every tool ready after ${seconds} s`);
  return seconds;
}
