/**
 * sign, attest and verify of a published subject — one image, or an index and every platform's
 * image in it — each digest by its own: what the release and the sign/attest/verify functions run.
 * The registry is asked what the reference is (manifest-reader.ts); every cosign argv comes from
 * the plans in certify-plan.ts. Steps on one digest run in order (cosign adds an attestation
 * beside the others, so two at once on one digest could lose one); different digests at once.
 */
import { dag, type Container, type File } from "@dagger.io/dagger";

import { execFailure } from "../exec-failure.js";
import { attestableTargets, attestPlan, certifyTargets, describeTarget, signPlan, verifyPlan, type CertifyTarget, type CosignStepPlan } from "./certify-plan.js";
import { predicatePath, PREDICATE_TYPES, signerMode, signingFlags, verifyingFlags, type PredicateType } from "./cosign-args.js";
import {
  COSIGN_OWNER,
  CosignError,
  cosignContainer,
  runCosign,
  trustedOf,
  verifierOf,
  verifyingContainer,
  withRegistryLogin,
  withSigningMaterial,
  type CosignRun,
  type SigningMaterial,
  type VerifyingMaterial,
  type VerifyResult,
} from "./cosign.js";
import { ReleaseError } from "./errors.js";
import { parseFetchedManifest, readFailureMessage, type PublishedSubject } from "./image-index.js";
import { readerEnvironment, readManifestArgs } from "./manifest-reader.js";
import { digestRefString, requireDigest } from "./reference.js";

/**
 * What `ref` is in its registry — one image, or an index and each platform's image — read in
 * `nodeImage` (a pinned image with node on its PATH: the runtime image) with the run's registry login.
 */
export async function readPublished(ref: string, run: CosignRun, nodeImage: string): Promise<PublishedSubject> {
  const reference = digestRefString(requireDigest(ref, "read manifest"));
  const reader = Object.entries(readerEnvironment(run)).reduce(
    (c, [name, value]) => c.withEnvVariable(name, value),
    withRegistryLogin(dag.container().from(nodeImage).withUser(COSIGN_OWNER), run),
  );
  let printed: string;
  try {
    printed = await reader.withExec(readManifestArgs(reference, run)).stdout();
  } catch (error) {
    const failure = execFailure(error);
    if (failure === undefined) throw error;
    throw new ReleaseError(readFailureMessage(reference, failure.exitCode, failure.stderr), { cause: error });
  }
  return parseFetchedManifest(printed, reference);
}

/** A verification of a subject: the index's (or image's) own, and each variant's. */
export interface SubjectVerification extends VerifyResult {
  variants: VerifiedVariant[];
}

export interface VerifiedVariant {
  platform: string;
  /** repository@sha256:… of the variant. */
  reference: string;
  attestations: PredicateType[];
}

/** Run one planned step; a failure on a variant says which platform's image of which index it was. */
async function runStep(container: Container, step: CosignStepPlan, subject: PublishedSubject, verifier?: "key" | "keyless"): Promise<void> {
  try {
    await runCosign(container, step.argv, {
      operation: step.operation,
      ref: step.target.reference,
      ...(step.predicateType ? { predicateType: step.predicateType } : {}),
      ...(verifier ? { verifier } : {}),
    });
  } catch (error) {
    if (!(error instanceof CosignError) || step.target.role !== "variant") throw error;
    throw new CosignError(`${step.target.platform} image of the index ${subject.reference}: ${error.message}`, error.kind, error.exitCode);
  }
}

/** Run each target's steps in order, targets at once; every failure is reported, the first target's first. */
async function perTarget(targets: readonly CertifyTarget[], steps: readonly CosignStepPlan[], run: (step: CosignStepPlan) => Promise<void>): Promise<void> {
  const settled = await Promise.allSettled(
    targets.map(async (target) => {
      for (const step of steps.filter((s) => s.target === target)) await run(step);
    }),
  );
  const failed = settled.flatMap((s, i) => (s.status === "rejected" ? [{ target: targets[i]!, reason: s.reason as unknown }] : []));
  if (failed.length === 0) return;
  const [first, ...others] = failed;
  if (others.length === 0) throw first!.reason;
  const also = others.map((f) => `  ${describeTarget(f.target)}: ${firstLine(f.reason)}`).join("\n");
  const reason = first!.reason;
  const message = `${reason instanceof Error ? reason.message : String(reason)}\nAlso failed:\n${also}`;
  throw reason instanceof CosignError ? new CosignError(message, reason.kind, reason.exitCode) : new ReleaseError(message, { cause: reason });
}

function firstLine(reason: unknown): string {
  return (reason instanceof Error ? reason.message : String(reason)).split("\n")[0]!;
}

