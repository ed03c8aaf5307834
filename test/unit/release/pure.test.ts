/**
 * The release's pure parts — tags, references, platforms and the platform probe, annotations,
 * provenance, the cosign argv and messages, the certify plans, the manifest reader and the index
 * parser, the manifest — reach no Dagger import, however deep: they run (and are tested) without an engine.
 */
import path from "node:path";
import { describe, expect, it } from "vitest";
import { importsOf } from "../../support/module-imports.ts";
import { repoRoot } from "../../support/paths.ts";

const RELEASE = path.join(repoRoot, "dagger/src/release");
const PURE = [
  "annotations",
  "certify-plan",
  "cosign-args",
  "cosign-errors",
  "errors",
  "image-index",
  "images",
  "manifest",
  "manifest-reader",
  "platform-probe",
  "platforms",
  "provenance",
  "reference",
  "tags",
];

describe("the release's pure parts", () => {
  it.each(PURE)("%s.ts imports no Dagger", (name) => {
    const reached = [...importsOf(path.join(RELEASE, `${name}.ts`))];
    expect(reached.filter((m) => m.startsWith("@dagger.io/")), reached.join("\n")).toEqual([]);
    // Non-vacuous: the walk follows relative imports (reference.ts reaches tags.ts).
    if (name === "reference") expect(reached).toContain(path.join(RELEASE, "tags.ts"));
  });

  it("the walk finds Dagger where it is: subjects.ts drives the engine", () => {
    expect([...importsOf(path.join(RELEASE, "subjects.ts"))]).toContain("@dagger.io/dagger");
  });
});
