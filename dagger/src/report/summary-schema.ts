/**
 * The JSON Schema of `summary.json`, version 2 (summary.ts writes it), committed as
 * summary.schema.json at the repository root so that tools reading summaries can check them.
 * `npm run schema` writes the file; a unit test fails while it differs, and checks the
 * summaries drydock writes against it.
 *
 * Objects allow further properties: fields are only ever added within a version, so a reader
 * holding this schema keeps accepting the summaries of a later drydock of the same version.
 */
import { z } from "zod";
import { SEVERITIES } from "../config/schema.js";
import { ALLOWED_BY, type NoticeCode } from "../policy/gate.js";
import { FINDING_KINDS } from "../findings/findings.js";
import { SUMMARY_SCHEMA, SUMMARY_VERSION } from "./summary.js";

/** Where the committed schema lives in this repository. */
export const SUMMARY_SCHEMA_FILE = "summary.schema.json";

/** A name, not a download location: the schema is committed and referenced by path. */
export const SUMMARY_SCHEMA_ID = `urn:drydock:gate-summary:${SUMMARY_VERSION}`;

/** Every code the gate writes: a code added to NoticeCode fails to compile here until it is listed. */
const NOTICE_CODES = Object.keys({
  "exception-expired": true,
  "exception-too-long": true,
  "exception-expiring": true,
  "exception-unused": true,
  "exception-stale": true,
} satisfies Record<NoticeCode, true>) as [NoticeCode, ...NoticeCode[]];

const Count = z.int().min(0);
const Severity = z.enum(SEVERITIES).meta({ description: "A Trivy severity." });
const SeverityCounts = z
  .object(Object.fromEntries(SEVERITIES.map((severity) => [severity, Count.meta({ description: `${severity} findings.` })])) as Record<(typeof SEVERITIES)[number], typeof Count>)
  .meta({ description: "Findings per severity." });
const Counts = z
  .object({
    vulnerability: SeverityCounts.meta({ description: "Vulnerabilities per severity." }),
    secret: SeverityCounts.meta({ description: "Secrets per severity." }),
    misconfiguration: SeverityCounts.meta({ description: "Failed misconfiguration checks per severity." }),
  })
  .meta({ description: "Findings per kind and severity." });

const SummaryFinding = {
  kind: z.enum(FINDING_KINDS).meta({ description: "What Trivy found." }),
  id: z.string().meta({ description: "CVE/GHSA ID, secret rule ID, or misconfiguration check ID in the v0.69+ style (DS-0002)." }),
  severity: Severity,
  target: z.string().meta({ description: "Trivy's result target: the image and its OS, a lockfile, or a file path." }),
  identity: z.string().meta({
    description: "What the finding is and where, never which build it came from: the key a baseline compares (kind|id|package|location, kind|rule|file, kind|check|target).",
  }),
  title: z.string().optional().meta({ description: "Trivy's title of the finding." }),
  primaryUrl: z.string().optional().meta({ description: "Where the advisory or check is described." }),
  pkgName: z.string().optional().meta({ description: "The vulnerable package." }),
  pkgPath: z.string().optional().meta({ description: "Where the package lives in the image, when Trivy knows it." }),
  installedVersion: z.string().optional().meta({ description: "The package's version in the image." }),
  fixedVersion: z.string().optional().meta({ description: "The versions that fix it; absent when there is no fix." }),
  location: z
    .object({
      file: z.string().meta({ description: "The file that holds the secret." }),
      startLine: Count.meta({ description: "Its first line." }),
      endLine: Count.meta({ description: "Its last line." }),
    })
    .optional()
    .meta({ description: "Where a secret is. The secret itself is never written." }),
};

const Exception = z
  .object({
    index: Count.meta({ description: "Its position in policy.ignores." }),
    id: z.string().meta({ description: "The finding ID it accepts." }),
    reason: z.string().meta({ description: "Why the finding is accepted, as the config says." }),
    expires: z.iso.date().meta({ description: "The last day it holds (YYYY-MM-DD)." }),
  })
  .meta({ description: "The exception of policy.ignores that let the finding through." });

const allowed = (allowedBy: (typeof ALLOWED_BY)[number], description: string, why: z.ZodRawShape = {}) =>
  z.object({ ...SummaryFinding, allowedBy: z.literal(allowedBy).meta({ description }), ...why }).meta({ description: `A finding let through: ${description}` });

const Notice = z
  .object({
    code: z.enum(NOTICE_CODES).meta({
      description:
        "exception-expired and exception-too-long fail the gate (errors); exception-expiring, exception-unused and exception-stale are warnings.",
    }),
    message: z.string().meta({ description: "Plain text naming the exception and what to do." }),
    exception: z
      .object({
        index: Count.meta({ description: "Its position in policy.ignores." }),
        id: z.string().meta({ description: "The finding ID it accepts." }),
        expires: z.iso.date().meta({ description: "The last day it holds (YYYY-MM-DD)." }),
      })
      .meta({ description: "The exception concerned." }),
    matched: Count.meta({ description: "How many findings of this report it matches." }),
  })
  .meta({ description: "What the gate says of an exception." });

const SeverityList = z.array(Severity);