/** Sign the subject: an image by its digest; an index by its own and every variant by its own. */
export async function signSubject(subject: PublishedSubject, material: SigningMaterial, run: CosignRun): Promise<CertifyTarget[]> {
  const targets = certifyTargets(subject, []);
  const { mode, container } = withSigningMaterial(cosignContainer(run), material);
  await perTarget(targets, signPlan(targets, mode, run), (step) => runStep(container, step, subject));
  return targets;
}

/** The predicate file of one type for one target (an index, a variant, or an image). */
export type PredicateFiles = (target: CertifyTarget, type: PredicateType) => File;

/** Attest each target with its types (certifyTargets), each predicate its own file. */
export async function attestTargets(subject: PublishedSubject, targets: readonly CertifyTarget[], files: PredicateFiles, material: SigningMaterial, run: CosignRun): Promise<void> {
  const { mode, container } = withSigningMaterial(cosignContainer(run), material);
  await perTarget(targets, attestPlan(targets, mode, run), (step) =>
    runStep(container.withMountedFile(predicatePath(step.predicateType!), files(step.target, step.predicateType!), { owner: COSIGN_OWNER }), step, subject),
  );
}

/**
 * Verify the subject: each target's signature, then each attestation type it must carry (an
 * image and every variant: `types`; the index: the provenance, when asked for). Every target is
 * checked; a failure of any fails the whole, naming each failed target.
 */
export async function verifySubject(
  subject: PublishedSubject,
  material: VerifyingMaterial,
  types: readonly PredicateType[] = PREDICATE_TYPES,
  run: CosignRun = {},
): Promise<SubjectVerification> {
  const verifier = verifierOf(material);
  const targets = certifyTargets(subject, types);
  const container = verifyingContainer(material, run);
  await perTarget(targets, verifyPlan(targets, verifier, run), (step) => runStep(container, step, subject, verifier.mode));
  const [own, ...variants] = targets;
  return {
    reference: subject.reference,
    trusted: await trustedOf(verifier, material),
    signature: true,
    attestations: own!.attestations,
    transparencyLog: !run.airGapped,
    variants: variants.map((v) => ({ platform: v.platform!, reference: v.reference, attestations: v.attestations })),
  };
}

/**
 * sign, attest and verify a subject the release published: every target signed, attested with
 * its own predicates (`files`), then verified — signature and every attestation — by its digest.
 */
export async function certifySubject(subject: PublishedSubject, files: PredicateFiles, signing: SigningMaterial, verifying: VerifyingMaterial, run: CosignRun): Promise<SubjectVerification> {
  const targets = certifyTargets(subject, PREDICATE_TYPES);
  await signSubject(subject, signing, run);
  await attestTargets(subject, targets, files, signing, run);
  return verifySubject(subject, verifying, PREDICATE_TYPES, run);
}

/**
 * `sign --ref`: every input checked first, then the registry asked what the reference is, then
 * an image signed by its digest, or an index and each platform's image by their own.
 */
export async function signPublished(ref: string, material: SigningMaterial, run: CosignRun, readerImage: string): Promise<PublishedSubject> {
  requireDigest(ref, "sign");
  signingFlags(signerMode({ key: !!material.key, password: !!material.password, identityToken: !!material.identityToken }), run);
  const subject = await readPublished(ref, run, readerImage);
  await signSubject(subject, material, run);
  return subject;
}

/**
 * `attest --ref`: one file per type, on an image; on an index only the provenance (attestableTargets
 * says why and where the reports go instead).
 */
export async function attestPublished(
  ref: string,
  predicates: Partial<Record<PredicateType, File>>,
  material: SigningMaterial,
  run: CosignRun,
  readerImage: string,
): Promise<PredicateType[]> {
  const reference = digestRefString(requireDigest(ref, "attest"));
  const types = PREDICATE_TYPES.filter((t) => predicates[t] !== undefined);
  if (types.length === 0) throw new ReleaseError(`attest ${reference}: no predicate given — pass at least one of --sbom, --vuln-report, --provenance`);
  signingFlags(signerMode({ key: !!material.key, password: !!material.password, identityToken: !!material.identityToken }), run);
  const subject = await readPublished(reference, run, readerImage);
  const targets = attestableTargets(subject, types);
  await attestTargets(subject, targets, (_target, type) => predicates[type]!, material, run);
  return types;
}

/** `verify --ref`: whom to trust checked first, then every digest of what the reference is verified. */
export async function verifyPublished(
  ref: string,
  material: VerifyingMaterial,
  types: readonly PredicateType[],
  run: CosignRun,
  readerImage: string,
): Promise<SubjectVerification> {
  requireDigest(ref, "verify");
  verifyingFlags(verifierOf(material), run);
  return verifySubject(await readPublished(ref, run, readerImage), material, types, run);
}
