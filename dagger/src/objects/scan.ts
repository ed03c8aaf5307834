/**
 * The results of one Trivy run through the policy gate: an image scan (with an SBOM) and a
 * Dockerfile lint (without). Two objects, so neither has a result that is absent by design.
 */
import { dag, func, object, type Directory, type File } from "@dagger.io/dagger";

import type { Verdict } from "../scan/verdict.js";
import { allowedFindings, failingFindings, type Finding } from "./finding.js";
import { enforce } from "./gate-error.js";

/** What both kinds of scan carry, as the gate left it. */
interface ScanParts {
  name: string;
  verdict: Pick<Verdict, "passed" | "markdown" | "summaryJson" | "result">;
  report: File;
  sarif: File;
}

/** One image's Trivy scan (vulnerabilities, secrets, image-config misconfigurations) and its verdict. */
@object()
export class ImageScan {
  /** What was scanned, e.g. "backend". */
  @func()
  name!: string;

  /** Whether the policy gate passed. */
  @func()
  passed!: boolean;

  /** The Markdown summary: counts, failing findings with fixed versions, what was let through and why, warnings. */
  @func()
  summary!: string;

  /** Trivy's JSON report, the one source of everything else here; each secret's neighbouring lines and matched line taken out. */
  @func()
  report!: File;

  /** SARIF, for code-scanning dashboards (converted from the report by `trivy convert`). */
  @func()
  sarif!: File;

  /** CycloneDX SBOM of the image (converted from the report by `trivy convert`). */
  @func()
  sbom!: File;

  summaryDocument!: string;

  failingFindings!: Finding[];

  allowedFindings!: Finding[];

  /**
   * List the findings that fail the gate.
   *
   * Example: dagger call build-and-scan backend-scan failing finding-id
   */
  @func()
  failing(): Finding[] {
    return this.failingFindings;
  }

  /**
   * List the findings the gate let through (exceptions, unfixed, baseline, suppressed by Trivy), each with why.
   *
   * Example: dagger call build-and-scan backend-scan allowed finding-id allowed-by reason
   */
  @func()
  allowed(): Finding[] {
    return this.allowedFindings;
  }

  /**
   * Return the summary as a versioned JSON document: every finding, not only the first rows.
   *
   * Example: dagger call build-and-scan backend-scan summary-json export --path=summary.json
   */
  @func()
  summaryJson(): File {
    return dag.file("summary.json", this.summaryDocument);
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
   * Return every file of this scan: trivy.json, trivy.sarif, sbom.cdx.json, summary.md, summary.json.
   *
   * Example: dagger call build-and-scan backend-scan files export --path=reports/backend
   */
  @func()
  files(): Directory {
    return scanFiles(this).withFile("sbom.cdx.json", this.sbom);
  }
}

/** The Dockerfile lint: Trivy's misconfiguration checks over the source's Dockerfiles, and its verdict. */
@object()
export class LintScan {
  /** What was linted: "lint". */
  @func()
  name!: string;

  /** Whether the policy gate passed. */
  @func()
  passed!: boolean;

  /** The Markdown summary: the files linted, failing checks, what was let through and why, warnings. */
  @func()
  summary!: string;

  /** Trivy's JSON report, the one source of everything else here; each secret's neighbouring lines and matched line taken out. */
  @func()
  report!: File;

  /** SARIF, for code-scanning dashboards (converted from the report by `trivy convert`). */
  @func()
  sarif!: File;

  summaryDocument!: string;

  failingFindings!: Finding[];

  allowedFindings!: Finding[];

  /**
   * List the checks that fail the gate.
   *
   * Example: dagger call lint failing finding-id title target
   */
  @func()
  failing(): Finding[] {
    return this.failingFindings;
  }

  /**
   * List the checks the gate let through (exceptions, baseline, excepted in the Dockerfile), each with why.
   *
   * Example: dagger call lint allowed finding-id allowed-by reason
   */
  @func()
  allowed(): Finding[] {
    return this.allowedFindings;
  }

  /**
   * Return the summary as a versioned JSON document: every finding, not only the first rows.
   *
   * Example: dagger call lint summary-json contents
   */
  @func()
  summaryJson(): File {
    return dag.file("summary.json", this.summaryDocument);
  }

  /**
   * Fail with the summary when the policy gate failed; print it when it passed.
   *
   * Example: dagger call lint gate
   */
  @func()
  gate(): string {
    return enforce(this.passed, this.summary);
  }

  /**
   * Return every file of this lint: trivy.json, trivy.sarif, summary.md, summary.json.
   *
   * Example: dagger call lint files export --path=reports/lint
   */
  @func()
  files(): Directory {
    return scanFiles(this);
  }
}

/** Either kind of scan. */
export type Scan = ImageScan | LintScan;

export function imageScan(parts: ScanParts & { sbom: File }): ImageScan {
  return Object.assign(new ImageScan(), { ...state(parts), sbom: parts.sbom });
}

export function lintScan(parts: ScanParts): LintScan {
  return Object.assign(new LintScan(), state(parts));
}

function state({ name, verdict, report, sarif }: ScanParts) {
  return {
    name,
    passed: verdict.passed,
    summary: verdict.markdown,
    report,
    sarif,
    summaryDocument: verdict.summaryJson,
    failingFindings: failingFindings(verdict.result),
    allowedFindings: allowedFindings(verdict.result),
  };
}

function scanFiles(scan: Scan): Directory {
  return dag
    .directory()
    .withFile("trivy.json", scan.report)
    .withFile("trivy.sarif", scan.sarif)
    .withNewFile("summary.md", scan.summary)
    .withNewFile("summary.json", scan.summaryDocument);
}
