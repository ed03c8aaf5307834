/**
 * The findings of a parsed Trivy report in one pass over it, checked by the rules of
 * trivy-schema.ts as they are read.
 *
 * Why not zod here: zod's object parsing copies every object it accepts (the strip mode) and
 * allocates a result per field, so on a report of 100,000 findings validating cost a third of
 * `JSON.parse` again, and the copies were thrown away once flattened. This reads the parsed
 * JSON in place and builds each `Finding` directly. The zod schema stays the definition: when
 * anything here does not hold, the caller asks zod, which says what is wrong and where
 * (`Results[0].Vulnerabilities[3].Severity: …`). A test holds both to the same verdict and the
 * same findings on generated and broken reports (test/unit/findings/findings-reader.test.ts).
 */
import { SEVERITIES } from "../config/schema.js";
import {
  fromMisconfiguration,
  fromSecret,
  fromVulnerability,
  type Finding,
  type ReportFindings,
  type ResultOf,
  type SuppressedFinding,
} from "./findings.js";
import {
  MISCONFIGURATION_STATUSES,
  MODIFIED_FINDING_STATUSES,
  type TrivyMisconfiguration,
  type TrivySecret,
  type TrivyVulnerability,
} from "./trivy-schema.js";

type Json = Record<string, unknown>;

const SEVERITY = new Set<unknown>(SEVERITIES);
const CHECK_STATUS = new Set<unknown>(MISCONFIGURATION_STATUSES);
const MODIFIED_STATUS = new Set<unknown>(MODIFIED_FINDING_STATUSES);

const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value);
const isString = (value: unknown): value is string => typeof value === "string";
const isOptionalString = (value: unknown): boolean => value === undefined || typeof value === "string";
const isNonEmpty = (value: unknown): value is string => typeof value === "string" && value.length > 0;
const isLine = (value: unknown): boolean => Number.isSafeInteger(value) && (value as number) >= 0;
/** trivy-schema's `list`: Trivy omits empty lists, and older versions wrote them as null. */
const isList = (value: unknown): value is unknown[] | null | undefined => value === undefined || value === null || Array.isArray(value);

function isLayer(value: unknown): boolean {
  return value === undefined || (isObject(value) && isOptionalString(value["Digest"]) && isOptionalString(value["DiffID"]));
}

function isVulnerability(v: unknown): v is TrivyVulnerability {
  if (!isObject(v)) return false;
  const vendorIds = v["VendorIDs"];
  const identifier = v["PkgIdentifier"];
  return (
    isNonEmpty(v["VulnerabilityID"]) &&
    (vendorIds === undefined || vendorIds === null || (Array.isArray(vendorIds) && vendorIds.every(isString))) &&
    isNonEmpty(v["PkgName"]) &&
    isOptionalString(v["PkgPath"]) &&
    (identifier === undefined || (isObject(identifier) && isOptionalString(identifier["PURL"]))) &&
    isString(v["InstalledVersion"]) &&
    isOptionalString(v["FixedVersion"]) &&
    isOptionalString(v["Status"]) &&
    SEVERITY.has(v["Severity"]) &&
    isOptionalString(v["Title"]) &&
    isOptionalString(v["PrimaryURL"]) &&
    isLayer(v["Layer"])
  );
}

function isMisconfiguration(m: unknown): m is TrivyMisconfiguration {
  return (
    isObject(m) &&
    isOptionalString(m["Type"]) &&
    isNonEmpty(m["ID"]) &&
    isOptionalString(m["AVDID"]) &&
    isOptionalString(m["Title"]) &&
    isOptionalString(m["Message"]) &&
    SEVERITY.has(m["Severity"]) &&
    CHECK_STATUS.has(m["Status"]) &&
    isOptionalString(m["PrimaryURL"]) &&
    isLayer(m["Layer"])
  );
}

function isSecret(s: unknown): s is TrivySecret {
  return (
    isObject(s) &&
    isNonEmpty(s["RuleID"]) &&
    isOptionalString(s["Category"]) &&
    SEVERITY.has(s["Severity"]) &&
    isOptionalString(s["Title"]) &&
    isLine(s["StartLine"]) &&
    isLine(s["EndLine"]) &&
    isLayer(s["Layer"])
  );
}

/** Rejected: the caller asks zod why. A plain value, not an Error: it is thrown only to unwind. */
const INVALID = Symbol("invalid Trivy report");

/**
 * The report's findings, as `toFindings(TrivyReport.parse(data))` gives them; `undefined` when
 * `data` breaks any rule of the schema.
 */
