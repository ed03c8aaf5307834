/**
 * Pure facts about Trivy's vulnerability DB: which cache volume holds it for a scanner
 * configuration, and when the DB in it was built.
 */
import { createHash } from "node:crypto";

import type { Scanner } from "../config/schema.js";

/**
 * The DB cache volume of one scanner configuration. The Trivy image and the DB repositories (in
 * order) decide what the refresh writes there, so a config that changes either — a fork's pull
 * request may — gets a volume of its own and cannot leave a doctored DB (advisories removed, a
 * far-future NextUpdate that stops every later refresh) for other configurations' scans to trust.
 */
export function dbCacheVolume(scanner: Pick<Scanner, "trivyImage" | "dbRepositories">): string {
  // JSON keeps the parts apart: no image and list of repositories can spell another pair's input.
  const digest = createHash("sha256").update(JSON.stringify([scanner.trivyImage, scanner.dbRepositories])).digest("hex");
  return `drydock-trivy-db-${digest.slice(0, 16)}`;
}

/** An RFC 3339 timestamp as Go's encoding/json writes a time.Time: `2026-11-27T06:18:53.123456789Z`. */
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:Z|[+-](\d{2}):(\d{2}))$/;

/**
 * When the DB was built (`UpdatedAt` of db/metadata.json), as a normalised ISO 8601 UTC instant;
 * undefined for anything unreadable, which counts as no DB. Only an RFC 3339 timestamp is taken:
 * `Date.parse` also accepts text such as `Jan 1 2026 (<img src=…>)`, and whatever is accepted
 * here reaches summaries, PR comments and errors — so only the normalised date ever does.
 */
export function dbBuiltAt(metadataJson: string): string | undefined {
  let value: unknown;
  try {
    value = (JSON.parse(metadataJson) as { UpdatedAt?: unknown } | null)?.UpdatedAt;
  } catch {
    return undefined;
  }
  return typeof value === "string" ? normalisedInstant(value) : undefined;
}

function normalisedInstant(text: string): string | undefined {
  const match = RFC3339.exec(text);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second, offsetHours = "0", offsetMinutes = "0"] = match.slice(1);
  // Date rolls 2026-02-30 over to March 2nd and 24:00 to the next day: take only real calendar fields.
  const fields = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second)));
  const real =
    fields.getUTCFullYear() === Number(year) &&
    fields.getUTCMonth() === Number(month) - 1 &&
    fields.getUTCDate() === Number(day) &&
    fields.getUTCHours() === Number(hour) &&
    fields.getUTCMinutes() === Number(minute) &&
    fields.getUTCSeconds() === Number(second) &&
    Number(offsetHours) < 24 &&
    Number(offsetMinutes) < 60;
  const instant = new Date(text);
  return real && !Number.isNaN(instant.getTime()) ? instant.toISOString() : undefined;
}
