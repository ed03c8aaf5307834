/**
 * "Did you mean …?" for unknown keys and values: a typo must be pointed at, never skipped.
 */

/** Names people carry over from Trivy's own `.trivyignore.yaml`, which look nothing like ours. */
const TRIVY_SPELLINGS: Readonly<Record<string, string>> = {
  expired_at: "expires",
  statement: "reason",
};

/** Case, `_` and `-` do not tell keys apart for a human: `ignore_unfixed` means `ignoreUnfixed`. */
function fold(word: string): string {
  return word.toLowerCase().replace(/[_-]/g, "");
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/**
 * The candidate the word was most likely meant to be, or undefined when none is close:
 * same letters ignoring case and separators, a known Trivy spelling, an unambiguous prefix
 * (`vuln` → `vulnerabilities`), or at most one edit per three letters.
 */
export function closestMatch(word: string, candidates: readonly string[]): string | undefined {
  const folded = fold(word);
  const alias = TRIVY_SPELLINGS[word];
  if (alias !== undefined && candidates.includes(alias)) return alias;
  const same = candidates.find((candidate) => fold(candidate) === folded);
  if (same !== undefined) return same;
  if (folded.length >= 3) {
    const prefixed = candidates.filter((candidate) => fold(candidate).startsWith(folded));
    if (prefixed.length === 1) return prefixed[0];
  }
  const allowed = Math.floor(folded.length / 3);
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(folded, fold(candidate));
    if (distance <= allowed && (best === undefined || distance < best.distance)) best = { candidate, distance };
  }
  return best?.candidate;
}
