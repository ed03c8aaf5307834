/**
 * Trivy in a container: one DB refresh per run, a private copy of that DB for every image scan,
 * and config lints that need no DB.
 * Every outcome is decided here: a crash, a timeout or an unreadable report is an error naming
 * the target and Trivy's stderr — never "no findings".
 *
 * Trivy runs with the default `expect: SUCCESS` and its exec failure is caught, rather than with
 * `expect: ANY`: an exec that "succeeds" with a non-zero exit is cached by the engine, so one
 * network blip or crash would be replayed on every rerun of the day. A failed exec is never cached.
 */
import { CacheSharingMode, dag, ReturnType, type CacheVolume, type Container, type Directory, type File } from "@dagger.io/dagger";

import type { Scanner } from "../config/schema.js";
import { execFailure, type ExecFailure } from "../exec-failure.js";
import { daysBetween, utcDay } from "../policy/dates.js";
import {
  configScanArgs,
  convertArgs,
  copyDbArgs,
  DB_COPY,
  downloadDbArgs,
  IMAGE_TARBALL,
  imageScanArgs,
  LINT_SOURCE,
  REPORT_JSON,
  SARIF,
  SBOM_JSON,
  SCAN_CACHE_DIR,
  TRIVY_CACHE_DIR,
  WORK_DIR,
} from "./trivy-args.js";
import { ScanError } from "../errors.js";
import { redactedReportText } from "../report/redact.js";
import { dbBuiltAt, dbCacheVolume } from "./trivy-db.js";

/** Trivy's DB as this run sees it. */
export interface TrivyDb {
  /**
   * The DB every image scan mounts: a copy taken out of the cache volume by the step that
   * refreshed (or, on failure, read) it. A mounted Directory is each scan's own copy-on-write
   * snapshot — no lock, so the scans run side by side — and part of the scan's cache key.
   */
  dir: Directory;
  /** When the DB in use was built (`UpdatedAt` of db/metadata.json), as a normalised ISO 8601 instant. */
  updatedAt?: string;
  /** Set when the refresh failed and an older cached DB is used instead. */
  staleNote?: string;
}

/**
 * What one Trivy run produced, before the gate. Its report is Trivy's own, secrets' text and all:
 * the gate reads it, and only `publish` makes of it a file that leaves drydock.
 */
export interface TrivyOutput {
  /** The container after the scan: its report file is REPORT_JSON. */
  scanned: Container;
  reportText: string;
}

/** What leaves drydock of one run: the report without any secret's text (report/redact.ts), and the container SARIF and SBOM are converted in. */
export interface PublishedReport {
  report: File;
  /** The scan's container with the published report written over Trivy's at REPORT_JSON. */
  converting: Container;
}

export { ScanError } from "../errors.js";

/** Keep Trivy's stderr readable in an error message: its end says what went wrong. */
function tail(text: string, lines = 30): string {
  return text.trimEnd().split("\n").slice(-lines).join("\n");
}

export class Trivy {
  private db?: Promise<TrivyDb>;

  constructor(
    private readonly scanner: Scanner,
    private readonly today: Date,
    /** The caller's DB cache volume (`with-trivy-cache`); by default one per scanner configuration. */
    private readonly dbVolume: CacheVolume = dag.cacheVolume(dbCacheVolume(scanner)),
  ) {}

  /** The pinned scanner image. */
  private scannerImage(): Container {
    return dag.container().from(this.scanner.trivyImage).withWorkdir(WORK_DIR);
  }

  /**
   * The scanner with this configuration's DB cache volume. Locked: Trivy's BoltDB allows one
   * process at a time. Only the refresh mounts it, never a scan, so no scan waits on the lock.
   */
  private withDbVolume(): Container {
    return this.scannerImage().withMountedCache(TRIVY_CACHE_DIR, this.dbVolume, {
      sharing: CacheSharingMode.Locked,
    });
  }

  /** Refresh the DB at most once per run (memoised), and at most once per day across runs. */
  refreshDb(): Promise<TrivyDb> {
    this.db ??= this.refresh();
    return this.db;
  }

