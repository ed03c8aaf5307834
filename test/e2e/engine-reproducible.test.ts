/**
 * Reproducible images, measured on the real engine: one commit of examples/app, built twice — the
 * second time from a fresh clone (every file time new) after the engine's local cache is pruned —
 * with the labels a release passes (`--revision=$(git rev-parse HEAD) --created=$(git log -1
 * --format=%cI)`), and every difference between the two builds named (image-diff.ts).
 *
 * What this measured on Dagger v0.21.8 (the README's "Reproducible images"):
 * - every file's content, mode, owner and presence is the same in both builds, and every regular
 *   file's and folder's time is the created label's (drydock's fixes);
 * - still different: the image config's `created` and `history` — the engine writes when each
 *   layer was made, and whether it came from its cache, and v0.21.8 lets no caller set an epoch for
 *   its export — and the times of symbolic links and of the folders a copy lands in, which
 *   `Directory.withTimestamps` leaves;
 * - the frontend also differs where Next.js draws values per build (build ID, preview-mode keys,
 *   server-actions key).
 * Any other difference fails the test, naming the file and what about it differs; so does the day
 * these remaining ones go (then the test must say "one digest").
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

  it.each(["backend", "migrations", "frontend"] as const)("%s: the same files, modes, owners and contents; only the engine's layer times and (frontend) Next.js's per-build values differ", (image) => {
    const [a, b] = built[image] as [ArchivedImage, ArchivedImage];
    const differences = imageDifferences(a, b, Number.MAX_SAFE_INTEGER);
    const ids = image === "frontend" ? [a, b].map(nextBuildId) : [];
    if (image === "frontend") expect(ids.every((id) => id !== undefined), "a Next.js build ID in both frontend images").toBe(true);
    const explained = (line: string): boolean => {
      if (ENGINE_TIMES.some((pattern) => pattern.test(line))) return true;
      const [, file, what] = /^layer \d+: (.+?): (.+)$/.exec(line) ?? [];
      if (file === undefined || ids.length === 0) return false;
      // What Next.js itself varies: a file named after the build ID, holding it, or holding a drawn key.
      if (ids.some((id) => file.includes(id!))) return true;
      return what === "content" && (NEXT_VOLATILE_FILES.has(file) || [a, b].some((built) => ids.some((id) => fileText(built, file)?.includes(id!))));
    };
    const unexplained = differences.filter((line) => !explained(line));
    log(`reproducible: ${image} ${differences.length} differences (${differences.filter((l) => l.startsWith("config")).length} in the config), ${unexplained.length} unexplained; manifests ${a.manifestDigest} / ${b.manifestDigest}`);
    expect(unexplained, `${image}: differences between the two builds that neither the engine's layer times nor Next.js explain`).toEqual([]);
    // The day the engine sets these too, the images are one digest: then this test must claim it.
    expect(a.manifestDigest, `${image}: one digest now — make the test and the README say so`).not.toBe(b.manifestDigest);
  });
});

/**
 * What Dagger v0.21.8 writes differently on every cold build, and drydock cannot set: the config's
 * history (each layer's creation time, and its description, which says whether the layer was
 * rehydrated from the engine's cache) and the image's creation time — its export takes no epoch;
 * the diff IDs that follow from the lines below; the times of symbolic links (`withTimestamps`
 * sets files and folders only) and of the folders a `withDirectory` lands in (/app, /app/dist, …).
 */
const ENGINE_TIMES: readonly RegExp[] = [
  /^config\.created: /,
  /^config\.history\.\d+\.(created|created_by): /,
  /^config\.rootfs\.diff_ids\.\d+: /,
  /^layer \d+: .+: symlink time \d+ ≠ \d+$/,
  /^layer \d+: app(\/dist|\/public|\/\.next\/static)?: time \d+ ≠ \d+$/,
];

/** The text of `file` (no leading slash) in the image. */
function fileText(image: ArchivedImage, file: string): string | undefined {
  return filesOf(image).get(file)?.toString("latin1");
}

function nextBuildId(image: ArchivedImage): string | undefined {
  return fileText(image, "app/.next/BUILD_ID")?.trim();
}
