/**
 * Reproducible images, measured on the real engine: one commit of examples/app, built twice from a
 * cold cache — the second time from a fresh clone (every file time new) after the engine's local
 * cache is pruned — with the labels a release passes (`--revision=$(git rev-parse HEAD)
 * --created=$(git log -1 --format=%cI)`).
 *
 * The backend and its migrations image must be the same image both times: one manifest digest.
 * When they are not, the failure names every config field and every file (with what about it:
 * content, time, mode, owner) that differs.
 *
 * The frontend is not reproducible yet: Next.js draws its build ID, its preview-mode keys and its
 * server-actions key on every build (the README says so). This test checks that those are all that
 * differ, so any other source of difference fails it.
 */
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { filesOf, imageDifferences, imageId, readArchivedImage, type ArchivedImage } from "../support/docker/image-diff.ts";
import { dagger, described, shellLine } from "../support/engine/cli.ts";
import { writeAppRepository } from "../support/engine/module-copy.ts";
import { NEXT_VOLATILE_FILES } from "../support/engine/next-volatile.ts";
import { engineTierUnavailable, log, setUpEngineTier, tearDownEngineTier, type EngineTier } from "../support/engine/tier.ts";
import { run } from "../support/docker/cli.ts";

const unavailable = engineTierUnavailable();

/** What is built, as the README's lines name it. */
const IMAGES = {
  backend: "backend",
  migrations: "app --name=backend migrations",
  frontend: "frontend",
} as const;
type Image = keyof typeof IMAGES;

let tier: EngineTier;
/** Each image of each round: [first build, second build]. */
const built = {} as Record<Image, ArchivedImage[]>;

/** The release's labels, from the clone's own commit, as a CI job passes them. */
const LABELS = "with-labels --revision=$(git rev-parse HEAD) --created=$(git log -1 --format=%cI)";

async function buildRound(round: number, clone: string): Promise<void> {
  for (const [image, call] of Object.entries(IMAGES) as [Image, string][]) {
    const tarball = path.join(tier.work, `${image}-${round}.tar`);
    const line = `dagger -m ${tier.moduleDir} call --source=. ${LABELS} ${call} export --path=${tarball}`;
    const result = await shellLine(tier.kit, line, { cwd: clone });
    if (result.code !== 0) throw new Error(described(result));
    log(`reproducible: round ${round}, ${image} built and exported in ${result.seconds.toFixed(1)} s`);
    (built[image] ??= []).push(await readArchivedImage(tarball));
  }
}

describe.skipIf(unavailable !== undefined)("reproducible images, measured: one commit built twice from a cold cache on the real engine", () => {
  beforeAll(async () => {
    tier = await setUpEngineTier();
    const first = path.join(tier.work, "shop");
    const second = path.join(tier.work, "shop-clone");
    await writeAppRepository(first, "examples/app");
    await buildRound(1, first);
    const pruned = await dagger(tier.kit, ["core", "engine", "local-cache", "prune"], { cwd: tier.work });
    if (pruned.code !== 0) throw new Error(described(pruned));
    log(`reproducible: pruned the engine's local cache in ${pruned.seconds.toFixed(1)} s`);
    const cloned = await run("git", ["clone", "-q", first, second]);
    if (cloned.code !== 0) throw new Error(`git clone ${first} ${second}: ${cloned.stderr}`);
    await buildRound(2, second);
  });

  afterAll(() => tearDownEngineTier(tier?.work));

  it.each(["backend", "migrations"] as const)("%s: the same image both times — one manifest digest, one image ID", (image) => {
    const [a, b] = built[image] as [ArchivedImage, ArchivedImage];
    log(`reproducible: ${image} ${a.manifestDigest} (image ${imageId(a)}) / ${b.manifestDigest} (image ${imageId(b)})`);
    expect(imageDifferences(a, b), `${image}: what differs between the two builds`).toEqual([]);
    expect(a.manifestDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(b.manifestDigest).toBe(a.manifestDigest);
  });

  it("frontend: differs only where Next.js draws a value per build (build ID, preview-mode and server-actions keys)", () => {
    const [a, b] = built.frontend as [ArchivedImage, ArchivedImage];
    const differences = imageDifferences(a, b);
    const ids = [a, b].map(nextBuildId).filter((id): id is string => id !== undefined);
    expect(ids, "a Next.js build ID in both images").toHaveLength(2);
    // A file named after the build ID, or holding it, or holding one of the keys: what Next.js itself varies.
    const unexplained = differences.filter((line) => {
      const [, file, what] = /^layer \d+: (.+?): (.+)$/.exec(line) ?? [];
      if (file === undefined) return true;
      if (ids.some((id) => file.includes(id))) return false;
      return !(what === "content" && (NEXT_VOLATILE_FILES.has(file) || [a, b].some((image) => ids.some((id) => fileText(image, file)?.includes(id)))));
    });
    log(`reproducible: frontend ${differences.length} differences, all Next.js's per-build values: ${unexplained.length === 0}`);
    expect(unexplained, "frontend: differences Next.js's per-build values do not explain").toEqual([]);
  });
});

/** The text of `file` (no leading slash) in the image. */
function fileText(image: ArchivedImage, file: string): string | undefined {
  return filesOf(image).get(file)?.toString("latin1");
}

function nextBuildId(image: ArchivedImage): string | undefined {
  return fileText(image, "app/.next/BUILD_ID")?.trim();
}
