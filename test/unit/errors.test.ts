/**
 * One message style for every error drydock raises on purpose:
 * `<where>: found <what>, expected <what> — <how to fix>`, pinned here class by class.
 */
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../dagger/src/config/errors.ts";
import { parseSecurityConfig } from "../../dagger/src/config/load.ts";
import { ArgumentError, describeProblem, DrydockError, PinnedImageError, ScanError, SourceError } from "../../dagger/src/errors.ts";
import { GateFailedError } from "../../dagger/src/objects/gate-error.ts";
import { parsePinnedImage, pinnedImage } from "../../dagger/src/pinned-image.ts";
import { ReportError } from "../../dagger/src/report/errors.ts";
import { parseTrivyReport } from "../../dagger/src/report/trivy.ts";

const PHRASING = /^[^\n]+: found [^\n]+, expected [^\n]+ — \S/;
const DIGEST = `sha256:${"a".repeat(64)}`;

const thrown = (fn: () => unknown): Error => {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a throw");
};

describe("the message of each error class", () => {
  it.each([
    {
      name: "ArgumentError",
      error: new ArgumentError({ where: "--licenses", found: '"MIT;"', expected: "an SPDX licence expression", fix: "pass the expression from your LICENSE" }),
      message: '--licenses: found "MIT;", expected an SPDX licence expression — pass the expression from your LICENSE',
    },
    {
      name: "PinnedImageError",
      error: thrown(() => parsePinnedImage("node:24-alpine", "--build-image")),
      message: '--build-image: found "node:24-alpine", expected an image pinned by digest (name:tag@sha256:<64 hex>) — look the digest up with `docker buildx imagetools inspect node:24-alpine`',
    },
    {
      name: "SourceError",
      error: new SourceError({ where: "--config-path", found: 'no file "ci/x.yml" in the source', expected: "the security config", fix: "fix the path" }),
      message: '--config-path: found no file "ci/x.yml" in the source, expected the security config — fix the path',
    },
    {
      name: "ScanError",
      error: new ScanError({ where: "Trivy on lint", found: "exit 2 and no report", expected: "a JSON report", fix: "rerun" }, "Trivy said:\nFATAL"),
      message: "Trivy on lint: found exit 2 and no report, expected a JSON report — rerun\nTrivy said:\nFATAL",
    },
    {
      name: "ConfigError",
      error: thrown(() => parseSecurityConfig("", "security-config.yml")),
      message:
        'security-config.yml: found an empty file, expected a mapping of settings ($schema, version, apps, policy, scanner, smoke) — an empty file does not mean "use the defaults": delete it for that, or write "version: 1"',
    },
    {
      name: "ReportError",
      error: thrown(() => parseTrivyReport("{}", "--report")),
      message: expect.stringMatching(/^--report: found no /),
    },
  ])("$name: <where>: found <what>, expected <what> — <how to fix>", ({ name, error, message }) => {
    expect(error).toBeInstanceOf(DrydockError);
    expect(error.name).toBe(name);
    expect(error.message).toEqual(message);
    expect(error.message).toMatch(PHRASING);
  });

  it("keeps the classes apart for instanceof, a pinned-image error being an argument error", () => {
    const pinned = thrown(() => parsePinnedImage("alpine", "--runtime-image"));
    expect(pinned).toBeInstanceOf(PinnedImageError);
    expect(pinned).toBeInstanceOf(ArgumentError);
    expect(new SourceError({ where: "w", found: "f", expected: "e", fix: "x" })).not.toBeInstanceOf(ArgumentError);
    expect(new ConfigError("f.yml", [])).toBeInstanceOf(DrydockError);
    expect(new ReportError("r", "p")).toBeInstanceOf(DrydockError);
    expect(new GateFailedError("summary")).toBeInstanceOf(DrydockError);
  });

  it("leaves out the where of a problem about a whole input", () => {
    expect(describeProblem({ where: "", found: "an empty file", expected: "a mapping", fix: "write one" })).toBe("found an empty file, expected a mapping — write one");
  });
});

describe("the one pinned-image parser", () => {
  it.each([
    { ref: `docker.io/library/node:24.13.1-alpine@${DIGEST}`, repository: "docker.io/library/node", tag: "24.13.1-alpine", baseName: "docker.io/library/node:24.13.1-alpine" },
    { ref: `localhost:5000/node@${DIGEST}`, repository: "localhost:5000/node", tag: undefined, baseName: "localhost:5000/node" },
    { ref: `registry.example.com:5000/team/node:24@${DIGEST}`, repository: "registry.example.com:5000/team/node", tag: "24", baseName: "registry.example.com:5000/team/node:24" },
  ])("splits $ref", ({ ref, repository, tag, baseName }) => {
    expect(pinnedImage(ref)).toEqual({ ref, repository, ...(tag === undefined ? {} : { tag }), digest: DIGEST, baseName });
  });

  it.each([
    { name: "a tag only", ref: "node:24-alpine" },
    { name: "a short digest", ref: "node@sha256:1234" },
    { name: "an uppercase repository", ref: `Node:24@${DIGEST}` },
    { name: "a blank", ref: `node:24 @${DIGEST}` },
    { name: "a second reference", ref: `node:24@${DIGEST} evil` },
    { name: "another digest algorithm", ref: `node:24@sha512:${"a".repeat(128)}` },
  ])("refuses $name, as the config and the builders alike", ({ ref }) => {
    expect(pinnedImage(ref)).toBeUndefined();
    expect(() => parsePinnedImage(ref, "--build-image")).toThrow(PinnedImageError);
    const config = thrown(() => parseSecurityConfig(`version: 1\nscanner:\n  trivyImage: ${JSON.stringify(ref)}\n`, "security-config.yml"));
    expect(config).toBeInstanceOf(ConfigError);
    expect(config.message).toContain("scanner.trivyImage");
  });
});
