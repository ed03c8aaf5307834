import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { e2eFileRank } from "../../support/e2e-sequencer.ts";
import { repoRoot } from "../../support/paths.ts";

const E2E = path.join(repoRoot, "test/e2e");
const files = readdirSync(E2E).filter((f) => f.endsWith(".test.ts"));

/** The group a file's own imports put it in: what it builds or starts. */
function neededRank(source: string): number {
  if (/setUpEngineTier|ensureKitRunning/.test(source)) return 3;
  if (/startRegistry|startLocalSigstore|\bCOSIGN\b/.test(source)) return 2;
  if (/real-scan|trivy-db\/index|\bTRIVY\b/.test(source)) return 1;
  return 0;
}

describe("the e2e file order (files needing no built tool first, the engine tier last)", () => {
  it("ranks each file in the group of the tools it imports, so it runs after the prefetch built them", () => {
    const wrong = files
      .map((file) => ({ file, rank: e2eFileRank(file), needs: neededRank(readFileSync(path.join(E2E, file), "utf8")) }))
      .filter(({ rank, needs }) => rank !== needs);
    expect(wrong).toEqual([]);
  });

  it("puts the engine tier last and Docker-only files first", () => {
    expect(e2eFileRank("test/e2e/engine-parity.test.ts")).toBe(3);
    expect(e2eFileRank("test/e2e/keyless.test.ts")).toBe(2);
    expect(e2eFileRank("test/e2e/trivy-images.test.ts")).toBe(1);
    expect(e2eFileRank("test/e2e/images.test.ts")).toBe(0);
  });
});
