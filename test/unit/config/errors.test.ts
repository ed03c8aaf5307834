import { describe, expect, it } from "vitest";
import { ConfigError, formatIssue, formatPath } from "../../../dagger/src/config/errors.ts";

describe("formatPath writes a path the way the YAML reads", () => {
  it.each([
    { path: [], text: "" },
    { path: ["policy"], text: "policy" },
    { path: ["policy", "ignores", 2, "expires"], text: "policy.ignores[2].expires" },
    { path: ["scanner", "dbRepositories", 0], text: "scanner.dbRepositories[0]" },
    { path: ["$schema"], text: "$schema" },
    { path: ["scanner", "trivy image"], text: 'scanner["trivy image"]' },
    { path: ["apps", "1"], text: 'apps["1"]' },
    { path: [""], text: '[""]' },
  ])("$text", ({ path, text }) => {
    expect(formatPath(path)).toBe(text);
  });
});

describe("formatIssue names the file, then where, then the problem", () => {
  it.each([
    { where: "policy.vex[0]", problem: 'found "/x", expected a relative path', text: 'cfg.yml: policy.vex[0]: found "/x", expected a relative path' },
    { where: "line 3, column 1", problem: "invalid YAML: oops", text: "cfg.yml: line 3, column 1: invalid YAML: oops" },
    { where: "", problem: "found an empty file, expected a mapping", text: "cfg.yml: found an empty file, expected a mapping" },
  ])("$text", ({ where, problem, text }) => {
    expect(formatIssue("cfg.yml", { where, problem })).toBe(text);
  });

  it("ConfigError's message is plain text: a path, an ID or a value is never Markdown-escaped", () => {
    const error = new ConfigError("security-config.yml", [{ where: "policy.ignores[0].reason", problem: 'found "see *_notes_* | [x]", expected at least 10 characters' }]);
    expect(error.message).toBe('security-config.yml: policy.ignores[0].reason: found "see *_notes_* | [x]", expected at least 10 characters');
    expect(error.message).not.toContain("\\");
  });

  it("ConfigError's message is one formatted line per issue", () => {
    const error = new ConfigError("cfg.yml", [
      { where: "a", problem: "first" },
      { where: "b", problem: "second" },
    ]);
    expect(error.message).toBe("cfg.yml: a: first\ncfg.yml: b: second");
  });
});
