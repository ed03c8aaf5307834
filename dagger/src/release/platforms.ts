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
 * The platform whose variants are smoke-tested (started as services, which runs them): the
 * engine's own when it is among those built, so nothing runs under emulation; else the first built.
 */
export function smokePlatform(built: readonly SupportedPlatform[], enginePlatform: string): SupportedPlatform {
  if (built.length === 0) throw new ReleaseError("--platforms is empty: nothing to build");
  const engine = ALIASES[enginePlatform.toLowerCase()];
  return built.find((platform) => platform === engine) ?? built[0]!;
}

/** `linux/arm64` → `linux-arm64`: how a platform names a variant's scan and its reports folder. */
export function platformSlug(platform: SupportedPlatform): string {
  return platform.replaceAll("/", "-");
}
