/**
 * The reference application's lockfiles must install frozen, on every platform the images are
 * built for, with the pnpm that the manifests pin. A drifted manifest or a lockfile written by
 * another pnpm fails here, in seconds, instead of minutes into a Docker build.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { parseAllDocuments } from "yaml";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { repoRoot } from "../support/paths.ts";

const APPS = ["backend", "frontend"] as const;
type App = (typeof APPS)[number];

/** An exact version: no range, tag, URL or workspace protocol. */
const EXACT_VERSION = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/;
/** `packageManager` as corepack and pnpm read it: one exact pnpm version, optionally with its hash. */
const PNPM_PIN = /^pnpm@(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)(?:\+sha\d+\.[0-9a-f]+)?$/;
const DEPENDENCY_SECTIONS = ["dependencies", "devDependencies", "optionalDependencies"] as const;

const Manifest = z.object({
  packageManager: z.string(),
  dependencies: z.record(z.string(), z.string()).default({}),
  devDependencies: z.record(z.string(), z.string()).default({}),
  optionalDependencies: z.record(z.string(), z.string()).default({}),
});

const LockedDependencies = z.record(z.string(), z.object({ specifier: z.string(), version: z.string() })).default({});
const PackageEntry = z.looseObject({
  cpu: z.array(z.string()).optional(),
  os: z.array(z.string()).optional(),
  libc: z.array(z.string()).optional(),
});

/** pnpm ≥ 11 writes its own pin first, as a YAML document of its own. */
const PackageManagerDocument = z.object({
  lockfileVersion: z.string(),
  importers: z.object({
    ".": z.object({ packageManagerDependencies: z.object({ pnpm: z.object({ specifier: z.string(), version: z.string() }) }) }),
  }),
  packages: z.record(z.string(), PackageEntry),
});

/** Then the project's own lockfile. */
const ProjectDocument = z.object({
  lockfileVersion: z.string(),
  pnpmfileChecksum: z.string().optional(),
  importers: z.object({
    ".": z.object({ dependencies: LockedDependencies, devDependencies: LockedDependencies, optionalDependencies: LockedDependencies }),
  }),
  packages: z.record(z.string(), PackageEntry),
});

const appDir = (app: App) => path.join(repoRoot, "examples/app", app);
const relative = (file: string) => path.relative(repoRoot, file);

function parseWith<T>(schema: z.ZodType<T>, value: unknown, where: string): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new Error(`${where}: unexpected shape — ${z.prettifyError(result.error)}`);
  return result.data;
}

function readManifest(app: App) {
  const file = path.join(appDir(app), "package.json");
  return parseWith(Manifest, JSON.parse(readFileSync(file, "utf8")), relative(file));
}

function readLockfile(dir: string) {
  const file = path.join(dir, "pnpm-lock.yaml");
  const documents = parseAllDocuments(readFileSync(file, "utf8"));
  const broken = documents.flatMap((doc) => doc.errors);
  if (broken.length > 0) throw new Error(`${relative(file)}: not valid YAML — ${broken[0]?.message}`);
  if (documents.length !== 2) {
    throw new Error(
      `${relative(file)}: expected 2 YAML documents (pnpm's own pin, then the project), found ${documents.length} — regenerate it with the pinned pnpm`,
    );
  }
  const [pnpmPart, projectPart] = documents.map((doc) => doc.toJS());
  return {
    packageManager: parseWith(PackageManagerDocument, pnpmPart, `${relative(file)} (first document)`),
    project: parseWith(ProjectDocument, projectPart, `${relative(file)} (second document)`),
  };
}

/** The name in a `packages` key such as `@img/sharp-linux-x64@0.35.5`. */
const packageName = (key: string) => key.slice(0, key.lastIndexOf("@"));

function findPackage(packages: Record<string, z.infer<typeof PackageEntry>>, name: string) {
  return Object.entries(packages).find(([key]) => packageName(key) === name)?.[1];
}

const apps = APPS.map((app) => ({
  app,
  where: `examples/app/${app}`,
  manifestFile: `examples/app/${app}/package.json`,
  manifest: readManifest(app),
  lockfile: readLockfile(appDir(app)),
  pnpmfile: path.join(appDir(app), ".pnpmfile.mjs"),
}));

/**
 * The reference backend as a typical repository has it, without its pnpmfile: the same manifest,
 * resolved into a lockfile of its own (test/support/docker/variants.ts builds it in the e2e).
 */
const noPnpmfile = {
  app: "backend" as const,
  where: "examples/app-nopnpmfile/backend",
  manifestFile: "examples/app/backend/package.json",
  manifest: readManifest("backend"),
  lockfile: readLockfile(path.join(repoRoot, "examples/app-nopnpmfile/backend")),
  pnpmfile: path.join(repoRoot, "examples/app-nopnpmfile/backend/.pnpmfile.mjs"),
};