  private async refresh(): Promise<TrivyDb> {
    const downloaded = this.withDbVolume()
      // The day is part of the step, so the engine's cache serves today's DB but never yesterday's.
      .withEnvVariable("DRYDOCK_DB_DAY", utcDay(this.today))
      .withExec(downloadDbArgs(this.scanner));
    try {
      await downloaded.sync();
    } catch (error) {
      const failure = execFailure(error);
      if (failure === undefined) throw error;
      return this.freshEnough(await this.fallBackToCachedDb(failure));
    }
    // Copied in the same container, so a cached refresh and its copy always come together.
    const copied = this.copyOut(downloaded);
    return this.freshEnough({ dir: copied.directory(DB_COPY), updatedAt: await this.copiedDbDate(copied) });
  }

  /**
   * A scan with an old DB passes images it should fail: it misses every advisory published
   * since. Beyond scanner.maxDbAgeDays, or with no known age, no scan runs.
   */
  private freshEnough(db: TrivyDb): TrivyDb {
    const { maxDbAgeDays } = this.scanner;
    const repositories = this.scanner.dbRepositories.join(", ");
    if (db.updatedAt === undefined) {
      throw new ScanError({
        where: "Trivy's vulnerability DB",
        found: `no readable db/metadata.json after the refresh from ${repositories}`,
        expected: "a DB of known age",
        fix: "no scan ran. The DB cache volume may have been pruned while the day's refresh stayed cached: run again with a new engine cache, or check the mirrors",
      });
    }
    const age = daysBetween(utcDay(new Date(db.updatedAt)), utcDay(this.today));
    if (age < 0) {
      // No DB is built tomorrow: a future date is a doctored metadata.json (it would also pass any
      // age check, and Trivy skips refreshing a DB whose NextUpdate lies ahead).
      throw new ScanError({
        where: "Trivy's vulnerability DB",
        found: `a DB that claims to have been built ${db.updatedAt}, ${-age} day(s) after today (${utcDay(this.today)})`,
        expected: "a build time in the past",
        fix:
          "no scan ran: its metadata.json is wrong or doctored. " +
          "Point scanner.dbRepositories at a trustworthy mirror; a DB volume written by another scanner configuration is never read",
      });
    }
    if (age > maxDbAgeDays) {
      throw new ScanError({
        where: "Trivy's vulnerability DB",
        found: `a DB built ${db.updatedAt}, ${age} days ago`,
        expected: `one at most scanner.maxDbAgeDays (${maxDbAgeDays}) days old`,
        fix:
          "no scan ran: it would miss every advisory published since. " +
          (db.staleNote ? `The refresh failed: ${db.staleNote} ` : `The refresh from ${repositories} succeeded but served this DB: the mirror is stale. `) +
          "Restore access to a DB repository, or point scanner.dbRepositories at a reachable, current mirror",
      });
    }
    return db;
  }

  /** The refresh failed: scan with a copy of the DB already in the cache volume, if there is one, and say how old it is. */
  private async fallBackToCachedDb(failure: ExecFailure): Promise<TrivyDb> {
    const copied = this.copyOut(
      this.withDbVolume()
        // The volume's contents are no part of the engine's cache key, so the copy carries this
        // run's instant: a cached copy would be whatever the volume held the first time.
        .withEnvVariable("DRYDOCK_COPIED_AT", this.today.toISOString()),
    );
    const updatedAt = await this.copiedDbDate(copied);
    const repositories = this.scanner.dbRepositories.join(", ");
    if (updatedAt === undefined) {
      throw new ScanError(
        {
          where: "Trivy's vulnerability DB",
          found: `no download from any of ${repositories} (exit ${failure.exitCode}) and no cached DB`,
          expected: "a DB to scan with",
          fix: "check network access to those registries, or set scanner.dbRepositories in the config to a reachable mirror",
        },
        `Trivy said:\n${tail(failure.stderr)}`,
      );
    }
    return {
      dir: copied.directory(DB_COPY),
      updatedAt,
      staleNote: `the vulnerability DB could not be refreshed from ${repositories} (exit ${failure.exitCode}); scanned with the cached DB built ${updatedAt}.`,
    };
  }

