import { describe, expect, it } from "vitest";
import { closestMatch } from "../../../dagger/src/config/suggest.ts";

const POLICY_KEYS = ["failOn", "ignoreUnfixed", "maxExceptionDays", "expiryWarningDays", "ignores", "vex"];
const IGNORE_KEYS = ["id", "reason", "expires", "paths", "purls"];
const KINDS = ["vulnerabilities", "secrets", "misconfigurations"];

describe("closestMatch points a typo at the key that was meant", () => {
  it.each([
    { name: "a letter dropped", word: "ignoreUnfixd", candidates: POLICY_KEYS, match: "ignoreUnfixed" },
    { name: "letters swapped", word: "failNO", candidates: POLICY_KEYS, match: "failOn" },
    { name: "the end cut off", word: "ignoreUnfix", candidates: POLICY_KEYS, match: "ignoreUnfixed" },
    { name: "lower case", word: "maxexceptiondays", candidates: POLICY_KEYS, match: "maxExceptionDays" },
    { name: "snake_case", word: "expiry_warning_days", candidates: POLICY_KEYS, match: "expiryWarningDays" },
    { name: "kebab-case", word: "fail-on", candidates: POLICY_KEYS, match: "failOn" },
    { name: "a plural dropped", word: "ignore", candidates: POLICY_KEYS, match: "ignores" },
    { name: "an unambiguous prefix", word: "vuln", candidates: KINDS, match: "vulnerabilities" },
    { name: "Trivy's expired_at", word: "expired_at", candidates: IGNORE_KEYS, match: "expires" },
    { name: "Trivy's statement", word: "statement", candidates: IGNORE_KEYS, match: "reason" },
    { name: "a severity in lower case", word: "critical", candidates: ["UNKNOWN", "LOW", "MEDIUM", "HIGH", "CRITICAL"], match: "CRITICAL" },
    { name: "the nearer of two candidates", word: "purl", candidates: IGNORE_KEYS, match: "purls" },
  ])("$name: $word → $match", ({ word, candidates, match }) => {
    expect(closestMatch(word, candidates)).toBe(match);
  });

  it.each([
    { name: "a word unlike any key", word: "colour", candidates: POLICY_KEYS },
    { name: "a short word two edits away", word: "xy", candidates: IGNORE_KEYS },
    { name: "a two-letter word one edit away", word: "v2", candidates: ["v1"] },
    { name: "a prefix shared by two keys", word: "ex", candidates: ["expires", "expiryWarningDays"] },
    { name: "Trivy's spelling where its counterpart is not a key", word: "statement", candidates: POLICY_KEYS },
    { name: "no candidates", word: "policy", candidates: [] },
  ])("suggests nothing for $name", ({ word, candidates }) => {
    expect(closestMatch(word, candidates)).toBeUndefined();
  });
});
