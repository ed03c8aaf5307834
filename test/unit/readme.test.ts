/** The README's config reference is generated from the schema: it must not rot. */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

import { configReferenceMarkdown } from "../../dagger/src/config/reference.ts";

const readme = readFileSync(path.resolve(import.meta.dirname, "../../README.md"), "utf8");

describe("README.md", () => {
  it("holds the config reference exactly as the schema generates it (npx tsx scripts/config-reference.ts)", () => {
    expect(readme).toContain(configReferenceMarkdown().trim());
  });
});
