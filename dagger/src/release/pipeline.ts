/**
 * The release after the gate: publish each app, then sign, attest and verify each digest — an
 * index's own and each platform's image's. A failure once something is in the registry names the
 * digests that are there unsigned.
 */
import { createHash } from "node:crypto";
import path from "node:path";

import type { Container, File, Secret } from "@dagger.io/dagger";

import { GateFailedError } from "../objects/gate-error.js";
import type { ReleaseMetadata } from "./annotations.js";
import { PREDICATE_TYPES, type PredicateType } from "./cosign-args.js";
import type { CertifyTarget } from "./certify-plan.js";
import type { CosignRun, RegistryLogin, SigningMaterial, VerifyingMaterial } from "./cosign.js";
import { ReleaseError } from "./errors.js";
import { requirePublishedPlatforms } from "./image-index.js";
import { unsignedAfterFailure } from "./manifest.js";
import { publish, type PublishResult } from "./publish.js";
import { parseReference, repositoryOf } from "./reference.js";
import { certifySubject, readPublished, type SubjectVerification } from "./subjects.js";
import { computeTags } from "./tags.js";

export interface AppToPublish {
  app: string;
  /** One container per platform, in the order of `platforms`: each built on its platform, and scanned. */
  variants: readonly Container[];
  platforms: readonly string[];
  repository: string;
  metadata: ReleaseMetadata;
}

export interface PublishedApp extends PublishResult {
  app: string;
  platforms: string[];
}

/**
 * Publish every app at once. When one fails after another was pushed, the error names the pushed
 * digests: they are in the registry unsigned.
 */
export async function publishApps(apps: readonly AppToPublish[], tags: readonly string[], pushing: { run: CosignRun; unpackImage: string }): Promise<PublishedApp[]> {
  const settled = await Promise.allSettled(
    apps.map(async (a): Promise<PublishedApp> => ({
      app: a.app,
      platforms: [...a.platforms],
      ...(await publish({ variants: a.variants, repository: a.repository, tags, metadata: a.metadata, created: a.metadata.created, ...pushing })),
    })),
  );
  const pushed = settled.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
  if (!failed) return pushed;
  if (pushed.length === 0) throw failed.reason;
  throw new ReleaseError(unsignedAfterFailure(pushed, messageOf(failed.reason)), { cause: failed.reason });
}

export interface Certified {
  app: string;
  reference: string;
  /** The attestation types on the published digest itself: all for one image, the provenance for an index. */
  attestations: PredicateType[];
  /** Each platform's image of an index, signed, attested and verified by its own digest; empty for one image. */
  variants: CertifiedVariant[];
  verification: SubjectVerification;
}

export interface CertifiedVariant {
  platform: string;
  digest: string;
  reference: string;
  attestations: PredicateType[];
}

/** The predicate of one type for one app's target: the index's provenance, or one variant's (or the image's) SBOM, report, provenance. */
export type AppPredicates = (app: string, target: CertifyTarget, type: PredicateType) => File;

/**
 * For every published app at once: read back what was pushed (one image, or an index — which must
 * list exactly the platforms built), then sign every digest, attest each with its own predicates,
 * and verify each signature and attestation. Any failure is reported with the digests pushed.
 */
export async function certifyAll(
  pushed: readonly PublishedApp[],
  predicates: AppPredicates,
  signing: SigningMaterial,
  verifying: VerifyingMaterial,
  run: CosignRun,
  readerImage: string,
): Promise<Certified[]> {
  try {
    return await Promise.all(
      pushed.map(async ({ app, reference, platforms }): Promise<Certified> => {
        const subject = await readPublished(reference, run, readerImage);
        requirePublishedPlatforms(subject, platforms);
        const verification = await certifySubject(subject, (target, type) => predicates(app, target, type), signing, verifying, run);
        return {
          app,
          reference,
          attestations: verification.attestations,
          variants: verification.variants.map((v) => ({ ...v, digest: v.reference.slice(v.reference.lastIndexOf("@") + 1) })),
          verification,
        };
      }),
    );
  } catch (error) {
    throw new ReleaseError(unsignedAfterFailure(pushed, messageOf(error)), { cause: error });
  }
}

