import { describe, expect, it } from "vitest";
import { z } from "zod";
import { describeIssues, describeValue, expectation, knownKeysAt } from "../../../dagger/src/config/issues.ts";
import { SecurityConfig } from "../../../dagger/src/config/schema.ts";

describe("describeValue shows what was found, short", () => {
  it.each([
    { name: "a missing value", value: undefined, text: "nothing" },
    { name: "null", value: null, text: "an empty value" },
    { name: "a string, quoted", value: "2025-13-40", text: '"2025-13-40"' },
    { name: "a string with a quote, escaped", value: 'say "hi"', text: '"say \\"hi\\""' },
    { name: "a number", value: 3.5, text: "3.5" },
    { name: "a boolean", value: false, text: "false" },
    { name: "a list of one", value: ["HIGH"], text: "a list of 1 entry" },
    { name: "a list of three", value: [1, 2, 3], text: "a list of 3 entries" },
    { name: "a mapping", value: { id: "x" }, text: "a mapping" },
    { name: "a long string, cut in the middle", value: `${"a".repeat(70)}${"z".repeat(30)}`, text: `"${"a".repeat(58)}…${"z".repeat(19)}"` },
  ])("$name", ({ value, text }) => {
    expect(describeValue(value)).toBe(text);
  });
});

describe("knownKeysAt lists the keys the schema accepts at a path", () => {
  it.each([
    { path: [], keys: ["$schema", "version", "apps", "policy", "scanner", "smoke"] },
    { path: ["apps", "frontend"], keys: ["path", "image", "port", "healthPath", "entrypoint", "backendUrlVariables"] },
    { path: ["policy"], keys: ["failOn", "ignoreUnfixed", "maxExceptionDays", "expiryWarningDays", "ignores", "vex"] },
    { path: ["policy", "failOn"], keys: ["vulnerabilities", "secrets", "misconfigurations"] },
    { path: ["policy", "ignores", 3], keys: ["id", "reason", "expires", "paths", "purls"] },
    { path: ["scanner"], keys: ["trivyImage", "dbRepositories", "timeout", "maxDbAgeDays"] },
    { path: ["policy", "vex", 0], keys: [] },
    { path: ["nowhere"], keys: [] },
  ])("at [$path]", ({ path, keys }) => {
    expect(knownKeysAt(SecurityConfig, path)).toEqual(keys);
  });
});

/** The one problem `schema` reports for `input`, as the loader words it. */
function problemOf(schema: z.ZodType, input: unknown): string {
  const result = schema.safeParse(input, { error: expectation, reportInput: true });
  if (result.success) throw new Error(`expected ${JSON.stringify(input)} to be rejected`);
  const issues = describeIssues(schema, result.error.issues);
  expect(issues).toHaveLength(1);
  return issues[0]?.problem ?? "";
}

describe("the error map words every kind of problem as found …, expected …", () => {
  it.each([
    { name: "a mapping wanted", schema: z.object({}), input: [], problem: "found a list of 0 entries, expected a mapping" },
    { name: "a list wanted", schema: z.array(z.string()), input: {}, problem: "found a mapping, expected a list" },
    { name: "a string wanted", schema: z.string(), input: 1, problem: "found 1, expected a string" },
    { name: "a number wanted", schema: z.number(), input: "1", problem: 'found "1", expected a number' },
    { name: "a whole number wanted, given text", schema: z.int(), input: "1", problem: 'found "1", expected a whole number' },
    { name: "a whole number wanted, given a fraction", schema: z.int(), input: 1.5, problem: "found 1.5, expected a whole number" },
    { name: "a boolean wanted", schema: z.boolean(), input: "true", problem: 'found "true", expected true or false' },
    { name: "one literal", schema: z.literal("v1"), input: "v2", problem: 'found "v2", expected "v1"' },
    { name: "one of several", schema: z.enum(["a", "b"]), input: "c", problem: 'found "c", expected one of a, b' },
    { name: "a longer string", schema: z.string().min(3), input: "ab", problem: 'found "ab", expected at least 3 characters' },
    { name: "a longer list", schema: z.array(z.number()).min(2), input: [1], problem: "found a list of 1 entry, expected at least 2 entries" },
    { name: "a number at least", schema: z.number().min(1), input: 0, problem: "found 0, expected 1 or more" },
    { name: "a number above", schema: z.number().gt(1), input: 1, problem: "found 1, expected more than 1" },
    { name: "a shorter string", schema: z.string().max(1), input: "ab", problem: 'found "ab", expected at most 1 character' },
    { name: "a shorter list", schema: z.array(z.number()).max(1), input: [1, 2], problem: "found a list of 2 entries, expected at most 1 entry" },
    { name: "a number at most", schema: z.number().max(9), input: 10, problem: "found 10, expected 9 or less" },
    { name: "a number below", schema: z.number().lt(9), input: 9, problem: "found 9, expected less than 9" },
    { name: "a pattern", schema: z.string().regex(/^x+$/), input: "y", problem: 'found "y", expected text matching /^x+$/' },
    { name: "a format without a pattern", schema: z.string().endsWith(".json"), input: "a.yml", problem: 'found "a.yml", expected a valid ends_with' },
    { name: "a multiple", schema: z.number().multipleOf(5), input: 7, problem: "found 7, expected a multiple of 5" },
    { name: "a missing field", schema: z.object({ id: z.string() }), input: {}, problem: "missing, expected a string" },
  ])("$name", ({ schema, input, problem }) => {
    expect(problemOf(schema, input)).toBe(problem);
  });

  it("leaves a problem it has no words for to zod, rather than hiding it", () => {
    expect(problemOf(z.union([z.string(), z.number()]), true)).toBe("found true, Invalid input");
  });

  it("lets a schema's own message win over the map", () => {
    expect(problemOf(z.string().min(10, { error: "expected a real reason" }), "short")).toBe('found "short", expected a real reason');
  });
});
