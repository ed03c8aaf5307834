import { describe, expect, it } from "vitest";
import { ConfigError } from "../../../dagger/src/config/errors.ts";
import { parseSecurityConfig } from "../../../dagger/src/config/load.ts";
import { DEFAULTS, SEVERITIES } from "../../../dagger/src/config/schema.ts";
import { FILE, problemsOf, yamlOf } from "./problems.ts";

const DEFAULT_CONFIG = {
  version: 1,
  apps: { backend: { ...DEFAULTS.apps.backend }, frontend: { ...DEFAULTS.apps.frontend } },
  policy: {
    failOn: { vulnerabilities: ["HIGH", "CRITICAL"], secrets: [...SEVERITIES], misconfigurations: ["HIGH", "CRITICAL"] },
    ignoreUnfixed: false,
    maxExceptionDays: 90,
    expiryWarningDays: 14,
    ignores: [],
    vex: [],
  },
  scanner: {
    trivyImage: DEFAULTS.scanner.trivyImage,
    dbRepositories: [...DEFAULTS.scanner.dbRepositories],
    timeout: "10m",
    maxDbAgeDays: 7,
  },
  smoke: { enabled: true, backend: true, frontend: true, timeout: "60s" },
};

const TOP_LEVEL_KEYS = "$schema, version, apps, policy, scanner, smoke";

describe("a missing file means the defaults", () => {
  it("returns every default and says the defaults were used", () => {
    expect(parseSecurityConfig(undefined, "ci/security.yml")).toEqual({ config: DEFAULT_CONFIG, usedDefaults: true, file: "ci/security.yml" });
  });

  it("gives every caller its own lists, so one run cannot change the defaults of the next", () => {
    const first = parseSecurityConfig(undefined, FILE).config;
    first.policy.failOn.vulnerabilities.push("LOW");
    first.scanner.dbRepositories.length = 0;
    expect(parseSecurityConfig(undefined, FILE).config).toEqual(DEFAULT_CONFIG);
  });

  it.each([
    { name: "version only", yaml: "version: 1" },
    { name: "empty sections", yaml: yamlOf("policy: {}", "scanner: {}", "smoke: {}") },
    { name: "a $schema reference only", yaml: "$schema: ./security-config.schema.json", extra: { $schema: "./security-config.schema.json" } },
  ])("fills in every default around $name, and says a file was read", ({ yaml, extra }) => {
    expect(parseSecurityConfig(yaml, FILE)).toEqual({ config: { ...DEFAULT_CONFIG, ...extra }, usedDefaults: false, file: FILE });
  });
});

describe("a file that exists must hold a mapping of settings", () => {
  it.each([
    { name: "an empty file", yaml: "" },
    { name: "only blank lines", yaml: "\n   \n\n" },
    { name: "only comments", yaml: "# security-config.yml\n# nothing here yet\n" },
    { name: "only a document marker", yaml: "---\n" },
  ])("rejects $name — it is not the defaults", ({ yaml }) => {
    expect(problemsOf(yaml)).toEqual([
      `${FILE}: found an empty file, expected a mapping of settings (${TOP_LEVEL_KEYS}) — an empty file does not mean "use the defaults": delete it for that, or write "version: 1"`,
    ]);
  });

  it.each([
    { name: "a list", yaml: "- policy\n- scanner\n", found: "a list of 2 entries" },
    { name: "a word", yaml: "strict\n", found: '"strict"' },
    { name: "a number", yaml: "42\n", found: "42" },
    { name: "an explicit null", yaml: "~\n", found: "an empty value" },
    { name: "true", yaml: "true\n", found: "true" },
  ])("rejects $name at the top level", ({ yaml, found }) => {
    expect(problemsOf(yaml)).toEqual([`${FILE}: found ${found}, expected a mapping of settings (${TOP_LEVEL_KEYS})`]);
  });
});

