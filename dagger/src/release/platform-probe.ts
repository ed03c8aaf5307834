/**
 * Whether a variant built "for linux/arm64" really is one: `node` in it says which platform it
 * runs as. An engine without emulation given a base image that lacks the platform builds the
 * engine's own platform's files under the requested platform's name — an amd64 image labelled
 * arm64, which would be scanned, signed and published as arm64. Free of Dagger: the argv, the
 * reading of node's answer and the messages.
 */
import { ArgumentError } from "../errors.js";
import { DEFAULT_PLATFORMS, type SupportedPlatform } from "./platforms.js";

/** Fixed program text: the platform as node names it, e.g. `linux/x64`. Nothing configured reaches it. */
export const NODE_PLATFORM_PROGRAM = "process.platform+'/'+process.arch";

/** `node -p NODE_PLATFORM_PROGRAM`: run in the variant (and in its build image on that platform). */
export function platformProbeArgs(): string[] {
  return ["node", "-p", NODE_PLATFORM_PROGRAM];
}

/** node's `process.arch` as an OCI architecture. */
const NODE_ARCH: Readonly<Record<string, string>> = { x64: "amd64", arm64: "arm64", arm: "arm", ia32: "386", ppc64: "ppc64le", s390x: "s390x", riscv64: "riscv64" };

/** `linux/x64` (what node printed) → `linux/amd64`; anything that is not `<os>/<arch>` → undefined. */
export function platformOfNode(printed: string): string | undefined {
  const m = /^([a-z0-9]+)\/([a-z0-9]+)$/.exec(printed.trim());
  if (!m) return undefined;
  return `${m[1]}/${NODE_ARCH[m[2]!] ?? m[2]}`;
}

/** Which image of a variant was probed: the build image (where pnpm picks native packages) or the variant itself. */
export interface ProbedImage {
  app: string;
  /** "build image" or "runtime image". */
  role: "build image" | "runtime image";
  /** The pinned image, as given. */
  image: string;
}

function flagOf(role: ProbedImage["role"]): string {
  return role === "build image" ? "with-build-image --build-image" : "with-runtime-image --runtime-image";
}

function onlyNative(requested: SupportedPlatform): string {
  const others = DEFAULT_PLATFORMS.split(",").filter((p) => p !== requested);
  return others.length > 0 ? `--platforms=${others.join(",")}` : "--platforms with the engine's own platform";
}

/**
 * Check node's answer in a variant built for `requested`: fine when it names that platform; an
 * error naming the app, the image, what node said and how to fix it otherwise.
 */
export function requireProbedPlatform(requested: SupportedPlatform, printed: string, probed: ProbedImage): void {
  const found = platformOfNode(printed);
  if (found === requested) return;
  const said = printed.trim() === "" ? "nothing" : JSON.stringify(printed.trim());
  throw new ArgumentError({
    where: `--platforms ${requested}: the ${probed.app} variant's ${probed.role} ${probed.image}`,
    found: found
      ? `it runs as ${found} (node in it printed ${said}): the image has no ${requested} variant, so the engine built ${found} files and would publish them as ${requested}`
      : `node in it printed ${said}, not <os>/<arch>`,
    expected: `node to report ${requested}`,
    fix: found
      ? `pin a multi-platform ${probed.role} whose index lists ${requested} (${flagOf(probed.role)}=name:tag@sha256:<index digest>), ` +
        `or build only the platforms it has, e.g. ${onlyNative(requested)}`
      : `give a ${probed.role} with node on its PATH (${flagOf(probed.role)}=name:tag@sha256:<digest>)`,
  });
}

/** The error when the variant could not run at all: the engine cannot execute that platform's programs. */
export function unrunnablePlatformError(requested: SupportedPlatform, probed: ProbedImage, exitCode: number, stderr: string): ArgumentError {
  const arch = requested.split("/")[1]!;
  const said = stderr.trim().split("\n").slice(-3).join(" / ") || "no output";
  return new ArgumentError({
    where: `--platforms ${requested}: the ${probed.app} variant's ${probed.role} ${probed.image}`,
    found: `node in it could not run (exit ${exitCode}: ${said}): the engine cannot execute ${requested} programs`,
    expected: `a ${requested} engine, or one with ${requested} emulation registered`,
    fix:
      `register emulation on the engine's host (e.g. \`docker run --privileged --rm tonistiigi/binfmt --install ${arch}\`, then restart the engine), ` +
      `run the release on a ${requested} engine, or leave ${requested} out, e.g. ${onlyNative(requested)}`,
  });
}
