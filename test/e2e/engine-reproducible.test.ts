/**
 * Reproducible images, measured on the real engine: one commit of examples/app, and one of
 * examples/workspace (a pnpm workspace; its api only, to keep the cost down), built twice — the
 * second time from a fresh clone (every file time new) after the engine's local cache is pruned —
 * and every difference between the two builds named (image-diff.ts). The published images (the
 * backend, the frontend, the workspace api) are built by the README's `rebuild` line, from a
 * release.json whose rebuild record holds the commit's time (as a release run with
 * `--created=$(git log -1 --format=%cI)` writes it); the first build plays the release, and the
 * second runs the README's check against it. The migrations image, which no release publishes, is
 * exported by the engine as it is.
 *
 * What this measured on Dagger v0.21.8 (the README's "Reproducible images"):
 * - the backend and the workspace api: one digest — the same layers, byte for byte (every file's
 *   content, mode, owner and time, symbolic links and the folders the copies land in included;
 *   file-times.ts), and the same config once its times are set (layout-times.ts);
 * - the migrations image: the same layers; its config, as the engine exports it, still has the
 *   engine's creation times;
 * - the frontend: the same layers but the app's, where Next.js draws values on every build (build
 *   ID, preview-mode keys, server-actions key), so two digests.
 * Any other difference fails the test, naming the file and what about it differs.
 */
import { readFile, rm, writeFile } from "node:fs/promises";
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

/** What is built, from which example: a published app (by `rebuild --app`), or the migrations image (by export). */
const REPOSITORIES = {
  "examples/app": { backend: { app: "backend" }, migrations: { export: "app --name=backend migrations" }, frontend: { app: "frontend" } },
  // A pnpm workspace: the api links two local packages, built in the image's build.
  "examples/workspace": { "workspace api": { app: "backend" } },
} as const;
type Example = keyof typeof REPOSITORIES;
type Image = { [E in Example]: keyof (typeof REPOSITORIES)[E] }[Example];
type Build = { app: "backend" | "frontend" } | { export: string };

let tier: EngineTier;
/** Each image of each round: [first build, second build]. */
const built = {} as Record<Image, ArchivedImage[]>;
/** Each published image's digest in round 1: what "the release" pushed, which round 2 checks. */
const released = {} as Record<Image, string>;

/** The README's rebuild line builds the backend into ../rebuilt: each app's, replaced. */
const REBUILT_BACKEND = "--app=backend export --path=../rebuilt";

/**
 * The release.json a release of `clone`'s commit with `--created=$(git log -1 --format=%cI)` would
 * write, for what rebuild reads: the rebuild record (the module copy's pinned images, the default
 * labels and config), the commit, and each app's digest and platform — round 1's, once known.
 */
async function releaseJson(clone: string, images: Partial<Record<Image, string>>, example: Example): Promise<string> {
  const git = async (args: string[]) => {
    const result = await run("git", args, { cwd: clone });
    if (result.code !== 0) throw new Error(`git ${args.join(" ")} in ${clone}: ${result.stderr}`);
    return result.stdout.trim();
  };
  const published = (Object.entries(REPOSITORIES[example]) as [Image, Build][]).flatMap(([image, build]) =>
    "app" in build ? [{ app: build.app, digest: images[image] ?? `sha256:${"0".repeat(64)}`, platforms: ["linux/amd64"] }] : [],
  );
  return JSON.stringify({
    source: { url: "", revision: await git(["rev-parse", "HEAD"]) },
    rebuild: { created: await git(["log", "-1", "--format=%cI"]), imageVersion: "0.0.0-dev", licenses: "NOASSERTION", buildImage: tier.images.node, runtimeImage: tier.images.node, config: "security-config.yml" },
    images: published,
  });
}

/**
 * One round: each published image built by the README's rebuild line as written (but for the app
 * it names) into a layout, read as an archive; in round 2 the README's check line runs against
 * round 1's digest and must print "the released digest" where the digests agree. The migrations
 * image is exported with the commit's time as --created.
 */
