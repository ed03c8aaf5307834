/**
 * The module's manifests and the development harness must agree: the tests run against the
 * root's node_modules, the engine installs dagger/package.json — the same versions, or the
 * tests prove nothing about what the engine runs.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { DEFAULT_SCHEMA_PATH } from "../support/fake-engine/schema.js";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

interface Manifest {
  type?: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}
interface Lockfile {
  packages: Record<string, { version?: string; dependencies?: Record<string, string> }>;
}

const readJson = <T>(file: string): T => JSON.parse(readFileSync(path.join(repoRoot, file), "utf8")) as T;
const root = readJson<Manifest>("package.json");
const moduleManifest = readJson<Manifest>("dagger/package.json");
const moduleLock = readJson<Lockfile>("dagger/package-lock.json");
const rootLock = readJson<Lockfile>("package-lock.json");
const daggerJson = readJson<{ engineVersion?: string }>("dagger.json");

const rootVersions: Record<string, string> = { ...root.devDependencies, ...root.dependencies };
const moduleDependencies = Object.entries(moduleManifest.dependencies ?? {});
/**
 * The engine's TypeScript runtime brings its own TypeScript: when the module lists typescript at
 * the runtime's version (5.9.3), it bind-mounts its copy at node_modules/typescript and npm, told by
 * the lockfile to install it too, fails with `EBUSY … rename '/src/dagger/node_modules/typescript'`
 * (sdk/typescript/runtime/runtime_node.go at v0.21.8; seen on a real engine). So the module lists
 * none: the runtime adds it to the package.json it installs from. The harness type-checks with its
 * own TypeScript 6.
 */
const RUNTIME_OWNED = ["typescript"];
/** An exact version: no range, tag, URL or workspace protocol. */
const EXACT_VERSION = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/;

describe("dagger/package.json", () => {
  it('is an ES module package ("type": "module"), as the runtime and the imports expect', () => {
    expect(moduleManifest.type).toBe("module");
  });

  it("has runtime dependencies", () => {
    expect(moduleDependencies.length).toBeGreaterThan(0);
  });

  it.each(["dependencies", "devDependencies", "peerDependencies", "optionalDependencies"] as const)(
    "does not list @dagger.io/dagger in %s: the engine generates the SDK into dagger/sdk",
    (section) => {
      expect(Object.keys(moduleManifest[section] ?? {})).not.toContain("@dagger.io/dagger");
    },
  );

  it.each(moduleDependencies)("pins %s to an exact version", (_, version) => {
    expect(version).toMatch(EXACT_VERSION);
  });

  it.each(moduleDependencies)("gives %s the same version as the root package.json", (name, version) => {
    expect(rootVersions[name], `root package.json must list ${name} at ${version}`).toBe(version);
  });

  it.each(moduleDependencies)("locks %s at that version in both package-lock.json files", (name, version) => {
    expect(moduleLock.packages[""]?.dependencies?.[name]).toBe(version);
    expect(moduleLock.packages[`node_modules/${name}`]?.version).toBe(version);
    expect(rootLock.packages[`node_modules/${name}`]?.version).toBe(version);
  });

  it.each(RUNTIME_OWNED)("does not list %s, which the engine's runtime mounts itself, in the manifest or the lockfile", (name) => {
    expect(moduleManifest.dependencies?.[name]).toBeUndefined();
    expect(moduleLock.packages[`node_modules/${name}`]).toBeUndefined();
  });
});

describe("the Dagger SDK and engine", () => {
  it("dagger.json pins an engine version written vX.Y.Z", () => {
    expect(daggerJson.engineVersion).toMatch(/^v\d+\.\d+\.\d+$/);
  });

  it("dagger/tests (the checks module) declares the same engine version", () => {
    expect(readJson<{ engineVersion?: string }>("dagger/tests/dagger.json").engineVersion).toBe(daggerJson.engineVersion);
  });

  it("the fake engine validates against that version's schema", () => {
    expect(path.basename(DEFAULT_SCHEMA_PATH)).toBe(`schema-${daggerJson.engineVersion}.graphqls`);
  });

  it("the root package.json pins @dagger.io/dagger to the engine version", () => {
    expect(rootVersions["@dagger.io/dagger"]).toMatch(EXACT_VERSION);
    expect(`v${rootVersions["@dagger.io/dagger"]}`).toBe(daggerJson.engineVersion);
  });
});
