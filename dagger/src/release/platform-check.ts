/**
 * Every variant built for a platform is checked to be one, before it is scanned, published or
 * signed: `node` in its build image on that platform (where pnpm picks the native packages) and
 * in the variant itself must report that platform. An engine without emulation, given an image
 * that lacks the platform, would otherwise build the engine's own platform's files under the
 * requested name — and a variant that cannot run at all means no emulation for it.
 */
import type { Container, Platform } from "@dagger.io/dagger";

import { execFailure } from "../exec-failure.js";
import { containerOn } from "../images/platform.js";
import { platformProbeArgs, requireProbedPlatform, unrunnablePlatformError, type ProbedImage } from "./platform-probe.js";
import type { SupportedPlatform } from "./platforms.js";

/** Run the probe in `container` (on `platform`) and check its answer. */
export async function requireRunsAs(container: Container, platform: SupportedPlatform, probed: ProbedImage): Promise<void> {
  let printed: string;
  try {
    printed = await container.withExec(platformProbeArgs()).stdout();
  } catch (error) {
    const failure = execFailure(error);
    if (failure !== undefined) throw unrunnablePlatformError(platform, probed, failure.exitCode, failure.stderr);
    // A binary of another platform the engine cannot start may fail before any exit code exists.
    if (error instanceof Error && /exec format error/i.test(error.message)) throw unrunnablePlatformError(platform, probed, -1, error.message);
    throw error;
  }
  requireProbedPlatform(platform, printed, probed);
}

/** Check one app's variant built for `platform`: its build image on that platform, and the variant. */
export async function requireVariantPlatform(
  app: string,
  platform: SupportedPlatform,
  variant: Container,
  images: { buildImage: string; runtimeImage: string },
): Promise<void> {
  await Promise.all([
    requireRunsAs(containerOn(platform as Platform).from(images.buildImage), platform, { app, role: "build image", image: images.buildImage }),
    requireRunsAs(variant, platform, { app, role: "runtime image", image: images.runtimeImage }),
  ]);
}
