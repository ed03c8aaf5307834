/**
 * The exact Trivy command lines drydock runs. Pure, so tests pin every flag without an engine.
 * Every flag is one the subcommand accepts at the pinned Trivy (v0.69.3, pkg/commands/app.go):
 * `--no-progress` and `--db-repository` belong to the DB flag group, which `trivy config` lacks;
 * `--skip-version-check` and `--disable-telemetry` to the scan group, which `trivy convert` lacks
 * (and needs none: it makes no network call).
 */
import type { Scanner } from "../config/schema.js";

/** Where the refresh mounts the DB cache volume (locked) and downloads the DB into. Only the refresh mounts it. */
export const TRIVY_CACHE_DIR = "/root/.cache/trivy";
/** Where inputs and outputs of one scan live inside the scanner container. */
export const WORK_DIR = "/drydock";
/** Where the refresh copies the DB out of the cache volume, into its own filesystem, for scans to mount. */
export const DB_COPY = `${WORK_DIR}/trivy-db`;
/**
 * The cache dir of every scan and lint: the DB copy is mounted at its `db/`, and nothing else is
 * there — no `policy/content`, so Trivy uses the checks embedded in its binary.
 */
export const SCAN_CACHE_DIR = `${WORK_DIR}/trivy-cache`;
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

/**
 * Flags every `trivy image` and `trivy config` run shares: its cache dir and timeout, and no
 * background call home (the version check and telemetry), so the argv runs offline as recorded.
 */
function common(scanner: Scanner, cacheDir: string): string[] {
  return ["--cache-dir", cacheDir, "--timeout", scanner.timeout, "--skip-version-check", "--disable-telemetry"];
}

/**
 * Refresh the vulnerability DB once per run into the cache volume; every scan then reads a copy
 * of it with `--skip-db-update`. `--db-repository` replaces Trivy's defaults and falls back in
 * order on errors, so the configured list is the whole mirror chain.
 */
export function downloadDbArgs(scanner: Scanner): string[] {
  return [
    "trivy",
    "image",
    "--download-db-only",
    ...common(scanner, TRIVY_CACHE_DIR),
    "--no-progress",
    "--db-repository",
    scanner.dbRepositories.join(","),
  ];
}

/**
 * Copy the DB out of the cache volume into the refresh container's own filesystem: a path under
 * a cache mount cannot be read as a Directory, and the copy is what scans mount.
 */
export function copyDbArgs(): string[] {
  return ["cp", "-R", `${TRIVY_CACHE_DIR}/db`, DB_COPY];
}

/**
 * Scan an image tarball for vulnerabilities and secrets in its files, and misconfigurations and
 * secrets in its config. `--cache-backend memory` keeps the scan's layer cache in memory, so
 * parallel scans share no BoltDB file and no lock. `--show-suppressed` keeps VEX-suppressed
 * findings in the report so the summary can list them.
 */
export function imageScanArgs(scanner: Scanner, vexFiles: string[]): string[] {
  return [
    "trivy",
    "image",
    ...common(scanner, SCAN_CACHE_DIR),
    "--cache-backend",
    "memory",
    "--no-progress",
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

/**
 * Lint Dockerfiles with the checks embedded in Trivy: `--skip-check-update` downloads none, and
 * the cache dir holds no `policy/content` that would replace them. (`trivy config` keeps its
 * layer cache in memory by default and has no `--no-progress`.)
 */
export function configScanArgs(scanner: Scanner): string[] {
  return [
    "trivy",
    "config",
    ...common(scanner, SCAN_CACHE_DIR),
    "--skip-check-update",
    ...JSON_REPORT,
    LINT_SOURCE,
  ];
}

/** Re-render the one JSON report; no second scan, so SBOM, SARIF and gate agree by construction. */
export function convertArgs(format: "cyclonedx" | "sarif", output: string): string[] {
  return ["trivy", "convert", "--format", format, "--output", output, REPORT_JSON];
}
