/**
 * `check-config` through the fake engine: it reads the config the way every other function does
 * (the source's file, --config-path, or --config), prints the effective config, or fails with
 * every problem, each with its file, key, line and column.
 */
import { dag } from "@dagger.io/dagger";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ConfigError } from "../../dagger/src/config/errors.ts";
import { parseSecurityConfig } from "../../dagger/src/config/load.ts";
import { DEFAULTS } from "../../dagger/src/config/schema.ts";
import { Drydock } from "../../dagger/src/index.ts";
import { useFakeEngine, withEngine } from "../support/fake-engine/index.js";
import { repoRoot } from "../support/paths.js";
import { drydock, EXAMPLE_APP, MINIMAL_APPS, rejectionOf, useTempSources } from "../support/plan-helpers.js";

const engine = useFakeEngine();
const tempSource = useTempSources();

const checkConfig = (source: string, config?: string) => withEngine(engine, () => drydock(source, config === undefined ? {} : { config }).checkConfig());

/** The YAML below the header comment, as data. */
const bodyOf = (printed: string) => parse(printed.split("\n").slice(1).join("\n")) as unknown;

describe("check-config", () => {
  it("prints the example's effective config: its own values, and the defaults it leaves out", async () => {
    const printed = await checkConfig(EXAMPLE_APP);
    expect(printed.split("\n")[0]).toBe("# security-config.yml: valid — the effective config, every default filled in:");
    const text = readFileSync(path.join(repoRoot, EXAMPLE_APP, "security-config.yml"), "utf8");
    expect(bodyOf(printed)).toEqual(parseSecurityConfig(text, "security-config.yml").config);
    expect(printed).toContain("  maxExceptionDays: 90\n");
    expect(printed).toContain("    - id: CVE-2023-45853\n");
  });

  it("says the defaults apply when the source has no config, and prints them", async () => {
    const printed = await checkConfig(tempSource(MINIMAL_APPS));
    expect(printed.split("\n")[0]).toBe("# security-config.yml: not in the source, so the defaults apply — the effective config:");
    expect(bodyOf(printed)).toMatchObject({ scanner: { trivyImage: DEFAULTS.scanner.trivyImage }, policy: { maxExceptionDays: DEFAULTS.policy.maxExceptionDays } });
  });

  it("prints what reads back as the same config, so it can be saved as the config", async () => {
    const printed = await checkConfig(EXAMPLE_APP);
    expect(parseSecurityConfig(printed, "saved.yml").config).toEqual(bodyOf(printed));
  });

  it("reads --config-path", async () => {
    const source = tempSource({ ...MINIMAL_APPS, "ci/security.yml": "version: 1\npolicy:\n  ignoreUnfixed: true\n" });
    const printed = await checkConfig(source, "ci/security.yml");
    expect(printed.split("\n")[0]).toBe("# ci/security.yml: valid — the effective config, every default filled in:");
    expect(bodyOf(printed)).toMatchObject({ policy: { ignoreUnfixed: true, maxExceptionDays: 90 } });
  });

  it("reads --config, a file from anywhere, naming it by its file name", async () => {
    const printed = await withEngine(engine, () =>
      new Drydock(dag.host().directory(EXAMPLE_APP), dag.directory().withNewFile("org-policy.yml", "version: 1\n").file("org-policy.yml")).checkConfig(),
    );
    expect(printed.split("\n")[0]).toBe("# org-policy.yml: valid — the effective config, every default filled in:");
  });

  it("fails with every problem at once, each with file, key, line and column", async () => {
    const source = tempSource({
      ...MINIMAL_APPS,
      "security-config.yml": [
        "version: 1",
        "policy:",
        "  failOn:",
        "    vulnerabilities: [HIGH, SEVERE]",
        "  ignoreUnfixd: true",
        "  ignores:",
        "    - id: CVE-2019-10744",
        "      reason: accepted for the demo only",
        "      expires: 31/01/2027",
        "scanner:",
        "  maxDbAgeDays: seven",
        "",
      ].join("\n"),
    });
    const error = await rejectionOf(checkConfig(source));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message.split("\n")).toEqual([
      'security-config.yml: policy.failOn.vulnerabilities[1]: found "SEVERE", expected one of UNKNOWN, LOW, MEDIUM, HIGH, CRITICAL (line 4, column 29)',
      'security-config.yml: policy.ignores[0].expires: found "31/01/2027", expected a date written YYYY-MM-DD (line 9, column 16)',
      'security-config.yml: policy.ignoreUnfixd: unknown key — did you mean "ignoreUnfixed"? (line 5, column 3)',
      'security-config.yml: scanner.maxDbAgeDays: found "seven", expected a whole number (line 11, column 17)',
    ]);
  });

  it("fails on YAML that does not parse, with its line and column", async () => {
    const source = tempSource({ ...MINIMAL_APPS, "security-config.yml": "version: 1\npolicy: [\n" });
    const error = await rejectionOf(checkConfig(source));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toMatch(/^security-config\.yml: line \d+, column \d+: invalid YAML: /);
  });

  it("fails when --config-path names no file", async () => {
    const error = await rejectionOf(checkConfig(tempSource(MINIMAL_APPS), "ci/missing.yml"));
    expect(error.message).toContain('--config-path: found no file "ci/missing.yml" in the source');
  });
});
