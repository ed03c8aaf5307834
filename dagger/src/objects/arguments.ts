/**
 * Checks of the arguments of the constructor and the `with*` builders that their GraphQL types
 * cannot express. Each builder checks its values when called, so a bad value fails at the call
 * that set it.
 */
import { DbRepository } from "../config/formats.js";
import { ArgumentError } from "../errors.js";
import { parsePinnedImage } from "../pinned-image.js";
import { RENAMED_FROM_ARGUMENT } from "../report/artifact.js";

export { ArgumentError } from "../errors.js";

/** An image argument, refused unless pinned by digest: a tag can be re-pushed, a digest cannot. */
export function requirePinnedImage(ref: string, argument: string): string {
  return parsePinnedImage(ref, argument).ref;
}

/**
 * The checks below keep every configured string to the characters its format needs: none may
 * hold quotes, `$`, backticks, commas, blanks or newlines, or start with "-", so a value can never
 * change the meaning of a command, a label or a Dockerfile line it reaches, whatever quotes it.
 */
function refuse(argument: string, found: string, expected: string, fix: string): never {
  throw new ArgumentError({ where: argument, found: JSON.stringify(found), expected, fix });
}

const SEMVER = /^[0-9]+\.[0-9]+\.[0-9]+$/;

/**
 * A pnpm version: an exact release, never an npm spec (`npm:other@1`, a tarball or git URL would
 * install any package as pnpm, with the npmrc mounted). The `+sha512.<hex>` form of packageManager
 * is refused rather than silently not verified: npm installs pnpm by name and version only.
 */
export function requirePnpmVersion(version: string, argument = "--pnpm-version"): string {
  if (/^[0-9]+\.[0-9]+\.[0-9]+\+sha(?:224|256|384|512)\.[0-9a-f]+$/.test(version)) {
    refuse(argument, version, "MAJOR.MINOR.PATCH like 12.4.2", `drop the "+${version.split("+")[1]!.split(".")[0]}…" suffix: drydock installs pnpm with npm, which checks the registry's integrity but cannot verify packageManager's hash`);
  }
  if (!SEMVER.test(version)) refuse(argument, version, "MAJOR.MINOR.PATCH like 12.4.2", 'give the version that package.json\'s "packageManager" names after "pnpm@"');
  return version;
}

/** A label value drawn from a small alphabet, e.g. a version or a commit. */
export function requireLabelWord(value: string, argument: string, example: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._+-]{0,127}$/.test(value)) {
    refuse(argument, value, `letters, digits and . _ + - (at most 128, not starting with a symbol), like ${example}`, `pass ${argument}=${example}`);
  }
  return value;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;

export function requireTimestamp(value: string, argument: string): string {
  if (!RFC3339.test(value) || Number.isNaN(Date.parse(value)) || Date.parse(value) < 0) {
    refuse(argument, value, "an RFC 3339 time from 1970-01-01T00:00:00Z on, like 2026-11-27T10:00:00Z", `pass the commit's time, ${argument}=$(git log -1 --format=%cI)`);
  }
  return value;
}

/** An SPDX licence expression: identifiers, LicenseRef-…, AND/OR/WITH and parentheses. */
export function requireLicenseExpression(value: string, argument: string): string {
  if (!/^[A-Za-z0-9(][A-Za-z0-9.+:() -]{0,255}$/.test(value) || /\s$/.test(value)) {
    refuse(argument, value, "an SPDX licence expression like MIT or (MIT OR Apache-2.0)", "pass the expression from your LICENSE, or NOASSERTION");
  }
  return value;
}

/** A URL of one of `schemes`, made only of URL-safe characters, with no credentials in it (never repeated in the error). */
export function requireUrl(value: string, argument: string, schemes: readonly string[], credentialsFix: string): string {
  const userinfo = /^([^:/]*:\/\/)[^/?#]*@([^/?#]*)/.exec(value);
  if (userinfo) refuse(argument, `${userinfo[1]}***@${userinfo[2]}…`, "a URL without user or password", credentialsFix);
  const expected = `a ${schemes.join(" or ")} URL like https://example.com/path (letters, digits and . _ ~ / - : % + only, no ".." segment)`;
  const scheme = /^([a-z+]+):\/\/[A-Za-z0-9._~/:%+-]+$/.exec(value)?.[1];
  if (!scheme || !schemes.includes(scheme) || !URL.canParse(value) || value.split("/").includes("..")) refuse(argument, value, expected, `fix ${argument}`);
  return value;
}

/** An absolute path of plain characters, with no `..` segment. */
export function requireAbsolutePath(value: string, argument: string, example: string): string {
  if (!/^\/[A-Za-z0-9._~/-]*$/.test(value) || value.split("/").includes("..")) {
    refuse(argument, value, `an absolute path of letters, digits and . _ ~ / - with no ".." segment, like ${example}`, `fix ${argument}`);
  }
  return value;
}

/**
 * --baseline-renamed-from: the names an image had when its baseline was made, as the refusal of
 * that baseline prints them. Only with --baseline, which it qualifies; never an empty name.
 */
export function requireRenamedFrom(names: readonly string[] | undefined, baselineGiven: boolean): string[] {
  const given = names ?? [];
  if (given.length > 0 && !baselineGiven) {
    throw new ArgumentError({
      where: RENAMED_FROM_ARGUMENT,
      found: `${JSON.stringify(given.join(","))} without --baseline`,
      expected: "a baseline it applies to: it names the image an earlier report was made of",
      fix: `pass that earlier report as --baseline too, or drop ${RENAMED_FROM_ARGUMENT}`,
    });
  }
  if (given.some((name) => name.trim() === "")) {
    refuse(RENAMED_FROM_ARGUMENT, given.join(","), "names, none empty, like drydock-api", `pass the name the refusal of --baseline printed, e.g. ${RENAMED_FROM_ARGUMENT}=drydock-api`);
  }
  return [...given];
}

/** A vulnerability DB repository, as scanner.dbRepositories takes one: an OCI reference with a tag, never a URL. */
export function requireDbRepository(value: string, argument: string): string {
  if (!DbRepository.safeParse(value).success) {
    refuse(argument, value, "an OCI repository reference without a URL scheme, like registry.example.com/trivy-db:2", `fix ${argument}: give the repository as scanner.dbRepositories lists it`);
  }
  return value;
}
