/**
 * Package URL matching for exceptions: `pkg:npm/debug` accepts every version of debug,
 * `pkg:npm/debug@3.0.1` only that one. Qualifiers written in the exception must all be present
 * in the finding's purl (`?arch=x86_64`); qualifiers the exception leaves out are not compared,
 * so `pkg:apk/alpine/musl@1.1.20-r4` matches Trivy's `…@1.1.20-r4?arch=x86_64&distro=3.9.4`.
 */

interface PackageUrl {
  /** `type/namespace/name`, type lowercased and each segment percent-decoded (`%40scope` = `@scope`). */
  name: string;
  version?: string;
  qualifiers: Map<string, string>;
}

export type PurlMatcher = (purl: string | undefined) => boolean;

/** A matcher for the exception's purls. A finding without a purl never matches: fail closed. */
export function purlMatcher(patterns: readonly string[]): PurlMatcher {
  const wanted = patterns.map(parsePurl).filter((p): p is PackageUrl => p !== undefined);
  return (purl) => {
    if (purl === undefined) return false;
    const actual = parsePurl(purl);
    return actual !== undefined && wanted.some((pattern) => purlMatches(pattern, actual));
  };
}

function purlMatches(pattern: PackageUrl, actual: PackageUrl): boolean {
  if (pattern.name !== actual.name) return false;
  if (pattern.version !== undefined && pattern.version !== actual.version) return false;
  for (const [key, value] of pattern.qualifiers) {
    if (actual.qualifiers.get(key) !== value) return false;
  }
  return true;
}

/** `pkg:type/namespace/name@version?qualifiers#subpath` (the subpath is not compared). */
export function parsePurl(text: string): PackageUrl | undefined {
  if (!text.startsWith("pkg:")) return undefined;
  const withoutSubpath = text.slice("pkg:".length).split("#", 1)[0] ?? "";
  const queryAt = withoutSubpath.indexOf("?");
  const path = queryAt === -1 ? withoutSubpath : withoutSubpath.slice(0, queryAt);
  const query = queryAt === -1 ? "" : withoutSubpath.slice(queryAt + 1);
  // The version separator is the last "@" after the last "/": an npm scope's "@" sits before it.
  const versionAt = path.lastIndexOf("@");
  const hasVersion = versionAt > path.lastIndexOf("/");
  const segments = (hasVersion ? path.slice(0, versionAt) : path).split("/").filter((s) => s !== "");
  if (segments.length < 2) return undefined;
  const [type, ...rest] = segments as [string, ...string[]];
  return {
    name: [type.toLowerCase(), ...rest.map(decode)].join("/"),
    version: hasVersion ? decode(path.slice(versionAt + 1)) : undefined,
    qualifiers: parseQualifiers(query),
  };
}

function parseQualifiers(query: string): Map<string, string> {
  const qualifiers = new Map<string, string>();
  for (const pair of query.split("&")) {
    if (pair === "") continue;
    const eq = pair.indexOf("=");
    if (eq === -1) continue;
    qualifiers.set(pair.slice(0, eq).toLowerCase(), decode(pair.slice(eq + 1)));
  }
  return qualifiers;
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
