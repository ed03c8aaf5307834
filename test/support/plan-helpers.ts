/**
 * Shared pieces of the plan tests: the Drydock object built the way the engine builds it,
 * sources to build from, canned Trivy answers, and questions about the recorded plan.
 */
import { dag, type Secret } from "@dagger.io/dagger";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll } from "vitest";
import { NODE_IMAGE, PNPM_VERSION } from "../../dagger/src/images/defaults.ts";
import { Drydock } from "../../dagger/src/index.ts";
import { ObjectRef, type ArgValue, type Chain, type ExecRecord, type FakeEngine } from "./fake-engine/index.js";
import { lookupId } from "./fake-engine/ids.js";
import { fileAt, stringsOf, type Rule } from "./fake-engine/rules.js";
import { repoRoot, sharedPath } from "./paths.js";
import { report } from "./trivy-reports.js";

/** The reference application, relative to the repository root (the fake engine's host root). */
export const EXAMPLE_APP = "examples/app";

/** Where Trivy's inputs and outputs live in the scanner container, as the module mounts them. */
export const TARBALL = "/drydock/image.tar";
/** Where the DB refresh mounts the DB cache volume; nothing else mounts it. */
export const TRIVY_CACHE = "/root/.cache/trivy";
/** Where the refresh copies the DB out of the volume, in its own filesystem. */
export const DB_COPY = "/drydock/trivy-db";
/** Where every image scan mounts that copy: the db/ of its --cache-dir. */
export const SCAN_DB = "/drydock/trivy-cache/db";
export const TRIVY_REPORT = "/drydock/trivy.json";
/** The DB cache volume of the default scanner config. */
export const DEFAULT_DB_VOLUME = "drydock-trivy-db-41ad1398ab7d1eac";

/** Drydock's settings after `source` (`config` is the path inside the source), with the defaults a caller starts from. */
export interface DrydockArgs {
  config: string;
  buildImage: string;
  runtimeImage: string;
  pnpmVersion: string;
  imageVersion: string;
  revision: string;
  created: string;
  sourceUrl: string;
  licenses: string;
  npmrc?: Secret;
  caCertificates?: Secret;
  prismaSchemaEngineBinary?: string;
  prismaEnginesMirror?: string;
}

export const DEFAULT_ARGS: DrydockArgs = {
  config: "security-config.yml",
  buildImage: NODE_IMAGE,
  runtimeImage: NODE_IMAGE,
  pnpmVersion: PNPM_VERSION,
  imageVersion: "0.0.0-dev",
  revision: "unknown",
  created: "1970-01-01T00:00:00Z",
  sourceUrl: "",
  licenses: "NOASSERTION",
};

/**
 * Drydock over a host folder, built the way a caller chains it: the constructor with `config` as
 * the path inside the source, then one `with*` builder per group of overridden fields (so a bad
 * value fails where the builder is called, as on the CLI). Call it inside `withEngine`: it touches `dag`.
 */
export function drydock(hostDir: string = EXAMPLE_APP, overrides: Partial<DrydockArgs> = {}): Drydock {
  const a = { ...DEFAULT_ARGS, ...overrides };
  const given = (...keys: (keyof DrydockArgs)[]) => keys.some((key) => overrides[key] !== undefined);
  let d = new Drydock(dag.host().directory(hostDir), undefined, a.config);
  if (given("imageVersion", "revision", "created", "sourceUrl", "licenses")) d = d.withLabels(a.imageVersion, a.revision, a.created, a.sourceUrl, a.licenses);
  if (given("buildImage")) d = d.withBuildImage(a.buildImage);
  if (given("runtimeImage")) d = d.withRuntimeImage(a.runtimeImage);
  if (given("pnpmVersion")) d = d.withPnpmVersion(a.pnpmVersion);
  if (a.npmrc) d = d.withNpmrc(a.npmrc);
  if (a.caCertificates) d = d.withCaCertificates(a.caCertificates);
  if (given("prismaSchemaEngineBinary", "prismaEnginesMirror")) d = d.withPrisma(a.prismaSchemaEngineBinary, a.prismaEnginesMirror);
  return d;
}

/** The smallest source two apps can be planned from: a manifest and a lockfile each. */
export const MINIMAL_APPS: Readonly<Record<string, string>> = {
  "backend/package.json": '{ "name": "backend", "packageManager": "pnpm@12.4.2" }\n',
  "backend/pnpm-lock.yaml": "lockfileVersion: '9.0'\n",
  "frontend/package.json": '{ "name": "frontend", "packageManager": "pnpm@12.4.2" }\n',
  "frontend/pnpm-lock.yaml": "lockfileVersion: '9.0'\n",
};

