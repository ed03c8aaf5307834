/**
 * A small, real Trivy vulnerability DB for the end-to-end suite, written by the Go program beside
 * this file with the trivy-db version Trivy itself pins, from the advisories in advisories.yaml.
 * Trivy's public DB cannot be downloaded here; this one holds advisories planted on packages the
 * e2e images really contain, so scans with --skip-db-update find them.
 */
import { readFileSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import type { App } from "../docker/app-images.ts";
import { failureMessage, run } from "../docker/cli.ts";
import { buildLocalGoProgram, type Log } from "../tools/go-tools.ts";

const HERE = path.dirname(fileURLToPath(import.meta.url));
/** The Go program that writes the planted DB: this folder's module. */
export const TRIVY_DB_WRITER_DIR = HERE;
export const ADVISORIES_FILE = path.join(HERE, "advisories.yaml");

type Severity = "LOW" | "MEDIUM" | "HIGH" | "CRITICAL";

interface FixtureAdvisory {
  id: string;
  package: string;
  severity: Severity;
  title: string;
  fixed?: string;
  vulnerable?: string[];
  patched?: string[];
  images: App[];
  pkgNames: string[];
}

interface Fixture {
  debian: { release: string; advisories: FixtureAdvisory[] };
  npm: { advisories: FixtureAdvisory[] };
}

/** One finding Trivy must report for an image scanned with the planted DB. */
export interface PlantedHit {
  id: string;
  /** Trivy's PkgName: a Debian binary package, or the npm package. */
  pkgName: string;
  severity: Severity;
  /** What Trivy reports as FixedVersion; undefined for an unfixed advisory. */
  fixedVersion: string | undefined;
  /** Result class: os-pkgs (Debian) or lang-pkgs (npm, Target "Node.js"). */
  class: "os-pkgs" | "lang-pkgs";
}

const fixture = parse(readFileSync(ADVISORIES_FILE, "utf8")) as Fixture;

/** Every planted advisory as the e2e expects to find it, per image. */
export const PLANTED_HITS: Record<App, PlantedHit[]> = { backend: hitsFor("backend"), frontend: hitsFor("frontend") };

/** The planted advisory IDs, e.g. for a policy.ignores entry that must match a real finding. */
export const PLANTED_IDS: string[] = [...fixture.debian.advisories, ...fixture.npm.advisories].map((a) => a.id);

function hitsFor(app: App): PlantedHit[] {
  const debian = fixture.debian.advisories.map((a) => ({ a, fixedVersion: a.fixed, class: "os-pkgs" as const }));
  // Trivy reports an npm advisory's fix as its patched versions joined with ", ".
  const npm = fixture.npm.advisories.map((a) => ({ a, fixedVersion: a.patched?.join(", "), class: "lang-pkgs" as const }));
  return [...debian, ...npm]
    .filter(({ a }) => a.images.includes(app))
    .flatMap(({ a, fixedVersion, class: cls }) =>
      a.pkgNames.map((pkgName) => ({ id: a.id, pkgName, severity: a.severity, fixedVersion, class: cls })),
    );
}

export interface TrivyDbOptions {
  /** Trivy's --cache-dir: the DB goes to `<cacheDir>/db/trivy.db` and `<cacheDir>/db/metadata.json`. */
  cacheDir: string;
  updatedAt: Date;
  /** Default: six hours after updatedAt, like Trivy's own DB. */
  nextUpdate?: Date;
  /** Default: updatedAt. */
  downloadedAt?: Date;
  log?: Log;
}

/** Write the planted DB into a Trivy cache folder, replacing any DB there. */
export async function writeTrivyDb(options: TrivyDbOptions): Promise<void> {
  const writer = await buildLocalGoProgram(TRIVY_DB_WRITER_DIR, "trivy-db", options.log);
  const out = path.join(options.cacheDir, "db");
  await mkdir(out, { recursive: true });
  const args = ["-fixture", ADVISORIES_FILE, "-out", out, "-updated-at", options.updatedAt.toISOString()];
  if (options.nextUpdate) args.push("-next-update", options.nextUpdate.toISOString());
  if (options.downloadedAt) args.push("-downloaded-at", options.downloadedAt.toISOString());
  const result = await run(writer, args, { timeoutMs: 60_000 });
  if (result.code !== 0) throw new Error(failureMessage(`${writer} ${args.join(" ")}`, result));
}
