/**
 * The source's config against the base branch's: the keys whose effective values differ, with
 * every default filled in on both sides, so form alone (key order, a default written out,
 * comments, `$schema`) is no change.
 */
import { describe, expect, it } from "vitest";
import { compareConfigs } from "../../../dagger/src/config/compare.ts";
import { parseSecurityConfig } from "../../../dagger/src/config/load.ts";

const BASE = [
  "version: 1",
  "policy:",
  "  failOn:",
  "    vulnerabilities: [HIGH, CRITICAL]",
  "  ignores:",
  "    - id: CVE-2023-45853",
  "      reason: zlib's MiniZip is not used by the image",
  "      expires: 2027-01-31",
  "",
].join("\n");

const changed = (source: string | undefined, base = BASE) =>
  compareConfigs(parseSecurityConfig(source, "security-config.yml"), parseSecurityConfig(base, "base-security-config.yml")).changed;

describe("compareConfigs", () => {
  it.each([
    { name: "the same file", source: BASE },
    { name: "keys in another order, comments and a default written out", source: `# ours\npolicy:\n  ignores:\n    - expires: 2027-01-31\n      reason: zlib's MiniZip is not used by the image\n      id: CVE-2023-45853\n  ignoreUnfixed: false\n  failOn: { vulnerabilities: [HIGH, CRITICAL] }\nversion: 1\n` },
    { name: "a $schema line", source: `$schema: ./security-config.schema.json\n${BASE}` },
  ])("finds no change in $name", ({ source }) => {
    expect(changed(source)).toEqual([]);
  });

  it.each([
    { name: "a threshold", source: BASE.replace("[HIGH, CRITICAL]", "[CRITICAL]"), keys: ["policy.failOn.vulnerabilities"] },
    { name: "an exception's expiry", source: BASE.replace("2027-01-31", "2027-03-31"), keys: ["policy.ignores"] },
    { name: "the smoke test turned off and the scanner's timeout", source: `${BASE}smoke:\n  enabled: false\nscanner:\n  timeout: 20m\n`, keys: ["scanner.timeout", "smoke.enabled"] },
    { name: "an app left out", source: `${BASE}apps:\n  backend: {}\n`, keys: ["apps.frontend"] },
    { name: "an app's port", source: `${BASE}apps:\n  backend: { port: 8080 }\n  frontend: {}\n`, keys: ["apps.backend.port"] },
  ])("names the keys of $name, in the config's order", ({ source, keys }) => {
    expect(changed(source)).toEqual(keys);
  });

  it("compares a source without the file as drydock's defaults, and says it has none", () => {
    const change = compareConfigs(parseSecurityConfig(undefined, "security-config.yml"), parseSecurityConfig(BASE, "base-security-config.yml"));
    expect(change).toEqual({ file: "security-config.yml", sourceHasFile: false, base: "base-security-config.yml", changed: ["policy.ignores"] });
  });
});
