import { dag, func, object, type Container, type Directory } from "@dagger.io/dagger";

import { unlistedAppError } from "../config/apps.js";
import type { AppName } from "../config/schema.js";
import { reportSummaryJson } from "../report/report-summary.js";
import { smokeMarkdown, type SmokeVerdict } from "../smoke/summary.js";
import { enforce } from "./gate-error.js";
import type { ImageScan, LintScan, Scan } from "./scan.js";

/**
 * The outcome of build-and-scan: the images of the apps the config lists, their scans, the lint,
 * the smoke test, and one verdict.
 */
@object()
export class Report {
  /** Whether every gate passed: each image, the lint, and the smoke test (each image started and answered). */
  @func()
  passed!: boolean;

  /** The Markdown summary of all scans, for $GITHUB_STEP_SUMMARY or a PR comment. */
  @func()
  summary!: string;

  /** The Dockerfile lint. */
  @func()
  lint!: LintScan;

  // State, not functions: each app's image and scan, left unset for an app the config does not
  // list (the engine cannot carry a null object field), as top-level fields (the runtime rebuilds
  // only the top level of an object's state).
  backendImage?: Container;
  frontendImage?: Container;
  backendImageScan?: ImageScan;
  frontendImageScan?: ImageScan;
  /** The config file the apps come from, for the error of an app it does not list. */
  configFile!: string;

  /**
   * The scans of the other platforms' variants of a multi-platform release (e.g.
   * backend-linux-arm64), each gated like the images above; none for build-and-scan.
   */
  variantScans!: ImageScan[];

  /**
   * The backend's migrations image (backend-migrations) and its scan, gated like the apps' images;
   * unset without a backend with Prisma migrations.
   */
  backendMigrationsImage?: Container;
  backendMigrationsImageScan?: ImageScan;

  /** The whole verdict as summary.json (report/report-summary.ts), once the smoke test's is in. */
  summaryDocument?: string;

  /**
   * Return the hardened backend image; an error when the config lists no backend.
   *
   * Example: dagger call build-and-scan backend export --path=backend.tar
   */
  @func()
  backend(): Container {
    return this.imageOf("backend");
  }

  /**
   * Return the hardened frontend image; an error when the config lists no frontend.
   *
   * Example: dagger call build-and-scan frontend as-service up --ports=3000:3000
   */
  @func()
  frontend(): Container {
    return this.imageOf("frontend");
  }

  /**
   * Return the backend image's scan; an error when the config lists no backend.
   *
   * Example: dagger call build-and-scan backend-scan failing finding-id
   */
  @func()
  backendScan(): ImageScan {
    return this.scanOf("backend");
  }

  /**
   * Return the frontend image's scan; an error when the config lists no frontend.
   *
   * Example: dagger call build-and-scan frontend-scan summary
   */
  @func()
  frontendScan(): ImageScan {
    return this.scanOf("frontend");
  }

  /**
   * Add the smoke test's verdict: it joins `passed`, and its section the summary. Not @func:
   * build-and-scan calls it before returning the report, so the engine sees only the result.
   */
  withSmoke(smoke: SmokeVerdict): Report {
    this.passed = this.passed && smoke.passed;
    this.summary = withSmokeSection(this.summary, smoke);
    this.summaryDocument = reportSummaryJson([...this.scans(), this.lint], smoke);
    return this;
  }

  /**
   * List the image scans of the apps the config lists, backend first, then its migrations image's (backend-migrations); the lint is `lint`.
   *
   * Example: dagger call build-and-scan scans name
   */
  @func()
  scans(): ImageScan[] {
    const migrations = this.backendMigrationsImageScan;
    return [...appScans(this).flatMap(({ app, scan }) => (app === "backend" && migrations ? [scan, migrations] : [scan])), ...(this.variantScans ?? [])];
  }

  /**
   * Return all reports, one folder per scan (backend/, frontend/ — the apps the config lists —, backend-migrations/ for the backend's migrations image, and lint/; in a multi-platform release one per variant, e.g. backend-linux-arm64/), plus summary.md and summary.json (the whole verdict, the smoke test's included).
   *
   * Example: dagger call build-and-scan reports export --path=reports
   */
  @func()
  reports(): Directory {
    // Each image scan in the folder of its name: backend/ and frontend/, and in a multi-platform
    // release one per variant (backend-linux-amd64/, backend-linux-arm64/, …).
    const dir = this.scans()
      .reduce((dir, scan) => dir.withDirectory(scan.name, scan.files()), dag.directory())
      .withDirectory("lint", this.lint.files())
      .withNewFile("summary.md", this.summary);
    // No summary.json without the smoke verdict: a CI reading .smoke.passed then fails, never passes.
    return this.summaryDocument === undefined ? dir : dir.withNewFile("summary.json", this.summaryDocument);
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

  private imageOf(app: AppName): Container {
    const image = app === "backend" ? this.backendImage : this.frontendImage;
    if (!image) throw unlistedAppError(this.configFile, app, `build-and-scan ${app}`, appScans(this).map(({ app }) => app));
    return image;
  }

  private scanOf(app: AppName): ImageScan {
    const scan = app === "backend" ? this.backendImageScan : this.frontendImageScan;
    if (!scan) throw unlistedAppError(this.configFile, app, `build-and-scan ${app}-scan`, appScans(this).map(({ app }) => app));
    return scan;
  }
}

/** The apps built, backend first, each with its scan. */
function appScans(report: Report): { app: AppName; scan: ImageScan }[] {
  return [
    ...(report.backendImageScan ? [{ app: "backend" as const, scan: report.backendImageScan }] : []),
    ...(report.frontendImageScan ? [{ app: "frontend" as const, scan: report.frontendImageScan }] : []),
  ];
}

/** One app of a report: its image and its scan. */
export interface BuiltApp {
  app: AppName;
  image: Container;
  scan: ImageScan;
}

/**
 * The Report of the apps built (the config's, backend first), the lint, the run's warnings (e.g.
 * exceptions that matched nothing in any scan) and, in a multi-platform release, the other
 * platforms' variants' scans (after the apps' in the summary).
 */
export function newReport(parts: {
  configFile: string;
  apps: readonly BuiltApp[];
  /** The backend's migrations image and its scan, when it has one. */
  migrations?: { image: Container; scan: ImageScan };
  lint: LintScan;
  warnings?: readonly string[];
  variantScans?: readonly ImageScan[];
}): Report {
  const report = new Report();
  // Only the apps built are set: the engine cannot carry a null object field.
  for (const { app, image, scan } of parts.apps) {
    if (app === "backend") Object.assign(report, { backendImage: image, backendImageScan: scan });
    else Object.assign(report, { frontendImage: image, frontendImageScan: scan });
  }
  report.configFile = parts.configFile;
  report.lint = parts.lint;
  report.variantScans = [...(parts.variantScans ?? [])];
  if (parts.migrations) Object.assign(report, { backendMigrationsImage: parts.migrations.image, backendMigrationsImageScan: parts.migrations.scan });
  const scans: Scan[] = [...report.scans(), parts.lint];
  report.passed = scans.every((scan) => scan.passed);
  report.summary = combinedSummary(scans, parts.warnings ?? []);
  return report;
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
