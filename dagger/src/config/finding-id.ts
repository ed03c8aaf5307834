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

/** idEnding of an ID whose canonical ending cannot be told without canonicalising it. */
export const UNKNOWN_ENDING = -2;
const NO_DIGITS = -1;
const MODULUS = 1_000_000_007;

/**
 * How an ID ends, in a way canonicalFindingId never changes: the value of its final digits
 * (DS002, ds-2 and DS-0002 all end in 2; CVE-2024-1234 in 1234), NO_DIGITS when it ends in another
 * printable ASCII character, UNKNOWN_ENDING otherwise (whitespace, which trimming removes, or a
 * character upper-casing may change). An ID and its canonical spelling end alike, so an index of
 * canonical IDs can pass over an ID whose ending none of them has without canonicalising it:
 * no allocation, for most findings of a large report.
 */
export function idEnding(id: string): number {
  const end = id.length - 1;
  const last = id.charCodeAt(end);
  if (!isDigit(last)) return last > 0x20 && last < 0x7f ? NO_DIGITS : UNKNOWN_ENDING;
  let start = end;
  while (start > 0 && isDigit(id.charCodeAt(start - 1))) start--;
  // Leading zeros add nothing, as canonicalFindingId drops and pads them; the modulus only
  // keeps long runs exact integers (two endings that collide only cost a canonicalisation).
  let value = 0;
  for (let i = start; i <= end; i++) value = (value * 10 + (id.charCodeAt(i) - 0x30)) % MODULUS;
  return value;
}

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}
