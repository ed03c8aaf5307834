import { dag, func, object, type Directory, type File } from "@dagger.io/dagger";

import { enforce } from "./gate-error.js";

/**
 * One Trivy scan and everything derived from it: the JSON report, the CycloneDX SBOM, SARIF,
 * the Markdown and JSON summaries, and the policy verdict.
 */
@object()
export class Scan {
  /** What was scanned, e.g. "backend". */
  @func()
  name: string;

  /** Whether the policy gate passed. */
  @func()
  passed: boolean;

  /** The Markdown summary: counts, failing findings with fixed versions, exceptions used, warnings. */
  @func()
  summary: string;

  /** The summary as a versioned JSON document (every finding, not only the first rows). */
  @func()
  summaryJson: string;

  /** Trivy's JSON report, the one source of everything else here. */
  @func()
  report: File;

  /** SARIF, for code-scanning dashboards (converted from the report by `trivy convert`). */
  @func()
  sarif: File;

  /** CycloneDX SBOM of the image (converted from the report by `trivy convert`); absent for lints. */
  @func()
  sbom?: File;

  constructor(
    name: string,
    passed: boolean,
    summary: string,
    summaryJson: string,
    report: File,
    sarif: File,
    sbom?: File,
  ) {
    this.name = name;
    this.passed = passed;
    this.summary = summary;
    this.summaryJson = summaryJson;
    this.report = report;
    this.sarif = sarif;
    // Left unset rather than null when absent: the SDK hands every own property back to the
    // engine and cannot serialise a null object field.
    if (sbom) this.sbom = sbom;
  }

  /**
   * Fail with the summary when the policy gate failed; print it when it passed.
   *
   * Example: dagger call scan --image=… --name=api gate
   */
  @func()
  gate(): string {
    return enforce(this.passed, this.summary);
  }

  /**
   * Every file of this scan: trivy.json, trivy.sarif, sbom.cdx.json (images), summary.md, summary.json.
   *
   * Example: dagger call lint files export --path=reports/lint
   */
  @func()
  files(): Directory {
    let dir = dag
      .directory()
      .withFile("trivy.json", this.report)
      .withFile("trivy.sarif", this.sarif)
      .withNewFile("summary.md", this.summary)
      .withNewFile("summary.json", this.summaryJson);
    if (this.sbom) dir = dir.withFile("sbom.cdx.json", this.sbom);
    return dir;
  }
}
