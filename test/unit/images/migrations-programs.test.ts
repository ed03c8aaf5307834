/**
 * The migrations image's fixed programs, run by the real node: the prune of a `pnpm deploy` to the
 * Prisma CLI and what the Prisma config imports, with its checks, on trees laid out as pnpm lays
 * them out; and the schema-engine step against a stand-in of Prisma's engines package (no host
 * serving Prisma's engines is reachable here: the real download is not exercised). The real deploy
 * and image are the e2e's (test/e2e/migrations.test.ts).
 */
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ENGINE_PROGRAM, MIGRATIONS_LINES, MIGRATIONS_PROGRAM } from "../../../dagger/src/images/migrations-programs.ts";

interface Manifest {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function writeFile(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

/**
 * An app folder (`<root>/app`, with `files`) and its `pnpm deploy` output (`<root>/out`) in pnpm's
 * isolated layout: each package in `.pnpm/<key>/node_modules/<name>` with its dependencies linked
 * beside it, the app's direct dependencies (dev included) linked at the top, `.bin` shims, a source
 * map and a type declaration in every package.
 */
function deployed(files: Record<string, string>, app: Manifest, packages: Manifest[]): { app: string; out: string } {
  const root = mkdtempSync(path.join(os.tmpdir(), "drydock-migrations-"));
  made.push(root);
  for (const [file, text] of Object.entries(files)) writeFile(path.join(root, "app", file), text);
  const out = path.join(root, "out");
  writeFile(path.join(out, "package.json"), JSON.stringify(app));
  const store = path.join(out, "node_modules/.pnpm");
  const siblingsOf = (name: string) => path.join(store, `${name.replace("/", "+")}@1.0.0/node_modules`);
  const dirOf = (name: string) => path.join(siblingsOf(name), name);
  const link = (target: string, at: string) => {
    mkdirSync(path.dirname(at), { recursive: true });
    symlinkSync(path.relative(path.dirname(at), target), at);
  };
  for (const pkg of packages) {
    writeFile(path.join(dirOf(pkg.name), "package.json"), JSON.stringify(pkg));
    writeFile(path.join(dirOf(pkg.name), "index.js"), "module.exports = 1;\n");
    writeFile(path.join(dirOf(pkg.name), "index.js.map"), "{}");
    writeFile(path.join(dirOf(pkg.name), "index.d.ts"), "export {};\n");
  }
  for (const pkg of packages) {
    const peers = Object.keys(pkg.peerDependencies ?? {}).filter((name) => packages.some((p) => p.name === name));
    for (const dep of [...Object.keys(pkg.dependencies ?? {}), ...peers]) link(dirOf(dep), path.join(siblingsOf(pkg.name), dep));
  }
  for (const name of [...Object.keys(app.dependencies ?? {}), ...Object.keys(app.devDependencies ?? {})]) link(dirOf(name), path.join(out, "node_modules", name));
  for (const pkg of packages) link(dirOf(pkg.name), path.join(store, "node_modules", pkg.name));
  writeFile(path.join(out, "node_modules/.bin/prisma"), '#!/bin/sh\nexec node "$basedir/../prisma/build/index.js" "$@"\n');
  return { app: path.join(root, "app"), out };
}

function prune(where: { app: string; out: string }, env: Record<string, string> = {}) {
  const run = spawnSync(process.execPath, ["-e", MIGRATIONS_PROGRAM, where.out], { cwd: where.app, encoding: "utf8", env: { PATH: process.env["PATH"] ?? "", ...env } });
  return { status: run.status, stdout: run.stdout.trim(), stderr: run.stderr.trim() };
}

/** The packages left in pnpm's store, by name. */
const stored = (out: string) =>
  readdirSync(path.join(out, "node_modules/.pnpm"))
    .filter((key) => key !== "node_modules")
    .map((key) => key.replace(/@1\.0\.0$/, "").replace("+", "/"))
    .sort();

/** The links and folders at the top of node_modules, by name. */
const topLevel = (out: string) =>
  readdirSync(path.join(out, "node_modules"))
    .flatMap((entry) => (entry.startsWith("@") ? readdirSync(path.join(out, "node_modules", entry)).map((name) => `${entry}/${name}`) : [entry]))
    .filter((name) => !name.startsWith("."))
    .sort();

function everyFile(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).map((e) => path.relative(dir, path.join(e.parentPath, e.name)));
}

function danglingLinks(dir: string): string[] {
  return everyFile(dir).filter((file) => lstatSync(path.join(dir, file)).isSymbolicLink() && !existsSync(path.join(dir, file))).map((file) => `${file} -> ${readlinkSync(path.join(dir, file))}`);
}

/** The reference backend's shape: the CLI's dependencies, its optional TypeScript peer, the client, Nest and dev tools. */
const CLI: Manifest = {
  name: "prisma",
  version: "1.0.0",
  dependencies: { "@prisma/config": "1.0.0", "@prisma/engines": "1.0.0" },
  peerDependencies: { typescript: "*" },
  peerDependenciesMeta: { typescript: { optional: true } },
};
const PACKAGES: Manifest[] = [
  CLI,
  { name: "@prisma/config", version: "1.0.0", dependencies: { c12: "1.0.0" } },
  { name: "c12", version: "1.0.0" },
  { name: "@prisma/engines", version: "1.0.0", dependencies: { "@prisma/fetch-engine": "1.0.0" } },
  { name: "@prisma/fetch-engine", version: "1.0.0" },
  { name: "@prisma/client", version: "1.0.0" },
  { name: "@nestjs/core", version: "1.0.0" },
  { name: "dotenv", version: "1.0.0" },
  { name: "typescript", version: "1.0.0" },
];
const APP: Manifest = {
  name: "backend",
  version: "1.0.0",
  dependencies: { "@prisma/client": "1.0.0", "@nestjs/core": "1.0.0", dotenv: "1.0.0" },
  devDependencies: { prisma: "1.0.0", typescript: "1.0.0" },
};
const MIGRATION = { "prisma/migrations/20261127000000_init/migration.sql": "CREATE TABLE note (id SERIAL PRIMARY KEY);\n" };
const SCHEMA = { "prisma/schema.prisma": 'datasource db { provider = "postgresql" }\n' };
const CONFIG = (imports: string) => ({ "prisma.config.ts": `${imports}\nexport default defineConfig({ schema: "prisma/schema.prisma", datasource: { url: process.env.DATABASE_URL } });\n` });

describe("the migrations image's prune after pnpm deploy", () => {
  it("keeps the Prisma CLI and what the Prisma config imports, with their dependencies, and nothing else: no shim, link to nothing, map or declaration", () => {
    const config = CONFIG('import "dotenv/config";\nimport path from "node:path";\nimport { defineConfig } from "prisma/config";\nimport type { Other } from "prisma";');
    const where = deployed({ ...config, ...SCHEMA, ...MIGRATION, "package.json": JSON.stringify(APP) }, APP, PACKAGES);
    const run = prune(where);
    expect(run).toEqual({ status: 0, stdout: "migrations: 1 migration; kept 6 packages for prisma, dotenv, removed 3 others", stderr: "" });
    expect(stored(where.out)).toEqual(["@prisma/config", "@prisma/engines", "@prisma/fetch-engine", "c12", "dotenv", "prisma"]);
    expect(topLevel(where.out)).toEqual(["dotenv", "prisma"]);
    expect(readdirSync(path.join(where.out, "node_modules")).filter((entry) => entry.startsWith("@")), "no scope folder left empty").toEqual([]);
    expect(existsSync(path.join(where.out, "node_modules/.bin")), "pnpm's shims are shell scripts").toBe(false);
    expect(danglingLinks(path.join(where.out, "node_modules"))).toEqual([]);
    expect(everyFile(where.out).filter((f) => f.endsWith(".map") || f.endsWith(".d.ts"))).toEqual([]);
    // What the CLI loads still resolves, as Node resolves it.
    const load = spawnSync(process.execPath, ["-e", 'const r=require("module").createRequire(require("fs").realpathSync("node_modules/prisma")+"/");r.resolve("@prisma/engines");r.resolve("@prisma/config");require.resolve("dotenv")'], { cwd: where.out });
    expect(load.status, String(load.stderr)).toBe(0);
  });

  it("keeps the CLI alone for an app whose config imports only Prisma, or that has no config", () => {
    for (const files of [{ ...CONFIG('import { defineConfig } from "prisma/config";'), ...SCHEMA }, SCHEMA]) {
      const where = deployed({ ...files, ...MIGRATION }, APP, PACKAGES);
      expect(prune(where).status).toBe(0);
      expect(topLevel(where.out)).toEqual(["prisma"]);
    }
  });

  it("reads require() and dynamic import() of packages, and a scoped package by its scope and name", () => {
    const where = deployed(
      { ...CONFIG('const dotenv = require("dotenv");\nconst { x } = await import("@nestjs/core/sub");\nimport { defineConfig } from "prisma/config";'), ...SCHEMA, ...MIGRATION },
      APP,
      PACKAGES,
    );
    expect(prune(where).stdout).toBe("migrations: 1 migration; kept 7 packages for prisma, dotenv, @nestjs/core, removed 2 others");
    expect(topLevel(where.out)).toEqual(["@nestjs/core", "dotenv", "prisma"]);
  });

  it("copies PRISMA_SCHEMA_ENGINE_BINARY, when set, as the image's executable schema engine, and says so", () => {
    const where = deployed({ ...SCHEMA, ...MIGRATION }, APP, PACKAGES);
    const engine = path.join(path.dirname(where.app), "engine");
    writeFile(engine, "not really an engine");
    const run = prune(where, { PRISMA_SCHEMA_ENGINE_BINARY: engine });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(`migrations: the image ships PRISMA_SCHEMA_ENGINE_BINARY (${engine}) as its schema engine, not the engine Prisma downloads`);
    expect(readFileSync(path.join(where.out, "schema-engine"), "utf8")).toBe("not really an engine");
    expect(statSync(path.join(where.out, "schema-engine")).mode & 0o777).toBe(0o755);
    expect(existsSync(path.join(deployed({ ...SCHEMA, ...MIGRATION }, APP, PACKAGES).out, "schema-engine")), "none without it").toBe(false);
  });

  it.each<{ name: string; files: Record<string, string>; packages: Manifest[]; env: Record<string, string>; stderr: string }>([
    {
      name: "an app without Prisma",
      files: { "src/main.ts": "" },
      packages: PACKAGES,
      env: {},
      stderr: "migrations: found no prisma.config.* and no prisma/schema.prisma in the app, expected a backend that uses Prisma - the migrations image runs prisma migrate deploy: build it for a backend with a Prisma schema and migrations only",
    },
    {
      name: "Prisma files without a migration",
      files: { ...CONFIG('import { defineConfig } from "prisma/config";'), ...SCHEMA, "prisma/migrations/migration_lock.toml": 'provider = "postgresql"\n' },
      packages: PACKAGES,
      env: {},
      stderr:
        "migrations: found no migration (migrations/<name>/migration.sql) in the Prisma files of the app (prisma.config.ts and the schema folder), expected the migrations prisma migrate deploy applies - run prisma migrate dev and commit the migrations folder beside the schema",
    },
    {
      name: "a config importing a file of the app",
      files: { ...CONFIG('import { url } from "./src/env";'), ...SCHEMA, ...MIGRATION },
      packages: PACKAGES,
      env: {},
      stderr:
        'migrations: prisma.config.ts: found an import of "./src/env", expected packages only - the migrations image holds the Prisma config, schema and migrations, no other file of the app: move what it imports into the config, or into a package the app depends on',
    },
    {
      name: "a config importing a package the app does not depend on",
      files: { ...CONFIG("import { z } from 'zod';"), ...SCHEMA, ...MIGRATION },
      packages: PACKAGES,
      env: {},
      stderr: 'migrations: prisma.config.ts: found an import of "zod", which is no dependency of the app, expected a package of package.json - add it to dependencies or devDependencies and run pnpm install',
    },
    {
      name: "an app without the Prisma CLI",
      files: { ...SCHEMA, ...MIGRATION },
      packages: PACKAGES.filter((p) => p.name !== "prisma"),
      env: {},
      stderr: "migrations: found no package prisma among the dependencies of the app, expected the Prisma CLI - add prisma to devDependencies (the version of @prisma/client) and run pnpm install",
    },
    {
      name: "a PRISMA_SCHEMA_ENGINE_BINARY that is no file",
      files: { ...SCHEMA, ...MIGRATION },
      packages: PACKAGES,
      env: { PRISMA_SCHEMA_ENGINE_BINARY: "/no/such/engine" },
      stderr:
        'migrations: PRISMA_SCHEMA_ENGINE_BINARY: found "/no/such/engine", which is no file in the build image, expected the schema engine the image ships - leave it unset so Prisma downloads the engine, or name the engine file',
    },
  ])("fails the build on $name, saying what it found and how to fix it", ({ files, packages, env, stderr }) => {
    const app = { ...APP, devDependencies: Object.fromEntries(Object.entries(APP.devDependencies ?? {}).filter(([name]) => packages.some((p) => p.name === name))) };
    expect(prune(deployed(files, app, packages), env)).toEqual({ status: 1, stdout: "", stderr });
  });

  it("is text a Dockerfile can hold in single quotes, one line of it a line: no quote, $ or backslash", () => {
    for (const line of MIGRATIONS_LINES) expect(line).not.toMatch(/['$\\]/);
    expect(MIGRATIONS_PROGRAM).toBe(MIGRATIONS_LINES.join(""));
  });
});

/**
 * A deployed CLI whose @prisma/engines stands in for Prisma's: its ensureNeededBinariesExist calls
 * the download of @prisma/fetch-engine (as Prisma's does), which writes `writes` into the engines
 * folder, or rejects with `rejects`.
 */
function withEngines(behaviour: { writes?: string[]; rejects?: string }): string {
  const root = mkdtempSync(path.join(os.tmpdir(), "drydock-engine-"));
  made.push(root);
  const store = path.join(root, "node_modules/.pnpm");
  const dirOf = (name: string) => path.join(store, `${name.replace("/", "+")}@1.0.0/node_modules`, name);
  writeFile(path.join(dirOf("prisma"), "package.json"), JSON.stringify({ name: "prisma", version: "1.0.0" }));
  writeFile(path.join(dirOf("@prisma/engines"), "package.json"), JSON.stringify({ name: "@prisma/engines", version: "1.0.0", main: "dist/index.js" }));
  writeFile(
    path.join(dirOf("@prisma/engines"), "dist/index.js"),
    'const path=require("path");exports.ensureNeededBinariesExist=({download})=>download({binaries:{"schema-engine":path.join(__dirname,"../")}});\n',
  );
  writeFile(path.join(dirOf("@prisma/fetch-engine"), "package.json"), JSON.stringify({ name: "@prisma/fetch-engine", version: "1.0.0" }));
  writeFile(
    path.join(dirOf("@prisma/fetch-engine"), "index.js"),
    `const fs=require("fs"),path=require("path");exports.download=async({binaries})=>{${behaviour.rejects ? `throw new Error(${JSON.stringify(behaviour.rejects)});` : ""}for(const name of ${JSON.stringify(behaviour.writes ?? [])})fs.writeFileSync(path.join(binaries["schema-engine"],name),"engine");};\n`,
  );
  const link = (target: string, at: string) => {
    mkdirSync(path.dirname(at), { recursive: true });
    symlinkSync(path.relative(path.dirname(at), target), at);
  };
  link(dirOf("@prisma/engines"), path.join(path.dirname(dirOf("prisma")), "@prisma/engines"));
  link(dirOf("@prisma/fetch-engine"), path.join(path.dirname(path.dirname(dirOf("@prisma/engines"))), "@prisma/fetch-engine"));
  link(dirOf("prisma"), path.join(root, "node_modules/prisma"));
  return root;
}

function fetchEngine(dir: string) {
  const run = spawnSync(process.execPath, ["-e", ENGINE_PROGRAM, dir], { encoding: "utf8" });
  return { status: run.status, stdout: run.stdout.trim(), stderr: run.stderr.trim() };
}

describe("the migrations image's schema engine step", () => {
  it("has Prisma's fetch-engine download the engine of this platform and makes it <dir>/schema-engine, executable", () => {
    const dir = withEngines({ writes: ["schema-engine-debian-openssl-3.0.x"] });
    expect(fetchEngine(dir)).toEqual({ status: 0, stdout: "migrations: downloaded Prisma schema engine schema-engine-debian-openssl-3.0.x", stderr: "" });
    expect(statSync(path.join(dir, "schema-engine")).mode & 0o777).toBe(0o755);
  });

  it("downloads nothing when the engine was given (PRISMA_SCHEMA_ENGINE_BINARY, copied by the prune)", () => {
    const dir = withEngines({ rejects: "must not be called" });
    writeFile(path.join(dir, "schema-engine"), "given");
    chmodSync(path.join(dir, "schema-engine"), 0o755);
    expect(fetchEngine(dir)).toEqual({ status: 0, stdout: "migrations: schema engine given by PRISMA_SCHEMA_ENGINE_BINARY, none downloaded", stderr: "" });
  });

  it.each([
    {
      name: "a download that fails",
      behaviour: { rejects: "request to https://binaries.prisma.sh/x failed, reason: getaddrinfo ENOTFOUND binaries.prisma.sh\nsecond line" },
      stderr:
        "migrations: could not download Prisma schema engine (request to https://binaries.prisma.sh/x failed, reason: getaddrinfo ENOTFOUND binaries.prisma.sh), expected it from binaries.prisma.sh - set PRISMA_ENGINES_MIRROR to a mirror of it, or PRISMA_SCHEMA_ENGINE_BINARY to an engine file in the build image",
    },
    { name: "a download that writes no engine", behaviour: { writes: [] }, stderr: "after the download, expected the one of this platform" },
    { name: "a download that writes two engines", behaviour: { writes: ["schema-engine-a", "schema-engine-b"] }, stderr: "migrations: found schema-engine-a, schema-engine-b in " },
  ])("fails the build on $name, saying so", ({ behaviour, stderr }) => {
    const dir = withEngines(behaviour);
    const run = fetchEngine(dir);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(stderr);
    expect(existsSync(path.join(dir, "schema-engine"))).toBe(false);
  });

  it("is text a Dockerfile can hold in one JSON string of an exec-form RUN: no double quote or backslash", () => {
    expect(ENGINE_PROGRAM).not.toMatch(/["\\]/);
  });
});