describe("YAML syntax errors name the line and column", () => {
  it.each([
    {
      name: "an unclosed flow list",
      yaml: yamlOf("policy:", "  failOn:", "    secrets: [HIGH, CRITICAL", "scanner: {}"),
      problems: ["line 4, column 1: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]"],
    },
    {
      name: "an unclosed quote",
      yaml: yamlOf("version: 1", 'scanner:\n  timeout: "10m'),
      problems: ['line 4, column 1: invalid YAML: Missing closing "quote'],
    },
    {
      name: "a tab used for indentation",
      yaml: yamlOf("policy:", "\tignoreUnfixed: true"),
      problems: ["line 2, column 1: invalid YAML: Tabs are not allowed as indentation"],
    },
    {
      name: "two documents in one file",
      yaml: yamlOf("version: 1", "---", "version: 1"),
      problems: ["line 2, column 1: invalid YAML: Source contains multiple documents; please use YAML.parseAllDocuments()"],
    },
    {
      name: "an unknown tag, which YAML would silently read as a string",
      yaml: yamlOf("policy:", "  ignoreUnfixed: !bool true"),
      problems: ["line 2, column 18: invalid YAML: Unresolved tag: !bool"],
    },
  ])("reports $name", ({ yaml, problems }) => {
    expect(problemsOf(yaml)).toEqual(problems.map((problem) => `${FILE}: ${problem}`));
  });

  it.each([
    { name: "at the top level", yaml: yamlOf("version: 1", "policy: {}", "policy:", "  ignoreUnfixed: true"), where: "line 3, column 1", key: "policy" },
    {
      name: "in a section",
      yaml: yamlOf("policy:", "  ignoreUnfixed: false", "  maxExceptionDays: 30", "  ignoreUnfixed: true"),
      where: "line 4, column 3",
      key: "ignoreUnfixed",
    },
    {
      name: "in an exception",
      yaml: yamlOf("policy:", "  ignores:", "    - id: CVE-2024-21538", "      expires: 2027-01-31", "      expires: 2099-12-31"),
      where: "line 5, column 7",
      key: "expires",
    },
    { name: "written once quoted and once plain", yaml: yamlOf("'version': 1", "version: 1"), where: "line 2, column 1", key: "version" },
    { name: "written once with a type tag", yaml: yamlOf("version: 1", "!!str version: 1"), where: "line 2, column 7", key: "version" },
    { name: "written as a number and as a string", yaml: yamlOf("apps:", "  1: a", "  '1': b"), where: "line 3, column 3", key: "1" },
  ])("rejects a duplicate key $name: the later value would silently win", ({ yaml, where, key }) => {
    expect(problemsOf(yaml)).toEqual([`${FILE}: ${where}: found the key "${key}" a second time in one mapping, expected each key once`]);
  });

  it.each([
    {
      name: "an alias, which can repeat another key unseen",
      yaml: yamlOf("policy:", "  &rule ignoreUnfixed: false", "  *rule : true"),
      problem: "line 3, column 3: found the alias *rule as a key, expected a plain key",
    },
    { name: "a list", yaml: yamlOf("? [policy]", ": {}"), problem: "line 1, column 3: found a list as a key, expected a plain key" },
    { name: "a mapping", yaml: yamlOf("? {policy: 1}", ": {}"), problem: "line 1, column 3: found a mapping as a key, expected a plain key" },
  ])("rejects $name as a key", ({ yaml, problem }) => {
    expect(problemsOf(yaml)).toEqual([`${FILE}: ${problem}`]);
  });

  it("reports every syntax error in file order, not only the first", () => {
    const yaml = yamlOf("version: 1", "scanner:", "  timeout: 1m", "  timeout: 2m", "version: 1", "policy: [unclosed");
    expect(problemsOf(yaml)).toEqual([
      `${FILE}: line 4, column 3: found the key "timeout" a second time in one mapping, expected each key once`,
      `${FILE}: line 5, column 1: found the key "version" a second time in one mapping, expected each key once`,
      `${FILE}: line 7, column 1: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]`,
    ]);
  });

  it("refuses aliases that expand without bound (a 'billion laughs' file)", () => {
    const levels = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
    for (const [index, name] of ["b", "c", "d", "e"].entries()) {
      const previous = `*${"abcd"[index]}`;
      levels.push(`${name}: &${name} [${Array(10).fill(previous).join(", ")}]`);
    }
    expect(problemsOf(yamlOf(...levels))).toEqual([
      `${FILE}: found aliases that expand more than 100 times, expected a plain config — Excessive alias count indicates a resource exhaustion attack`,
    ]);
  });
});