export function findingsIfValid(data: unknown): ReportFindings | undefined {
  if (!isObject(data)) return undefined;
  const trivy = data["Trivy"];
  const results = data["Results"];
  if (
    data["SchemaVersion"] !== 2 ||
    !(trivy === undefined || (isObject(trivy) && isOptionalString(trivy["Version"]))) ||
    !isOptionalString(data["CreatedAt"]) ||
    !isNonEmpty(data["ArtifactName"]) ||
    !isNonEmpty(data["ArtifactType"]) ||
    !isList(results)
  ) {
    return undefined;
  }
  const findings: Finding[] = [];
  const suppressed: SuppressedFinding[] = [];
  try {
    for (const result of results ?? []) readResult(result, findings, suppressed);
  } catch (error) {
    if (error === INVALID) return undefined;
    throw error;
  }
  return { findings, suppressed };
}

/** The same order as toFindings: vulnerabilities, secrets, failed checks, then what Trivy suppressed. */
function readResult(result: unknown, findings: Finding[], suppressed: SuppressedFinding[]): void {
  if (!isObject(result)) throw INVALID;
  const { Vulnerabilities: vulnerabilities, Secrets: secrets, Misconfigurations: checks, ExperimentalModifiedFindings: modified } = result;
  if (
    !isString(result["Target"]) ||
    !isOptionalString(result["Class"]) ||
    !isOptionalString(result["Type"]) ||
    !isList(vulnerabilities) ||
    !isList(checks) ||
    !isList(secrets) ||
    !isList(modified)
  ) {
    throw INVALID;
  }
  const of = result as ResultOf;
  if (vulnerabilities) readVulnerabilities(vulnerabilities, of, findings);
  if (secrets) readSecrets(secrets, of, findings);
  if (checks) readChecks(checks, of, findings, suppressed);
  if (modified) {
    for (const entry of modified) readModified(entry, of, suppressed);
  }
}

// One small function per kind of list, not four loops in readResult. Each report parsed brings
// new hidden classes, so V8 compiles the reading afresh for every report, in the middle of its
// first long list; a loop of its own is compiled with only its kind's checks, not with all four
// kinds' code (measured on 100,000 findings: readResult's loop took 13–60 ms to compile, running
// unoptimised meanwhile).

function readVulnerabilities(vulnerabilities: readonly unknown[], of: ResultOf, findings: Finding[]): void {
  for (const v of vulnerabilities) {
    if (!isVulnerability(v)) throw INVALID;
    findings.push(fromVulnerability(v, of));
  }
}

function readSecrets(secrets: readonly unknown[], of: ResultOf, findings: Finding[]): void {
  for (const s of secrets) {
    if (!isSecret(s)) throw INVALID;
    findings.push(fromSecret(s, of));
  }
}

function readChecks(checks: readonly unknown[], of: ResultOf, findings: Finding[], suppressed: SuppressedFinding[]): void {
  for (const check of checks) {
    if (!isMisconfiguration(check)) throw INVALID;
    if (check.Status === "FAIL") findings.push(fromMisconfiguration(check, of));
    else if (check.Status === "EXCEPTION") {
      suppressed.push({ finding: fromMisconfiguration(check, of), status: "exception", source: "an exception in the scanned configuration" });
    }
  }
}

function readModified(entry: unknown, of: ResultOf, suppressed: SuppressedFinding[]): void {
  if (!isObject(entry) || !MODIFIED_STATUS.has(entry["Status"]) || !isOptionalString(entry["Statement"]) || !isOptionalString(entry["Source"])) {
    throw INVALID;
  }
  const inner = entry["Finding"];
  let finding: Finding;
  switch (entry["Type"]) {
    case "vulnerability":
      if (!isVulnerability(inner)) throw INVALID;
      finding = fromVulnerability(inner, of);
      break;
    case "secret":
      if (!isSecret(inner)) throw INVALID;
      finding = fromSecret(inner, of);
      break;
    case "misconfiguration":
      if (!isMisconfiguration(inner)) throw INVALID;
      finding = fromMisconfiguration(inner, of);
      break;
    case "license":
      // Accepted and not reported, as in trivy-schema.ts; zod still requires the key.
      if (!("Finding" in entry)) throw INVALID;
      return;
    default:
      throw INVALID;
  }
  suppressed.push({ finding, status: entry["Status"] as string, statement: entry["Statement"] as string | undefined, source: entry["Source"] as string | undefined });
}
