/**
 * The part of Trivy's JSON report (SchemaVersion 2) that the gate reads.
 *
 * Only fields we use are declared, and those strictly: a finding without an ID or with an
 * unknown severity is a broken report, not a finding to skip. Every other field (CVSS,
 * References, Packages, Metadata, …) is tolerated and dropped: zod's default object mode
 * strips unknown keys without walking them, which keeps validation of large reports cheap
 * and keeps what we carry forward small (Secrets' `Code` holds unmasked neighbouring lines).
 */
import { z } from "zod";
import { Severity } from "../config/schema.js";

/** Trivy omits empty slices (`omitempty`), and older versions wrote them as `null`. */
const list = <T extends z.ZodType>(item: T) =>
  z
    .array(item)
    .nullish()
    .transform((items) => items ?? []);

const NonEmpty = z.string().min(1);

const Layer = z.object({
  Digest: z.string().optional(),
  DiffID: z.string().optional(),
});

export const TrivyVulnerability = z.object({
  VulnerabilityID: NonEmpty,
  VendorIDs: z.array(z.string()).nullish(),
  PkgName: NonEmpty,
  PkgPath: z.string().optional(),
  PkgIdentifier: z.object({ PURL: z.string().optional() }).optional(),
  InstalledVersion: z.string(),
  FixedVersion: z.string().optional(),
  Status: z.string().optional(),
  Severity,
  Title: z.string().optional(),
  PrimaryURL: z.string().optional(),
  Layer: Layer.optional(),
});
export type TrivyVulnerability = z.infer<typeof TrivyVulnerability>;

export const MISCONFIGURATION_STATUSES = ["PASS", "FAIL", "EXCEPTION"] as const;

export const TrivyMisconfiguration = z.object({
  Type: z.string().optional(),
  ID: NonEmpty,
  AVDID: z.string().optional(),
  Title: z.string().optional(),
  Message: z.string().optional(),
  Severity,
  Status: z.enum(MISCONFIGURATION_STATUSES),
  PrimaryURL: z.string().optional(),
  Layer: Layer.optional(),
});
export type TrivyMisconfiguration = z.infer<typeof TrivyMisconfiguration>;

/** `Match` and `Code` are deliberately not read: they hold (masked or neighbouring) secret text. */
export const TrivySecret = z.object({
  RuleID: NonEmpty,
  Category: z.string().optional(),
  Severity,
  Title: z.string().optional(),
  StartLine: z.int().min(0),
  EndLine: z.int().min(0),
  Layer: Layer.optional(),
});
export type TrivySecret = z.infer<typeof TrivySecret>;

/** Trivy's FindingStatus values (pkg/types/finding.go): its own ignores, and VEX statuses. */
export const MODIFIED_FINDING_STATUSES = [
  "ignored",
  "unknown",
  "not_affected",
  "affected",
  "fixed",
  "under_investigation",
] as const;

const modified = <T extends string, F extends z.ZodType>(type: T, finding: F) =>
  z.object({
    Type: z.literal(type),
    Status: z.enum(MODIFIED_FINDING_STATUSES),
    Statement: z.string().optional(),
    Source: z.string().optional(),
    Finding: finding,
  });

/**
 * A finding Trivy left out of the results because a VEX document or an ignore file said so
 * (`ExperimentalModifiedFindings`, written with `--show-suppressed` or `--vex`).
 */
export const TrivyModifiedFinding = z.discriminatedUnion("Type", [
  modified("vulnerability", TrivyVulnerability),
  modified("misconfiguration", TrivyMisconfiguration),
  modified("secret", TrivySecret),
  // The gate does not scan licenses; a suppressed license finding is accepted and not reported.
  modified("license", z.unknown()),
]);
export const MODIFIED_FINDING_TYPES = TrivyModifiedFinding.options.map((option) => option.shape.Type.value);
export type TrivyModifiedFinding = z.infer<typeof TrivyModifiedFinding>;

export const TrivyResult = z.object({
  Target: z.string(),
  Class: z.string().optional(),
  Type: z.string().optional(),
  Vulnerabilities: list(TrivyVulnerability),
  Misconfigurations: list(TrivyMisconfiguration),
  Secrets: list(TrivySecret),
  ExperimentalModifiedFindings: list(TrivyModifiedFinding),
});
export type TrivyResult = z.infer<typeof TrivyResult>;

export const TrivyReport = z.object({
  SchemaVersion: z.literal(2),
  Trivy: z.object({ Version: z.string().optional() }).optional(),
  CreatedAt: z.string().optional(),
  // Trivy writes both in every report (`omitempty`, so never empty): a document without them
  // was not written by trivy --format json, whatever else it holds.
  ArtifactName: NonEmpty,
  ArtifactType: NonEmpty,
  // A clean scan has no Results at all (`omitempty`).
  Results: list(TrivyResult),
});
export type TrivyReport = z.infer<typeof TrivyReport>;
