import { dag, func, object, type Container, type Directory } from "@dagger.io/dagger";

import { smokeMarkdown, type SmokeVerdict } from "../smoke/summary.js";
import { enforce } from "./gate-error.js";
import type { ImageScan, LintScan, Scan } from "./scan.js";

/** The outcome of build-and-scan: both images, their scans, the lint, the smoke test, and one verdict. */
@object()
export class Report {
  /** Whether every gate passed: both images, the lint, and the smoke test (each image started and answered). */
  @func()
  passed: boolean;

  /** The Markdown summary of all scans, for $GITHUB_STEP_SUMMARY or a PR comment. */
  @func()
  summary: string;

  /** The hardened backend image. */
  @func()
  backend: Container;

  /** The hardened frontend image. */
  @func()
  frontend: Container;

  /** The backend image's scan. */
  @func()
  backendScan: ImageScan;

  /** The frontend image's scan. */
  @func()
  frontendScan: ImageScan;

  /** The Dockerfile lint. */
  @func()
  lint: LintScan;

  /**
   * The scans of the other platforms' variants of a multi-platform release (e.g.
   * backend-linux-arm64), each gated like the images above; none for build-and-scan.
   */
  variantScans: ImageScan[];

  constructor(
    backend: Container,
    frontend: Container,
    backendScan: ImageScan,
    frontendScan: ImageScan,
    lint: LintScan,
    /** Warnings about the run as a whole, e.g. exceptions that matched nothing in any scan. */
    warnings: string[] = [],
    /** The other platforms' variants' scans, after the two above in the summary. */
    variantScans: ImageScan[] = [],
  ) {
    this.backend = backend;
    this.frontend = frontend;
    this.backendScan = backendScan;
    this.frontendScan = frontendScan;
    this.lint = lint;
    this.variantScans = variantScans;
    const scans: Scan[] = [backendScan, frontendScan, ...variantScans, lint];
    this.passed = scans.every((scan) => scan.passed);
    this.summary = combinedSummary(scans, warnings);
  }

  /**
   * Add the smoke test's verdict: it joins `passed`, and its section the summary. Not @func:
   * build-and-scan calls it before returning the report, so the engine sees only the result.
   */
  withSmoke(smoke: SmokeVerdict): Report {
    this.passed = this.passed && smoke.passed;
    this.summary = withSmokeSection(this.summary, smoke);
    return this;
  }

  /**
   * List the image scans, backend first; the lint is `lint`.
   *
   * Example: dagger call build-and-scan scans name
   */
  @func()
  scans(): ImageScan[] {
    return [this.backendScan, this.frontendScan, ...(this.variantScans ?? [])];
  }

  /**
   * Return all reports, one folder per scan (backend/, frontend/, lint/; in a multi-platform release one per variant, e.g. backend-linux-arm64/), plus summary.md.
   *
   * Example: dagger call build-and-scan reports export --path=reports
   */
  @func()
  reports(): Directory {
    // Each image scan in the folder of its name: backend/ and frontend/, and in a multi-platform
    // release one per variant (backend-linux-amd64/, backend-linux-arm64/, …).
    return this.scans()
      .reduce((dir, scan) => dir.withDirectory(scan.name, scan.files()), dag.directory())
      .withDirectory("lint", this.lint.files())
      .withNewFile("summary.md", this.summary);
  }

  /**
   * Fail with the summary when any gate failed; print it when all passed.
   *
   * Example: dagger call build-and-scan gate
   */
  @func()
  gate(): string {
    return enforce(this.passed, this.summary);
  }
}

/** Several scans' summaries as one document, after the warnings that concern them all. */
export function combinedSummary(scans: readonly Scan[], warnings: readonly string[]): string {
  const header = warnings.map((warning) => `> **Warning:** ${warning}\n\n`).join("");
  return header + scans.map((scan) => scan.summary.trimEnd()).join("\n\n---\n\n") + "\n";
}

/** A summary with the smoke test's section after the scans', when it has one. */
export function withSmokeSection(summary: string, smoke: SmokeVerdict): string {
  const section = smokeMarkdown(smoke).trimEnd();
  return section === "" ? summary : `${summary.trimEnd()}\n\n---\n\n${section}\n`;
}
