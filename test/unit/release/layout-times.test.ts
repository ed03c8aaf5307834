/**
 * The image times a release sets (layout-times.ts), on layouts shaped as Dagger v0.21.8 writes them
 * (the config and history below are a real export's, examples/app's backend, trimmed).
 */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { blobPath, configTime, cosignLoadIndex, withImageTimes, type Descriptor } from "../../../dagger/src/release/layout-times.ts";

const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
const sha256 = (text: string) => `sha256:${createHash("sha256").update(text).digest("hex")}`;

/** A layout as the engine's archive holds it: one image per platform, its config written at `engineTime`. */
function engineLayout(engineTime: string, options: { platforms?: string[]; layer?: string; description?: string; dockerManifest?: boolean } = {}): Map<string, string> {
  const files = new Map<string, string>();
  const put = (text: string) => {
    const digest = sha256(text);
    files.set(blobPath(digest), text);
    return { digest, size: Buffer.byteLength(text) };
  };
  const layer = options.layer ?? sha256("layer");
  const images = (options.platforms ?? ["linux/amd64"]).map((platform) => {
    const [os, architecture] = platform.split("/");
    const config = put(
      JSON.stringify({
        architecture,
        config: { User: "1000:1000", Env: ["NODE_ENV=production"], Entrypoint: ["node", "dist/.drydock-entrypoint"], WorkingDir: "/app", Labels: { "org.opencontainers.image.created": "2026-11-29T17:00:00Z" } },
        created: engineTime,
        history: [
          { created: engineTime, created_by: options.description ?? "Directory.withDirectory", comment: "buildkit.exporter.image.v0" },
          { created: engineTime, created_by: "Directory.withDirectory", comment: "buildkit.exporter.image.v0" },
        ],
        os,
        rootfs: { type: "layers", diff_ids: [sha256("diff 1"), sha256("diff 2")] },
      }),
    );
    const manifest = put(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config: { mediaType: "application/vnd.oci.image.config.v1+json", ...config },
        layers: [layer, sha256("layer 2")].map((digest) => ({ mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest, size: 94363548 })),
        annotations: { "org.opencontainers.image.title": "drydock-backend" },
      }),
    );
    return { config, manifest, platform: { architecture, os } };
  });
  const root =
    images.length === 1
      ? { mediaType: OCI_MANIFEST, ...images[0]!.manifest }
      : { mediaType: OCI_INDEX, ...put(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: images.map((i) => ({ mediaType: OCI_MANIFEST, ...i.manifest, platform: i.platform })) })) };
  files.set("index.json", JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [root] }));
  if (options.dockerManifest !== false) files.set("manifest.json", JSON.stringify(images.map((i) => ({ Config: blobPath(i.config.digest), RepoTags: null, Layers: [blobPath(layer)] }))));
  return files;
}

const reader = (files: Map<string, string>) => async (path: string) => {
  const text = files.get(path);
  if (text === undefined) throw new Error(`no ${path}`);
  return text;
};

/** The layout after the rewrite: the files written over the old, the removed ones gone. */
function applied(files: Map<string, string>, timed: { write: Record<string, string>; remove: string[] }): Map<string, string> {
  const out = new Map(files);
  for (const path of timed.remove) out.delete(path);
  for (const [path, text] of Object.entries(timed.write)) out.set(path, text);
  return out;
}

/** The SOURCE_DATE_EPOCH of --created=2026-11-29T18:00:00+01:00 (file-times.ts reads it). */
const COMMIT_EPOCH = Date.parse("2026-11-29T17:00:00Z") / 1000;

