import { describe, expect, it } from "vitest";
import { readYaml } from "../../../dagger/src/config/yaml.ts";
import { FILE, problemsOf, yamlOf } from "./problems.ts";

describe("YAML is read with the 1.2 core schema, so values stay as written", () => {
  it.each([
    { name: "an unquoted date", yaml: "expires: 2026-01-31", value: { expires: "2026-01-31" } },
    { name: "yes and no", yaml: "a: yes\nb: no", value: { a: "yes", b: "no" } },
    { name: "on and off", yaml: "a: on\nb: off", value: { a: "on", b: "off" } },
    { name: "a sexagesimal-looking timeout", yaml: "timeout: 1:30", value: { timeout: "1:30" } },
    { name: "a date under a %YAML 1.1 directive", yaml: "%YAML 1.1\n---\nexpires: 2026-01-31\nflag: yes", value: { expires: "2026-01-31", flag: "yes" } },
    { name: "true, numbers and null", yaml: "a: true\nb: 3000\nc: 0x10\nd: ~", value: { a: true, b: 3000, c: 16, d: null } },
    { name: "a file starting with a byte order mark", yaml: "\uFEFFversion: 1", value: { version: 1 } },
  ])("$name", ({ yaml, value }) => {
    expect(readYaml(yaml)).toEqual({ kind: "value", value, locate: expect.any(Function) });
  });
});

describe("explicit YAML 1.1 types are refused: the config holds only text, numbers and booleans", () => {
  it.each([
    { name: "a date forced into a timestamp", value: "!!timestamp 2027-01-31", column: 12, tag: "timestamp" },
    { name: "a set", value: "!!set {HIGH, CRITICAL}", column: 12, tag: "set" },
    { name: "binary data", value: "!!binary aGVsbG8=", column: 12, tag: "binary" },
    { name: "an ordered map", value: "!!omap [a: 1]", column: 12, tag: "omap" },
  ])("$name", ({ value, column, tag }) => {
    expect(problemsOf(yamlOf("policy:", `  expires: ${value}`))).toEqual([
      `${FILE}: line 2, column ${column}: invalid YAML: Unresolved tag: tag:yaml.org,2002:${tag}`,
    ]);
  });
});
