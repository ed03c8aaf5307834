/**
 * Reproducible images, measured on the real engine: one commit of examples/app, and one of
 * examples/workspace (a pnpm workspace; its api only, to keep the cost down), built twice — the
 * second time from a fresh clone (every file time new) after the engine's local cache is pruned —
 * by the README's rebuild line with the commit's time as `--created` (what release.json's rebuild
 * record holds for a release run with `--created=$(git log -1 --format=%cI)`), and every
 * difference between the two builds named (image-diff.ts).
 *
 * What this measured on Dagger v0.21.8 (the README's "Reproducible images"):
 * - the backend's, the migrations image's and the workspace api's layers are the same, byte for
 *   byte (every diff ID):
 *   every file's content, mode, owner and time, symbolic links and the folders the copies land in
 *   included (drydock's fixes; file-times.ts);
 * - the frontend's are too, but for the app's layer, where Next.js draws values on every build
 *   (build ID, preview-mode keys, server-actions key);
 * - still different, so still two digests: the image config's `created` and `history` — the engine
 *   writes when each layer was made, and whether it came from its cache, and v0.21.8 lets no caller
 *   set an epoch for its export.
 * Any other difference fails the test, naming the file and what about it differs; so does the day
 * the digests agree (then the test must say "one digest").
 */
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { differencesBetween, filesOf, layerBlobDigests, readArchivedImage, type ArchivedImage, type ImageDifference } from "../support/docker/image-diff.ts";
import { dagger, described, shellLine } from "../support/engine/cli.ts";
import { oneReadmeLine } from "../support/engine/command-lines.ts";
import { asUser } from "../support/engine/user-lines.ts";
import { writeAppRepository } from "../support/engine/module-copy.ts";
import { NEXT_VOLATILE_FILES } from "../support/engine/next-volatile.ts";
import { engineTierUnavailable, log, setUpEngineTier, tearDownEngineTier, type EngineTier } from "../support/engine/tier.ts";
import { run } from "../support/docker/cli.ts";

const unavailable = engineTierUnavailable();

/** What is built, from which example, by which call (as the README's lines name it). */
const REPOSITORIES = {
  "examples/app": { backend: "backend", migrations: "app --name=backend migrations", frontend: "frontend" },
  // A pnpm workspace: the api links two local packages, built in the image's build.
  "examples/workspace": { "workspace api": "backend" },
} as const;
type Example = keyof typeof REPOSITORIES;
type Image = { [E in Example]: keyof (typeof REPOSITORIES)[E] }[Example];

let tier: EngineTier;
/** Each image of each round: [first build, second build]. */
const built = {} as Record<Image, ArchivedImage[]>;

/** What the README's rebuild line builds, replaced by each image's call. */
const REBUILT_BACKEND = "backend export --path=rebuilt.tar";

/**
 * One round: each image built by the README's rebuild line (Reproducible images), as written but
 * for the image it names, beside a release.json whose rebuild record holds the commit's time — as
 * a release run with `--created=$(git log -1 --format=%cI)` writes it; and the README's `tar` line
 * reads the backend's layers from the export.
 */
async function buildRound(round: number, example: Example, clone: string): Promise<void> {
  const committed = await run("git", ["log", "-1", "--format=%cI"], { cwd: clone });
  if (committed.code !== 0) throw new Error(`git log in ${clone}: ${committed.stderr}`);
  await writeFile(path.join(clone, "release.json"), JSON.stringify({ rebuild: { created: committed.stdout.trim() } }));
  const rebuild = asUser(oneReadmeLine((l) => l.includes("rebuild.created")), tier.moduleDir);
  if (!rebuild.includes(REBUILT_BACKEND)) throw new Error(`the README's rebuild line no longer ends in ${REBUILT_BACKEND}: ${rebuild}`);
  for (const [image, call] of Object.entries(REPOSITORIES[example]) as [Image, string][]) {
    const result = await shellLine(tier.kit, rebuild.replace(REBUILT_BACKEND, `${call} export --path=rebuilt.tar`), { cwd: clone });
    if (result.code !== 0) throw new Error(described(result));
    log(`reproducible: round ${round}, ${image} built and exported in ${result.seconds.toFixed(1)} s`);
    const archived = await readArchivedImage(path.join(clone, "rebuilt.tar"));
    if (image === "backend") {
      const read = await shellLine(tier.kit, oneReadmeLine((l) => l.includes("rebuilt.tar manifest.json"), "tar"), { cwd: clone });
      if (read.code !== 0) throw new Error(described(read));
      const layers = JSON.parse(await readFile(path.join(clone, "rebuilt-layers.json"), "utf8")) as unknown;
      expect(layers, "the README's tar line reads the export's diff IDs").toEqual(diffIds(archived));
    }
    (built[image] ??= []).push(archived);
  }
}

