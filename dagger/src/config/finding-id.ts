/**
 * One spelling per finding ID, so that two ways of writing the same ID compare equal.
 */

/**
 * Trivy v0.69 renamed misconfiguration IDs from `DS002` (with `AVD-DS-0002` beside it) to
 * `DS-0002`; both appear in reports and in people's configs. Every form maps to `DS-0002`.
 * Other IDs (CVE, GHSA, secret rule IDs) are only upper-cased: their case carries no meaning.
 */
export function canonicalFindingId(id: string): string {
  const upper = id.trim().toUpperCase();
  const misconfig = /^(?:AVD-)?([A-Z]+)-?(\d+)$/.exec(upper);
  if (!misconfig) return upper;
  const [, family = "", number = ""] = misconfig;
  return `${family}-${number.replace(/^0+(?=\d)/, "").padStart(4, "0")}`;
}