/** The sha256 of a text as 64 lowercase hex digits: how the provenance names a lockfile. */
export function sha256Hex(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** `<registry>/<image name>` as a repository; the registry (and namespace) may carry no tag or digest. */
export function repositoryFor(registry: string, image: string): string {
  const trimmed = registry.trim().replace(/\/+$/, "");
  if (trimmed === "") throw new ReleaseError("--registry is empty: give a registry and namespace, e.g. ghcr.io/acme");
  // A colon in the last segment is a tag once there is a namespace; alone, it is the host's port (127.0.0.1:5000).
  const tagged = trimmed.includes("/") && trimmed.slice(trimmed.lastIndexOf("/") + 1).includes(":");
  if (tagged || trimmed.includes("@")) {
    throw new ReleaseError(`--registry ${JSON.stringify(registry)}: give a registry and namespace without tag or digest, e.g. ghcr.io/acme — each app is pushed to <registry>/<its image name>, tags come from --tags or git metadata`);
  }
  return repositoryOf(parseReference(`${trimmed}/${image}`, "--registry"));
}

/** The tags of a publish: --tags exactly, else computed from git metadata, which then needs the commit. */
export function tagsFor(meta: { tags?: readonly string[]; gitRef?: string; gitSha?: string; defaultBranch?: string; branch?: string }): string[] {
  const explicit = meta.tags ?? [];
  if (explicit.length === 0 && meta.gitSha === undefined) {
    throw new ReleaseError("publish: no tags — pass --git-sha $(git rev-parse HEAD) (and --git-ref, e.g. $GITHUB_REF) to compute them, or --tags");
  }
  return computeTags({
    gitSha: meta.gitSha ?? "",
    ...(explicit.length > 0 ? { tags: explicit } : {}),
    ...(meta.gitRef !== undefined ? { gitRef: meta.gitRef } : {}),
    ...(meta.defaultBranch !== undefined ? { defaultBranch: meta.defaultBranch } : {}),
    ...(meta.branch !== undefined ? { branch: meta.branch } : {}),
  });
}

/** A registry login: a user and a password, both or neither. */
export function registryLoginOf(username: string | undefined, password: Secret | undefined, flags: { user: string; password: string }): RegistryLogin | undefined {
  if (username === undefined && password === undefined) return undefined;
  if (username === undefined || username.trim() === "") throw new ReleaseError(`${flags.password} was given without ${flags.user} — pass the user the password or token belongs to (GitHub: ${flags.user}=$GITHUB_ACTOR)`);
  if (password === undefined) throw new ReleaseError(`${flags.user} was given without ${flags.password} — pass the password or token as a secret, e.g. ${flags.password}=env:REGISTRY_TOKEN`);
  return { username, password };
}

/** A release stops at a failed gate: nothing is published, and the error says so above the summary. */
export function requireGatePassed(passed: boolean, summary: string): void {
  if (!passed) throw new GateFailedError(`release stopped: the policy gate failed, so nothing was published, signed or attested.\n\n${summary}`);
}

/** Where an app's lockfile is in the source, from its install root (InstallLayout.root: the app's folder, or its workspace's). */
export function lockfilePath(installRoot: string): string {
  return path.posix.join(installRoot, "pnpm-lock.yaml");
}

/** The signing material that was given; what is missing or contradictory is for signerMode to explain. */
export function signingMaterial(key: Secret | undefined, password: Secret | undefined, identityToken: Secret | undefined): SigningMaterial {
  return definedOnly({ key, password, identityToken });
}

/** The fields that are set: optional arguments the engine passes as undefined are left out. */
export function definedOnly<T extends Record<string, unknown>>(fields: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };
}

/** --attestations as predicate types, each once, in cosign's order; an unknown type is an error naming the known ones. */
export function predicateTypes(given: readonly string[]): PredicateType[] {
  for (const type of given) {
    if (!(PREDICATE_TYPES as readonly string[]).includes(type)) {
      throw new ReleaseError(`--attestations: unknown type ${JSON.stringify(type)} — drydock attests ${PREDICATE_TYPES.join(", ")}; pass some of them, or none to verify the signature alone`);
    }
  }
  return PREDICATE_TYPES.filter((type) => given.includes(type));
}

/** One built variant as the release holds it: its platform (absent: the engine's) and its scan's files. */
export interface GatedVariant {
  platform?: string;
  scan: { sbom: File; report: File };
}

/**
 * The predicate of one type for one target of an app: the index gets the provenance naming every
 * platform; each variant — or the one image — its own scan's SBOM and vulnerability report and the
 * provenance of its own platform, so no attestation describes another platform's files.
 */
export function predicateFor(
  variants: readonly GatedVariant[],
  target: CertifyTarget,
  type: PredicateType,
  make: { provenance: (platform?: string) => File; vuln: (report: File) => File },
): File {
  if (target.role === "index") {
    if (type !== "slsaprovenance1") throw new ReleaseError(`internal: no ${type} attestation goes on the index ${target.reference}`);
    return make.provenance();
  }
  const variant = target.role === "variant" ? variants.find((v) => v.platform === target.platform) : variants.length === 1 ? variants[0] : undefined;
  if (!variant) throw new ReleaseError(`internal: ${target.reference} (${target.platform ?? "one image"}) is none of the variants built, ${variants.map((v) => v.platform ?? "the engine's").join(", ")}`);
  if (type === "slsaprovenance1") return make.provenance(variant.platform);
  return type === "cyclonedx" ? variant.scan.sbom : make.vuln(variant.scan.report);
}
