import { mkdtemp } from "node:fs/promises";
import path from "node:path";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { docker } from "../support/docker/cli.ts";
import { imageTag } from "../support/docker/e2e-context.ts";
import { saveImage, tarEntries } from "../support/docker/image-archive.ts";

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
