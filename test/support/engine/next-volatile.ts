/**
 * Files of a Next.js standalone build whose content differs on every build, whatever the source:
 * Next.js draws its preview-mode keys and its server-actions encryption key per build (and the
 * build ID, which the tests replace wherever it appears). Each is named with its cause and how two
 * builds' copies are compared instead: parsed, with the drawn values replaced.
 */
type Json = Record<string, unknown>;
const PLACEHOLDER = "<differs on every build>";

/** Files whose content differs on every build, and how each is compared instead (parsed, with the volatile values replaced). */
export const NEXT_VOLATILE: Record<string, { cause: string; normalise: (text: string) => string }> = {
  "app/.next/prerender-manifest.json": { cause: "Next.js draws preview-mode keys per build", normalise: (t) => canonicalJson({ ...(JSON.parse(t) as Json), preview: PLACEHOLDER }) },
  "app/.next/server/preview-props.json": { cause: "Next.js draws preview-mode keys per build", normalise: () => PLACEHOLDER },
  "app/.next/server/server-reference-manifest.json": { cause: "Next.js draws the server actions' encryption key per build", normalise: (t) => canonicalJson({ ...(JSON.parse(t) as Json), encryptionKey: PLACEHOLDER }) },
  "app/.next/server/server-reference-manifest.js": { cause: "the same key, as a script", normalise: (t) => t.replace(/\\"encryptionKey\\": \\"[^\\"]*\\"/, PLACEHOLDER) },
};

/** JSON with its object keys sorted, at every depth. */
function canonicalJson(value: unknown): string {
  const sorted = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(sorted) : v !== null && typeof v === "object" ? Object.fromEntries(Object.entries(v as Json).sort(([a], [b]) => a.localeCompare(b)).map(([k, x]) => [k, sorted(x)])) : v;
  return JSON.stringify(sorted(value));
}

/** The paths of NEXT_VOLATILE. */
export const NEXT_VOLATILE_FILES: ReadonlySet<string> = new Set(Object.keys(NEXT_VOLATILE));
