/**
 * What a real engine and registry would answer the release's own probes, for plan tests: `node`
 * in a variant says the platform its container was started on (an engine with emulation, or of
 * that platform), and a registry serves the manifest of every digest publish returned — one image,
 * or an index of one image per platform — as bytes that hash to that digest, so the module's
 * check of the bytes against the digest runs on the fake answers too.
 */
import { createHash } from "node:crypto";
import { MANIFEST_READER_PROGRAM, NODE_PLATFORM_PROGRAM, OCI_INDEX, OCI_MANIFEST } from "../../../dagger/src/release/index.ts";
import type { Chain, FakeEngine } from "../fake-engine/index.js";
import { execIncludes, execStartsWith } from "../fake-engine/rules.js";

/** The bytes a fake registry serves for one digest. */
export interface ServedManifest {
  digest: string;
  body: string;
  mediaType: string;
}

const sha256 = (text: string) => `sha256:${createHash("sha256").update(text).digest("hex")}`;

/** A plausible OCI image manifest, distinct per `seed`. */
export function imageManifest(seed: string): ServedManifest {
  const body = JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: sha256(`config ${seed}`), size: 1234 },
    layers: [{ mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: sha256(`layer ${seed}`), size: 5678 }],
  });
  return { digest: sha256(body), body, mediaType: OCI_MANIFEST };
}

/** An OCI index of `variants`, each `os/arch` over its manifest; `extra` entries are added as given (an attestation manifest, say). */
export function indexManifest(variants: readonly { platform: string; manifest: ServedManifest }[], extra: readonly unknown[] = []): ServedManifest {
  const body = JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_INDEX,
    manifests: [
      ...variants.map(({ platform, manifest }) => {
        const [os, architecture, variant] = platform.split("/");
        return { mediaType: manifest.mediaType, digest: manifest.digest, size: manifest.body.length, platform: { os, architecture, ...(variant ? { variant } : {}) } };
      }),
      ...extra,
    ],
  });
  return { digest: sha256(body), body, mediaType: OCI_INDEX };
}

/** What the manifest reader prints for `manifest`. */
export function readerOutput(manifest: ServedManifest): string {
  return JSON.stringify({ contentType: manifest.mediaType, body: Buffer.from(manifest.body).toString("base64") });
}

/** Whether a chain ends in the manifest reader's exec. */
export const isManifestRead = execStartsWith("node", "-e", MANIFEST_READER_PROGRAM);

/** Serve `manifest` to the reader, asked for by its digest. */
export function serveManifest(engine: FakeEngine, manifest: ServedManifest): ServedManifest {
  engine.addRule({ when: (chain) => isManifestRead(chain) && execIncludes(manifest.digest)(chain), stdout: readerOutput(manifest) });
  return manifest;
}

/** What one title was published as, and its variants' manifests by platform. */
export interface PublishedFake {
  subject: ServedManifest;
  variants: Record<string, ServedManifest>;
}

/**
 * Answer `publish` of each image titled one of `titles` with a digest the fake registry serves:
 * one image for one platform, an index of one image per platform otherwise.
 */
export function servePublishes(engine: FakeEngine, platforms: readonly string[], titles: readonly string[] = ["drydock-backend", "drydock-frontend"]): Record<string, PublishedFake> {
  const served: Record<string, PublishedFake> = {};
  for (const title of titles) {
    const variants = Object.fromEntries(platforms.map((platform) => [platform, imageManifest(`${title} ${platform}`)]));
    const subject = platforms.length === 1 ? variants[platforms[0]!]! : indexManifest(platforms.map((platform) => ({ platform, manifest: variants[platform]! })));
    serveManifest(engine, subject);
    const titled = (chain: Chain) => chain.some((s) => s.field === "withAnnotation" && s.args["name"] === "org.opencontainers.image.title" && s.args["value"] === title);
    // publish.ts reads only the digest after `@`; the address before it is the engine's business.
    engine.addRule({ when: titled, leaves: { publish: `registry.invalid/${title}:fake@${subject.digest}` } });
    served[title] = { subject, variants };
  }
  return served;
}

/** The platform a chain's container was started on (`container(platform: …)`), or undefined. */
function rootPlatform(chain: Chain): string | undefined {
  const root = chain[0];
  return root?.field === "container" && typeof root.args["platform"] === "string" ? root.args["platform"] : undefined;
}

/** node's own name of a platform, as `process.platform+'/'+process.arch` prints it. */
const NODE_NAMES: Readonly<Record<string, string>> = { "linux/amd64": "linux/x64", "linux/arm64": "linux/arm64" };

/** Answer the platform probe as an engine that runs every platform: node in a container says the platform it was started on. */
export function answerPlatformProbes(engine: FakeEngine): void {
  for (const [platform, printed] of Object.entries(NODE_NAMES)) {
    engine.addRule({ when: (chain) => isPlatformProbe(chain) && rootPlatform(chain) === platform, stdout: `${printed}\n` });
  }
}

/** Whether a chain ends in the platform probe. */
export const isPlatformProbe = execStartsWith("node", "-p", NODE_PLATFORM_PROGRAM);

/** Both: the platform probes, and the registry behind every publish of `platforms`. */
export function answerRelease(engine: FakeEngine, platforms: readonly string[], titles?: readonly string[]): Record<string, PublishedFake> {
  answerPlatformProbes(engine);
  return servePublishes(engine, platforms, titles);
}
