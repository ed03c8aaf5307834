import { describe, expect, it } from "vitest";
import { configReferenceMarkdown, configReferenceRows } from "../../../dagger/src/config/reference.ts";

const rowFor = (field: string) => configReferenceRows().find((row) => row.field === `\`${field}\``);

describe("the config reference table", () => {
  it("has a row for every field, in schema order", () => {
    expect(configReferenceRows().map((row) => row.field.replaceAll("`", ""))).toEqual([
      "$schema",
      "version",
      "apps",
      "apps.backend",
      "apps.backend.path",
      "apps.backend.image",
      "apps.backend.port",
      "apps.backend.healthPath",
      "apps.backend.entrypoint",
      "apps.frontend",
      "apps.frontend.path",
      "apps.frontend.image",
      "apps.frontend.port",
      "apps.frontend.healthPath",
      "apps.frontend.entrypoint",
      "apps.frontend.backendUrlVariables",
      "policy",
      "policy.failOn",
      "policy.failOn.vulnerabilities",
      "policy.failOn.secrets",
      "policy.failOn.misconfigurations",
      "policy.ignoreUnfixed",
      "policy.maxExceptionDays",
      "policy.expiryWarningDays",
      "policy.ignores",
      "policy.ignores[].id",
      "policy.ignores[].reason",
      "policy.ignores[].expires",
      "policy.ignores[].paths",
      "policy.ignores[].purls",
      "policy.vex",
      "scanner",
      "scanner.trivyImage",
      "scanner.dbRepositories",
      "scanner.timeout",
      "scanner.maxDbAgeDays",
      "smoke",
      "smoke.enabled",
      "smoke.backend",
      "smoke.frontend",
      "smoke.timeout",
    ]);
  });

  it.each([
    { field: "apps.backend.port", type: "integer 1–65535", default: "`3000`" },
    { field: "policy.maxExceptionDays", type: "integer ≥ 1", default: "`90`" },
    { field: "policy.failOn.vulnerabilities", type: "list of UNKNOWN \\| LOW \\| MEDIUM \\| HIGH \\| CRITICAL", default: '`["HIGH","CRITICAL"]`' },
    { field: "policy.ignores", type: "list of mappings", default: "`[]`" },
    { field: "policy.ignores[].expires", type: "string", default: "**required**" },
    { field: "policy.ignores[].purls", type: "list of strings", default: "none" },
    { field: "policy", type: "mapping", default: "see fields" },
    { field: "version", type: "`1`", default: "`1`" },
    { field: "apps.frontend.backendUrlVariables", type: "list of strings", default: '`["BACKEND_URL"]`' },
  ])("shows $field as $type, default $default", ({ field, type, default: shown }) => {
    expect(rowFor(field)).toMatchObject({ type, default: shown });
  });

  it("renders as a Markdown table with one line per row", () => {
    const lines = configReferenceMarkdown().trimEnd().split("\n");
    expect(lines.slice(0, 2)).toEqual(["| Field | Type | Default | Meaning |", "| --- | --- | --- | --- |"]);
    expect(lines).toHaveLength(configReferenceRows().length + 2);
    expect(lines[2]).toBe("| `$schema` | string | none | JSON Schema reference, for editors. |");
  });
});
