import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import { z } from "zod";
import { describe, expect, it } from "vitest";
import { parseSecurityConfig } from "../../../dagger/src/config/load.ts";
import { Policy } from "../../../dagger/src/config/schema.ts";
import { evaluateGate } from "../../../dagger/src/policy/gate.ts";
import { identitiesOf } from "../../../dagger/src/findings/findings.ts";
import type { GateReportMeta } from "../../../dagger/src/report/meta.ts";
import { summaryJsonText } from "../../../dagger/src/report/summary.ts";
import { GateSummaryDocument, SUMMARY_SCHEMA_FILE, SUMMARY_SCHEMA_ID, summaryJsonSchema, summaryJsonSchemaText } from "../../../dagger/src/report/summary-schema.ts";
import { judgeReport } from "../../../dagger/src/scan/verdict.ts";
import { haveTrivyGoldens, repoRoot, trivyGoldensDir } from "../../support/paths.ts";
import {
  configResult,
  findingsOf,
  langResult,
  misconfiguration,
  osResult,
  report,
  secret,
  secretResult,
  suppressedVulnerability,
  vulnerability,
} from "../../support/trivy-reports.ts";

type Json = Record<string, unknown>;

// A CommonJS module whose function is its `default` export: under NodeNext the default import is the module object.
const addFormats = addFormatsModule.default;

const committedFile = path.join(repoRoot, SUMMARY_SCHEMA_FILE);
const TODAY = new Date("2026-11-27T12:00:00Z");
const REASON = "The vulnerable code path is never called by the application.";

function validator(schema: object) {
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  addFormats(ajv);
  return ajv.compile(schema);
}
/** The published schema, as a reader of summaries would use it. */
const published = validator(JSON.parse(readFileSync(committedFile, "utf8")) as object);
/** The same schema with every object closed: a field drydock writes but the schema lacks fails it. */
const closed = validator(z.toJSONSchema(GateSummaryDocument));

/** Every field the gate can write, each at least once: all buckets, errors and warnings, a secret's location, every optional field of the meta. */
const everything = [
  osResult(),
  langResult({
    Vulnerabilities: [
      vulnerability(),
      vulnerability({ VulnerabilityID: "CVE-2021-23337", Severity: "HIGH" }),
      vulnerability({ VulnerabilityID: "CVE-2020-28500", Severity: "MEDIUM" }),
      vulnerability({ VulnerabilityID: "CVE-2020-8203", Severity: "HIGH", FixedVersion: undefined }),
      vulnerability({ VulnerabilityID: "CVE-2018-3721", Severity: "HIGH", PkgPath: "app/node_modules/lodash/package.json" }),
    ],
    ExperimentalModifiedFindings: [suppressedVulnerability({}, { VulnerabilityID: "CVE-2017-16137", Severity: "LOW" }), suppressedVulnerability({ Statement: undefined, Source: undefined })],
  }),
  secretResult({ Secrets: [secret({ StartLine: 3, EndLine: 4 })] }),
  configResult({ Misconfigurations: [misconfiguration(), misconfiguration({ ID: "DS-0026", Status: "EXCEPTION" })] }),
];
const policy = Policy.parse({
  ignoreUnfixed: true,
  expiryWarningDays: 30,
  ignores: [
    { id: "CVE-2021-23337", reason: REASON, expires: "2026-12-01" },
    { id: "CVE-2023-4911", reason: REASON, expires: "2026-11-01" },
    { id: "CVE-1999-0001", reason: REASON, expires: "2026-01-01" },
    { id: "CVE-2000-0002", reason: REASON, expires: "2026-12-31" },
  ],
});
const meta: GateReportMeta = {
  name: "backend",
  usedDefaultConfig: false,
  configFile: "security-config.yml",
  dbUpdatedAt: "2026-11-25T06:00:00Z",
  notes: ["the vulnerability DB could not be refreshed."],
  scanner: { trivyImage: "mirror.example/trivy:0.69.3", dbRepositories: ["mirror.example/trivy-db:2"], defaultTrivyImage: false, defaultDbRepositories: false },
  configChange: { file: "security-config.yml", sourceHasFile: true, base: "base/security-config.yml", changed: ["policy.ignores"] },
};

function written(results: Json[], baselineOf?: Json[]): Json {
  const { findings, suppressed } = findingsOf(results);
  const baseline = baselineOf && identitiesOf(findingsOf(baselineOf).findings);
  return JSON.parse(summaryJsonText(evaluateGate({ findings, suppressed, policy, today: TODAY, baseline }), meta)) as Json;
}

