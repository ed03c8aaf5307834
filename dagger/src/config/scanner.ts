/**
 * Who chooses the scanner. security-config.yml comes with the source under test, so on its own
 * word a pull request could point scanner.trivyImage at an image that reports nothing, or
 * scanner.dbRepositories at a DB with the advisories taken out, and pass. The config may name
 * drydock's defaults and what the module's caller allowed (with-allowed-scanner), nothing else:
 * the caller — a CI definition the maintainers own — vouches for a mirror, never the config.
 *
 * Both settings are held to this, because either decides what a scan can find. Every one of
 * drydock's default DB repositories is trusted, so a config may reorder them or keep fewer.
 */
import { describeProblem } from "../errors.js";
import { ConfigError, type ConfigIssue } from "./errors.js";
import type { RepositoryConfig } from "./load.js";
import { DEFAULTS } from "./schema.js";

/** What the caller allows the config to name besides drydock's defaults. */
export interface ScannerAllowance {
  readonly trivyImage?: string;
  readonly dbRepositories: readonly string[];
}

/** The scanner a run used, for the summaries: what the config named, and whether that is drydock's default. */
export interface ScannerUsed {
  readonly trivyImage: string;
  readonly dbRepositories: readonly string[];
  /** True when trivyImage is drydock's default image. */
  readonly defaultTrivyImage: boolean;
  /** True when every repository is one of drydock's defaults. */
  readonly defaultDbRepositories: boolean;
}

/** The arguments that allow a scanner, as the CLI spells them: errors and summaries name them. */
export const ALLOW_TRIVY_IMAGE = "with-allowed-scanner --trivy-image";
export const ALLOW_DB_REPOSITORIES = "with-allowed-scanner --db-repositories";

const DEFAULT_REPOSITORIES: readonly string[] = DEFAULTS.scanner.dbRepositories;

export function scannerUsed({ trivyImage, dbRepositories }: { readonly trivyImage: string; readonly dbRepositories: readonly string[] }): ScannerUsed {
  return {
    trivyImage,
    dbRepositories: [...dbRepositories],
    defaultTrivyImage: trivyImage === DEFAULTS.scanner.trivyImage,
    defaultDbRepositories: dbRepositories.every((repository) => DEFAULT_REPOSITORIES.includes(repository)),
  };
}

/**
 * The scanner of `loaded`, when it names only drydock's defaults and what `allowed` holds; a
 * ConfigError naming each other setting, what would be accepted and the argument that allows it.
 */
export function requireAllowedScanner(loaded: RepositoryConfig, allowed: ScannerAllowance): ScannerUsed {
  const { trivyImage, dbRepositories } = loaded.config.scanner;
  const why = "the config alone cannot change the scanner, or a pull request could pick one that reports nothing";
  const issues: ConfigIssue[] = [];
  if (trivyImage !== DEFAULTS.scanner.trivyImage && trivyImage !== allowed.trivyImage) {
    const also = allowed.trivyImage === undefined ? "" : ` or ${allowed.trivyImage}, which the caller allows`;
    issues.push({
      where: "scanner.trivyImage",
      problem: describeProblem({
        where: "",
        found: JSON.stringify(trivyImage),
        expected: `drydock's default ${DEFAULTS.scanner.trivyImage}${also}`,
        fix: `${why}: remove scanner.trivyImage from ${loaded.file}, or have the caller allow the image with ${ALLOW_TRIVY_IMAGE}=${trivyImage}`,
      }),
    });
  }
  dbRepositories.forEach((repository, index) => {
    if (DEFAULT_REPOSITORIES.includes(repository) || allowed.dbRepositories.includes(repository)) return;
    const also = allowed.dbRepositories.length === 0 ? "" : `, or one the caller allows (${allowed.dbRepositories.join(", ")})`;
    issues.push({
      where: `scanner.dbRepositories[${index}]`,
      problem: describeProblem({
        where: "",
        found: JSON.stringify(repository),
        expected: `one of drydock's default DB repositories (${DEFAULT_REPOSITORIES.join(", ")})${also}`,
        fix: `${why}: remove the entry from ${loaded.file}, or have the caller allow it with ${ALLOW_DB_REPOSITORIES}=${repository}`,
      }),
    });
  });
  if (issues.length > 0) throw new ConfigError(loaded.file, issues);
  return scannerUsed(loaded.config.scanner);
}
