/**
 * Trivy's three result shapes flattened into one `Finding`, the unit the policy gate,
 * the summaries and baseline comparison work on.
 */
import type { Severity } from "../config/schema.js";
import { normaliseMisconfigurationId } from "./misconfig-id.js";
import type {
  TrivyMisconfiguration,
  TrivyModifiedFinding,
  TrivyReport,
  TrivyResult,
  TrivySecret,
  TrivyVulnerability,
} from "./trivy-schema.js";

export const FINDING_KINDS = ["vulnerability", "secret", "misconfiguration"] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

export interface SecretLocation {
  file: string;
  startLine: number;
  endLine: number;
}

export interface Finding {
  kind: FindingKind;
  /** CVE/GHSA ID, secret rule ID, or misconfiguration check ID in the v0.69+ style (`DS-0002`). */
  id: string;
  /** Other names of the same finding (vendor IDs, older check ID spellings); exceptions match these too. */
  aliases: readonly string[];
  severity: Severity;
  /** Trivy's result target: image/OS, lockfile or file path. */
  target: string;
  /** Trivy's result class (`os-pkgs`, `lang-pkgs`, `config`, `secret`, …). */
  class?: string;
  /** Trivy's result type (`alpine`, `npm`, `pnpm`, `dockerfile`, …). */
  type?: string;
  title?: string;
  primaryUrl?: string;
  layerDigest?: string;
  pkgName?: string;
  pkgPath?: string;
  purl?: string;
  installedVersion?: string;
  fixedVersion?: string;
  /** Trivy's vulnerability status (`fixed`, `affected`, `will_not_fix`, …). */
  status?: string;
  /** Where a secret is. The secret itself is never carried, masked or not. */
  location?: SecretLocation;
  /** Stable key for baseline comparison; see `identityOf`. */
  identity: string;
}

/** A finding Trivy suppressed (VEX `not_affected`, its own ignore file, or an exception in the scanned config), with why. */
export interface SuppressedFinding {
  finding: Finding;
  status: string;
  statement?: string;
  source?: string;
}

/**
 * Shared by every finding without other names: most findings, so not an array each. Not frozen:
 * a frozen array is iterated through the generic protocol, allocating at every step.
 */
const NO_ALIASES: readonly string[] = [];

/** What a finding takes from the result that holds it. */
export type ResultOf = Pick<TrivyResult, "Target" | "Class" | "Type">;

export interface ReportFindings {
  findings: Finding[];
  suppressed: SuppressedFinding[];
}

/** Flatten a parsed report. Only failed misconfiguration checks are findings; excepted ones are suppressed. */
export function toFindings(report: TrivyReport): ReportFindings {
  const findings: Finding[] = [];
  const suppressed: SuppressedFinding[] = [];
  for (const result of report.Results) {
    for (const vulnerability of result.Vulnerabilities) findings.push(fromVulnerability(vulnerability, result));
    for (const secret of result.Secrets) findings.push(fromSecret(secret, result));
    for (const check of result.Misconfigurations) {
      if (check.Status === "FAIL") findings.push(fromMisconfiguration(check, result));
      // A check excepted inside the scanned config (an inline or Rego exception) still failed:
      // it is listed as suppressed, never dropped unseen.
      else if (check.Status === "EXCEPTION") {
        suppressed.push({ finding: fromMisconfiguration(check, result), status: "exception", source: "an exception in the scanned configuration" });
      }
    }
    for (const modified of result.ExperimentalModifiedFindings) {
      const finding = fromModified(modified, result);
      if (finding) {
        suppressed.push({ finding, status: modified.Status, statement: modified.Statement, source: modified.Source });
      }
    }
  }
  return { findings, suppressed };
}

function fromModified(modified: TrivyModifiedFinding, result: TrivyResult): Finding | undefined {
  switch (modified.Type) {
    case "vulnerability":
      return fromVulnerability(modified.Finding, result);
    case "secret":
      return fromSecret(modified.Finding, result);
    case "misconfiguration":
      return fromMisconfiguration(modified.Finding, result);
    case "license":
      return undefined;
  }
}

// Each kind's finding is written with every field of Finding, in one order (undefined where the
// kind has none): findings then share one hidden class, and the gate, the summaries and the
// Markdown read them at one shape rather than three.

