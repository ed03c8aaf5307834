import { describe, expect, it } from "vitest";
import { parseSecurityConfig } from "../../../dagger/src/config/load.ts";
import { MAX_SUMMARY_BYTES, MAX_TABLE_ROWS } from "../../../dagger/src/report/markdown.ts";
import { ArgumentError } from "../../../dagger/src/errors.ts";
import { ReportError } from "../../../dagger/src/report/errors.ts";
import { judgeReport, unusedInAll, type VerdictInput } from "../../../dagger/src/scan/verdict.ts";
import { langResult, report, vulnerability } from "../../support/trivy-reports.ts";

const TODAY = new Date("2026-11-27T12:00:00Z");
const REASON = "The vulnerable code path is never called by the application.";

function configWith(ignores: number): VerdictInput["loaded"] {
  const lines = Array.from({ length: ignores }, (_, i) => `    - id: CVE-2099-${i}\n      reason: ${REASON}\n      expires: 2026-12-31\n`).join("");
  return parseSecurityConfig(ignores === 0 ? "policy: {}\n" : `policy:\n  ignores:\n${lines}`, "security-config.yml");
}

const judge = (text: string, overrides: Partial<VerdictInput> = {}) =>
  judgeReport({ report: { text, label: "Trivy report of backend" }, loaded: configWith(0), name: "backend", today: TODAY, ...overrides });

describe("judgeReport", () => {
  it("puts the run's notes under the title of the Markdown and into summary.json", () => {
    const verdict = judge(JSON.stringify(report([])), { notes: ["the vulnerability DB could not be refreshed."] });
    expect(verdict.markdown.split("\n").slice(0, 3)).toEqual(["## ✅ Security gate passed: backend", "", "> **Note:** the vulnerability DB could not be refreshed."]);
    expect(JSON.parse(verdict.summaryJson).notes).toEqual(["the vulnerability DB could not be refreshed."]);
  });

  it.each([
    { name: "{}", text: "{}" },
    { name: "a report without ArtifactType", text: JSON.stringify(report([], { ArtifactType: undefined })) },
  ])("never passes $name", ({ text }) => {
    expect(() => judge(text)).toThrow(ReportError);
    expect(() => judge(text)).toThrow("Trivy report of backend: found no ");
  });

  it("names the findings it let through in summary.json", () => {
    const verdict = judge(JSON.stringify(report([langResult({ Vulnerabilities: [vulnerability({ FixedVersion: undefined })] })])), {
      loaded: parseSecurityConfig("policy:\n  ignoreUnfixed: true\n", "security-config.yml"),
    });
    expect(verdict.passed).toBe(true);
    expect(JSON.parse(verdict.summaryJson).allowed).toEqual([expect.objectContaining({ allowedBy: "unfixed", id: "CVE-2019-10744", pkgName: "lodash" })]);
  });

  it("keeps the Markdown within its bound with 5,000 unused exceptions", () => {
    const verdict = judge(JSON.stringify(report([])), { loaded: configWith(5_000) });
    expect(Buffer.byteLength(verdict.markdown)).toBeLessThanOrEqual(MAX_SUMMARY_BYTES);
    expect(verdict.markdown).toContain("_…and 4950 more warnings: see summary.json._");
    expect(JSON.parse(verdict.summaryJson).warnings).toHaveLength(5_000);
  });
});

describe("a baseline of another artifact", () => {
  const labelled = (title: string, results = [langResult()]) =>
    JSON.stringify(report(results, { ArtifactName: "/drydock/image.tar", Metadata: { ImageConfig: { config: { Labels: { "org.opencontainers.image.title": title } } } } }));
  const baseline = (text: string, renamedFrom?: string[]) => ({ text, label: "--baseline", argument: "--baseline", ...(renamedFrom ? { renamedFrom } : {}) });

  it("is refused, naming both images, though both were scanned as /drydock/image.tar", () => {
    expect(() => judge(labelled("drydock-backend"), { baseline: baseline(labelled("drydock-frontend")) })).toThrow(ArgumentError);
    expect(() => judge(labelled("drydock-backend"), { baseline: baseline(labelled("drydock-frontend")) })).toThrow(
      /^--baseline: found a report of the image "drydock-frontend" .*, expected a report of what Trivy report of backend reports on, the image "drydock-backend" /,
    );
  });

  it("is refused only after both were read as reports: an unreadable baseline says so first", () => {
    expect(() => judge(labelled("drydock-backend"), { baseline: baseline("{") })).toThrow("--baseline: is not valid JSON");
  });

  it("is applied when the caller names the image's old name, and the Markdown and summary.json say so", () => {
    const verdict = judge(labelled("drydock-backend"), { baseline: baseline(labelled("drydock-api"), ["drydock-api"]) });
    const note = "The baseline (`--baseline`) reports on the image `drydock-api`, this report on `drydock-backend`: applied as the same image renamed, as `--baseline-renamed-from=drydock-api` says.";
    expect(verdict.passed).toBe(true);
    expect(verdict.result.preExisting.map((f) => f.id)).toEqual(["CVE-2019-10744"]);
    expect(verdict.markdown).toContain(`> **Note:** ${note}`);
    expect(JSON.parse(verdict.summaryJson).notes).toEqual([note]);
  });

  it("adds no note when the baseline is of the same image", () => {
    const verdict = judge(labelled("drydock-backend"), { baseline: baseline(labelled("drydock-backend"), ["drydock-api"]) });
    expect(JSON.parse(verdict.summaryJson).notes).toEqual([]);
  });
});

describe("unusedInAll", () => {
  const scans = (ignores: number) =>
    ["backend", "frontend", "lint"].map((name) => judge(JSON.stringify(report([])), { name, loaded: configWith(ignores), unusedExceptionsJudgedByCaller: true }));

  it("names an exception unused by every scan as plain config text in code spans", () => {
    expect(unusedInAll(scans(1))).toEqual(["`policy.ignores[0]` (`CVE-2099-0`) matches no finding in any scan — remove it if the finding is gone."]);
  });

  it(`names at most ${MAX_TABLE_ROWS} and counts the rest`, () => {
    const lines = unusedInAll(scans(5_000));
    expect(lines).toHaveLength(MAX_TABLE_ROWS + 1);
    expect(lines.at(-1)).toBe(`…and ${5_000 - MAX_TABLE_ROWS} more exceptions of policy.ignores match no finding in any scan — remove them if their findings are gone.`);
  });
});
