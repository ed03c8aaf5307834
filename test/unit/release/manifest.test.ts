import { describe, expect, it } from "vitest";
import { releaseManifestJson, unsignedAfterFailure, type ReleaseManifest } from "../../../dagger/src/release/manifest.ts";

const D = `sha256:${"e".repeat(64)}`;
const image = (app: string) => ({
  app,
  repository: `ghcr.io/acme/${app}`,
  digest: D,
  reference: `ghcr.io/acme/${app}@${D}`,
  tags: ["1.2.3", "sha-0123456"],
  platforms: ["linux/amd64", "linux/arm64"],
  signed: true,
  attestations: ["cyclonedx", "vuln", "slsaprovenance1"] as const,
  verified: true,
  variants: [],
});

describe("release manifest", () => {
  it("is stable JSON with the images in app order", () => {
    const manifest: ReleaseManifest = {
      schemaVersion: 1,
      created: "2026-11-30T10:00:00Z",
      source: { url: "https://github.com/acme/shop", revision: "0123456789abcdef0123456789abcdef01234567", ref: "refs/tags/v1.2.3" },
      rebuild: { created: "2026-11-29T18:00:00Z", imageVersion: "1.2.3", licenses: "MIT", sourceDateEpoch: 1_795_975_200, buildImage: "node@sha256:a", runtimeImage: "node@sha256:b", config: "security-config.yml" },
      gate: { passed: true, summary: "0 blocking findings" },
      signer: { mode: "key", transparencyLog: false },
      images: [{ ...image("frontend"), attestations: [...image("frontend").attestations] }, { ...image("backend"), attestations: [...image("backend").attestations] }],
    };
    const text = releaseManifestJson(manifest);
    expect(text.endsWith("}\n")).toBe(true);
    const parsed = JSON.parse(text) as ReleaseManifest;
    expect(parsed.images.map((i) => i.app)).toEqual(["backend", "frontend"]);
    expect(parsed.images[0]).toMatchObject({ reference: `ghcr.io/acme/backend@${D}`, attestations: ["cyclonedx", "vuln", "slsaprovenance1"] });
    expect(parsed.gate).toEqual({ passed: true, summary: "0 blocking findings" });
  });

  it("names the digests pushed unsigned when a later step failed", () => {
    const text = unsignedAfterFailure([{ app: "backend", reference: `ghcr.io/acme/backend@${D}` }], "sign failed");
    expect(text).toMatch(/sign failed\nThese images were published but are NOT signed or attested:\n {2}backend: ghcr.io\/acme\/backend@sha256:e+\n/);
  });
});
