/**
 * A scan from end to end: Trivy runs, the policy judges, and a `Scan` holds the outcome. Shared by
 * `scan`, `lint`, `build-and-scan` and the checks.
 */
import type { Container, Directory, File } from "@dagger.io/dagger";

import type { RepositoryConfig } from "../config/load.js";
import { imageScan, lintScan, type ImageScan, type LintScan } from "../objects/scan.js";
import { requiredFile } from "../source.js";
import { lintFiles } from "./lint-files.js";
import type { Trivy } from "./trivy.js";
import { judgeReport, type Verdict } from "./verdict.js";

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
  /** An earlier report of the same target: only findings new since then can fail. */
  baseline?: File;
  /**
   * True for one of several scans under one config (build-and-scan): an exception unused here may
   * be for another image, so the caller, which sees every scan, reports the unused ones.
   */
  oneOfSeveral?: boolean;
}

export async function scanImage(context: ScanContext, image: Container, name: string): Promise<ScanRun<ImageScan>> {
  const { trivy, source, loaded, baseline } = context;
  const vex = await Promise.all(
    loaded.config.policy.vex.map(async (path, index) => ({
      path,
      file: await requiredFile(source, path, `${loaded.file}: policy.vex[${index}]`),
    })),
  );
  const [output, db, baselineText] = await Promise.all([trivy.scanImage(image, name, vex), trivy.refreshDb(), baseline?.contents()]);
  const verdict = judgeReport({
    report: { text: output.reportText, label: `Trivy report of ${name}` },
    baseline: baselineText === undefined ? undefined : { text: baselineText, label: `baseline ${name}/trivy.json` },
    loaded,
    name,
    today: context.today,
    dbUpdatedAt: db.updatedAt,
    notes: db.staleNote ? [db.staleNote] : [],
    unusedExceptionsJudgedByCaller: context.oneOfSeveral ?? false,
  });
  const scan = imageScan({ name, verdict, report: output.report, sarif: trivy.sarif(output), sbom: trivy.sbom(output) });
  return { scan, verdict };
}

export async function lintSource(context: ScanContext): Promise<ScanRun<LintScan>> {
  const { trivy, source, loaded, baseline } = context;
  const { files, notes } = await lintFiles(source);
  const [output, baselineText] = await Promise.all([trivy.lintConfig(files, "lint"), baseline?.contents()]);
  const verdict = judgeReport({
    report: { text: output.reportText, label: "Trivy config report" },
    baseline: baselineText === undefined ? undefined : { text: baselineText, label: "baseline lint/trivy.json" },
    loaded,
    name: "lint",
    today: context.today,
    notes,
    unusedExceptionsJudgedByCaller: context.oneOfSeveral ?? false,
  });
  return { scan: lintScan({ name: "lint", verdict, report: output.report, sarif: trivy.sarif(output) }), verdict };
}
