/**
 * The order of the e2e files: those that need no built tool first (Docker builds and stacks), then
 * Trivy's, then the release's (registry, cosign, the local Sigstore), then the engine tier — the
 * order the background prefetch (test/support/tools/prefetch.ts) builds their tools in, so on a
 * machine with empty Go caches the first files run while the tools build. Within a group, and for
 * the other projects, vitest's own order stands. Only speed depends on it: a file that needs a tool
 * not built yet waits for, or makes, that build.
 */
import path from "node:path";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/**
 * 0: no built tool; 1: Trivy and its DB; 2: registry, cosign, Sigstore; 3: the Dagger engine kit;
 * 4: engine-reproducible, which empties the engine's cache (its builds must be cold), so the
 * engine files before it reuse one another's builds.
 */
export function e2eFileRank(file: string): number {
  const name = path.basename(file);
  if (name.startsWith("engine-reproducible.")) return 4;
  if (name.startsWith("engine")) return 3;
  if (/^(release|keyless)\./.test(name)) return 2;
  if (/^(tools|trivy-[\w-]+|migrations)\./.test(name)) return 1;
  return 0;
}

export class E2eSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const slots = sorted.flatMap((spec, index) => (spec.project.name === "e2e" ? [index] : []));
    const e2e = slots.map((index) => sorted[index]!);
    // Array.prototype.sort is stable: within a rank, vitest's order.
    e2e.sort((a, b) => e2eFileRank(a.moduleId) - e2eFileRank(b.moduleId));
    slots.forEach((slot, i) => (sorted[slot] = e2e[i]!));
    return sorted;
  }
}
