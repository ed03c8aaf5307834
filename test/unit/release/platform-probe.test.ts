/** The check that a variant built for a platform is one: node's answer read, and the messages when it is not. */
import { describe, expect, it } from "vitest";
import { ArgumentError } from "../../../dagger/src/errors.ts";
import { NODE_PLATFORM_PROGRAM, platformOfNode, platformProbeArgs, requireProbedPlatform, unrunnablePlatformError } from "../../../dagger/src/release/platform-probe.ts";

const RUNTIME = { app: "backend", role: "runtime image", image: "docker.io/library/node:24.13.1-alpine@sha256:" + "4".repeat(64) } as const;
const BUILD = { ...RUNTIME, role: "build image" } as const;

describe("platformOfNode", () => {
  it.each([
    { printed: "linux/x64\n", platform: "linux/amd64" },
    { printed: "linux/arm64", platform: "linux/arm64" },
    { printed: "linux/arm", platform: "linux/arm" },
    { printed: "linux/ia32", platform: "linux/386" },
    { printed: "", platform: undefined },
    { printed: "v24.13.1", platform: undefined },
  ])("$printed → $platform", ({ printed, platform }) => expect(platformOfNode(printed)).toBe(platform));

  it("runs node with the fixed program and no configured value", () => {
    expect(platformProbeArgs()).toEqual(["node", "-p", NODE_PLATFORM_PROGRAM]);
    expect(NODE_PLATFORM_PROGRAM).toBe("process.platform+'/'+process.arch");
  });
});

describe("requireProbedPlatform", () => {
  it.each([
    { requested: "linux/amd64", printed: "linux/x64\n" },
    { requested: "linux/arm64", printed: "linux/arm64\n" },
  ] as const)("accepts $requested when node says $printed", ({ requested, printed }) => expect(() => requireProbedPlatform(requested, printed, RUNTIME)).not.toThrow());

  it("refuses an arm64 variant whose node runs as amd64, naming the app, the image, what node said and both fixes", () => {
    const run = () => requireProbedPlatform("linux/arm64", "linux/x64\n", RUNTIME);
    expect(run).toThrow(ArgumentError);
    expect(run).toThrow(
      `--platforms linux/arm64: the backend variant's runtime image ${RUNTIME.image}: found it runs as linux/amd64 (node in it printed "linux/x64"): ` +
        "the image has no linux/arm64 variant, so the engine built linux/amd64 files and would publish them as linux/arm64, expected node to report linux/arm64 — " +
        "pin a multi-platform runtime image whose index lists linux/arm64 (with-runtime-image --runtime-image=name:tag@sha256:<index digest>), or build only the platforms it has, e.g. --platforms=linux/amd64",
    );
  });

  it("names the build image and its flag when the build image is the one without the platform", () => {
    expect(() => requireProbedPlatform("linux/amd64", "linux/arm64", BUILD)).toThrow(/the backend variant's build image .*\(with-build-image --build-image=.*e\.g\. --platforms=linux\/arm64$/);
  });

  it("refuses an answer that is no platform, saying node must be on the image's PATH", () => {
    expect(() => requireProbedPlatform("linux/arm64", "", RUNTIME)).toThrow(/found node in it printed nothing, not <os>\/<arch>, expected node to report linux\/arm64 — give a runtime image with node on its PATH/);
  });
});

describe("unrunnablePlatformError", () => {
  it("says the engine cannot run the platform and how to register emulation or leave the platform out", () => {
    const error = unrunnablePlatformError("linux/arm64", RUNTIME, 1, "exec /usr/local/bin/node: exec format error\n");
    expect(error).toBeInstanceOf(ArgumentError);
    expect(error.message).toBe(
      `--platforms linux/arm64: the backend variant's runtime image ${RUNTIME.image}: found node in it could not run (exit 1: exec /usr/local/bin/node: exec format error): ` +
        "the engine cannot execute linux/arm64 programs, expected a linux/arm64 engine, or one with linux/arm64 emulation registered — " +
        "register emulation on the engine's host (e.g. `docker run --privileged --rm tonistiigi/binfmt --install arm64`, then restart the engine), run the release on a linux/arm64 engine, or leave linux/arm64 out, e.g. --platforms=linux/amd64",
    );
  });
});
