/**
 * cosign of one image by digest, as the release functions run it once the registry said the
 * reference is one image (imageSubject): what the plan tests and the e2e record for a single digest.
 */
import type { File } from "@dagger.io/dagger";
import {
  attestTargets,
  certifyTargets,
  imageSubject,
  PREDICATE_TYPES,
  signSubject,
  verifySubject,
  type CosignRun,
  type PredicateType,
  type SigningMaterial,
  type VerifyingMaterial,
} from "../../../dagger/src/release/index.ts";

export async function signImage(ref: string, material: SigningMaterial, run: CosignRun = {}) {
  return signSubject(imageSubject(ref, "sign"), material, run);
}

/** Attest each given predicate on the image; returns the types attested, in cosign's order. */
export async function attestImage(ref: string, predicates: Partial<Record<PredicateType, File>>, material: SigningMaterial, run: CosignRun = {}): Promise<PredicateType[]> {
  const subject = imageSubject(ref, "attest");
  const [target] = certifyTargets(subject, Object.keys(predicates) as PredicateType[]);
  await attestTargets(subject, [target!], (_target, type) => predicates[type]!, material, run);
  return target!.attestations;
}

export async function verifyImage(ref: string, material: VerifyingMaterial, types: readonly PredicateType[] = PREDICATE_TYPES, run: CosignRun = {}) {
  return verifySubject(imageSubject(ref, "verify"), material, types, run);
}