/** Every platform an image may be built on: Debian (glibc) and Alpine (musl) bases, x64 and arm64. */
const PLATFORMS = [
  { cpu: "x64", libc: "glibc" },
  { cpu: "arm64", libc: "glibc" },
  { cpu: "x64", libc: "musl" },
  { cpu: "arm64", libc: "musl" },
] as const;
const pnpmExe = (cpu: string, libc: string) => `@pnpm/exe.linux-${cpu}${libc === "musl" ? "-musl" : ""}`;
const FRONTEND_NATIVE = PLATFORMS.flatMap(({ cpu, libc }) => [
  { name: `@img/sharp-${libc === "musl" ? "linuxmusl" : "linux"}-${cpu}`, cpu, libc },
  { name: `@img/sharp-libvips-${libc === "musl" ? "linuxmusl" : "linux"}-${cpu}`, cpu, libc },
  { name: `@next/swc-linux-${cpu}-${libc === "musl" ? "musl" : "gnu"}`, cpu, libc },
]);

// Tables of tuples with %s: vitest quotes strings interpolated with $name.
describe.each([...apps, noPnpmfile].map((entry) => [entry.where, entry] as const))("%s", (where, { manifestFile, manifest, lockfile, pnpmfile }) => {
  const direct = DEPENDENCY_SECTIONS.flatMap((section) =>
    Object.entries(manifest[section]).map(([name, version]) => [name, section, version] as const),
  );

  it("has a pnpm-lock.yaml of lockfileVersion 9 in both of its documents", () => {
    expect(lockfile.packageManager.lockfileVersion).toBe("9.0");
    expect(lockfile.project.lockfileVersion).toBe("9.0");
  });

  it("pins one exact pnpm version in packageManager", () => {
    expect(manifest.packageManager, `${manifestFile}: packageManager`).toMatch(PNPM_PIN);
  });

  it("records that pnpm version in its lockfile, so a frozen install does not try to change it", () => {
    const pinned = PNPM_PIN.exec(manifest.packageManager)?.[1];
    expect(lockfile.packageManager.importers["."].packageManagerDependencies.pnpm).toEqual({ specifier: pinned, version: pinned });
  });

  it.each(PLATFORMS.map(({ cpu, libc }) => [cpu, libc]))("locks pnpm's own binary for linux %s %s", (cpu, libc) => {
    const entry = findPackage(lockfile.packageManager.packages, pnpmExe(cpu, libc));
    expect(entry, `${pnpmExe(cpu, libc)} missing from ${where}/pnpm-lock.yaml`).toBeDefined();
    expect(entry).toMatchObject({ os: ["linux"], cpu: [cpu], libc: [libc] });
  });

  it("has direct dependencies", () => {
    expect(direct.length).toBeGreaterThan(0);
  });

  it.each(direct)("pins %s (%s) to an exact version", (_name, _section, version) => {
    expect(version).toMatch(EXACT_VERSION);
  });

  it.each(direct)("locks %s (%s) with the manifest's specifier", (name, section, version) => {
    const locked = lockfile.project.importers["."][section][name];
    expect(locked, `${where}/pnpm-lock.yaml has no ${section}.${name}: run pnpm install`).toBeDefined();
    expect(locked?.specifier, `${where}/pnpm-lock.yaml: ${section}.${name}.specifier`).toBe(version);
    // The resolved version, followed by its peers' versions in parentheses when it has any.
    expect(locked?.version.split("(")[0]).toBe(version);
  });

  it.each(DEPENDENCY_SECTIONS)("locks nothing in %s that the manifest does not list", (section) => {
    expect(Object.keys(lockfile.project.importers["."][section]).sort()).toEqual(Object.keys(manifest[section]).sort());
  });

  it("was resolved with the committed .pnpmfile.mjs, or without one when there is none", () => {
    const expected = existsSync(pnpmfile)
      ? `sha256-${createHash("sha256").update(readFileSync(pnpmfile)).digest("base64")}`
      : undefined;
    expect(lockfile.project.pnpmfileChecksum).toBe(expected);
  });
});

describe("both apps", () => {
  it("pin the same pnpm version", () => {
    const [backend, frontend] = apps.map(({ manifest }) => manifest.packageManager);
    expect(frontend).toBe(backend);
  });
});

describe("examples/app/frontend's native packages", () => {
  const { packages } = apps.find(({ app }) => app === "frontend")!.lockfile.project;

  it.each(FRONTEND_NATIVE.map(({ name, cpu, libc }) => [name, cpu, libc]))("include %s for linux %s %s", (name, cpu, libc) => {
    const entry = findPackage(packages, name);
    expect(entry, `${name} missing from examples/app/frontend/pnpm-lock.yaml`).toBeDefined();
    expect(entry).toMatchObject({ os: ["linux"], cpu: [cpu], libc: [libc] });
  });
});
