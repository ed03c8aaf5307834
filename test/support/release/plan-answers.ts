/**
 * What a real engine and registry would answer the release's own probes, for plan tests: `node`
 * in a variant says the platform its container was started on (an engine with emulation, or of
 * that platform), and a registry serves every manifest and index cosign load pushed — one image,
 * or an index of one image per platform — as the bytes pushed, which hash to their digest, so the
 * module's check of the bytes against the digest runs on the fake answers too.
 */
import { createHash } from "node:crypto";
import { COSIGN_BINARY } from "../../../dagger/src/release/images.ts";
import { MANIFEST_READER_PROGRAM, NODE_PLATFORM_PROGRAM, OCI_INDEX, OCI_MANIFEST } from "../../../dagger/src/release/index.ts";
import { blobPath } from "../../../dagger/src/release/layout-times.ts";
import { LAYOUT_DIR } from "../../../dagger/src/release/publish.ts";
import { ObjectRef } from "../fake-engine/chain.js";
import { execRecord } from "../fake-engine/container-state.js";
import type { Chain, ExecRecord, FakeEngine } from "../fake-engine/index.js";
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
 * The chains of the pushes evaluated so far, each ending in its cosign load: read off the engine's
 * evaluations (runCosign asks for the load's stdout), which is cheap; engine.execs() replays the plan.
 */
function loadChains(engine: FakeEngine): Chain[] {
  return engine.evaluations
    .map((e) => e.chain)
    .filter((chain) => {
      const last = chain.at(-1);
      const argv = last?.field === "withExec" ? last.args["args"] : undefined;
      return Array.isArray(argv) && argv[0] === COSIGN_BINARY && argv[1] === "load";
    });
}

/**
 * The files of each layout cosign load pushed, as the module wrote them into it (its manifests,
 * configs and index.json: what the fake registry then holds), in the order pushed.
 */
function pushedLayouts(engine: FakeEngine): Map<string, string>[] {
  return loadChains(engine).map((chain) => {
    const layout = chain.find((s) => s.field === "withMountedDirectory" && s.args["path"] === LAYOUT_DIR)?.args["source"];
    const files = new Map<string, string>();
    if (!(layout instanceof ObjectRef)) return files;
    for (const step of layout.chain) {
      if (step.field === "withNewFile" && typeof step.args["path"] === "string") files.set(step.args["path"], String(step.args["contents"]));
    }
    return files;
  });
}

/** One push: cosign load of a layout to `address` (a tag), and the image it holds as the module built it. */
export interface Push {
  address: string;
  exec: ExecRecord;
  /** The chain of the container archived (the first variant, annotated). */
  chain: Chain;
  /** The other platforms' containers, or undefined for one image. */
  platformVariants: ObjectRef[] | undefined;
  /** Container.asTarball's arguments. */
  archive: Readonly<Record<string, unknown>>;
}

/** Every push of the run, in order: what the engine's publish was before. */
export function pushesOf(engine: FakeEngine): Push[] {
  return loadChains(engine).map((chain) => {
    const exec = execRecord(chain);
    const layout = exec.chain.find((s) => s.field === "withMountedDirectory" && s.args["path"] === LAYOUT_DIR)?.args["source"];
    const archive = layout instanceof ObjectRef ? layout.chain.find((s) => s.field === "withMountedFile" && s.args["path"] === "/drydock/image.tar")?.args["source"] : undefined;
    if (!(archive instanceof ObjectRef) || archive.chain.at(-1)?.field !== "asTarball") throw new Error(`the push ${exec.args.join(" ")} mounts no layout unpacked from Container.asTarball`);
    const args = archive.chain.at(-1)!.args;
    const variants = args["platformVariants"];
    return {
      address: exec.args.at(-1)!,
      exec,
      chain: archive.chain.slice(0, -1),
      platformVariants: Array.isArray(variants) ? variants.filter((v): v is ObjectRef => v instanceof ObjectRef) : undefined,
      archive: args,
    };
  });
}

/** The blob of `digest` some push holds, as the registry would serve it; undefined when none does. */
function pushedBlob(engine: FakeEngine, digest: string): ServedManifest | undefined {
  for (const files of pushedLayouts(engine)) {
    const body = files.get(blobPath(digest));
    if (body !== undefined) return { digest, body, mediaType: (JSON.parse(body) as { mediaType: string }).mediaType };
  }
  return undefined;
}

/** The digest the manifest reader asks for (its argv: node -e PROGRAM registry path digest schemes). */
function askedDigest(chain: Chain): string {
  const args = chain.at(-1)!.args["args"];
  return Array.isArray(args) ? String(args[5]) : "";
}

/**
 * A registry that serves every manifest and index cosign load pushed, by its digest, as the bytes
 * pushed: what the release reads back before it signs. Returns what each title was published as,
 * read off the pushes once they happened.
 */
export function servePushes(engine: FakeEngine): (title: string) => PublishedFake {
  engine.addRule({
    when: (chain) => isManifestRead(chain) && pushedBlob(engine, askedDigest(chain)) !== undefined,
    stdout: (chain) => readerOutput(pushedBlob(engine, askedDigest(chain))!),
  });
  return (title) => {
    for (const files of pushedLayouts(engine)) {
      const root = (JSON.parse(files.get("index.json") ?? '{"manifests":[]}') as { manifests: { digest: string }[] }).manifests[0];
      const subject = root && pushedBlob(engine, root.digest);
      if (!subject) continue;
      const entries = subject.mediaType === OCI_INDEX ? (JSON.parse(subject.body) as { manifests: { digest: string; platform: { os: string; architecture: string } }[] }).manifests : [];
      const manifests = entries.length > 0 ? entries.map((e) => pushedBlob(engine, e.digest)!) : [subject];
      const titled = manifests.every((m) => (JSON.parse(m.body) as { annotations?: Record<string, string> }).annotations?.["org.opencontainers.image.title"] === title);
      if (!titled) continue;
      const variants = Object.fromEntries(entries.map((e, i) => [`${e.platform.os}/${e.platform.architecture}`, manifests[i]!]));
      return { subject, variants };
    }
    throw new Error(`nothing titled ${title} was pushed`);
  };
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

/** Both: the platform probes, and the registry behind every push. */
export function answerRelease(engine: FakeEngine): (title: string) => PublishedFake {
  answerPlatformProbes(engine);
  return servePushes(engine);
}
