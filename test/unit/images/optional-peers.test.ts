/**
 * The program that removes, after `pnpm deploy --prod`, the packages only an optional peer
 * dependency leads to — run by the real node on deployed trees laid out as pnpm (and npm) lay
 * them out. The real deploy of the reference backend, and the image that then has to start
 * against Postgres, is the e2e's (test/e2e/images.test.ts, stack.test.ts).
 */
import { spawnSync } from "node:child_process";
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { OPTIONAL_PEER_PRUNE, OPTIONAL_PEER_PRUNE_LINES } from "../../../dagger/src/images/optional-peers.ts";

interface Manifest {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

/**
 * A deployed app in pnpm's isolated layout: each package in `node_modules/.pnpm/<key>/node_modules/<name>`,
 * its dependencies (and resolved peers) linked beside it, the app's direct dependencies linked at the top.
 * `links` names, per package, what pnpm linked beside it — for a resolved peer, pnpm links it whether optional or not.
 */
function pnpmLayout(app: Manifest, packages: Manifest[], links: Record<string, string[]>): string {
  const root = mkdtempSync(path.join(os.tmpdir(), "optional-peers-"));
  roots.push(root);
  writeJson(path.join(root, "package.json"), app);
  const store = path.join(root, "node_modules/.pnpm");
  const siblingsOf = (name: string) => path.join(store, `${name.replace("/", "+")}@1.0.0/node_modules`);
  const dirOf = (name: string) => path.join(siblingsOf(name), name);
  for (const pkg of packages) {
    mkdirSync(dirOf(pkg.name), { recursive: true });
    writeJson(path.join(dirOf(pkg.name), "package.json"), pkg);
    writeFileSync(path.join(dirOf(pkg.name), "index.js"), "module.exports = 1;\n");
  }
  const link = (target: string, at: string) => {
    mkdirSync(path.dirname(at), { recursive: true });
    symlinkSync(path.relative(path.dirname(at), target), at);
  };
  for (const pkg of packages) {
    for (const dep of links[pkg.name] ?? []) link(dirOf(dep), path.join(siblingsOf(pkg.name), dep));
  }
  for (const name of [...Object.keys(app.dependencies ?? {}), ...Object.keys(app.optionalDependencies ?? {})]) link(dirOf(name), path.join(root, "node_modules", name));
  // pnpm's hidden hoisting links every package here, and .bin links every package's executables.
  for (const pkg of packages) link(dirOf(pkg.name), path.join(store, "node_modules", pkg.name));
  for (const pkg of packages) link(path.join(dirOf(pkg.name), "index.js"), path.join(root, "node_modules/.bin", pkg.name.replace("/", "-")));
  return root;
}

function writeJson(file: string, value: unknown): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(value));
}

function prune(root: string): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, ["-e", OPTIONAL_PEER_PRUNE, root], { encoding: "utf8" });
  return { status: run.status, stdout: run.stdout.trim(), stderr: run.stderr };
}

/** Which packages of the fixture are still in the store, by name. */
function storeHas(root: string, name: string): boolean {
  return existsSync(path.join(root, "node_modules/.pnpm", `${name.replace("/", "+")}@1.0.0`));
}

/** Every symbolic link under node_modules that no longer points at anything. */
function danglingLinks(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d)) {
      const at = path.join(d, entry);
      const st = lstatSync(at);
      if (st.isSymbolicLink()) {
        if (!existsSync(at)) out.push(`${path.relative(dir, at)} -> ${readlinkSync(at)}`);
      } else if (st.isDirectory()) walk(at);
    }
  };
  walk(dir);
  return out;
}

/** @prisma/client as published: the CLI and TypeScript as optional peers. */
const CLIENT: Manifest = {
  name: "@prisma/client",
  version: "1.0.0",
  dependencies: { "client-runtime": "1.0.0" },
  peerDependencies: { prisma: "*", typescript: "*" },
  peerDependenciesMeta: { prisma: { optional: true }, typescript: { optional: true } },
};
const RUNTIME: Manifest = { name: "client-runtime", version: "1.0.0" };
const CLI: Manifest = { name: "prisma", version: "1.0.0", dependencies: { studio: "1.0.0" }, peerDependencies: { typescript: "*" }, peerDependenciesMeta: { typescript: { optional: true } } };
const STUDIO: Manifest = { name: "studio", version: "1.0.0" };
const TS: Manifest = { name: "typescript", version: "1.0.0" };