/**
 * Host folders written for one test file and removed after it: `make(files)` writes path → text
 * into a fresh folder and returns its absolute path, which `drydock()` accepts.
 */
export function useTempSources(): (files: Readonly<Record<string, string>>) => string {
  const made: string[] = [];
  afterAll(() => {
    for (const dir of made) rmSync(dir, { recursive: true, force: true });
  });
  return (files) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "drydock-plan-"));
    made.push(dir);
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      writeFileSync(path.join(dir, file), text);
    }
    return dir;
  };
}

let exampleFiles: Readonly<Record<string, string>> | undefined;

/** The files of EXAMPLE_APP as committed (no installed or built folder), path → text, read once: for a useTempSources copy with a file changed. */
export function exampleAppFiles(): Readonly<Record<string, string>> {
  if (exampleFiles) return exampleFiles;
  const root = path.join(repoRoot, EXAMPLE_APP);
  const files: Record<string, string> = {};
  for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const rel = path.relative(root, path.join(entry.parentPath, entry.name));
    if (/(^|\/)(node_modules|dist|\.next)\//.test(rel)) continue;
    files[rel] = readFileSync(path.join(root, rel), "utf8");
  }
  exampleFiles = files;
  return files;
}

/** A Trivy JSON report as text. */
export const reportText = (results: Record<string, unknown>[] = [], overrides: Record<string, unknown> = {}) =>
  JSON.stringify(report(results, overrides));

/** A golden report from Trivy's own test suite, or undefined when the shared folder is absent. */
export function golden(name: string): string | undefined {
  const file = sharedPath("fixtures", "trivy", name);
  return file === undefined ? undefined : readFileSync(file, "utf8");
}

// Questions about chains, for rules and assertions.

/** Every object a chain's arguments refer to, depth first, the chain itself excluded. */
export function refsOf(chain: Chain): ObjectRef[] {
  const found: ObjectRef[] = [];
  const visit = (value: ArgValue): void => {
    if (value instanceof ObjectRef) {
      found.push(value);
      value.chain.forEach((step) => Object.values(step.args).forEach(visit));
    } else if (Array.isArray(value)) value.forEach(visit);
    else if (value !== null && typeof value === "object") Object.values(value as Record<string, ArgValue>).forEach(visit);
  };
  chain.forEach((step) => Object.values(step.args).forEach(visit));
  return found;
}

/** True when `chain`, or anything it refers to, has a step `field` whose args include `args`. */
export function dependsOn(chain: Chain, field: string, args: Record<string, unknown> = {}): boolean {
  const matches = (c: Chain) => c.some((s) => s.field === field && Object.entries(args).every(([k, v]) => JSON.stringify(s.args[k]) === JSON.stringify(v)));
  return matches(chain) || refsOf(chain).some((ref) => matches(ref.chain));
}

/**
 * The app folders of the source a chain depends on: `host.directory(...).directory(path)`, or a
 * filter of the source itself (`host.directory(...).filter(...)`, as the install inputs are taken)
 * that includes files under the folder.
 */
export function appFoldersOf(chain: Chain, folders: readonly string[] = ["backend", "frontend"]): string[] {
  const chains = [chain, ...refsOf(chain).map((ref) => ref.chain)];
  const filtersInto = (folder: string) =>
    chains.some((c) =>
      c.some((s, i) => s.field === "filter" && c[i - 1]?.field === "directory" && c[i - 2]?.field === "host" && stringsOf(s.args["include"]).some((p) => p.startsWith(`${folder}/`))),
    );
  return folders.filter((folder) => dependsOn(chain, "directory", { path: folder }) || filtersInto(folder));
}

/** The title label of the image whose tarball the scanner container of `chain` mounts, if any. */
export function scannedImageTitle(chain: Chain): string | undefined {
  const mount = chain.find((s) => s.field === "withMountedFile" && s.args["path"] === TARBALL);
  const source = mount?.args["source"];
  if (!(source instanceof ObjectRef)) return undefined;
  const label = source.chain.find((s) => s.field === "withLabel" && s.args["name"] === "org.opencontainers.image.title");
  return typeof label?.args["value"] === "string" ? label.args["value"] : "(no title)";
}

/** The scan of the image titled `title` (e.g. "drydock-backend"); "(no title)" for an image without labels. */
export const scanOf =
  (title: string) =>
  (chain: Chain): boolean =>
    scannedImageTitle(chain) === title && chain.some((s) => s.field === "withExec" && isTrivy(s.args["args"], "image"));