describe("withImageTimes", () => {
  it("gives two builds whose layers are the same one digest, whatever times and layer descriptions the engine wrote", async () => {
    const first = engineLayout("2026-12-06T16:40:25.045350821Z");
    const second = engineLayout("2026-12-07T09:12:01.5Z", { description: "rehydrated from cache" });
    const [a, b] = await Promise.all([first, second].map((files) => withImageTimes(reader(files), COMMIT_EPOCH, true)));
    expect(sha256(first.get("index.json")!)).not.toBe(sha256(second.get("index.json")!));
    expect(a!.root.digest).toBe(b!.root.digest);
    expect(a!.write).toEqual(b!.write);
  });

  it("still tells two images apart: another layer is another digest", async () => {
    const [a, b] = await Promise.all(
      [engineLayout("2026-12-06T16:40:25Z"), engineLayout("2026-12-06T16:40:25Z", { layer: sha256("another layer") })].map((files) => withImageTimes(reader(files), COMMIT_EPOCH, true)),
    );
    expect(a!.root.digest).not.toBe(b!.root.digest);
  });

  it("sets the config's time and each history entry's to the SOURCE_DATE_EPOCH (UTC), drops the descriptions, and keeps everything else", async () => {
    const files = engineLayout("2026-12-06T16:40:25.045350821Z");
    const timed = await withImageTimes(reader(files), COMMIT_EPOCH, true);
    const layout = applied(files, timed);
    const manifest = JSON.parse(layout.get(blobPath(timed.root.digest))!) as { config: Descriptor; layers: Descriptor[]; annotations: Record<string, string> };
    const configText = layout.get(blobPath(manifest.config.digest))!;
    expect(sha256(configText)).toBe(manifest.config.digest);
    expect(Buffer.byteLength(configText)).toBe(manifest.config.size);
    const config = JSON.parse(configText) as Record<string, unknown>;
    expect(config["created"]).toBe("2026-11-29T17:00:00Z");
    expect(config["history"]).toEqual([
      { created: "2026-11-29T17:00:00Z", comment: "buildkit.exporter.image.v0" },
      { created: "2026-11-29T17:00:00Z", comment: "buildkit.exporter.image.v0" },
    ]);
    const before = JSON.parse([...files.entries()].find(([path, text]) => path.startsWith("blobs/") && text.includes('"rootfs"'))![1]) as Record<string, unknown>;
    expect({ ...config, created: undefined, history: undefined }).toEqual({ ...before, created: undefined, history: undefined });
    // The layers are untouched; the manifest's annotations stay.
    expect(manifest.layers.map((l) => l.digest)).toEqual([sha256("layer"), sha256("layer 2")]);
    expect(manifest.annotations).toEqual({ "org.opencontainers.image.title": "drydock-backend" });
    // index.json names the new manifest; the old config and manifest are removed, nothing new is.
    expect(JSON.parse(layout.get("index.json")!)).toEqual({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [timed.root] });
    expect(timed.remove.sort()).toEqual([...files.keys()].filter((path) => path.startsWith("blobs/")).sort());
    // docker load's manifest.json follows the new config.
    expect((JSON.parse(layout.get("manifest.json")!) as { Config: string }[])[0]!.Config).toBe(blobPath(manifest.config.digest));
  });

  it("rewrites every platform's image of an index, and the index, which keeps each platform", async () => {
    const [a, b] = await Promise.all(
      ["2026-12-06T16:40:25Z", "2026-12-06T18:00:00Z"].map(async (time) => {
        const files = engineLayout(time, { platforms: ["linux/amd64", "linux/arm64"] });
        const timed = await withImageTimes(reader(files), COMMIT_EPOCH, true);
        return { timed, layout: applied(files, timed) };
      }),
    );
    expect(a!.timed.root.digest).toBe(b!.timed.root.digest);
    expect(a!.timed.root.mediaType).toBe(OCI_INDEX);
    const index = JSON.parse(a!.layout.get(blobPath(a!.timed.root.digest))!) as { manifests: Descriptor[] };
    expect(index.manifests.map((m) => m["platform"])).toEqual([{ architecture: "amd64", os: "linux" }, { architecture: "arm64", os: "linux" }]);
    for (const m of index.manifests) {
      const config = JSON.parse(a!.layout.get(blobPath((JSON.parse(a!.layout.get(blobPath(m.digest))!) as { config: Descriptor }).config.digest))!) as { created: string };
      expect(config.created).toBe("2026-11-29T17:00:00Z");
    }
  });

  it("writes no manifest.json where the archive had none", async () => {
    const timed = await withImageTimes(reader(engineLayout("2026-12-06T16:40:25Z", { dockerManifest: false })), COMMIT_EPOCH, false);
    expect(Object.keys(timed.write)).not.toContain("manifest.json");
  });

  it.each([
    { name: "an index.json of two images", edit: (f: Map<string, string>) => f.set("index.json", JSON.stringify({ manifests: [{}, {}] })), message: /^image layout: index\.json lists 2 manifests, expected exactly one/ },
    { name: "an index.json that is not JSON", edit: (f: Map<string, string>) => f.set("index.json", "{"), message: /^image layout: index\.json is not JSON/ },
    {
      name: "a root of another media type",
      edit: (f: Map<string, string>) => f.set("index.json", JSON.stringify({ manifests: [{ mediaType: "application/vnd.in-toto+json", digest: sha256("x"), size: 1 }] })),
      message: /names sha256:[a-f0-9]{64} of media type "application\/vnd\.in-toto\+json", expected an image manifest or index/,
    },
    {
      name: "a manifest.json naming a config no manifest has",
      edit: (f: Map<string, string>) => f.set("manifest.json", JSON.stringify([{ Config: "blobs/sha256/0000", Layers: [] }])),
      message: /^image layout: manifest\.json names the config "blobs\/sha256\/0000", which no manifest of index\.json has/,
    },
  ])("refuses $name", async ({ edit, message }) => {
    const files = engineLayout("2026-12-06T16:40:25Z");
    edit(files);
    await expect(withImageTimes(reader(files), COMMIT_EPOCH, true)).rejects.toThrow(message);
  });

  it("refuses an index that lists anything but image manifests", async () => {
    const files = engineLayout("2026-12-06T16:40:25Z", { platforms: ["linux/amd64", "linux/arm64"] });
    const root = (JSON.parse(files.get("index.json")!) as { manifests: Descriptor[] }).manifests[0]!;
    const index = JSON.parse(files.get(blobPath(root.digest))!) as { manifests: Descriptor[] };
    index.manifests[1] = { ...index.manifests[1]!, mediaType: "application/vnd.in-toto+json" };
    const text = JSON.stringify(index);
    files.set(blobPath(sha256(text)), text);
    files.set("index.json", JSON.stringify({ manifests: [{ mediaType: OCI_INDEX, digest: sha256(text), size: text.length }] }));
    await expect(withImageTimes(reader(files), COMMIT_EPOCH, true)).rejects.toThrow(/expected only image manifests \(one per platform\)/);
  });
});

