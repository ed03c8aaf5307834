/**
 * The module's one-way structure: index.ts wires the objects and nothing imports it back; the pure
 * cores — what Trivy found (findings/), the policy (policy/), the reports made of them (report/),
 * the config (config/) — import no Dagger, however deep, and no core imports one that imports it.
 */
import { readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { directImports, importsOf } from "../support/module-imports.ts";
import { repoRoot } from "../support/paths.ts";

const SRC = path.join(repoRoot, "dagger/src");
const INDEX = path.join(SRC, "index.ts");
const CORES = ["config", "findings", "policy", "report"];

const filesIn = (dir: string): string[] =>
  readdirSync(path.join(SRC, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(".ts"))
    .map((e) => path.join(e.parentPath, e.name));

const coreOf = (file: string): string | undefined => CORES.find((core) => file.startsWith(path.join(SRC, core) + path.sep));

describe("the module's structure", () => {
  it("nothing imports index.ts: it wires, and is the top", () => {
    const importers = filesIn(".").filter((file) => file !== INDEX && directImports(file).includes(INDEX));
    expect(importers.map((f) => path.relative(SRC, f))).toEqual([]);
  });

  it.each(CORES)("%s/ imports no Dagger, however deep", (core) => {
    const reached = new Set(filesIn(core).flatMap((file) => [...importsOf(file)]));
    expect([...reached].filter((m) => m.startsWith("@dagger.io/"))).toEqual([]);
  });

  it("the cores import one another one way only: config ← findings ← policy ← report", () => {
    const edges = new Set<string>();
    for (const core of CORES) {
      for (const file of filesIn(core)) {
        for (const target of directImports(file)) {
          const to = coreOf(target);
          if (to && to !== core) edges.add(`${core} → ${to}`);
        }
      }
    }
    const cycles = [...edges].filter((edge) => edges.has(edge.split(" → ").reverse().join(" → ")));
    expect(cycles).toEqual([]);
    // Non-vacuous: the walk sees the layers' real imports.
    expect([...edges]).toEqual(expect.arrayContaining(["policy → findings", "report → policy", "findings → config"]));
    // And only downwards: a core imports only those before it in CORES' layering.
    const rank: Record<string, number> = { config: 0, findings: 1, policy: 2, report: 3 };
    const upwards = [...edges].filter((edge) => {
      const [from, to] = edge.split(" → ") as [string, string];
      return rank[to]! >= rank[from]!;
    });
    expect(upwards).toEqual([]);
  });
});
