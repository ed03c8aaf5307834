/**
 * Schema problems carry where they are written: the line and column of the offending value (of
 * the key, for an unknown key; of the mapping it belongs in, for a missing one), as YAML syntax
 * errors always did.
 */
import { describe, expect, it } from "vitest";
import { formatIssue } from "../../../dagger/src/config/errors.ts";
import { readYaml } from "../../../dagger/src/config/yaml.ts";
import { FILE, problemsWithPositionsOf, yamlOf } from "./problems.ts";

const IGNORE = ["    - id: CVE-2019-10744", "      reason: accepted for the demo only"];

describe("a schema problem ends with its line and column", () => {
  it.each([
    { name: "a nested key's value", yaml: yamlOf("version: 1", "scanner:", "  maxDbAgeDays: seven"), ends: "scanner.maxDbAgeDays: found \"seven\", expected a whole number (line 3, column 17)" },
    { name: "a top-level value", yaml: yamlOf("version: 2"), ends: "version: found 2, expected 1, the only format version this drydock reads (line 1, column 10)" },
    { name: "an item of a block list", yaml: yamlOf("policy:", "  failOn:", "    vulnerabilities:", "      - HIGH", "      - SEVERE"), ends: 'policy.failOn.vulnerabilities[1]: found "SEVERE", expected one of UNKNOWN, LOW, MEDIUM, HIGH, CRITICAL (line 5, column 9)' },
    { name: "an item of a flow list", yaml: yamlOf("policy:", "  failOn:", "    secrets: [LOW, HIHG]"), ends: '(line 3, column 20)' },
    { name: "a field of a list entry", yaml: yamlOf("policy:", "  ignores:", ...IGNORE, "      expires: 31/01/2027"), ends: 'policy.ignores[0].expires: found "31/01/2027", expected a date written YYYY-MM-DD (line 5, column 16)' },
    { name: "an unknown key, at the key", yaml: yamlOf("policy:", "  ignoreUnfixd: true"), ends: 'policy.ignoreUnfixd: unknown key — did you mean "ignoreUnfixed"? (line 2, column 3)' },
    { name: "an unknown top-level key", yaml: yamlOf("version: 1", "polcy: {}"), ends: 'polcy: unknown key — did you mean "policy"? (line 2, column 1)' },
    { name: "a value of the wrong type: a list for a mapping", yaml: yamlOf("version: 1", "apps:", "  - backend"), ends: "apps: found a list of 1 entry, expected a mapping (line 3, column 3)" },
    { name: "a value of the wrong type: text for true or false", yaml: yamlOf("policy:", "  ignoreUnfixed: 'yes'"), ends: "policy.ignoreUnfixed: found \"yes\", expected true or false (line 2, column 18)" },
    { name: "a missing key, at the entry it is missing from", yaml: yamlOf("policy:", "  ignores:", "    - id: CVE-2019-10744", "      expires: 2027-01-31"), ends: "policy.ignores[0].reason: missing, expected a justification of at least 10 characters (line 3, column 7)" },
    { name: "a key written quoted", yaml: yamlOf("'policy':", "  \"maxExceptionDays\": -1"), ends: "policy.maxExceptionDays: found -1, expected 1 or more (line 2, column 23)" },
    { name: "a value reached through an alias", yaml: yamlOf("apps:", "  backend: &app", "    port: 0", "  frontend: *app"), ends: "(line 3, column 11)" },
  ])("$name", ({ yaml, ends }) => {
    const lines = problemsWithPositionsOf(yaml);
    expect(lines.some((line) => line.startsWith(`${FILE}: `) && line.endsWith(ends)), lines.join("\n")).toBe(true);
  });
});

describe("locate finds a zod path in the file", () => {
  const read = readYaml(yamlOf("policy:", "  ignores:", "    - id: CVE-1", "      purls: [a, b]"));
  const locate = read.kind === "value" ? read.locate : () => undefined;

  it.each([
    { name: "a mapping value", path: ["policy", "ignores"], at: { line: 3, column: 5 } },
    { name: "a list entry", path: ["policy", "ignores", 0], at: { line: 3, column: 7 } },
    { name: "a flow list item", path: ["policy", "ignores", 0, "purls", 1], at: { line: 4, column: 18 } },
    { name: "a key rather than its value", path: ["policy", "ignores", 0, "purls"], key: true, at: { line: 4, column: 7 } },
    { name: "the deepest part written, for a path that is not", path: ["policy", "ignores", 0, "reason"], at: { line: 3, column: 7 } },
    { name: "an index past the end, at the list", path: ["policy", "ignores", 3], at: { line: 3, column: 5 } },
    { name: "the document, for the empty path", path: [], at: { line: 1, column: 1 } },
  ])("$name", ({ path, key, at }) => {
    expect(locate(path, { key: key === true })).toEqual(at);
  });
});

it("formatIssue puts the position last, so `file: path: found …` reads the same with it", () => {
  expect(formatIssue("cfg.yml", { where: "policy.vex[0]", problem: 'found "/x", expected a relative path', at: { line: 7, column: 9 } })).toBe(
    'cfg.yml: policy.vex[0]: found "/x", expected a relative path (line 7, column 9)',
  );
});
