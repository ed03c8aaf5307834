/**
 * A scan from end to end: Trivy runs, the policy judges, and a `Scan` holds the outcome. Shared by
 * `scan`, `lint`, `build-and-scan` and the checks.
 */
import type { Container, Directory, File } from "@dagger.io/dagger";

import type { ConfigChange } from "../config/compare.js";
import type { RepositoryConfig } from "../config/load.js";
import type { ScannerUsed } from "../config/scanner.js";
import { imageScan, lintScan, type ImageScan, type LintScan } from "../objects/scan.js";
import { requiredFile } from "../source.js";
import { lintFiles } from "./lint-files.js";
import type { Trivy } from "./trivy.js";
import { judgeReport, type Verdict, type VerdictInput } from "./verdict.js";

export interface ScanRun<S> {
  scan: S;
  verdict: Verdict;
}

export interface ScanContext {
  trivy: Trivy;
  source: Directory;
  loaded: RepositoryConfig;
  /** The day every verdict of the call is judged on (exception expiry), the DB's day too. */
  today: Date;
  /** An earlier report of the same target, at `path` in the folder given as --baseline: only findings new since then can fail. */
  baseline?: { file: File; path: string };
  /** Names the image had when the baseline was made (--baseline-renamed-from): a baseline of one of them applies. */
  baselineRenamedFrom?: readonly string[];
  /**
   * True for one of several scans under one config (build-and-scan): an exception unused here may
   * be for another image, so the caller, which sees every scan, reports the unused ones.
   */
  oneOfSeveral?: boolean;
  /** The scanner `trivy` runs, as the config names it and the caller allowed it: every summary states it. */
  scanner: ScannerUsed;
  /** How the source's config differs from the base branch's, when the caller passed it (--base-config). */
  configChange?: ConfigChange;
}

export async function scanImage(context: ScanContext, image: Container, name: string): Promise<ScanRun<ImageScan>> {
  const { trivy, source, loaded, baseline } = context;
  const vex = await Promise.all(
    loaded.config.policy.vex.map(async (path, index) => ({
      path,
      file: await requiredFile(source, path, `${loaded.file}: policy.vex[${index}]`),
    })),
  );
  const [output, db, baselineText] = await Promise.all([trivy.scanImage(image, name, vex), trivy.refreshDb(), baseline?.file.contents()]);
  const label = `Trivy report of ${name}`;
  const verdict = judgeReport({
    report: { text: output.reportText, label },
    baseline: previousOf(context, baselineText),
    loaded,
    name,
    today: context.today,
    dbUpdatedAt: db.updatedAt,
    notes: db.staleNote ? [db.staleNote] : [],
    unusedExceptionsJudgedByCaller: context.oneOfSeveral ?? false,
    scanner: context.scanner,
    configChange: context.configChange,
  });
  const published = trivy.publish(output, label);
  const scan = imageScan({ name, verdict, report: published.report, sarif: trivy.sarif(published), sbom: trivy.sbom(published) });
  return { scan, verdict };
}

export async function lintSource(context: ScanContext): Promise<ScanRun<LintScan>> {
  const { trivy, source, loaded, baseline } = context;
  const { files, notes } = await lintFiles(source);
  const [output, baselineText] = await Promise.all([trivy.lintConfig(files, "lint"), baseline?.file.contents()]);
  const label = "Trivy config report";
  const verdict = judgeReport({
    report: { text: output.reportText, label },
    baseline: previousOf(context, baselineText),
    loaded,
    name: "lint",
    today: context.today,
    notes,
    unusedExceptionsJudgedByCaller: context.oneOfSeveral ?? false,
    scanner: context.scanner,
    configChange: context.configChange,
  });
  const published = trivy.publish(output, label);
  return { scan: lintScan({ name: "lint", verdict, report: published.report, sarif: trivy.sarif(published) }), verdict };
}

/** The baseline as the verdict takes it: named by its path in the folder given as --baseline. */
function previousOf({ baseline, baselineRenamedFrom }: ScanContext, text: string | undefined): VerdictInput["baseline"] {
  if (baseline === undefined || text === undefined) return undefined;
  return { text, label: `baseline ${baseline.path}`, argument: "--baseline", file: baseline.path, renamedFrom: baselineRenamedFrom ?? [] };
}
