import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { e2eFileRank } from "../../support/e2e-sequencer.ts";
import { importsOf } from "../../support/module-imports.ts";
import { repoRoot } from "../../support/paths.ts";

const E2E = path.join(repoRoot, "test/e2e");
const files = readdirSync(E2E).filter((f) => f.endsWith(".test.ts"));

const SUPPORT = path.join(repoRoot, "test/support");

/** The group a file's imports put it in, however deep: the first group whose tool it reaches. */
function neededRank(file: string): number {
  const reached = importsOf(file);
  const reaches = (...modules: string[]) => modules.some((m) => reached.has(path.join(SUPPORT, m)));
  if (reaches("engine/kit.ts")) return /"local-cache",\s*"prune"/.test(readFileSync(file, "utf8")) ? 4 : 3;
  if (reaches("release/registry.ts", "sigstore/index.ts")) return 2;
  if (reaches("tools/go-tools.ts", "trivy-db/index.ts")) return 1;
  return 0;
}

describe("the e2e file order (files needing no built tool first, the engine tier last)", () => {
  it("ranks each file in the group of the tools it reaches through its imports, so it runs after the prefetch built them", () => {
    const wrong = files
      .map((file) => ({ file, rank: e2eFileRank(file), needs: neededRank(path.join(E2E, file)) }))
      .filter(({ rank, needs }) => rank !== needs);
    expect(wrong).toEqual([]);
  });

  it("puts the engine tier last and Docker-only files first", () => {
    expect(e2eFileRank("test/e2e/engine-reproducible.test.ts")).toBe(4);
    expect(e2eFileRank("test/e2e/engine-parity.test.ts")).toBe(3);
    expect(e2eFileRank("test/e2e/keyless.test.ts")).toBe(2);
    expect(e2eFileRank("test/e2e/trivy-images.test.ts")).toBe(1);
    expect(e2eFileRank("test/e2e/images.test.ts")).toBe(0);
  });
});
