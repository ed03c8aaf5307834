/**
 * Parity, measured: the backend and frontend of examples/app built by the real Dagger engine
 * (`dagger call … backend export`) and by the Dockerfiles (`docker build`), on the same base
 * (the e2e's node stand-in: the engine pulls it from the kit's registry, Docker has it locally),
 * with the same labels. The two images must hold the same files under /app — path, type, mode,
 * owner, content hash or link target — and the same user, entrypoint, command, working
 * directory, healthcheck, environment, exposed ports and labels. Timestamps are not compared.
 *
 * What differs between any two builds of the same recipe — one Docker build and the next as much
 * as the engine's and Docker's — is normalised, each named in VOLATILE with its cause, and only
 * that: Next.js's random build ID (in file names and contents) and preview/server-action keys.
 * Every other difference fails — pnpm's deploy state and dependency order too, which DEPLOY_STATE
 * makes the same in both builds. (Whether two builds are byte-identical is engine-reproducible's.)
 */
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { build, LABEL_ARGS, type App } from "../support/docker/app-images.ts";
import { docker } from "../support/docker/cli.ts";
import { imageTag } from "../support/docker/e2e-context.ts";
import { copyCommittableTree } from "../support/docker/canaries.ts";
import { ensureStandIns } from "../support/docker/standins.ts";
import { dagger, described } from "../support/engine/cli.ts";
import { fileTable, readImageArchive, type ImageSnapshot } from "../support/engine/image-files.ts";
import { engineTierUnavailable, log, setUpEngineTier, tearDownEngineTier, type EngineTier } from "../support/engine/tier.ts";
import { NEXT_VOLATILE as VOLATILE } from "../support/engine/next-volatile.ts";
import { repoRoot } from "../support/paths.ts";

const unavailable = engineTierUnavailable();
const APPS: App[] = ["backend", "frontend"];

/** The labels both builds get: with-labels on the engine, the matching build arguments for Docker. */
const LABELS = {
  "--image-version": LABEL_ARGS.VERSION,
  "--revision": LABEL_ARGS.REVISION,
  "--created": LABEL_ARGS.CREATED,
  "--source-url": LABEL_ARGS.SOURCE,
  "--licenses": LABEL_ARGS.LICENSES,
};

let tier: EngineTier;
const engineImages = {} as Record<App, ImageSnapshot>;
const dockerImages = {} as Record<App, ImageSnapshot>;

/** The Next.js build ID of an image, if it has one. */
function buildId(image: ImageSnapshot): string | undefined {
  return image.files.get("app/.next/BUILD_ID")?.body?.toString("utf8").trim();
}

function appFiles(image: ImageSnapshot): string[] {
  const id = buildId(image);
  const withoutId = (text: string) => (id === undefined ? text : text.replaceAll(id, "<next-build-id>"));
  const normalise = (body: Buffer, file: string): Buffer => {
    const volatile = VOLATILE[file];
    const text = withoutId(body.toString("latin1"));
    return Buffer.from(volatile ? volatile.normalise(text) : text, "latin1");
  };
  return fileTable(image, "app/", normalise, withoutId);
}

describe.skipIf(unavailable !== undefined)("parity, measured: the engine's images and the Dockerfiles' hold the same /app and config", () => {
  beforeAll(async () => {
    tier = await setUpEngineTier();
    const standIns = await ensureStandIns(log);
    const [baseName, baseDigest] = tier.images.node.split("@") as [string, string];
    const context = path.join(tier.work, "app");
    await copyCommittableTree(repoRoot, "examples/app", context);
    const labelFlags = Object.entries(LABELS).map(([flag, value]) => `${flag}=${value}`);
    for (const app of APPS) {
      const tarball = path.join(tier.work, `${app}-engine.tar`);
      const exported = await dagger(tier.kit, ["call", "--source=examples/app", "with-labels", ...labelFlags, app, "export", `--path=${tarball}`], { cwd: tier.moduleDir });
      if (exported.code !== 0) throw new Error(described(exported));
      log(`${app}: built and exported by the engine in ${exported.seconds.toFixed(1)} s`);
      engineImages[app] = await readImageArchive(tarball);

      const tag = imageTag(`parity-${Date.now().toString(36)}`, app);
      const outcome = await build({
        app,
        context,
        tag,
        // The engine's default: one image as build and runtime base (the node stand-in it pulled).
        bases: { origin: "stand-in", build: standIns.build, runtime: standIns.build, baseName, baseDigest, postgres: standIns.postgres },
      });
      log(`${app}: built by docker build in ${outcome.seconds.toFixed(1)} s`);
      const saved = path.join(tier.work, `${app}-docker.tar`);
      await docker(["save", "-o", saved, tag]);
      await docker(["rmi", tag]);
      dockerImages[app] = await readImageArchive(saved);
    }
  });

  afterAll(() => tearDownEngineTier(tier?.work));

  it.each(APPS)("%s: the same files under /app (path, type, mode, owner, content)", (app) => {
    const engine = appFiles(engineImages[app]);
    const dockerFiles = appFiles(dockerImages[app]);
    expect(engine.length).toBeGreaterThan(10);
    const onlyEngine = engine.filter((line) => !dockerFiles.includes(line));
    const onlyDocker = dockerFiles.filter((line) => !engine.includes(line));
    log(`${app}: ${engine.length} entries under /app; ${onlyEngine.length} only in the engine's, ${onlyDocker.length} only in docker build's`);
    expect({ onlyEngine: onlyEngine.slice(0, 40), onlyDocker: onlyDocker.slice(0, 40) }).toEqual({ onlyEngine: [], onlyDocker: [] });
  });

  it.each(APPS)("%s: the same user, entrypoint, command, workdir, healthcheck, env, ports and labels", (app) => {
    const pick = ({ config }: ImageSnapshot) => ({
      User: config.User,
      Entrypoint: config.Entrypoint,
      Cmd: config.Cmd ?? null,
      WorkingDir: config.WorkingDir,
      Healthcheck: config.Healthcheck,
      Env: [...(config.Env ?? [])].sort(),
      ExposedPorts: Object.keys(config.ExposedPorts ?? {}).sort(),
      Labels: config.Labels,
    });
    expect(pick(engineImages[app])).toEqual(pick(dockerImages[app]));
  });

  it("the frontend has a Next.js build ID on both sides, and every volatile file exists on both sides", () => {
    expect(buildId(engineImages.frontend)).toBeDefined();
    expect(buildId(dockerImages.frontend)).toBeDefined();
    for (const file of Object.keys(VOLATILE)) {
      const app = file.includes(".next") ? "frontend" : "backend";
      expect([engineImages[app].files.has(file), dockerImages[app].files.has(file)], file).toEqual([true, true]);
    }
  });
});
