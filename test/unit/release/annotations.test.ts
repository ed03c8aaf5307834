import { describe, expect, it } from "vitest";
import { ociLabels } from "../../../dagger/src/images/runtime.ts";
import { ANNOTATION_KEYS, ociAnnotations, splitPinnedImage, type ReleaseMetadata } from "../../../dagger/src/release/annotations.ts";

const meta: ReleaseMetadata = {
  source: "https://github.com/acme/shop",
  revision: "0123456789abcdef0123456789abcdef01234567",
  version: "1.2.3",
  created: "2026-11-30T10:00:00Z",
  licenses: "MIT",
  title: "drydock-backend",
  baseName: "docker.io/library/node:24.13.1-alpine",
  baseDigest: `sha256:${"c".repeat(64)}`,
};

describe("ociAnnotations", () => {
  it("sets the OCI image spec's pre-defined keys", () => {
    expect(ociAnnotations(meta)).toEqual({
      "org.opencontainers.image.source": "https://github.com/acme/shop",
      "org.opencontainers.image.revision": "0123456789abcdef0123456789abcdef01234567",
      "org.opencontainers.image.version": "1.2.3",
      "org.opencontainers.image.created": "2026-11-30T10:00:00Z",
      "org.opencontainers.image.licenses": "MIT",
      "org.opencontainers.image.title": "drydock-backend",
      "org.opencontainers.image.base.name": "docker.io/library/node:24.13.1-alpine",
      "org.opencontainers.image.base.digest": `sha256:${"c".repeat(64)}`,
    });
  });

  it("uses the keys the image's labels use", () => {
    const labels = ociLabels({ title: "t", description: "d", port: 1, healthPath: "/", entrypoint: [], env: {} }, { ...meta });
    for (const key of Object.values(ANNOTATION_KEYS)) expect(Object.keys(labels)).toContain(key);
  });

  it("leaves empty values out", () => {
    expect(Object.keys(ociAnnotations({ ...meta, source: "", licenses: " " }))).not.toContain("org.opencontainers.image.source");
  });

  it.each([
    { change: { created: "yesterday" }, message: /created "yesterday" is not an RFC 3339 time/ },
    { change: { baseDigest: "sha256:xyz" }, message: /base image digest "sha256:xyz" is not sha256:<64 hex>/ },
  ])("refuses $change", ({ change, message }) => expect(() => ociAnnotations({ ...meta, ...change })).toThrow(message));

  it("splits a pinned image into name and digest", () => {
    expect(splitPinnedImage(`node:24@sha256:${"d".repeat(64)}`)).toEqual({ name: "node:24", digest: `sha256:${"d".repeat(64)}` });
    expect(() => splitPinnedImage("node:24")).toThrow(/not pinned by digest/);
  });
});