/** The `trivy config` lint. */
export const lintScan = (chain: Chain): boolean => chain.some((s) => s.field === "withExec" && isTrivy(s.args["args"], "config"));

function isTrivy(args: ArgValue | undefined, command: string): boolean {
  return Array.isArray(args) && args[0] === "trivy" && args[1] === command && !args.includes("--download-db-only");
}

export const both =
  (...predicates: ((chain: Chain) => boolean)[]) =>
  (chain: Chain): boolean =>
    predicates.every((p) => p(chain));

/** Canned Trivy answers: the JSON report each scan writes, and when the cached DB was built. */
export interface TrivyAnswers {
  backend?: string;
  frontend?: string;
  /** The backend's migrations image (drydock-backend-migrations). */
  backendMigrations?: string;
  lint?: string;
  /** The report of an image without drydock's labels, as `scan --image` gets. */
  other?: string;
  /** `UpdatedAt` of db/metadata.json; null for no cached DB. Default: today, 06:00 UTC. */
  dbUpdatedAt?: string | null;
}

/** Rules that make every Trivy run of the module write the given reports. */
export function answerTrivy(engine: FakeEngine, answers: TrivyAnswers = {}): void {
  const clean = reportText();
  const reports: [(chain: Chain) => boolean, string][] = [
    [scanOf("drydock-backend"), answers.backend ?? clean],
    [scanOf("drydock-frontend"), answers.frontend ?? clean],
    [scanOf("drydock-backend-migrations"), answers.backendMigrations ?? clean],
    [scanOf("(no title)"), answers.other ?? clean],
    [lintScan, answers.lint ?? clean],
  ];
  for (const [scan, text] of reports) engine.addRule({ when: both(fileAt(TRIVY_REPORT), scan), contents: text });
  const updatedAt = answers.dbUpdatedAt === undefined ? `${new Date().toISOString().slice(0, 10)}T06:00:00Z` : answers.dbUpdatedAt;
  engine.addRule(metadataRule(updatedAt));
}

/** What `cat metadata.json` of the DB copy prints: the DB's build time, or a failure when there is no DB. */
export function metadataRule(updatedAt: string | null): Rule {
  const when = (chain: Chain) => {
    const last = chain.at(-1);
    return last?.field === "withExec" && JSON.stringify(last.args["args"]) === JSON.stringify(["cat", `${DB_COPY}/metadata.json`]);
  };
  return updatedAt === null
    ? { when, exitCode: 1, stderr: `cat: can't open '${DB_COPY}/metadata.json': No such file or directory\n` }
    : { when, stdout: JSON.stringify({ Version: 2, NextUpdate: updatedAt, UpdatedAt: updatedAt, DownloadedAt: updatedAt }) };
}

/** The Directory mounted at `path` in an exec's chain (the last such mount), or undefined. */
export function mountedDirectory(chain: Chain, path: string): ObjectRef | undefined {
  const mount = [...chain].reverse().find((s) => s.field === "withMountedDirectory" && s.args["path"] === path);
  const source = mount?.args["source"];
  return source instanceof ObjectRef ? source : undefined;
}

/** The exec whose argv starts with `prefix`; fails the test when there is not exactly one. */
export function onlyExec(engine: FakeEngine, ...prefix: string[]): ExecRecord {
  const found = engine.execs().filter((e) => prefix.every((word, i) => e.args[i] === word));
  if (found.length !== 1) throw new Error(`expected one exec starting with ${JSON.stringify(prefix)}, found ${found.length}:\n${found.map((e) => e.args.join(" ")).join("\n")}`);
  return found[0]!;
}

/** The chain an SDK object stands for, read back through the ID the fake engine handed out for it. */
export async function chainOf(object: { id(): Promise<string> }): Promise<Chain> {
  const id = await object.id();
  const issued = lookupId(id);
  if (!issued) throw new Error(`the fake engine never handed out ${id}`);
  return issued.chain;
}

/** The rejection of `promise`, or a failure when it resolved: for errors that are the point of a test. */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  const outcome = await promise.then(
    (value) => ({ resolved: value }),
    (error: unknown) => ({ error }),
  );
  if ("resolved" in outcome) throw new Error(`expected a rejection, but it resolved to ${JSON.stringify(outcome.resolved)?.slice(0, 300)}`);
  if (!(outcome.error instanceof Error)) throw new Error(`expected an Error, got ${String(outcome.error)}`);
  return outcome.error;
}
