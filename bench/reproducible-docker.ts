/**
 * How close two `docker build`s of one commit come to one image, on the Docker engine at hand:
 * each app of examples/app built twice with --no-cache, each time from a fresh copy of the source
 * (new file times), with the same build arguments; then every difference counted by kind — file
 * content, file time only, mode or owner, presence, image config — and the first few printed.
 * Docker 20.10's BuildKit cannot set file times or the config's `created`, so those differ there;
 * what must not differ is any backend file's content, mode, owner or presence (exit 1 if one does;
 * the frontend's content differs where Next.js draws values per build — see the README).
 *
 *   npx tsx bench/reproducible-docker.ts [backend|frontend …]
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { build, LABEL_ARGS, type App } from "../test/support/docker/app-images.ts";
import { resolveBaseImages } from "../test/support/docker/base-images.ts";
import { copyCommittableTree } from "../test/support/docker/canaries.ts";
import { docker } from "../test/support/docker/cli.ts";
import { ensureEngine, REPO_ROOT, stopEngine } from "../test/support/docker/engine.ts";
import { differencesBetween, readArchivedImage, type ImageDifference } from "../test/support/docker/image-diff.ts";

const apps = (process.argv.slice(2).length > 0 ? process.argv.slice(2) : ["backend", "frontend"]) as App[];
for (const app of apps) if (app !== "backend" && app !== "frontend") throw new Error(`app: found ${JSON.stringify(app)}, expected backend or frontend`);

const engine = await ensureEngine();
const work = await mkdtemp(path.join(os.tmpdir(), "drydock-repro-"));
let failed = false;
try {
  const bases = await resolveBaseImages(console.log);
  for (const app of apps) {
    const archives = [];
    for (const round of [1, 2]) {
      const context = path.join(work, `${app}-${round}`);
      await copyCommittableTree(REPO_ROOT, "examples/app", context);
      const tag = `drydock-repro/${app}:${round}`;
      const outcome = await build({ app, context, tag, bases, noCache: true });
      const file = path.join(work, `${app}-${round}.tar`);
      await docker(["save", "--output", file, tag]);
      await docker(["rmi", tag]);
      archives.push(await readArchivedImage(file));
      console.log(`${app}: build ${round} (--no-cache) in ${outcome.seconds.toFixed(1)} s`);
    }
    const differences = differencesBetween(archives[0]!, archives[1]!);
    const files = differences.filter((d) => d.file !== undefined);
    const timeOnly = (d: ImageDifference) => d.what!.every((kind) => kind === "time" || kind === "symlink time");
    const kinds = {
      config: differences.filter((d) => d.field !== undefined).length,
      "time only": files.filter(timeOnly).length,
      content: files.filter((d) => d.what!.includes("content")).length,
      "mode, owner, type or link": files.filter((d) => d.what!.some((kind) => ["mode", "owner", "type", "link"].includes(kind))).length,
      "only in one": files.filter((d) => d.what!.some((kind) => kind.startsWith("only in "))).length,
    };
    console.log(`${app}: ${differences.length} differences (created ${LABEL_ARGS.CREATED} in both):`, kinds);
    for (const d of differences.filter((d) => !d.field?.startsWith("history.") && !(d.file !== undefined && timeOnly(d))).slice(0, 15)) console.log(`  ${d.text}`);
    if (app === "backend" && kinds.content + kinds["mode, owner, type or link"] + kinds["only in one"] > 0) failed = true;
  }
} finally {
  await rm(work, { recursive: true, force: true });
  await stopEngine(engine);
}
process.exit(failed ? 1 : 0);
