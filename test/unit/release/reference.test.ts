import { describe, expect, it } from "vitest";
import { digestRefString, parseReference, requireDigest } from "../../../dagger/src/release/reference.ts";

const D = `sha256:${"a".repeat(64)}`;

describe("parseReference", () => {
  it.each([
    { ref: `ghcr.io/acme/backend@${D}`, parsed: { registry: "ghcr.io", path: "acme/backend", digest: D } },
    { ref: `127.0.0.1:5000/drydock/backend:1.2.3@${D}`, parsed: { registry: "127.0.0.1:5000", path: "drydock/backend", tag: "1.2.3", digest: D } },
    { ref: "localhost/app:dev", parsed: { registry: "localhost", path: "app", tag: "dev" } },
    { ref: "nginx:1.27", parsed: { registry: "docker.io", path: "library/nginx", tag: "1.27" } },
    { ref: "acme/backend", parsed: { registry: "docker.io", path: "acme/backend" } },
  ])("$ref", ({ ref, parsed }) => expect(parseReference(ref)).toEqual(parsed));

  it.each([
    { ref: "", message: /is empty/ },
    { ref: "ghcr.io/Acme/backend:1", message: /lowercase/ },
    { ref: "ghcr.io/acme/backend@sha256:abc", message: /64 lowercase hex/ },
    { ref: "ghcr.io/acme/backend:-x", message: /not a valid tag/ },
  ])("refuses $ref", ({ ref, message }) => expect(() => parseReference(ref)).toThrow(message));
});

describe("requireDigest", () => {
  it("refuses a tag without digest, saying how to get the digest", () => {
    expect(() => requireDigest("ghcr.io/acme/backend:1.2.3", "sign")).toThrow(
      /sign "ghcr.io\/acme\/backend:1.2.3" has no digest: cosign signs and verifies an image by digest only.*crane digest ghcr.io\/acme\/backend:1.2.3.*ghcr.io\/acme\/backend@sha256:<digest>/s,
    );
  });

  it("keeps the digest and drops a tag beside it", () => {
    expect(digestRefString(requireDigest(`ghcr.io/acme/backend:1.2.3@${D}`))).toBe(`ghcr.io/acme/backend@${D}`);
  });
});
