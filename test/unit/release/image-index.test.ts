/** What a published digest is, from the bytes its registry served: checked against the digest before anything trusts them. */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { parseFetchedManifest, platformName, readFailureMessage, requirePublishedPlatforms } from "../../../dagger/src/release/image-index.ts";
import { DOCKER_MANIFEST_LIST, OCI_INDEX, OCI_MANIFEST } from "../../../dagger/src/release/manifest-reader.ts";

const sha = (text: string) => `sha256:${createHash("sha256").update(text).digest("hex")}`;
const REPO = "ghcr.io/acme/drydock-backend";
const printed = (body: string, contentType = "") => JSON.stringify({ contentType, body: Buffer.from(body).toString("base64") });
const image = (seed: string) => JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: { digest: sha(`c${seed}`) }, layers: [] });
const entry = (body: string, platform: Record<string, string> | undefined, extra: Record<string, unknown> = {}) => ({ mediaType: OCI_MANIFEST, digest: sha(body), size: body.length, ...(platform ? { platform } : {}), ...extra });
const index = (manifests: unknown[], mediaType: string = OCI_INDEX) => JSON.stringify({ schemaVersion: 2, mediaType, manifests });

const AMD64 = image("amd64");
const ARM64 = image("arm64");

describe("parseFetchedManifest", () => {
  it("reads one image as a subject without variants", () => {
    expect(parseFetchedManifest(printed(AMD64), `${REPO}:1.2.3@${sha(AMD64)}`)).toEqual({ reference: `${REPO}@${sha(AMD64)}`, kind: "image", variants: [] });
  });

  it("reads an index: each platform's image by its digest, arm64/v8 as linux/arm64, an attestation manifest left out", () => {
    const body = index([
      entry(AMD64, { os: "linux", architecture: "amd64" }),
      entry(ARM64, { os: "linux", architecture: "arm64", variant: "v8" }),
      entry(image("att"), { os: "unknown", architecture: "unknown" }, { annotations: { "vnd.docker.reference.type": "attestation-manifest", "vnd.docker.reference.digest": sha(AMD64) } }),
    ]);
    expect(parseFetchedManifest(printed(body), `${REPO}@${sha(body)}`)).toEqual({
      reference: `${REPO}@${sha(body)}`,
      kind: "index",
      variants: [
        { platform: "linux/amd64", digest: sha(AMD64), reference: `${REPO}@${sha(AMD64)}` },
        { platform: "linux/arm64", digest: sha(ARM64), reference: `${REPO}@${sha(ARM64)}` },
      ],
    });
  });

  it("takes the media type from the Content-Type when the body names none (a Docker manifest list)", () => {
    const body = JSON.stringify({ schemaVersion: 2, manifests: [entry(AMD64, { os: "linux", architecture: "amd64" })] });
    expect(parseFetchedManifest(printed(body, `${DOCKER_MANIFEST_LIST}; charset=utf-8`), `${REPO}@${sha(body)}`).kind).toBe("index");
  });

  it.each([
    { name: "no JSON at all", out: "", digest: sha(AMD64), message: /^reading ghcr\.io\/acme\/drydock-backend@sha256:[a-f0-9]{64} from the registry printed no manifest \(""\) — nothing is signed or verified/ },
    { name: "no body", out: JSON.stringify({ contentType: OCI_MANIFEST }), digest: sha(AMD64), message: /printed no manifest body/ },
    {
      name: "bytes of another digest",
      out: printed(ARM64),
      digest: sha(AMD64),
      message: new RegExp(`^the registry served ${sha(ARM64)} for ${REPO}@${sha(AMD64)}: not the digest asked for — the registry, or something between, altered the manifest; do not sign, verify or deploy on it$`),
    },
  ])("refuses $name", ({ out, digest, message }) => expect(() => parseFetchedManifest(out, `${REPO}@${digest}`)).toThrow(message));

  it.each([
    { name: "a nested index", manifests: [{ mediaType: OCI_INDEX, digest: sha("x"), platform: { os: "linux", architecture: "amd64" } }], message: /manifests\[0\] is a "application\/vnd\.oci\.image\.index\.v1\+json", not an image manifest — drydock signs an index of images, one per platform, not nested indexes/ },
    { name: "an entry without a platform", manifests: [entry(AMD64, undefined)], message: /manifests\[0\] \(sha256:[a-f0-9]{64}\) names no platform/ },
    { name: "an entry without a digest", manifests: [{ mediaType: OCI_MANIFEST, platform: { os: "linux", architecture: "amd64" } }], message: /manifests\[0\] has no sha256 digest \(undefined\)/ },
    { name: "one platform twice", manifests: [entry(AMD64, { os: "linux", architecture: "amd64" }), entry(ARM64, { os: "linux", architecture: "amd64" })], message: /lists linux\/amd64 twice/ },
    { name: "no image at all", manifests: [], message: /is an index of no image — nothing to sign/ },
  ])("refuses an index with $name", ({ manifests, message }) => {
    const body = index(manifests);
    expect(() => parseFetchedManifest(printed(body), `${REPO}@${sha(body)}`)).toThrow(message);
  });

  it("refuses what is neither an image nor an index", () => {
    const body = JSON.stringify({ schemaVersion: 2, mediaType: "application/vnd.oci.artifact.manifest.v1+json" });
    expect(() => parseFetchedManifest(printed(body), `${REPO}@${sha(body)}`)).toThrow(/is a "application\/vnd\.oci\.artifact\.manifest\.v1\+json", neither an image manifest nor an index/);
  });
});

