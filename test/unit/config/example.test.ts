import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { parseSecurityConfig } from "../../../dagger/src/config/load.ts";
import { configReferenceRows } from "../../../dagger/src/config/reference.ts";

const EXAMPLE = "security-config.example.yml";
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const text = readFileSync(path.join(repoRoot, EXAMPLE), "utf8");
const raw: unknown = parse(text);

/** Whether the example sets `field` (`a.b[].c`: in at least one entry of the list `a.b`). */
function sets(value: unknown, field: string): boolean {
  const [head = "", ...rest] = field.split(".");
  const listed = head.endsWith("[]");
  const key = listed ? head.slice(0, -2) : head;
  if (typeof value !== "object" || value === null || !(key in value)) return false;
  const child = (value as Record<string, unknown>)[key];
  if (rest.length === 0) return true;
  if (listed) return Array.isArray(child) && child.some((entry) => sets(entry, rest.join(".")));
  return sets(child, rest.join("."));
}

describe(EXAMPLE, () => {
  it("parses without a problem", () => {
    expect(() => parseSecurityConfig(text, EXAMPLE)).not.toThrow();
  });

  it("reads back exactly as written: every field present, no value changed or filled in", () => {
    expect(parseSecurityConfig(text, EXAMPLE).config).toEqual(raw);
  });

  it("survives being written out and read again", () => {
    const { config } = parseSecurityConfig(text, EXAMPLE);
    expect(parseSecurityConfig(stringify(config), EXAMPLE).config).toEqual(config);
  });

  it.each(configReferenceRows().map((row) => row.field.replaceAll("`", "")))("sets %s", (field) => {
    expect(sets(raw, field)).toBe(true);
  });

  it("points editors at the committed JSON Schema", () => {
    const { config } = parseSecurityConfig(text, EXAMPLE);
    expect(existsSync(path.join(repoRoot, config.$schema ?? ""))).toBe(true);
  });
});
