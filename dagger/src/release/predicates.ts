/** The predicates attested beside the signature: files cosign mounts, made from the scan and the build's facts. */
import { dag, type File } from "@dagger.io/dagger";

import { redactedReportText } from "../report/redact.js";
import { parseTrivyReport } from "../report/trivy.js";
import { slsaProvenance, type ProvenanceInput } from "./provenance.js";

const WORK = "/drydock";
const REPORT = `${WORK}/trivy.json`;
const VULN = `${WORK}/vuln.cosign.json`;

/** `trivy convert --format cosign-vuln`: the scan's JSON report as cosign's `vuln` predicate; local, no DB. */
export function cosignVulnArgs(): string[] {
  return ["trivy", "convert", "--format", "cosign-vuln", "--output", VULN, REPORT];
}

/**
 * A Trivy JSON report from outside (attest --vuln-report) as drydock publishes its own: refused,
 * naming `argument`, unless it is one, and without any secret's text (report/redact.ts).
 */
export async function publishableReport(report: File, argument: string): Promise<File> {
  const text = await report.contents();
  parseTrivyReport(text, argument);
  return dag.file("trivy.json", redactedReportText(text, argument));
}

/**
 * The vuln predicate from a Trivy JSON report, converted in the pinned Trivy image. The predicate
 * holds the whole report: give it one drydock publishes (a scan's `report`, or publishableReport's).
 */
export function vulnPredicate(trivyImage: string, report: File): File {
  return dag.container().from(trivyImage).withWorkdir(WORK).withMountedFile(REPORT, report).withExec(cosignVulnArgs()).file(VULN);
}

/** The SLSA provenance v1 predicate as a file. */
export function provenancePredicate(input: ProvenanceInput): File {
  return dag.file("slsaprovenance1.json", `${JSON.stringify(slsaProvenance(input), null, 2)}\n`);
}