  /**
   * Copy the DB out of the mounted volume into the container's own filesystem, then let go of
   * the volume: nothing after the copy needs it, or its lock.
   */
  private copyOut(withVolume: Container): Container {
    return withVolume.withExec(copyDbArgs()).withoutMount(TRIVY_CACHE_DIR);
  }

  /**
   * When the DB copied out of the volume was built: read from the copy itself, so it describes
   * exactly the DB the scans mount. Undefined when there is none — the copy failed because the
   * volume holds no DB, or its metadata.json is unreadable.
   */
  private async copiedDbDate(copied: Container): Promise<string | undefined> {
    const read = copied.withExec(["cat", `${DB_COPY}/metadata.json`], { expect: ReturnType.Any });
    try {
      const [exitCode, text] = await Promise.all([read.exitCode(), read.stdout()]);
      return exitCode === 0 ? dbBuiltAt(text) : undefined;
    } catch (error) {
      if (execFailure(error)?.cmd.join(" ") === copyDbArgs().join(" ")) return undefined;
      throw error;
    }
  }

  /** Scan an image tarball; `vex` are OpenVEX documents to apply. */
  async scanImage(image: Container, name: string, vex: { path: string; file: File }[]): Promise<TrivyOutput> {
    // Build the image while the DB downloads: the scan needs both, neither needs the other, and a
    // failing build then fails as itself rather than inside the scan.
    const [db] = await Promise.all([this.refreshDb(), image.sync()]);
    let scanner = this.scannerImage().withMountedDirectory(`${SCAN_CACHE_DIR}/db`, db.dir).withMountedFile(IMAGE_TARBALL, image.asTarball());
    const vexPaths = vex.map(({ path, file }, index) => {
      const mounted = `${WORK_DIR}/vex/${index}-${path.split("/").pop()}`;
      scanner = scanner.withMountedFile(mounted, file);
      return mounted;
    });
    return this.run(scanner, imageScanArgs(this.scanner, vexPaths), `image ${name}`);
  }

  /**
   * Lint Dockerfiles. The checks are bundled in the pinned Trivy image and the
   * vulnerability DB is not used, so the lint neither waits for the DB refresh nor fails with it.
   */
  async lintConfig(files: Directory, name: string): Promise<TrivyOutput> {
    // No DB and no cache volume: nothing to wait for, nothing to lock.
    return this.run(this.scannerImage().withMountedDirectory(LINT_SOURCE, files), configScanArgs(this.scanner), name);
  }

  private async run(container: Container, args: string[], target: string): Promise<TrivyOutput> {
    const scanned = container.withExec(args);
    try {
      return { scanned, reportText: await scanned.file(REPORT_JSON).contents() };
    } catch (error) {
      // Only Trivy's own failure is a scan failure; anything else the chain ran fails as itself.
      const failure = execFailure(error);
      if (failure === undefined || failure.cmd.join(" ") !== args.join(" ")) throw error;
      throw new ScanError(
        { where: `Trivy on ${target}`, found: `exit ${failure.exitCode} and no report`, expected: "a JSON report", fix: "no verdict was reached: fix what Trivy said, then rerun" },
        `Trivy said:\n${tail(failure.stderr)}`,
      );
    }
  }

  /**
   * The report as drydock hands it out: without any secret's text. Written over Trivy's own in the
   * scan's container, so the SARIF and SBOM are converted from it too (Trivy's SARIF repeats each
   * secret's `Match`). Called once the gate has read the report: one it refused is never published.
   */
  publish(output: TrivyOutput, label: string): PublishedReport {
    const report = dag.file("trivy.json", redactedReportText(output.reportText, label));
    return { report, converting: output.scanned.withFile(REPORT_JSON, report) };
  }

  /** The CycloneDX SBOM, converted from the one published report. */
  sbom(published: PublishedReport): File {
    return published.converting.withExec(convertArgs("cyclonedx", SBOM_JSON)).file(SBOM_JSON);
  }

  /** SARIF for code-scanning dashboards, converted from the one published report. */
  sarif(published: PublishedReport): File {
    return published.converting.withExec(convertArgs("sarif", SARIF)).file(SARIF);
  }
}
