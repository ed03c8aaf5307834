/**
 * The exact Trivy command lines drydock runs. Pure, so tests pin every flag without an engine.
 */
import type { Scanner } from "../config/schema.js";

/** Where Trivy keeps its DB inside the scanner container (a locked cache volume is mounted here). */
export const TRIVY_CACHE_DIR = "/root/.cache/trivy";
/** Where inputs and outputs of one scan live inside the scanner container. */
export const WORK_DIR = "/drydock";
export const IMAGE_TARBALL = `${WORK_DIR}/image.tar`;
export const REPORT_JSON = `${WORK_DIR}/trivy.json`;
export const SBOM_JSON = `${WORK_DIR}/sbom.cdx.json`;
export const SARIF = `${WORK_DIR}/trivy.sarif`;
export const LINT_SOURCE = `${WORK_DIR}/src`;

/**
 * Write the JSON report, and exit 0 whatever was found: the gate decides in TypeScript, so a
 * non-zero exit always means Trivy itself failed.
 */
const JSON_REPORT = ["--exit-code", "0", "--format", "json", "--output", REPORT_JSON] as const;

/** Flags every Trivy run shares: our cache, no progress bars in CI logs, no network beyond the DB step. */
function common(scanner: Scanner): string[] {
  return ["--cache-dir", TRIVY_CACHE_DIR, "--no-progress", "--timeout", scanner.timeout];
}

/**
 * Refresh the vulnerability DB once per run; every scan then uses `--skip-db-update`.
 * `--db-repository` replaces Trivy's defaults and falls back in order on errors, so the
 * configured list is the whole mirror chain.
 */
export function downloadDbArgs(scanner: Scanner): string[] {
  return ["trivy", "image", "--download-db-only", ...common(scanner), "--db-repository", scanner.dbRepositories.join(",")];
}

/**
 * Scan an image tarball for vulnerabilities and secrets in its files, and misconfigurations and
 * secrets in its config. `--show-suppressed` keeps VEX-suppressed findings in the report so the
 * summary can list them.
 */
export function imageScanArgs(scanner: Scanner, vexFiles: string[]): string[] {
  return [
    "trivy",
    "image",
    ...common(scanner),
    "--input",
    IMAGE_TARBALL,
    "--scanners",
    "vuln,secret",
    "--image-config-scanners",
    "misconfig,secret",
    "--skip-db-update",
    "--skip-java-db-update",
    "--skip-check-update",
    "--list-all-pkgs",
    "--show-suppressed",
    ...vexFiles.flatMap((file) => ["--vex", file]),
    ...JSON_REPORT,
  ];
}

/** Lint Dockerfiles with Trivy's bundled checks (no check download). */
export function configScanArgs(scanner: Scanner): string[] {
  return [
    "trivy",
    "config",
    ...common(scanner),
    "--skip-check-update",
    ...JSON_REPORT,
    LINT_SOURCE,
  ];
}

/** Re-render the one JSON report; no second scan, so SBOM, SARIF and gate agree by construction. */
export function convertArgs(format: "cyclonedx" | "sarif", output: string): string[] {
  return ["trivy", "convert", "--format", format, "--output", output, REPORT_JSON];
}
