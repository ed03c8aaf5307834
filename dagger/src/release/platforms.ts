/** The platforms a release builds, one variant each, published as one index. */
import { ReleaseError } from "./errors.js";

/**
 * The platforms the apps' lockfiles are proven to hold native packages for (Prisma's engines,
 * SWC, sharp): a variant is built on its own platform, never copied across.
 */
export const SUPPORTED_PLATFORMS = ["linux/amd64", "linux/arm64"] as const;
export type SupportedPlatform = (typeof SUPPORTED_PLATFORMS)[number];
export const DEFAULT_PLATFORMS = SUPPORTED_PLATFORMS.join(",");

const ALIASES: Readonly<Record<string, SupportedPlatform>> = {
  "linux/amd64": "linux/amd64",
  "linux/x86_64": "linux/amd64",
  "linux/arm64": "linux/arm64",
  "linux/arm64/v8": "linux/arm64",
  "linux/aarch64": "linux/arm64",
};

/** `linux/amd64,linux/arm64` → each platform once, in the order given; anything else is an error naming what is supported. */
export function parsePlatforms(text: string = DEFAULT_PLATFORMS): SupportedPlatform[] {
  const items = text.split(",").map((p) => p.trim()).filter((p) => p !== "");
  if (items.length === 0) throw new ReleaseError(`--platforms is empty: give one or more of ${SUPPORTED_PLATFORMS.join(", ")}, comma-separated`);
  const out: SupportedPlatform[] = [];
  for (const item of items) {
    const platform = ALIASES[item.toLowerCase()];
    if (!platform) {
      throw new ReleaseError(
        `--platforms: unknown platform ${JSON.stringify(item)} — supported: ${SUPPORTED_PLATFORMS.join(", ")} (the lockfiles lock native packages for these only), e.g. --platforms=${DEFAULT_PLATFORMS}`,
      );
    }
    if (!out.includes(platform)) out.push(platform);
  }
  return out;
}

/**
 * The platforms this build can make honestly: the build chain starts every container on the
 * engine's platform, so only that one, until each stage can be started on a given platform.
 * Anything else is refused rather than published under a platform it was not built on.
 */
export function buildablePlatforms(requested: readonly SupportedPlatform[], enginePlatform: string): SupportedPlatform[] {
  const engine = ALIASES[enginePlatform.toLowerCase()];
  if (requested.length === 1 && requested[0] === engine) return [...requested];
  const native = engine ?? enginePlatform;
  throw new ReleaseError(
    `--platforms=${requested.join(",")}: drydock builds on the engine's platform only (${native}) for now — one variant per platform needs each build stage started on that platform, ` +
      `and a variant copied across platforms would carry the wrong native packages (Prisma's engines, SWC, sharp). ` +
      (engine ? `Pass --platforms=${engine} to publish that variant alone` : `Run on an engine whose platform is one of ${SUPPORTED_PLATFORMS.join(", ")}`),
  );
}