export function fromVulnerability(v: TrivyVulnerability, result: ResultOf): Finding {
  const id = v.VulnerabilityID;
  return {
    kind: "vulnerability",
    id,
    aliases: v.VendorIDs ? v.VendorIDs.filter((alias) => alias !== id) : NO_ALIASES,
    severity: v.Severity,
    target: result.Target,
    class: result.Class,
    type: result.Type,
    title: v.Title,
    primaryUrl: v.PrimaryURL,
    layerDigest: v.Layer?.Digest ?? v.Layer?.DiffID,
    pkgName: v.PkgName,
    pkgPath: v.PkgPath,
    purl: v.PkgIdentifier?.PURL,
    installedVersion: v.InstalledVersion,
    fixedVersion: v.FixedVersion || undefined,
    status: v.Status,
    location: undefined,
    identity: identityOf("vulnerability", id, v.PkgName, packageLocation(v, result)),
  };
}

export function fromSecret(s: TrivySecret, result: ResultOf): Finding {
  return {
    kind: "secret",
    id: s.RuleID,
    aliases: NO_ALIASES,
    severity: s.Severity,
    target: result.Target,
    class: result.Class,
    type: result.Type,
    title: s.Title,
    primaryUrl: undefined,
    layerDigest: s.Layer?.Digest ?? s.Layer?.DiffID,
    pkgName: undefined,
    pkgPath: undefined,
    purl: undefined,
    installedVersion: undefined,
    fixedVersion: undefined,
    status: undefined,
    location: { file: result.Target, startLine: s.StartLine, endLine: s.EndLine },
    identity: identityOf("secret", s.RuleID, result.Target),
  };
}

export function fromMisconfiguration(m: TrivyMisconfiguration, result: ResultOf): Finding {
  const { id, aliases } = normaliseMisconfigurationId(m.ID, m.AVDID);
  return {
    kind: "misconfiguration",
    id,
    aliases,
    severity: m.Severity,
    target: result.Target,
    class: result.Class,
    type: m.Type ?? result.Type,
    title: m.Title ?? m.Message,
    primaryUrl: m.PrimaryURL,
    layerDigest: m.Layer?.Digest ?? m.Layer?.DiffID,
    pkgName: undefined,
    pkgPath: undefined,
    purl: undefined,
    installedVersion: undefined,
    fixedVersion: undefined,
    status: undefined,
    location: undefined,
    identity: identityOf("misconfiguration", id, result.Target),
  };
}

/** The baseline keys of a report's findings (the gate's `baseline`). */
export function identitiesOf(findings: readonly Finding[]): ReadonlySet<string> {
  return new Set(findings.map((finding) => finding.identity));
}

/**
 * The baseline key of a finding: what it is and where, never which build it came from.
 *
 * - vulnerability: ID + package name + package location. Not the installed version (bumping
 *   an unrelated package, or this one to another vulnerable version, is the same exposure),
 *   not the purl (it embeds the version), not the layer digest (every rebuild changes it).
 * - secret: rule + file path. Not the line: editing the file above the secret moves it.
 * - misconfiguration: canonical check ID + target, so the v0.69 ID change is no "new" finding.
 */
function identityOf(kind: FindingKind, id: string, part: string, lastPart?: string): string {
  // Joined: `a + "|" + b` would be a rope, which the baseline's set must flatten before hashing it
  // (measured on 100,000 findings: joined keys were quicker to make and four times quicker to look up).
  return (lastPart === undefined ? [kind, id, part] : [kind, id, part, lastPart]).join("|");
}

/**
 * Where a vulnerable package lives. The package's own path when Trivy knows it (language
 * packages inside images). OS packages share one package database per image, and their
 * target embeds the image name and distro version (`app:1.2 (debian 12.5)`), both of which
 * change with rebuilds and base bumps, so they are keyed by class and distro family instead.
 */
function packageLocation(v: TrivyVulnerability, result: ResultOf): string {
  if (v.PkgPath) return v.PkgPath;
  if (result.Class === "os-pkgs") return `os-pkgs/${result.Type ?? "unknown"}`;
  return result.Target;
}
