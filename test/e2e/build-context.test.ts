import { mkdir, mkdtemp, readFile, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { tryBuild } from "../support/docker/app-images.ts";
import { copyCommittableTree } from "../support/docker/canaries.ts";
import { docker } from "../support/docker/cli.ts";
import { imageTag } from "../support/docker/e2e-context.ts";
import { REPO_ROOT } from "../support/docker/engine.ts";
import { saveImage, tarEntries, type TarEntry } from "../support/docker/image-archive.ts";

const ctx = inject("drydockE2e");

/** Copies the whole build context into an image, to see exactly what Docker receives. */
const CONTEXT_PROBE = "FROM scratch\nCOPY . /context/\n";

describe("examples/app/.dockerignore, the first fence", () => {
  let files: string[];

  beforeAll(async () => {
    const tag = imageTag(ctx.runId, "context-probe");
    await docker(["build", "--quiet", "--file", "-", "--tag", tag, ctx.appCopy], { input: CONTEXT_PROBE });
    const saved = await saveImage(tag, await mkdtemp(path.join(ctx.workDir, "context-")));
    files = saved.layers.flatMap((l) => tarEntries(l.bytes).map((e) => e.name.replace(/^context\//, "").replace(/\/$/, "")));
  });

  it("sends the sources, manifests and lockfiles the builds need", () => {
    expect(files).toEqual(
      expect.arrayContaining(["backend/package.json", "backend/pnpm-lock.yaml", "backend/src/main.ts", "frontend/package.json", "frontend/pnpm-lock.yaml"]),
    );
  });

  it.each(ctx.canaries)("keeps out the $kind ($file)", ({ file }) => {
    expect(files.filter((f) => f === file || f.startsWith(`${file}/`))).toEqual([]);
  });

  it.each([".git", "backend/node_modules", "frontend/node_modules"])("keeps out the whole %s directory", (dir) => {
    expect(files.filter((f) => f === dir || f.startsWith(`${dir}/`))).toEqual([]);
  });
});

/** A copy of examples/app whose backend depends on the local folder `link` (relative to it), in package.json and the lockfile as pnpm writes them. */
async function withLinkedDependency(name: string, link: string): Promise<string> {
  const root = await mkdtemp(path.join(ctx.workDir, `${name}-`));
  await copyCommittableTree(REPO_ROOT, "examples/app", root);
  const manifestFile = path.join(root, "backend/package.json");
  const manifest = JSON.parse(await readFile(manifestFile, "utf8")) as { dependencies: Record<string, string> };
  manifest.dependencies[name] = `link:${link}`;
  await writeFile(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);
  const lockfileFile = path.join(root, "backend/pnpm-lock.yaml");
  const lockfile = await readFile(lockfileFile, "utf8");
  const importer = "\n  .:\n    dependencies:\n";
  if (lockfile.split(importer).length !== 2) throw new Error(`${lockfileFile}: expected one importer "." with dependencies`);
  await writeFile(lockfileFile, lockfile.replace(importer, `${importer}      ${name}:\n        specifier: link:${link}\n        version: link:${link}\n`));
  return root;
}

/** The entries of the layout stage's image (a successful `--target layout` build) under `prefix`. */
async function layoutEntries(tag: string, prefix: string): Promise<TarEntry[]> {
  const saved = await saveImage(tag, await mkdtemp(path.join(ctx.workDir, "layout-image-")));
  return saved.layers.flatMap((l) => tarEntries(l.bytes)).filter((e) => e.name.startsWith(prefix));
}

/**
 * The layout stage reads the context through a bind mount, where a symlink resolves in the build
 * stage's own root: `packages/evil -> /` and a backend depending on `link:../packages/evil/etc`
 * once copied the build image's /etc into /layout/packages, and from there into the build. It is
 * refused, named; a link inside a copied folder stays the link it is.
 */
describe("a symlink out of the build context", () => {
  it("fails the layout stage, naming the link and what it points to, and copies nothing of the build stage's /", async () => {
    const context = await withLinkedDependency("evil", "../packages/evil/etc");
    await mkdir(path.join(context, "packages"));
    await symlink("/", path.join(context, "packages/evil"));
    const tag = imageTag(ctx.runId, "symlink-out");
    const outcome = await tryBuild({ app: "backend", context, tag, bases: ctx.bases, target: "layout" });
    // What the layout stage wrote of the link's target, had it succeeded (the build image's /etc, before the fix).
    const landed = outcome.code === 0 ? (await layoutEntries(tag, "layout/packages/packages/evil/")).map((e) => e.name) : [];
    expect(landed.slice(0, 10), "files of the build stage's / that the layout stage copied").toEqual([]);
    expect(outcome.code).not.toBe(0);
    expect(outcome.stderr + outcome.stdout).toContain(
      'APP_DIR: packages/evil: found a symlink to "/", expected a folder inside the build context, not a link (packages/evil/etc, a local package the app links to)',
    );
  });

  it("copies a link inside a local package and inside the Prisma schema folder as the link it is", async () => {
    const context = await withLinkedDependency("shared", "../packages/shared");
    await mkdir(path.join(context, "packages/shared"), { recursive: true });
    await writeFile(path.join(context, "packages/shared/package.json"), '{ "name": "shared", "version": "1.0.0" }\n');
    await symlink("/", path.join(context, "packages/shared/root"));
    await symlink("/etc/hostname", path.join(context, "backend/prisma/host.prisma"));
    const tag = imageTag(ctx.runId, "symlink-inside");
    const outcome = await tryBuild({ app: "backend", context, tag, bases: ctx.bases, target: "layout" });
    expect(outcome.code, outcome.stderr.slice(-2000)).toBe(0);
    const links = async (prefix: string) => (await layoutEntries(tag, prefix)).map((e) => ({ name: e.name, type: e.type, linkName: e.linkName }));
    expect(await links("layout/packages/packages/shared/root")).toEqual([{ name: "layout/packages/packages/shared/root", type: "2", linkName: "/" }]);
    expect(await links("layout/prisma/backend/prisma/host.prisma")).toEqual([{ name: "layout/prisma/backend/prisma/host.prisma", type: "2", linkName: "/etc/hostname" }]);
  });
});
