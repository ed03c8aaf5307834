/**
 * The reports folder's own summary.json: the whole build-and-scan verdict, the smoke test's
 * included, which no Trivy report holds and a CI re-gating the exported reports must still read.
 */
import { describe, expect, it } from "vitest";
import { REPORT_SUMMARY_SCHEMA, reportSummaryJson, type ReportSummary } from "../../../dagger/src/report/report-summary.ts";
import { appSmoke, smokeOff, smokeVerdict } from "../../../dagger/src/smoke/summary.ts";

const started = { what: "start node dist/main.js", passed: true, detail: "listening on port 3000 after 1.2 s" };
const unhealthy = { what: "GET http://backend:3000/health", passed: false, detail: "answered 503, expected 2xx" };
const scans = [
  { name: "backend", passed: true },
  { name: "frontend", passed: true },
  { name: "lint", passed: true },
];
const read = (text: string) => JSON.parse(text) as ReportSummary;

describe("reportSummaryJson", () => {
  it("passes when every scan and the smoke test passed, naming its schema and version", () => {
    const summary = read(reportSummaryJson(scans, smokeVerdict([appSmoke("backend", [started]), appSmoke("frontend", [started])])));
    expect(summary).toEqual({
      schema: REPORT_SUMMARY_SCHEMA,
      version: 1,
      passed: true,
      scans,
      smoke: { passed: true, apps: [{ app: "backend", state: "passed" }, { app: "frontend", state: "passed" }] },
    });
  });

  it("fails when an image did not start, though every scan passed", () => {
    const summary = read(reportSummaryJson(scans, smokeVerdict([appSmoke("backend", [started, unhealthy]), appSmoke("frontend", [started])])));
    expect(summary.passed).toBe(false);
    expect(summary.smoke).toEqual({ passed: false, apps: [{ app: "backend", state: "failed" }, { app: "frontend", state: "passed" }] });
  });

  it("fails when a scan failed, though every image started", () => {
    const summary = read(reportSummaryJson([...scans.slice(0, 2), { name: "lint", passed: false }], smokeVerdict([appSmoke("backend", [started])])));
    expect(summary.passed).toBe(false);
    expect(summary.smoke.passed).toBe(true);
  });

  it("says which apps were not started, without failing", () => {
    const summary = read(reportSummaryJson(scans, smokeVerdict([smokeOff("backend", "`smoke.enabled` is false in security-config.yml")])));
    expect(summary.smoke).toEqual({ passed: true, apps: [{ app: "backend", state: "off" }] });
  });

  it("names the variables the frontend got the backend's URL in, and leaves the field out elsewhere", () => {
    const backendUrl = { url: "http://backend:4000", variables: ["API_URL", "SERVER_URL"] };
    const summary = read(reportSummaryJson(scans, smokeVerdict([appSmoke("backend", [started]), appSmoke("frontend", [started], { backendUrl })])));
    expect(summary.smoke.apps).toEqual([
      { app: "backend", state: "passed" },
      { app: "frontend", state: "passed", backendUrl },
    ]);
  });
});

