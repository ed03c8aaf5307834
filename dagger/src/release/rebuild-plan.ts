/**
 * What `rebuild` reads from a release's release.json: the rebuild record, the source it names and
 * the app's platforms. The file is a consumer's input like any other: each
 * value is checked here for its shape, and again by the builder it goes through (with-labels,
 * with-build-image…), as if typed on the command line.
 */
import { z } from "zod";

import { ArgumentError } from "../errors.js";
import { ReleaseError } from "./errors.js";

const ReleaseJson = z.object({
  source: z.object({ url: z.string(), revision: z.string() }),
  rebuild: z.object({
    created: z.string(),
    imageVersion: z.string(),
    licenses: z.string(),
    buildImage: z.string(),
    runtimeImage: z.string(),
    pnpmVersion: z.string().optional(),
    prismaSchemaEngineBinary: z.string().optional(),
    prismaEnginesMirror: z.string().optional(),
    config: z.string(),
  }),
  images: z.array(z.object({ app: z.string(), digest: z.string(), platforms: z.array(z.string()).min(1) })),
});

export interface RebuildPlan {
  /** The labels: with-labels as the release had them; the revision is the commit released. */
  labels: { imageVersion: string; revision: string; created: string; sourceUrl: string; licenses: string };
  buildImage: string;
  runtimeImage: string;
  pnpmVersion?: string;
  prisma: { schemaEngineBinary?: string; enginesMirror?: string };
  /** The config the release read: its path in the source, or "--config" for one given from elsewhere. */
  config: string;
  /** The platforms the app was built for (comma-separated, as --platforms takes them). */
  platforms: string;
}

/** The plan to rebuild `app` from `text`, the contents of `file` (a release.json); what is missing or malformed is one error naming the key. */
export function rebuildPlan(text: string, file: string, app: string): RebuildPlan {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ReleaseError(`${file}: not JSON (${error instanceof Error ? error.message : String(error)}), expected the release.json a release wrote into its reports`);
  }
  const parsed = ReleaseJson.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = issue.path.join(".");
    const older = key.startsWith("rebuild") ? " — a release.json from a drydock before `rebuild` lacks the record: rebuild by hand (README, Reproducible images)" : "";
    throw new ReleaseError(`${file}: ${key}: ${issue.message.replace(/^Invalid input: /, "")}${older}`);
  }
  const { source, rebuild, images } = parsed.data;
  const image = images.find((i) => i.app === app);
  if (!image) throw new ReleaseError(`${file}: images lists no ${app} (it lists ${images.map((i) => i.app).join(", ") || "nothing"}) — pass --app with one of them`);
  return {
    labels: { imageVersion: rebuild.imageVersion, revision: source.revision, created: rebuild.created, sourceUrl: source.url, licenses: rebuild.licenses },
    buildImage: rebuild.buildImage,
    runtimeImage: rebuild.runtimeImage,
    ...(rebuild.pnpmVersion === undefined ? {} : { pnpmVersion: rebuild.pnpmVersion }),
    prisma: {
      ...(rebuild.prismaSchemaEngineBinary === undefined ? {} : { schemaEngineBinary: rebuild.prismaSchemaEngineBinary }),
      ...(rebuild.prismaEnginesMirror === undefined ? {} : { enginesMirror: rebuild.prismaEnginesMirror }),
    },
    config: rebuild.config,
    platforms: image.platforms.join(","),
  };
}

/**
 * The config a rebuild reads must be the one the release read: `released` as release.json records
 * it (a path in the source, or "--config"), `given` as this call has it.
 */
export function requireReleasedConfig(released: string, given: string): void {
  if (released === given) return;
  const named = (config: string) => (config === "--config" ? "a --config file" : config);
  throw new ArgumentError({
    where: "rebuild",
    found: `the release read its config from ${named(released)}, this call from ${named(given)}`,
    expected: "the config the release read",
    fix: released === "--config" ? "pass the same file as --config" : `pass --config-path=${released} (and no --config)`,
  });
}
