/**
 * The `summary.json` beside `summary.md` at the top of the reports folder: the verdict of the
 * whole build-and-scan for machines, above all the smoke test's, which has no Trivy report a CI
 * could re-gate (`jq -e '.smoke.passed == true' reports/summary.json`).
 *
 * Shape, version 1 (`"schema": "drydock.report-summary", "version": 1`); fields are only ever
 * added within a version:
 *   passed: every scan's gate and the smoke test,
 *   scans[] { name, passed }: each scan's gate, as its folder's summary.json details it,
 *   smoke { passed, apps[] { app, state: "passed" | "failed" | "off", backendUrl? { url, variables[] } } }:
 *     backendUrl on the frontend when the config lists a backend — the URL and the variables
 *     (apps.frontend.backendUrlVariables) the smoke test set to it.
 */
import type { BackendUrl, SmokeVerdict } from "../smoke/summary.js";

export const REPORT_SUMMARY_SCHEMA = "drydock.report-summary";
export const REPORT_SUMMARY_VERSION = 1;

export interface ReportSummary {
  schema: typeof REPORT_SUMMARY_SCHEMA;
  version: typeof REPORT_SUMMARY_VERSION;
  passed: boolean;
  scans: { name: string; passed: boolean }[];
  smoke: { passed: boolean; apps: { app: string; state: SmokeVerdict["apps"][number]["state"]; backendUrl?: BackendUrl }[] };
}

/** The document, as JSON text: `passed` only when every scan and the smoke test passed. */
export function reportSummaryJson(scans: readonly { name: string; passed: boolean }[], smoke: SmokeVerdict): string {
  const summary: ReportSummary = {
    schema: REPORT_SUMMARY_SCHEMA,
    version: REPORT_SUMMARY_VERSION,
    passed: scans.every((scan) => scan.passed) && smoke.passed,
    scans: scans.map(({ name, passed }) => ({ name, passed })),
    smoke: { passed: smoke.passed, apps: smoke.apps.map(({ app, state, backendUrl }) => ({ app, state, ...(backendUrl ? { backendUrl } : {}) })) },
  };
  return `${JSON.stringify(summary, null, 2)}\n`;
}
