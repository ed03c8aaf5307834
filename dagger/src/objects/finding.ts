/**
 * Findings as Dagger types: a severity and a kind are enums, a finding is an object, so a caller
 * selects a field of each (`failing finding-id`) rather than parsing summary JSON. (The CLI prints a
 * list of objects as their IDs: one field per call, or summary-json for every field.)
 */
import { func, object } from "@dagger.io/dagger";

import type { AllowedFinding, GateResult } from "../policy/gate.js";
import type { Finding as ReportFinding } from "../findings/findings.js";

/** A Trivy severity. */
export enum Severity {
  /** Trivy could not rate it. */
  Unknown = "UNKNOWN",
  /** Low. */
  Low = "LOW",
  /** Medium. */
  Medium = "MEDIUM",
  /** High. */
  High = "HIGH",
  /** Critical. */
  Critical = "CRITICAL",
}

/** What Trivy found. */
export enum FindingKind {
  /** A package with a known vulnerability (CVE, GHSA…). */
  Vulnerability = "VULNERABILITY",
  /** A credential or key in the image. */
  Secret = "SECRET",
  /** A failed check of a Dockerfile or the image's config. */
  Misconfiguration = "MISCONFIGURATION",
}

/** Why the gate let a finding through. */
export enum AllowedBy {
  /** Nothing did: the finding fails the gate. */
  Nothing = "NOTHING",
  /** An active exception of policy.ignores matches it. */
  Exception = "EXCEPTION",
  /** A vulnerability without a fixed version, with policy.ignoreUnfixed on. */
  Unfixed = "UNFIXED",
  /** It is already in the baseline report (pre-existing). */
  Baseline = "BASELINE",
  /** Trivy suppressed it: a VEX statement, its ignore file, or an exception in the scanned config. */
  Suppressed = "SUPPRESSED",
}

/** One finding of a scan, failing or let through by the policy (then with why). */
@object()
export class Finding {
  // Not `id`: the engine reserves that name on every object for the object's own ID, and refuses
  // to load a module that defines it.
  /** CVE/GHSA ID, secret rule ID, or misconfiguration check ID (DS-0002). */
  @func()
  findingId!: string;

  /** Vulnerability, secret or misconfiguration. */
  @func()
  kind!: FindingKind;

  /** Trivy's severity. */
  @func()
  severity!: Severity;

  /** Trivy's target: the image's OS, a lockfile, or a file path. */
  @func()
  target!: string;

  /** The affected package; empty for secrets and misconfigurations. */
  @func()
  package!: string;

  /** The installed version of the package; empty when there is no package. */
  @func()
  installedVersion!: string;

  /** The first version that fixes it; empty when there is none yet. */
  @func()
  fixedVersion!: string;

  /** Trivy's one-line title. */
  @func()
  title!: string;

  /** Why the gate let it through; NOTHING for a failing finding. */
  @func()
  allowedBy!: AllowedBy;

  /** The why in words: the exception and its reason, the VEX statement…; empty for a failing finding. */
  @func()
  reason!: string;
}

/** A Finding of the gate's, as the Dagger object; built here so no other object's constructor takes internal types. */
function toFinding(finding: ReportFinding, allowedBy: AllowedBy = AllowedBy.Nothing, reason = ""): Finding {
  return Object.assign(new Finding(), {
    findingId: finding.id,
    kind: KINDS[finding.kind],
    severity: SEVERITIES[finding.severity],
    target: finding.target,
    package: finding.pkgName ?? "",
    installedVersion: finding.installedVersion ?? "",
    fixedVersion: finding.fixedVersion ?? "",
    title: finding.title ?? "",
    allowedBy,
    reason,
  });
}

const SEVERITIES: Record<ReportFinding["severity"], Severity> = {
  UNKNOWN: Severity.Unknown,
  LOW: Severity.Low,
  MEDIUM: Severity.Medium,
  HIGH: Severity.High,
  CRITICAL: Severity.Critical,
};

const KINDS: Record<ReportFinding["kind"], FindingKind> = {
  vulnerability: FindingKind.Vulnerability,
  secret: FindingKind.Secret,
  misconfiguration: FindingKind.Misconfiguration,
};

/** The failing findings of a gate's result, in report order. */
export function failingFindings(result: Pick<GateResult, "failing">): Finding[] {
  return result.failing.map((finding) => toFinding(finding));
}

/** The findings a gate let through, each with why. */
export function allowedFindings(result: Pick<GateResult, "allowed">): Finding[] {
  return result.allowed.map(allowedFinding);
}

function allowedFinding(allowed: AllowedFinding): Finding {
  switch (allowed.allowedBy) {
    case "exception": {
      const { index, ignore } = allowed.exception;
      return toFinding(allowed.finding, AllowedBy.Exception, `policy.ignores[${index}] (${ignore.id}), until ${ignore.expires}: ${ignore.reason}`);
    }
    case "unfixed":
      return toFinding(allowed.finding, AllowedBy.Unfixed, "no fixed version yet, and policy.ignoreUnfixed is on");
    case "baseline":
      return toFinding(allowed.finding, AllowedBy.Baseline, "already in the baseline report");
    case "suppressed": {
      const why = [allowed.status, allowed.statement, allowed.source && `(${allowed.source})`].filter((part) => part);
      return toFinding(allowed.finding, AllowedBy.Suppressed, `suppressed by Trivy: ${why.join(" ")}`);
    }
  }
}
