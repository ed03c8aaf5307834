/**
 * The one-pass reader (findings-reader.ts) against the zod schema it stands in for: on every
 * report, valid or broken, both must accept or both refuse, and what is accepted must yield the
 * same findings. Reports are the shapes Trivy writes (test/support/trivy-reports.ts), then broken
 * field by field — every field of every kind of finding, with every kind of wrong value — and at
 * random, several places at once, from a fixed seed.
 */
import { describe, expect, it } from "vitest";
import { findingsIfValid } from "../../../dagger/src/findings/findings-reader.ts";
import { toFindings } from "../../../dagger/src/findings/findings.ts";
import { parseTrivyReport, readTrivyReport } from "../../../dagger/src/report/trivy.ts";
import { TrivyReport } from "../../../dagger/src/findings/trivy-schema.ts";
import {
  configResult,
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
type Path = (string | number)[];

/** Deleting the key, and values of every JSON type, each wrong for some field and right for others. */
const REPLACEMENTS: unknown[] = [
  undefined,
  null,
  "",
  "x",
  "HIGH",
  "FAIL",
  "EXCEPTION",
  "not_affected",
  "vulnerability",
  "license",
  0,
  -1,
  2.5,
  2 ** 53,
  true,
  [],
  ["x"],
  [1],
  {},
  { Digest: 1 },
];

/** One report holding every shape the schema knows: each kind of finding, suppressed ones of every type, optional fields set. */
function everyShape(): Json {
  return report([
    osResult(),
    langResult({
      Vulnerabilities: [vulnerability({ PkgPath: "app/node_modules/lodash/package.json", VendorIDs: ["GHSA-jf85-cpcp-j695"] }), vulnerability({ FixedVersion: "", Status: "affected" })],
      ExperimentalModifiedFindings: [
        suppressedVulnerability(),
        { Type: "secret", Status: "ignored", Source: ".trivyignore", Finding: secret() },
        { Type: "misconfiguration", Status: "not_affected", Statement: "s", Finding: misconfiguration() },
        { Type: "license", Status: "ignored", Finding: { Name: "GPL-3.0" } },
      ],
    }),
    secretResult({ Secrets: [secret(), secret({ RuleID: "github-pat", StartLine: 0, EndLine: 0, Layer: { DiffID: "sha256:d" } })] }),
    configResult({
      Misconfigurations: [
        misconfiguration({ ID: "DS002", AVDID: "AVD-DS-0002" }),
        misconfiguration({ ID: "DS-0001", Status: "PASS" }),
        misconfiguration({ ID: "DS-0026", Status: "EXCEPTION", Layer: { Digest: "sha256:e" } }),
      ],
    }),
  ]);
}

/** Every key the schema declares, at any depth: the fields the reader must check as zod does. */
function declaredKeys(schema: unknown, keys = new Set<string>()): Set<string> {
  const def = (schema as { _zod?: { def?: Record<string, unknown> } } | undefined)?._zod?.def;
  if (def === undefined) return keys;
  for (const [key, field] of Object.entries((def["shape"] ?? {}) as Record<string, unknown>)) {
    keys.add(key);
    declaredKeys(field, keys);
  }
  // Lists, optional and nullable fields, transforms and unions wrap their inner schemas here.
  for (const inner of [def["element"], def["innerType"], def["in"], def["out"], ...((def["options"] ?? []) as unknown[])]) declaredKeys(inner, keys);
  return keys;
}

/** Every place in a JSON value, the root excluded. */
function pathsOf(value: unknown, at: Path = []): Path[] {
  if (Array.isArray(value)) return value.flatMap((item, i) => [[...at, i], ...pathsOf(item, [...at, i])]);
  if (value !== null && typeof value === "object") return Object.entries(value).flatMap(([key, item]) => [[...at, key], ...pathsOf(item, [...at, key])]);
  return [];
}

/** A copy with the value at `path` replaced (undefined: the key removed), as it would arrive as JSON. */
function replaced(document: Json, path: Path, value: unknown): unknown {
  const copy = JSON.parse(JSON.stringify(document)) as Json;
  let parent: Record<string | number, unknown> = copy;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const last = path.at(-1)!;
  if (value === undefined && !Array.isArray(parent)) delete parent[last];
  else parent[last] = value;
  return JSON.parse(JSON.stringify(copy));
}

/** The verdict of both readers, and what each found. */
function bothReaders(data: unknown) {
  const parsed = TrivyReport.safeParse(data);
  return { zod: parsed.success ? toFindings(parsed.data) : undefined, fast: findingsIfValid(data) };
}

/** A small deterministic generator (mulberry32), so a failure reproduces. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("findingsIfValid", () => {
  const shapes = everyShape();

  it("reads the report of every shape as the schema does", () => {
    const { zod, fast } = bothReaders(JSON.parse(JSON.stringify(shapes)));
    expect(zod?.findings).toHaveLength(6);
    expect(zod?.suppressed).toHaveLength(4);
    expect(fast).toStrictEqual(zod);
  });

  // Every declared field and every list item, with every replacement; fields the schema does not
  // declare (CVSS, References, …) are left to the random rounds below.
  const declared = declaredKeys(TrivyReport);
  const cases = pathsOf(shapes)
    .filter((path) => typeof path.at(-1) === "number" || declared.has(String(path.at(-1))))
    .flatMap((path) => REPLACEMENTS.map((value) => ({ path, value })));

  it(`agrees with the schema on each of ${cases.length} reports with one declared field or list item broken or removed`, () => {
    const disagreements: string[] = [];
    let refused = 0;
    for (const { path, value } of cases) {
      const { zod, fast } = bothReaders(replaced(shapes, path, value));
      if (zod === undefined) refused++;
      try {
        expect(fast).toStrictEqual(zod);
      } catch {
        disagreements.push(`${path.join(".")} = ${JSON.stringify(value) ?? "(removed)"}: the schema ${zod ? "accepts" : "refuses"}, the reader ${fast ? "accepts" : "refuses"}${zod && fast ? " with other findings" : ""}`);
      }
    }
    expect(disagreements).toEqual([]);
    // Both outcomes are well represented, so agreement is not agreement on "everything passes".
    expect(refused).toBeGreaterThan(cases.length / 10);
    expect(cases.length - refused).toBeGreaterThan(cases.length / 10);
  }, 60_000);

  it("agrees with the schema on 2,000 reports broken in one to four places at random", () => {
    const next = random(19);
    const pick = <T,>(items: readonly T[]): T | undefined => items[Math.floor(next() * items.length)];
    for (let round = 0; round < 2_000; round++) {
      let document: unknown = shapes;
      const changes: string[] = [];
      for (let n = 1 + Math.floor(next() * 4); n > 0; n--) {
        const path = pick(pathsOf(document));
        if (path === undefined) break;
        const value = pick(REPLACEMENTS);
        document = replaced(document as Json, path, value);
        changes.push(`${path.join(".")} = ${JSON.stringify(value) ?? "(removed)"}`);
      }
      const { zod, fast } = bothReaders(document);
      expect(fast, `round ${round}: ${changes.join(", ")}`).toStrictEqual(zod);
    }
  }, 60_000);
});

describe("readTrivyReport", () => {
  it("finds what parseTrivyReport and toFindings find", () => {
    const text = JSON.stringify(everyShape());
    expect(readTrivyReport(text, "r")).toStrictEqual(toFindings(parseTrivyReport(text, "r")));
  });

  it.each([
    { name: "an unknown severity", path: ["Results", 1, "Vulnerabilities", 0, "Severity"], value: "SEVERE" },
    { name: "a secret's fractional line", path: ["Results", 2, "Secrets", 1, "StartLine"], value: 2.5 },
    { name: "a check's missing ID", path: ["Results", 3, "Misconfigurations", 0, "ID"], value: undefined },
    { name: "a license finding without its finding", path: ["Results", 1, "ExperimentalModifiedFindings", 3, "Finding"], value: undefined },
    { name: "a result that is a string", path: ["Results", 0], value: "x" },
  ])("refuses $name with the schema's account of it", ({ path, value }) => {
    const text = JSON.stringify(replaced(everyShape(), path, value));
    const expected = (() => {
      try {
        parseTrivyReport(text, "--report");
      } catch (error) {
        return (error as Error).message;
      }
      throw new Error("parseTrivyReport accepted the broken report");
    })();
    expect(expected).toContain("--report: is not a valid Trivy report: ");
    expect(() => readTrivyReport(text, "--report")).toThrow(expected);
  });
});