const SUMMARIES: Array<{ name: string; summary: () => Json }> = [
  { name: "every field, every bucket", summary: () => written(everything) },
  { name: "every field, with a baseline", summary: () => written(everything, [langResult({ Vulnerabilities: [vulnerability()] }), secretResult()]) },
  { name: "a clean report", summary: () => written([]) },
  {
    name: "judgeReport's summary.json of a report, under a config file",
    summary: () =>
      JSON.parse(
        judgeReport({
          report: { text: JSON.stringify(report(everything)), label: "--report" },
          loaded: parseSecurityConfig("policy:\n  ignoreUnfixed: true\n", "security-config.yml"),
          name: "trivy.json",
          today: TODAY,
        }).summaryJson,
      ) as Json,
  },
];

describe(`the committed ${SUMMARY_SCHEMA_FILE}`, () => {
  it("is what `npm run schema` writes from the zod schema", () => {
    const committed = existsSync(committedFile) ? readFileSync(committedFile, "utf8") : "(missing)";
    expect(committed, `${SUMMARY_SCHEMA_FILE} is stale: run \`npm run schema\` and commit the result`).toBe(summaryJsonSchemaText());
  });

  it("names itself, its draft and the version it describes", () => {
    expect(summaryJsonSchema()).toMatchObject({ $schema: "https://json-schema.org/draft/2020-12/schema", $id: SUMMARY_SCHEMA_ID, title: "drydock summary.json" });
    expect(SUMMARY_SCHEMA_ID).toBe("urn:drydock:gate-summary:2");
  });

  it("covers every field the summary of everything writes", () => {
    const summary = written(everything);
    expect(Object.keys(summary).sort()).toEqual(Object.keys(GateSummaryDocument.shape).sort());
    expect((summary["allowed"] as Json[]).map((entry) => entry["allowedBy"])).toEqual(["exception", "unfixed", "suppressed", "suppressed", "suppressed"]);
    expect([summary["errors"], summary["warnings"]].map((notices) => (notices as unknown[]).length)).toEqual([1, 3]);
  });

  it.each(SUMMARIES)("accepts what drydock writes: $name", ({ summary }) => {
    const document = summary();
    expect(published(document), JSON.stringify(published.errors)).toBe(true);
    expect(closed(document), JSON.stringify(closed.errors)).toBe(true);
    expect(GateSummaryDocument.parse(document)).toEqual(document);
  });

  it.skipIf(!haveTrivyGoldens())("accepts the summary of each of Trivy's golden reports", () => {
    const files = readdirSync(trivyGoldensDir).filter((file) => file.endsWith(".json.golden") && !file.includes("cyclonedx"));
    expect(files.length).toBeGreaterThan(5);
    for (const file of files) {
      const { summaryJson } = judgeReport({
        report: { text: readFileSync(path.join(trivyGoldensDir, file), "utf8"), label: file },
        loaded: parseSecurityConfig("policy: {}\n", "security-config.yml"),
        name: file,
        today: TODAY,
      });
      const document = JSON.parse(summaryJson) as Json;
      expect(published(document), `${file}: ${JSON.stringify(published.errors)}`).toBe(true);
      expect(closed(document), `${file}: ${JSON.stringify(closed.errors)}`).toBe(true);
    }
  });

  it("lets a later summary of version 2 add fields, and holds drydock's own to the fields it lists", () => {
    const later = { ...written([]), addedLater: { x: 1 } };
    expect(published(later)).toBe(true);
    expect(closed(later)).toBe(false);
  });

  it.each([
    { name: "a summary of version 1", change: { version: 1 }, problem: "/version" },
    { name: "a summary of an unknown version", change: { version: 3 }, problem: "/version" },
    { name: "another drydock document", change: { schema: "drydock.report-summary" }, problem: "/schema" },
    { name: "an allowed finding without why", change: { allowed: [{ kind: "secret", id: "x", severity: "LOW", target: "t", identity: "i", allowedBy: "exception" }] }, problem: "/allowed/0" },
  ])("refuses $name", ({ change, problem }) => {
    expect(published({ ...written([]), ...change })).toBe(false);
    expect(JSON.stringify(published.errors)).toContain(problem);
  });

  it("gives every property a description", () => {
    const undescribed: string[] = [];
    const visit = (node: unknown, at: string): void => {
      if (node === null || typeof node !== "object") return;
      const { properties, items, oneOf } = node as { properties?: Record<string, Json>; items?: unknown; oneOf?: unknown[] };
      for (const [key, child] of Object.entries(properties ?? {})) {
        if (!child["description"]) undescribed.push(`${at}.${key}`);
        visit(child, `${at}.${key}`);
      }
      visit(items, `${at}[]`);
      for (const option of oneOf ?? []) visit(option, at);
    };
    visit(summaryJsonSchema(), "(root)");
    expect(undescribed).toEqual([]);
  });
});
