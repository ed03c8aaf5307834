/**
 * Build every tool the e2e suite runs — in the background, at a low CPU priority, while the
 * suite's first files (Docker builds and stacks, which need none of them) run. On a machine with
 * empty Go caches these builds take about half an hour on 2 cores; done one after another in the
 * files that need them, nothing else would run meanwhile. A file that needs a tool before the
 * prefetch has built it waits for that build (test/support/file-lock.ts), or builds it itself if
 * the prefetch has not reached it. The order follows the files' (test/support/e2e-sequencer.ts):
 * Trivy and its DB writer, then the release's registry, cosign and crane, the local Sigstore, the kit.
 *
 * A failed prefetch build is only logged: the file that needs the tool builds it again and fails
 * with the build's own message, where the failure belongs.
 */
import { buildLocalGoProgram, ensureGoTool, type GoTool, type Log } from "./go-tools.ts";
import { COSIGN, CRANE, FULCIO, REGISTRY, REKOR_TILES, TESSERACT, TIMESTAMP_SERVER, TRIVY } from "./catalog.ts";
import { TRIVY_DB_WRITER_DIR } from "../trivy-db/index.ts";
import { HTPASSWD_DIR } from "../release/registry.ts";
import { ensureKitBuilt, kitUnavailable } from "../engine/kit.ts";

interface Step {
  what: string;
  build(how: { log: Log; signal: AbortSignal }): Promise<unknown>;
}

const tool = (t: GoTool): Step => ({ what: t.name, build: ({ log, signal }) => ensureGoTool(t, { log, signal, background: true }) });
const program = (dir: string, name: string): Step => ({ what: name, build: ({ log, signal }) => buildLocalGoProgram(dir, name, { log, signal, background: true }) });

const STEPS: Step[] = [
  tool(TRIVY),
  program(TRIVY_DB_WRITER_DIR, "trivy-db"),
  tool(REGISTRY),
  program(HTPASSWD_DIR, "htpasswd"),
  tool(COSIGN),
  tool(CRANE),
  ...[FULCIO, TIMESTAMP_SERVER, REKOR_TILES, TESSERACT].map(tool),
  {
    what: "the engine kit",
    build: async ({ log, signal }) => {
      const unavailable = kitUnavailable();
      if (unavailable) return log(`no engine kit to build (${unavailable})`);
      await ensureKitBuilt(log, { background: true, signal });
    },
  },
];

/** Whether this run prefetches: on CI (the whole suite runs), or when DRYDOCK_E2E_PREFETCH=1 asks. */
export function prefetchWanted(env: NodeJS.ProcessEnv, onCi: boolean): boolean {
  const asked = env["DRYDOCK_E2E_PREFETCH"];
  if (asked === "0") return false;
  return asked === "1" || onCi;
}

/**
 * Build every tool in turn; never rejects. `signal` stops it: no step starts after, and the build
 * under way is killed (the e2e's teardown, when a run of a few files ends before the prefetch).
 */
export async function prefetchTools(log: Log, signal: AbortSignal): Promise<void> {
  const started = Date.now();
  const say: Log = (line) => log(`prefetch: ${line}`);
  for (const step of STEPS) {
    if (signal.aborted) return say(`stopped before ${step.what}: the run is ending`);
    try {
      await step.build({ log: say, signal });
    } catch (error) {
      if (signal.aborted) return say(`stopped while building ${step.what}: the run is ending`);
      say(`${step.what} failed; the file that needs it builds it again and reports why: ${(error as Error).message.split("\n")[0]}`);
    }
  }
  say(`every tool ready after ${Math.round((Date.now() - started) / 1000)} s`);
}