/** summary.json, version 2, as zod checks it (and as the JSON Schema is generated from it). */
export const GateSummaryDocument = z
  .object({
    schema: z.literal(SUMMARY_SCHEMA).meta({ description: "What this document is: always drydock.gate-summary." }),
    version: z.literal(SUMMARY_VERSION).meta({
      description: `The shape's version: ${SUMMARY_VERSION}. Version 1 also listed every allowed finding a second time, in ignored, unfixed, preExisting and suppressed.`,
    }),
    name: z.string().meta({ description: "What was gated: backend, frontend, lint, or the report's file name." }),
    passed: z.boolean().meta({ description: "True when nothing fails and no exception is in error." }),
    evaluatedOn: z.iso.date().meta({ description: "The gate's day (UTC, YYYY-MM-DD): exceptions are judged against it." }),
    usedDefaultConfig: z.boolean().meta({ description: "True when the source had no config file and drydock's defaults applied." }),
    configFile: z.string().meta({ description: "The config file, relative to the repository root." }),
    dbAgeDays: z.int().optional().meta({ description: "Age of the vulnerability DB in whole days on the gate's day, when known." }),
    policy: z
      .object({
        failOn: z
          .object({
            vulnerabilities: SeverityList.meta({ description: "Severities at which a vulnerability fails." }),
            secrets: SeverityList.meta({ description: "Severities at which a secret fails." }),
            misconfigurations: SeverityList.meta({ description: "Severities at which a failed check fails." }),
          })
          .meta({ description: "The thresholds applied (policy.failOn)." }),
        ignoreUnfixed: z.boolean().meta({ description: "policy.ignoreUnfixed: vulnerabilities without a fix do not fail." }),
      })
      .meta({ description: "The policy as applied." }),
    baselineUsed: z.boolean().meta({ description: "True when a baseline was given: then only findings not in it can fail." }),
    totals: z
      .object({
        findings: Count.meta({ description: "Every finding of the report (Trivy's suppressed ones aside)." }),
        failing: Count.meta({ description: "Findings that fail the gate." }),
        ignored: Count.meta({ description: "Findings accepted by an exception (allowedBy exception)." }),
        belowThreshold: Count.meta({ description: "Findings below their kind's fail-on severities: counted, never listed." }),
        unfixed: Count.meta({ description: "Vulnerabilities at failing severity without a fix, with ignoreUnfixed on (allowedBy unfixed)." }),
        preExisting: Count.meta({ description: "Findings at failing severity already in the baseline (allowedBy baseline)." }),
        suppressed: Count.meta({ description: "Findings Trivy suppressed: VEX, its ignore file, an exception in the scanned config (allowedBy suppressed)." }),
      })
      .meta({ description: "How many findings landed where." }),
    counts: z
      .object({
        all: Counts.meta({ description: "Every finding of the report, per kind and severity." }),
        failing: Counts.meta({ description: "The failing findings, per kind and severity." }),
      })
      .meta({ description: "Findings per kind and severity." }),
    errors: z.array(Notice).meta({ description: "Exceptions that fail the gate: expired while still matching, or running too long." }),
    warnings: z.array(Notice).meta({ description: "Exceptions about to expire, unused or stale." }),
    failing: z.array(z.object(SummaryFinding).meta({ description: "A finding that fails the gate." })).meta({ description: "Every failing finding, in report order." }),
    allowed: z
      .array(
        z.discriminatedUnion("allowedBy", [
          allowed("exception", "an active exception of policy.ignores matches it.", { exception: Exception }),
          allowed("unfixed", "a vulnerability at failing severity without a fix, with policy.ignoreUnfixed on."),
          allowed("baseline", "at failing severity, and already in the baseline (pre-existing)."),
          allowed("suppressed", "Trivy suppressed it (a VEX statement, its ignore file, or an exception in the scanned config).", {
            status: z.string().meta({ description: "Trivy's status: not_affected, ignored, exception, …" }),
            statement: z.string().optional().meta({ description: "The VEX statement or justification, when one was given." }),
            source: z.string().optional().meta({ description: "Where the suppression comes from: a VEX document, an ignore file." }),
          }),
        ]),
      )
      .meta({ description: "Every finding the gate let through, once, with why: in report order, Trivy's suppressed ones last." }),
    notes: z.array(z.string()).meta({ description: "What the run itself said (Markdown), e.g. that the DB could not be refreshed." }),
    scanner: z
      .object({
        trivyImage: z.string().meta({ description: "The Trivy image that scanned." }),
        dbRepositories: z.array(z.string()).meta({ description: "Where its vulnerability DB came from, in order." }),
        defaultTrivyImage: z.boolean().meta({ description: "True when that is drydock's default image." }),
        defaultDbRepositories: z.boolean().meta({ description: "True when every repository is one of drydock's defaults." }),
      })
      .optional()
      .meta({ description: "The scanner that produced the report (absent from summaries of gate, which ran none)." }),
    configChange: z
      .object({
        file: z.string().meta({ description: "The source's config file." }),
        sourceHasFile: z.boolean().meta({ description: "False when the source has no such file (drydock's defaults were compared)." }),
        base: z.string().meta({ description: "The base branch's config, as --base-config names it." }),
        changed: z.boolean().meta({ description: "True when any key differs." }),
        keys: z.array(z.string()).meta({ description: "The keys whose values differ, as dotted paths (policy.ignores)." }),
      })
      .optional()
      .meta({ description: "How the source's config differs from the base branch's, when --base-config was given." }),
  })
  .meta({
    title: "drydock summary.json",
    description: "The security gate's result for one scan, for machines: what failed, what was let through and why, and the totals.",
  });

/**
 * The published schema. Generated as zod's `input` side, whose objects allow further
 * properties (see the top of this file); `GateSummaryDocument` itself refuses unknown ones,
 * which the tests use to hold this schema to every field drydock writes.
 */
export function summaryJsonSchema(): Record<string, unknown> {
  const { $schema, title, description, ...rest } = z.toJSONSchema(GateSummaryDocument, { io: "input" });
  return { $schema, $id: SUMMARY_SCHEMA_ID, title, description, ...rest };
}

/** The exact text committed as summary.schema.json. */
export function summaryJsonSchemaText(): string {
  return `${JSON.stringify(summaryJsonSchema(), null, 2)}\n`;
}