async function buildRound(round: number, example: Example, clone: string): Promise<void> {
  await writeFile(path.join(clone, "../release.json"), await releaseJson(clone, round === 1 ? {} : released, example));
  const rebuild = asUser(oneReadmeLine((l) => l.includes(" rebuild --release=")), tier.moduleDir);
  if (!rebuild.includes(REBUILT_BACKEND)) throw new Error(`the README's rebuild line no longer ends in ${REBUILT_BACKEND}: ${rebuild}`);
  const check = oneReadmeLine((l) => l.includes("the released digest"), "test");
  for (const [image, build] of Object.entries(REPOSITORIES[example]) as [Image, Build][]) {
    const layout = path.join(clone, "../rebuilt");
    await rm(layout, { recursive: true, force: true });
    const line = "app" in build
      ? rebuild.replace(REBUILT_BACKEND, `--app=${build.app} export --path=../rebuilt`)
      : `dagger -m ${tier.moduleDir} call --source=. with-labels --created="$(git log -1 --format=%cI)" ${build.export} export --path=../rebuilt.tar`;
    const result = await shellLine(tier.kit, line, { cwd: clone });
    if (result.code !== 0) throw new Error(described(result));
    log(`reproducible: round ${round}, ${image} built in ${result.seconds.toFixed(1)} s`);
    let archive = path.join(clone, "../rebuilt.tar");
    if ("app" in build) {
      const digest = (JSON.parse(await readFile(path.join(layout, "index.json"), "utf8")) as { manifests: { digest: string }[] }).manifests[0]!.digest;
      if (round === 1) released[image] = digest;
      else {
        const checked = await shellLine(tier.kit, check.replaceAll('"backend"', `"${build.app}"`), { cwd: clone });
        log(`reproducible: round 2, ${image}: ${digest}, released ${released[image]}; the README's check ${checked.code === 0 ? `printed ${JSON.stringify(checked.stdout.trim())}` : `exited ${checked.code}`}`);
        expect(checked.code === 0 && checked.stdout.trim() === "the released digest", `${image}: the README's check line says so exactly when the digests agree`).toBe(digest === released[image]);
      }
      const packed = await run("tar", ["-cf", archive, "-C", layout, "index.json", "manifest.json", "oci-layout", "blobs"]);
      if (packed.code !== 0) throw new Error(`tar of ${layout}: ${packed.stderr}`);
    }
    (built[image] ??= []).push(await readArchivedImage(archive));
    await rm(archive, { force: true });
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

  it.each(["backend", "workspace api"] as const)("%s: one digest — the same layers, byte for byte, and the same config", (image) => {
    const [a, b] = built[image] as [ArchivedImage, ArchivedImage];
    const differences = differencesBetween(a, b);
    log(`reproducible: ${image} ${differences.length} differences; ${diffIds(a).length} layers; digests ${a.manifestDigest} / ${b.manifestDigest}`);
    expect(differences.map((d) => d.text), `${image}: differences between the two builds`).toEqual([]);
    expect(b.manifestDigest, `${image}: one digest`).toBe(a.manifestDigest);
  });

  it("migrations (exported by the engine, not published): the same layers, byte for byte; only the engine's creation times in its config differ", () => {
    const [a, b] = built.migrations as [ArchivedImage, ArchivedImage];
    const differences = differencesBetween(a, b);
    const unexplained = differences.filter((d) => !isEngineCreationTime(d)).map((d) => d.text);
    log(`reproducible: migrations ${differences.length} differences, ${unexplained.length} beyond the config's times; ${diffIds(a).length} layers`);
    expect(unexplained, "migrations: differences between the two builds beyond the engine's creation times").toEqual([]);
    expect(diffIds(b), "migrations: the same layers").toEqual(diffIds(a));
    expect(layerBlobDigests(b), "migrations: the same compressed layer blobs").toEqual(layerBlobDigests(a));
  });

  it("frontend: the same config and layers but the app's, which differs only where Next.js draws values on every build", () => {
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
    const unexplained = differences.filter((d) => !isDiffId(d) && !nextVaries(d)).map((d) => d.text);
    const nextLayers = new Set(differences.filter(nextVaries).map((d) => d.layer!));
    const otherIds = diffIds(a).flatMap((id, index) => (id !== diffIds(b)[index] && !nextLayers.has(index + 1) ? [`layer ${index + 1}`] : []));
    log(`reproducible: frontend ${differences.length} differences, ${unexplained.length} unexplained; Next.js's values in layer(s) ${[...nextLayers].join(", ")}; digests ${a.manifestDigest} / ${b.manifestDigest}`);
    expect(unexplained, "frontend: differences that Next.js does not explain (the config's times included: they are set)").toEqual([]);
    expect(otherIds, "frontend: layers with other diff IDs though no file in them differs").toEqual([]);
  });
});

/**
 * What Dagger v0.21.8 writes differently on every cold build into an image it exports: the image's
 * creation time and its history's (each layer's creation time, and its description, which says
 * whether the layer was rehydrated from the engine's cache). Published images have them set.
 */
function isEngineCreationTime({ field }: ImageDifference): boolean {
  return field === "created" || /^history\.\d+\.(created|created_by)$/.test(field ?? "");
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