describe("configTime", () => {
  it.each([
    [0, "1970-01-01T00:00:00Z"],
    [COMMIT_EPOCH, "2026-11-29T17:00:00Z"],
  ])("%s is %s", (epoch, time) => expect(configTime(epoch)).toBe(time));

  it.each([-1, 1.5, Number.NaN])("refuses %s", (epoch) => {
    expect(() => configTime(epoch)).toThrow(new RegExp(`^image times: found ${epoch}, expected whole seconds from the Unix epoch on \\(a SOURCE_DATE_EPOCH\\)$`));
  });
});

describe("cosignLoadIndex", () => {
  it("marks the root as cosign load looks for it: an image, or an index", () => {
    const image = { mediaType: OCI_MANIFEST, digest: sha256("m"), size: 1 };
    expect(JSON.parse(cosignLoadIndex(JSON.stringify({ schemaVersion: 2, manifests: [image] })))).toEqual({
      schemaVersion: 2,
      manifests: [{ ...image, annotations: { kind: "dev.cosignproject.cosign/image" } }],
    });
    const index = { mediaType: OCI_INDEX, digest: sha256("i"), size: 1, annotations: { a: "b" } };
    expect(JSON.parse(cosignLoadIndex(JSON.stringify({ manifests: [index] }))).manifests[0].annotations).toEqual({ a: "b", kind: "dev.cosignproject.cosign/imageIndex" });
  });

  it("refuses an index.json of more than one image", () => {
    expect(() => cosignLoadIndex(JSON.stringify({ manifests: [{}, {}] }))).toThrow(/exactly one manifest/);
  });
});

describe("blobPath", () => {
  it("refuses a digest that is not sha256", () => {
    expect(() => blobPath("sha512:00")).toThrow(/^image layout: found the digest "sha512:00", expected sha256:<64 hex>/);
  });
});
