/**
 * What CI tools accept from the reports drydock derives from one Trivy scan: SARIF checked against
 * the SARIF 2.1.0 JSON Schema and GitHub code scanning's upload limits, and the packages a
 * CycloneDX SBOM names.
 */
import { createRequire } from "node:module";
import { gzipSync } from "node:zlib";
import AjvModule, { type ValidateFunction } from "ajv-draft-04";
import addFormatsModule from "ajv-formats";

const require = createRequire(import.meta.url);
// A CommonJS module whose class is its `default` export: under NodeNext the default import is the module object.
const Ajv = AjvModule.default;
const addFormats = addFormatsModule.default;

let validateSarif: ValidateFunction | undefined;

/** Schema violations of a SARIF log, as `path: message` lines; empty when it is valid SARIF 2.1.0. */
export async function sarifSchemaErrors(log: unknown): Promise<string[]> {
  // The OASIS schema (2.1.0-rtm.5, JSON Schema draft 04) as @microsoft/jest-sarif ships it. One of
  // its patterns (`…-[a-zA-Z]{2}]?$`, a stray bracket) is invalid under the `u` flag Ajv uses by default.
  if (!validateSarif) {
    const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
    addFormats(ajv);
    validateSarif = ajv.compile(require("@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json") as object);
  }
  const validate = validateSarif;
  return validate(log) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || "/"}: ${e.message ?? "invalid"}`);
}

/**
 * GitHub code scanning's documented limits for an uploaded SARIF file ("SARIF support for code
 * scanning"): beyond them an upload is rejected or results are dropped.
 */
export const GITHUB_SARIF_LIMITS = {
  gzippedBytes: 10 * 1024 * 1024,
  runsPerFile: 20,
  resultsPerRun: 25_000,
  rulesPerRun: 25_000,
  toolExtensionsPerRun: 100,
  locationsPerResult: 1_000,
  tagsPerRule: 20,
} as const;

interface SarifShape {
  runs?: Array<{
    results?: Array<{ locations?: unknown[] }>;
    tool?: { driver?: { rules?: Array<{ properties?: { tags?: unknown[] } }> }; extensions?: unknown[] };
  }>;
}

/** Each limit the SARIF text exceeds, with the number found; empty when an upload would be accepted whole. */
export function githubSarifLimitProblems(text: string): string[] {
  const limits = GITHUB_SARIF_LIMITS;
  const problems: string[] = [];
  const over = (what: string, found: number, limit: number) => found > limit && problems.push(`${what}: found ${found}, limit ${limit}`);
  over("gzipped size in bytes", gzipSync(text).length, limits.gzippedBytes);
  const runs = (JSON.parse(text) as SarifShape).runs ?? [];
  over("runs", runs.length, limits.runsPerFile);
  runs.forEach((run, i) => {
    over(`runs[${i}].results`, run.results?.length ?? 0, limits.resultsPerRun);
    over(`runs[${i}].tool.driver.rules`, run.tool?.driver?.rules?.length ?? 0, limits.rulesPerRun);
    over(`runs[${i}].tool.extensions`, run.tool?.extensions?.length ?? 0, limits.toolExtensionsPerRun);
    for (const result of run.results ?? []) over(`runs[${i}] result locations`, result.locations?.length ?? 0, limits.locationsPerResult);
    for (const rule of run.tool?.driver?.rules ?? []) over(`runs[${i}] rule tags`, rule.properties?.tags?.length ?? 0, limits.tagsPerRule);
  });
  return problems;
}

/** The package URLs of every component of a CycloneDX SBOM (nested components included). */
export function cyclonedxPurls(text: string): string[] {
  interface Component { purl?: string; components?: Component[] }
  const doc = JSON.parse(text) as { bomFormat?: string; components?: Component[] };
  if (doc.bomFormat !== "CycloneDX") throw new Error(`not a CycloneDX document: bomFormat is ${JSON.stringify(doc.bomFormat)}`);
  const purls: string[] = [];
  const walk = (components: Component[] = []) => {
    for (const c of components) {
      if (c.purl) purls.push(c.purl);
      walk(c.components);
    }
  };
  walk(doc.components);
  return purls;
}