describe("platformName", () => {
  it.each([
    { args: ["linux", "arm64", "v8"], name: "linux/arm64" },
    { args: ["linux", "arm", "v7"], name: "linux/arm/v7" },
    { args: ["linux", "amd64", undefined], name: "linux/amd64" },
  ] as const)("$name", ({ args, name }) => expect(platformName(args[0], args[1], args[2])).toBe(name));
});

describe("requirePublishedPlatforms", () => {
  const variants = (...platforms: string[]) => platforms.map((platform, i) => ({ platform, digest: sha(String(i)), reference: `${REPO}@${sha(String(i))}` }));
  it.each([
    { name: "one image for one platform", subject: { reference: "r", kind: "image" as const, variants: [] }, platforms: ["linux/amd64"] },
    { name: "an index of exactly the platforms built", subject: { reference: "r", kind: "index" as const, variants: variants("linux/arm64", "linux/amd64") }, platforms: ["linux/amd64", "linux/arm64"] },
  ])("accepts $name", ({ subject, platforms }) => expect(() => requirePublishedPlatforms(subject, platforms)).not.toThrow());

  it.each([
    { name: "one image for two platforms", subject: { reference: "r", kind: "image" as const, variants: [] }, platforms: ["linux/amd64", "linux/arm64"], message: /^r was published for linux\/amd64, linux\/arm64, but the registry holds a single image under that digest — nothing was signed/ },
    { name: "an index missing a platform", subject: { reference: "r", kind: "index" as const, variants: variants("linux/amd64") }, platforms: ["linux/amd64", "linux/arm64"], message: /holds an index of linux\/amd64 under that digest/ },
  ])("refuses $name", ({ subject, platforms, message }) => expect(() => requirePublishedPlatforms(subject, platforms)).toThrow(message));
});

describe("readFailureMessage", () => {
  it.each([
    { code: 2, says: /the registry refused the login \(or none was given\) — pass a login that may read it/ },
    { code: 3, says: /the registry has no manifest with this digest — check the repository and digest/ },
    { code: 4, says: /the registry could not be reached over HTTPS/ },
    { code: 1, says: /the reader failed \(exit 1\)/ },
  ])("exit $code", ({ code, says }) => {
    const message = readFailureMessage(`${REPO}@${sha(AMD64)}`, code, "line 1\nGET …: 401\n");
    expect(message).toMatch(says);
    expect(message).toMatch(/^reading ghcr\.io\/acme\/drydock-backend@sha256:[a-f0-9]{64} from the registry, to learn whether it is one image or an index of platforms: /);
    expect(message.endsWith("the reader said:\nline 1\nGET …: 401")).toBe(true);
  });
});