describe.skipIf(unavailable !== undefined)("reproducible images, measured: one commit built twice from a cold cache on the real engine", () => {
  beforeAll(async () => {
    tier = await setUpEngineTier();
    const examples = Object.keys(REPOSITORIES) as Example[];
    const repository = (example: Example, round: number) => path.join(tier.work, `${path.basename(example)}-${round}`);
    for (const example of examples) {
      await writeAppRepository(repository(example, 1), example);
      await buildRound(1, example, repository(example, 1));
    }
    const pruned = await dagger(tier.kit, ["core", "engine", "local-cache", "prune"], { cwd: tier.work });
    if (pruned.code !== 0) throw new Error(described(pruned));
    log(`reproducible: pruned the engine's local cache in ${pruned.seconds.toFixed(1)} s`);
    for (const example of examples) {
      const [first, second] = [repository(example, 1), repository(example, 2)];
      const cloned = await run("git", ["clone", "-q", first, second]);
      if (cloned.code !== 0) throw new Error(`git clone ${first} ${second}: ${cloned.stderr}`);
      await buildRound(2, example, second);
    }
  });

  afterAll(() => tearDownEngineTier(tier?.work));

  it.each(["backend", "migrations", "workspace api"] as const)("%s: the same layers, byte for byte (every diff ID); only the engine's creation times in the config differ", (image) => {
    const [a, b] = built[image] as [ArchivedImage, ArchivedImage];
    const differences = differencesBetween(a, b);
    const unexplained = differences.filter((d) => !isEngineCreationTime(d)).map((d) => d.text);
    log(`reproducible: ${image} ${differences.length} differences, ${unexplained.length} beyond the config's times; ${diffIds(a).length} layers; manifests ${a.manifestDigest} / ${b.manifestDigest}`);
    expect(unexplained, `${image}: differences between the two builds beyond the engine's creation times`).toEqual([]);
    expect(diffIds(b), `${image}: the same layers`).toEqual(diffIds(a));
    // Compressed too: the manifest's layer digests agree, so only the config stands between the two builds and one digest.
    expect(layerBlobDigests(b), `${image}: the same compressed layer blobs`).toEqual(layerBlobDigests(a));
    expectEngineTimesStillDiffer(image, a, b);
  });

  it("frontend: the same layers but the app's, which differs only where Next.js draws values on every build", () => {
    const [a, b] = built.frontend as [ArchivedImage, ArchivedImage];
    const differences = differencesBetween(a, b);
    const ids = [a, b].map(nextBuildId);
    expect(ids.every((id) => id !== undefined), "a Next.js build ID in both frontend images").toBe(true);
    // What Next.js itself varies: a file named after the build ID, holding it, or holding a drawn key.
    const nextVaries = ({ file, what }: ImageDifference) =>
      file !== undefined &&
      (ids.some((id) => file.includes(id!)) ||
        (what!.length === 1 && what![0] === "content" && (NEXT_VOLATILE_FILES.has(file) || [a, b].some((image) => ids.some((id) => fileText(image, file)?.includes(id!))))));
    // Checked below, layer by layer: a layer whose files differ has another diff ID, and no other layer may.
    const isDiffId = (d: ImageDifference) => d.field?.startsWith("rootfs.diff_ids.") === true;
    const unexplained = differences.filter((d) => !isEngineCreationTime(d) && !isDiffId(d) && !nextVaries(d)).map((d) => d.text);
    const nextLayers = new Set(differences.filter(nextVaries).map((d) => d.layer!));
    const otherIds = diffIds(a).flatMap((id, index) => (id !== diffIds(b)[index] && !nextLayers.has(index + 1) ? [`layer ${index + 1}`] : []));
    log(`reproducible: frontend ${differences.length} differences, ${unexplained.length} unexplained; Next.js's values in layer(s) ${[...nextLayers].join(", ")}; manifests ${a.manifestDigest} / ${b.manifestDigest}`);
    expect(unexplained, "frontend: differences that neither the engine's creation times nor Next.js explain").toEqual([]);
    expect(otherIds, "frontend: layers with other diff IDs though no file in them differs").toEqual([]);
    expectEngineTimesStillDiffer("frontend", a, b);
  });
});

/**
 * What Dagger v0.21.8 writes differently on every cold build, and no module can set: the image's
 * creation time and its history's (each layer's creation time, and its description, which says
 * whether the layer was rehydrated from the engine's cache) — its export takes no epoch.
 */
function isEngineCreationTime({ field }: ImageDifference): boolean {
  return field === "created" || /^history\.\d+\.(created|created_by)$/.test(field ?? "");
}

/** The day the engine sets these too, the images are one digest: then this test, and the README, must claim it. */
function expectEngineTimesStillDiffer(image: string, a: ArchivedImage, b: ArchivedImage): void {
  expect(a.manifestDigest, `${image}: one digest now — make the test and the README say so`).not.toBe(b.manifestDigest);
}

/** The image's layers by their uncompressed digests, in order (the config's rootfs.diff_ids). */
function diffIds(image: ArchivedImage): string[] {
  return (JSON.parse(image.config.toString("utf8")) as { rootfs: { diff_ids: string[] } }).rootfs.diff_ids;
}

/** The text of `file` (no leading slash) in the image. */
function fileText(image: ArchivedImage, file: string): string | undefined {
  return filesOf(image).get(file)?.toString("latin1");
}

function nextBuildId(image: ArchivedImage): string | undefined {
  return fileText(image, "app/.next/BUILD_ID")?.trim();
}