describe("the optional-peer removal after pnpm deploy", () => {
  it("removes what only @prisma/client's optional peers lead to — the CLI, what the CLI needs, TypeScript — and every link to them", () => {
    const root = pnpmLayout(
      { name: "app", version: "1.0.0", dependencies: { "@prisma/client": "1.0.0" }, devDependencies: { prisma: "1.0.0", typescript: "1.0.0" } },
      [CLIENT, RUNTIME, CLI, STUDIO, TS],
      { "@prisma/client": ["client-runtime", "prisma", "typescript"], prisma: ["studio", "typescript"] },
    );
    const run = prune(root);
    expect(run).toEqual({ status: 0, stdout: "prune: removed 3 packages that only optional peer dependencies lead to: prisma@1.0.0, studio@1.0.0, typescript@1.0.0", stderr: "" });
    expect(["@prisma/client", "client-runtime", "prisma", "studio", "typescript"].filter((name) => storeHas(root, name))).toEqual(["@prisma/client", "client-runtime"]);
    expect(danglingLinks(path.join(root, "node_modules"))).toEqual([]);
    // What the app loads still resolves, as Node resolves it.
    const load = spawnSync(process.execPath, ["-e", 'require("@prisma/client/package.json");require.resolve("client-runtime",{paths:[require("path").dirname(require.resolve("@prisma/client/package.json"))]})'], { cwd: root });
    expect(load.status).toBe(0);
  });

  it.each<{ name: string; app: Manifest; packages: Manifest[]; links: Record<string, string[]>; kept: string[]; removed: string[] }>([
    {
      name: "keeps an optional peer the app also depends on in production",
      app: { name: "app", version: "1.0.0", dependencies: { "@prisma/client": "1.0.0", typescript: "1.0.0" }, devDependencies: { prisma: "1.0.0" } },
      packages: [CLIENT, RUNTIME, CLI, STUDIO, TS],
      links: { "@prisma/client": ["client-runtime", "prisma", "typescript"], prisma: ["studio", "typescript"] },
      kept: ["@prisma/client", "client-runtime", "typescript"],
      removed: ["prisma", "studio"],
    },
    {
      name: "keeps an optional peer that another production package depends on",
      app: { name: "app", version: "1.0.0", dependencies: { "@prisma/client": "1.0.0", tool: "1.0.0" }, devDependencies: { prisma: "1.0.0", typescript: "1.0.0" } },
      packages: [CLIENT, RUNTIME, CLI, STUDIO, TS, { name: "tool", version: "1.0.0", dependencies: { typescript: "1.0.0" } }],
      links: { "@prisma/client": ["client-runtime", "prisma", "typescript"], prisma: ["studio", "typescript"], tool: ["typescript"] },
      kept: ["@prisma/client", "client-runtime", "typescript", "tool"],
      removed: ["prisma", "studio"],
    },
    {
      name: "keeps a required peer and an optional dependency",
      app: { name: "app", version: "1.0.0", dependencies: { plugin: "1.0.0" }, optionalDependencies: { native: "1.0.0" } },
      packages: [
        { name: "plugin", version: "1.0.0", peerDependencies: { host: "*" } },
        { name: "host", version: "1.0.0", optionalDependencies: { addon: "1.0.0" } },
        { name: "addon", version: "1.0.0" },
        { name: "native", version: "1.0.0" },
      ],
      links: { plugin: ["host"], host: ["addon"] },
      kept: ["plugin", "host", "addon", "native"],
      removed: [],
    },
    {
      name: "keeps what an optional peer is linked to when a dependency also names it as a dependency",
      app: { name: "app", version: "1.0.0", dependencies: { both: "1.0.0" } },
      packages: [
        { name: "both", version: "1.0.0", dependencies: { extra: "1.0.0" }, peerDependencies: { extra: "*" }, peerDependenciesMeta: { extra: { optional: true } } },
        { name: "extra", version: "1.0.0" },
      ],
      links: { both: ["extra"] },
      kept: ["both", "extra"],
      removed: [],
    },
  ])("$name", ({ app, packages, links, kept, removed }) => {
    const root = pnpmLayout(app, packages, links);
    expect(prune(root).status).toBe(0);
    expect(packages.map((p) => p.name).filter((name) => storeHas(root, name)).sort()).toEqual([...kept].sort());
    expect(packages.map((p) => p.name).filter((name) => !storeHas(root, name)).sort()).toEqual([...removed].sort());
    expect(danglingLinks(path.join(root, "node_modules"))).toEqual([]);
  });

  it("removes nothing from a deploy with no optional peer links, and says so", () => {
    const root = pnpmLayout({ name: "app", version: "1.0.0", dependencies: { "@prisma/client": "1.0.0" } }, [CLIENT, RUNTIME], { "@prisma/client": ["client-runtime"] });
    expect(prune(root)).toEqual({ status: 0, stdout: "prune: no package is reached only as an optional peer dependency", stderr: "" });
    expect(storeHas(root, "@prisma/client") && storeHas(root, "client-runtime")).toBe(true);
  });

  it("works on a flat node_modules (node-linker=hoisted) too", () => {
    const root = mkdtempSync(path.join(os.tmpdir(), "optional-peers-"));
    roots.push(root);
    writeJson(path.join(root, "package.json"), { name: "app", version: "1.0.0", dependencies: { "@prisma/client": "1.0.0" } });
    for (const pkg of [CLIENT, RUNTIME, CLI, STUDIO, TS]) writeJson(path.join(root, "node_modules", pkg.name, "package.json"), pkg);
    expect(prune(root).stdout).toBe("prune: removed 3 packages that only optional peer dependencies lead to: prisma@1.0.0, studio@1.0.0, typescript@1.0.0");
    expect(["@prisma/client", "client-runtime", "prisma", "studio", "typescript"].filter((name) => existsSync(path.join(root, "node_modules", name)))).toEqual(["@prisma/client", "client-runtime"]);
  });

  it("does nothing to an app without node_modules", () => {
    const root = mkdtempSync(path.join(os.tmpdir(), "optional-peers-"));
    roots.push(root);
    writeJson(path.join(root, "package.json"), { name: "app", version: "1.0.0" });
    expect(prune(root)).toEqual({ status: 0, stdout: "prune: no package is reached only as an optional peer dependency", stderr: "" });
  });

  it("is text a Dockerfile can hold in single quotes, one line of it a line: no quote, $ or backslash", () => {
    for (const line of OPTIONAL_PEER_PRUNE_LINES) expect(line).not.toMatch(/['$\\]/);
    expect(OPTIONAL_PEER_PRUNE).toBe(OPTIONAL_PEER_PRUNE_LINES.join(""));
  });
});
