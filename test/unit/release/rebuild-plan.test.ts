/** What rebuild reads from release.json (rebuild-plan.ts): every value it needs, or one error naming the key. */
import { describe, expect, it } from "vitest";
import { rebuildPlan } from "../../../dagger/src/release/rebuild-plan.ts";

const D = `sha256:${"a".repeat(64)}`;
const RELEASE = {
  schemaVersion: 1,
  created: "2026-12-06T10:00:00Z",
  source: { url: "https://github.com/acme/shop", revision: "0123456789abcdef0123456789abcdef01234567", ref: "refs/tags/v1.2.3" },
  rebuild: {
    created: "2026-11-29T18:00:00+01:00",
    imageVersion: "1.2.3",
    licenses: "MIT",
    sourceDateEpoch: 1_795_971_600,
    buildImage: "node@sha256:b",
    runtimeImage: "node@sha256:c",
    pnpmVersion: "10.20.0",
    prismaEnginesMirror: "https://prisma-mirror.example",
    config: "security-config.yml",
  },
  images: [
    { app: "backend", digest: D, platforms: ["linux/amd64", "linux/arm64"] },
    { app: "frontend", digest: `sha256:${"b".repeat(64)}`, platforms: ["linux/amd64"] },
  ],
};

describe("rebuildPlan", () => {
  it("reads the labels, settings, config and platforms of the app", () => {
    expect(rebuildPlan(JSON.stringify(RELEASE), "--release release.json", "backend")).toEqual({
      labels: { imageVersion: "1.2.3", revision: RELEASE.source.revision, created: "2026-11-29T18:00:00+01:00", sourceUrl: "https://github.com/acme/shop", licenses: "MIT" },
      buildImage: "node@sha256:b",
      runtimeImage: "node@sha256:c",
      pnpmVersion: "10.20.0",
      prisma: { enginesMirror: "https://prisma-mirror.example" },
      config: "security-config.yml",
      platforms: "linux/amd64,linux/arm64",
    });
  });

  it("leaves out the settings the release did not give", () => {
    const { pnpmVersion: _p, prismaEnginesMirror: _m, ...rebuild } = RELEASE.rebuild;
    const plan = rebuildPlan(JSON.stringify({ ...RELEASE, rebuild }), "--release release.json", "frontend");
    expect(plan).toMatchObject({ prisma: {}, platforms: "linux/amd64" });
    expect(plan).not.toHaveProperty("pnpmVersion");
  });

  it.each([
    { name: "a file that is not JSON", text: "{", message: /^--release r\.json: not JSON \(.*\), expected the release\.json a release wrote into its reports$/ },
    { name: "no images", text: JSON.stringify({ ...RELEASE, images: undefined }), message: /^--release r\.json: images: expected array, received undefined$/ },
    { name: "an image without platforms", text: JSON.stringify({ ...RELEASE, images: [{ app: "backend", digest: D, platforms: [] }] }), message: /^--release r\.json: images\.0\.platforms: / },
    { name: "no rebuild record", text: JSON.stringify({ ...RELEASE, rebuild: undefined }), message: /^--release r\.json: rebuild: expected object, received undefined — a release\.json from a drydock before `rebuild` lacks the record/ },
    { name: "an app it did not release", text: JSON.stringify({ ...RELEASE, images: [RELEASE.images[1]] }), message: /^--release r\.json: images lists no backend \(it lists frontend\) — pass --app with one of them$/ },
  ])("refuses $name", ({ text, message }) => {
    expect(() => rebuildPlan(text, "--release r.json", "backend")).toThrow(message);
  });
});
