import type { ConfigChange } from "../config/compare.js";
import type { ScannerUsed } from "../config/scanner.js";
import { daysBetween, utcDay } from "../policy/dates.js";

/** What the caller knows about a gate run that the report and the policy do not say. */
export interface GateReportMeta {
  /** What was gated, shown in titles: `backend`, `frontend`, `lint`, or the report's file name. */
  name: string;
  /** True when no config file was found and the built-in defaults applied. */
  usedDefaultConfig: boolean;
  /** Path of the config file, relative to the repository root (e.g. `security-config.yml`). */
  configFile: string;
  /** When the Trivy vulnerability DB was built (`UpdatedAt` of Trivy's `db/metadata.json`), ISO 8601. */
  dbUpdatedAt?: string;
  /**
   * What the run itself says, as Markdown written by drydock (paths in code spans): e.g. that the
   * DB could not be refreshed, or which files the lint checked. Shown under the title.
   */
  notes?: readonly string[];
  /** The scanner that produced the report, when this run ran it; summaries say when it is not drydock's default. */
  scanner?: ScannerUsed;
  /** How the source's config differs from the base branch's, when the caller passed the base's (--base-config). */
  configChange?: ConfigChange;
}

/** Age of the vulnerability DB in whole days on the gate's day; undefined when not known. */
export function dbAgeDays(meta: GateReportMeta, evaluatedOn: string): number | undefined {
  if (meta.dbUpdatedAt === undefined) return undefined;
  const updated = new Date(meta.dbUpdatedAt);
  if (Number.isNaN(updated.getTime())) {
    throw new Error(`meta.dbUpdatedAt: expected an ISO 8601 timestamp like 2026-11-27T06:12:00Z, found ${JSON.stringify(meta.dbUpdatedAt)}`);
  }
  return daysBetween(utcDay(updated), evaluatedOn);
}