describe("unknown keys are errors that suggest the closest known key", () => {
  it.each([
    { name: "a misspelt section", yaml: "polcy:\n  ignoreUnfixed: true", problem: 'polcy: unknown key — did you mean "policy"?' },
    { name: "a capitalised key", yaml: "Version: 1", problem: 'Version: unknown key — did you mean "version"?' },
    { name: "a misspelt app field", yaml: "apps:\n  backend:\n    ports: 8080", problem: 'apps.backend.ports: unknown key — did you mean "port"?' },
    { name: "a misspelt app", yaml: "apps:\n  fronted: {}", problem: 'apps.fronted: unknown key — did you mean "frontend"?' },
    { name: "a cut-off policy rule", yaml: "policy:\n  ignoreUnfix: true", problem: 'policy.ignoreUnfix: unknown key — did you mean "ignoreUnfixed"?' },
    { name: "a snake_case rule", yaml: "policy:\n  max_exception_days: 30", problem: 'policy.max_exception_days: unknown key — did you mean "maxExceptionDays"?' },
    { name: "a shortened kind of finding", yaml: "policy:\n  failOn:\n    misconfig: [HIGH]", problem: 'policy.failOn.misconfig: unknown key — did you mean "misconfigurations"?' },
    { name: "a snake_case scanner field", yaml: "scanner:\n  trivy_image: x", problem: 'scanner.trivy_image: unknown key — did you mean "trivyImage"?' },
    {
      name: "a key with nothing close",
      yaml: "policy:\n  colour: red",
      problem: "policy.colour: unknown key — expected one of: failOn, ignoreUnfixed, maxExceptionDays, expiryWarningDays, ignores, vex",
    },
    {
      name: "a key that is not a name",
      yaml: "scanner:\n  trivy image: x",
      problem: 'scanner["trivy image"]: unknown key — did you mean "trivyImage"?',
    },
  ])("names $name", ({ yaml, problem }) => {
    expect(problemsOf(`${yaml}\n`)).toEqual([`${FILE}: ${problem}`]);
  });

  it("names a key from Trivy's ignore file inside an exception, beside the field it replaces", () => {
    const yaml = yamlOf("policy:", "  ignores:", "    - id: CVE-2024-21538", "      statement: Not reachable at run time.", "      expired_at: 2027-01-31");
    expect(problemsOf(yaml)).toEqual([
      `${FILE}: policy.ignores[0].reason: missing, expected a justification of at least 10 characters`,
      `${FILE}: policy.ignores[0].expires: missing, expected a date written YYYY-MM-DD`,
      `${FILE}: policy.ignores[0].statement: unknown key — did you mean "reason"?`,
      `${FILE}: policy.ignores[0].expired_at: unknown key — did you mean "expires"?`,
    ]);
  });
});

describe("all problems are reported together", () => {
  const yaml = yamlOf(
    "version: 1",
    "apps:",
    "  backend:",
    "    port: 0",
    "policy:",
    "  ignoreUnfix: true",
    "  ignores:",
    "    - id: CVE-2024-21538",
    "      reason: accepted",
    "      expires: 2025-02-30",
    "scanner:",
    "  trivyImage: aquasec/trivy:latest",
  );
  const expected = [
    `${FILE}: apps.backend.port: found 0, expected 1 or more`,
    `${FILE}: policy.ignores[0].reason: found "accepted", expected a justification of at least 10 characters`,
    `${FILE}: policy.ignores[0].expires: found "2025-02-30", expected a real calendar date (YYYY-MM-DD)`,
    `${FILE}: policy.ignoreUnfix: unknown key — did you mean "ignoreUnfixed"?`,
    `${FILE}: scanner.trivyImage: found "aquasec/trivy:latest", expected an image pinned by digest, like aquasec/trivy:0.69.3@sha256:<64 hex>`,
  ];

  it("one line per problem, each naming the file", () => {
    expect(problemsOf(yaml)).toEqual(expected);
  });

  it("as a ConfigError that carries the file and each problem", () => {
    let thrown: unknown;
    try {
      parseSecurityConfig(yaml, "deploy/security.yml");
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect(thrown).toBeInstanceOf(Error);
    const error = thrown as ConfigError;
    expect(error.name).toBe("ConfigError");
    expect(error.file).toBe("deploy/security.yml");
    expect(error.issues.map(({ where }) => where)).toEqual([
      "apps.backend.port",
      "policy.ignores[0].reason",
      "policy.ignores[0].expires",
      "policy.ignoreUnfix",
      "scanner.trivyImage",
    ]);
    expect(error.message.replaceAll(/ \(line \d+, column \d+\)$/gm, "")).toBe(expected.map((line) => line.replace(FILE, "deploy/security.yml")).join("\n"));
    expect(error.issues.every(({ at }) => at !== undefined)).toBe(true);
  });
});
