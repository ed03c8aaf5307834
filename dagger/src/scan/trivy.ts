/**
 * Trivy in a container: one DB refresh per run, then image scans and config lints that reuse it.
 * Trivy runs with `expect: ANY` and every outcome is decided here: a crash, a timeout or an
 * unreadable report is an error naming the target and Trivy's stderr — never "no findings".
 */
import { CacheSharingMode, dag, ReturnType, type Container, type Directory, type File } from "@dagger.io/dagger";

import type { Scanner } from "../config/schema.js";
import { utcDay } from "../policy/dates.js";
import {
  configScanArgs,
  convertArgs,
  downloadDbArgs,
  IMAGE_TARBALL,
  imageScanArgs,
  LINT_SOURCE,
  REPORT_JSON,
  SARIF,
  SBOM_JSON,
  TRIVY_CACHE_DIR,
  WORK_DIR,
} from "./trivy-args.js";

/** Trivy's DB as this run sees it. */
export interface TrivyDb {
  /** The scanner container after the refresh; every scan starts from it. */
  ready: Container;
  /** When the DB in use was built (`UpdatedAt` of db/metadata.json). */
  updatedAt?: string;
  /** Set when the refresh failed and an older cached DB is used instead. */
  staleNote?: string;
}

/** What one Trivy run produced, before the gate. */
export interface TrivyOutput {
  /** The container after the scan: its report file is REPORT_JSON. */
  scanned: Container;
  report: File;
  reportText: string;
}

export class ScanError extends Error {
  override name = "ScanError";
}

/** Keep Trivy's stderr readable in an error message: its end says what went wrong. */
function tail(text: string, lines = 30): string {
  return text.trimEnd().split("\n").slice(-lines).join("\n");
}

export class Trivy {
  private db?: Promise<TrivyDb>;

  constructor(
    private readonly scanner: Scanner,
    private readonly today: Date,
  ) {}

  /** The scanner image with the DB cache mounted. Locked: Trivy's BoltDB allows one process at a time. */
  private base(): Container {
    return dag
      .container()
      .from(this.scanner.trivyImage)
      .withMountedCache(TRIVY_CACHE_DIR, dag.cacheVolume("drydock-trivy-cache"), { sharing: CacheSharingMode.Locked })
      .withWorkdir(WORK_DIR);
  }

  /** Refresh the DB at most once per run (memoised), and at most once per day across runs. */
  refreshDb(): Promise<TrivyDb> {
    this.db ??= this.refresh();
    return this.db;
  }

  private async refresh(): Promise<TrivyDb> {
    const refreshed = this.base()
      // The day is part of the step, so the engine's cache serves today's DB but never yesterday's.
      .withEnvVariable("DRYDOCK_DB_DAY", utcDay(this.today))
      .withExec(downloadDbArgs(this.scanner), { expect: ReturnType.Any });
    const [exitCode, stderr] = await Promise.all([refreshed.exitCode(), refreshed.stderr()]);
    const metadata = refreshed.withExec(["cat", `${TRIVY_CACHE_DIR}/db/metadata.json`], { expect: ReturnType.Any });
    const [metadataExit, metadataText] = await Promise.all([metadata.exitCode(), metadata.stdout()]);
    const updatedAt = metadataExit === 0 ? readUpdatedAt(metadataText) : undefined;
    if (exitCode === 0) return { ready: refreshed, updatedAt };
    const repositories = this.scanner.dbRepositories.join(", ");
    if (updatedAt === undefined) {
      throw new ScanError(
        `Trivy could not download its vulnerability DB from any of ${repositories} (exit ${exitCode}), and no cached DB exists.\n` +
          `Check network access to those registries, or set scanner.dbRepositories in the config to a reachable mirror.\n` +
          `Trivy said:\n${tail(stderr)}`,
      );
    }
    return {
      ready: refreshed,
      updatedAt,
      staleNote: `the vulnerability DB could not be refreshed from ${repositories} (exit ${exitCode}); scanned with the cached DB built ${updatedAt}.`,
    };
  }

  /** Scan an image tarball; `vex` are OpenVEX documents to apply. */
  async scanImage(image: Container, name: string, vex: { path: string; file: File }[]): Promise<TrivyOutput> {
    const { ready } = await this.refreshDb();
    let scanner = ready.withMountedFile(IMAGE_TARBALL, image.asTarball());
    const vexPaths = vex.map(({ path, file }, index) => {
      const mounted = `${WORK_DIR}/vex/${index}-${path.split("/").pop()}`;
      scanner = scanner.withMountedFile(mounted, file);
      return mounted;
    });
    return this.run(scanner, imageScanArgs(this.scanner, vexPaths), `image ${name}`);
  }

  /** Lint Dockerfiles and compose files. */
  async lintConfig(files: Directory, name: string): Promise<TrivyOutput> {
    const { ready } = await this.refreshDb();
    return this.run(ready.withMountedDirectory(LINT_SOURCE, files), configScanArgs(this.scanner), name);
  }

  private async run(container: Container, args: string[], target: string): Promise<TrivyOutput> {
    const scanned = container.withExec(args, { expect: ReturnType.Any });
    const [exitCode, stderr] = await Promise.all([scanned.exitCode(), scanned.stderr()]);
    if (exitCode !== 0) {
      throw new ScanError(`Trivy failed on ${target} (exit ${exitCode}); no verdict was reached.\nTrivy said:\n${tail(stderr)}`);
    }
    const report = scanned.file(REPORT_JSON);
    return { scanned, report, reportText: await report.contents() };
  }

  /** The CycloneDX SBOM, converted from the one JSON report. */
  sbom(output: TrivyOutput): File {
    return output.scanned.withExec(convertArgs("cyclonedx", SBOM_JSON)).file(SBOM_JSON);
  }

  /** SARIF for code-scanning dashboards, converted from the one JSON report. */
  sarif(output: TrivyOutput): File {
    return output.scanned.withExec(convertArgs("sarif", SARIF)).file(SARIF);
  }
}

/** Trivy's db/metadata.json says when the DB was built. */
function readUpdatedAt(text: string): string | undefined {
  try {
    const value = (JSON.parse(text) as { UpdatedAt?: unknown }).UpdatedAt;
    return typeof value === "string" ? value : undefined;
  } catch {
    return undefined;
  }
}
