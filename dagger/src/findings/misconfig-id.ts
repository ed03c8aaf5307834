/**
 * One name for a misconfiguration check, whichever Trivy wrote the report.
 *
 * Before v0.69 Trivy wrote `"ID": "DS002", "AVDID": "AVD-DS-0002"`; from v0.69 it writes
 * `"ID": "DS-0002"` and no AVDID. Exceptions and baselines written against one style must
 * keep matching reports in the other, so the canonical ID is the new style and every other
 * spelling is kept as an alias.
 */

/** `DS-0002`, `KSV-0104`, `AWS-0086`: the v0.69+ style. */
const CURRENT_STYLE = /^([A-Z][A-Z0-9]*)-(\d+)$/;
const AVD_PREFIX = "AVD-";

export interface CheckId {
  id: string;
  aliases: string[];
}

export function normaliseMisconfigurationId(id: string, avdId: string | undefined): CheckId {
  const canonical = avdId?.startsWith(AVD_PREFIX) ? avdId.slice(AVD_PREFIX.length) : id;
  const spellings = new Set([id, ...(avdId ? [avdId] : []), ...legacySpellings(canonical)]);
  spellings.delete(canonical);
  return { id: canonical, aliases: [...spellings] };
}

/** `DS-0002` was also written `AVD-DS-0002` and `DS002` (three digits, no dash). */
function legacySpellings(canonical: string): string[] {
  const match = CURRENT_STYLE.exec(canonical);
  if (!match) return [];
  const [, prefix, digits] = match as unknown as [string, string, string];
  return [`${AVD_PREFIX}${canonical}`, `${prefix}${String(Number(digits)).padStart(3, "0")}`];
}
