/**
 * What sign, attest and verify do to a published subject, digest by digest: an image is signed,
 * attested and verified by its own digest; an index is signed itself and so is every platform's
 * image it lists, each by its own digest. A variant's SBOM and vulnerability report describe that
 * variant's files, so they are attested on the variant's digest; the index carries the provenance
 * of the build that made it. Free of Dagger: the targets and the cosign argv of each.
 */
import {
  attestArgs,
  PREDICATE_TYPES,
  signArgs,
  verifyArgs,
  verifyAttestationArgs,
  type CosignFlags,
  type PredicateType,
  type SignerMode,
  type VerifierSpec,
} from "./cosign-args.js";
import type { CosignOperation } from "./cosign-errors.js";
import { ReleaseError } from "./errors.js";
import type { PublishedSubject } from "./image-index.js";

/** The attestation types an index carries: the provenance names every platform it was built for. */
export const INDEX_ATTESTATIONS: readonly PredicateType[] = ["slsaprovenance1"];

/** One digest to sign, attest and verify. */
export interface CertifyTarget {
  /** repository@sha256:… */
  reference: string;
  /** "image": a single image; "index": the index itself; "variant": one platform's image in it. */
  role: "image" | "index" | "variant";
  /** The variant's platform; absent for an image or the index. */
  platform?: string;
  /** The attestation types this digest gets (or is checked for), in cosign's order. */
  attestations: PredicateType[];
}

/** The targets of a subject, the index first; `types` are what an image or a variant gets, the index keeps those it carries. */
export function certifyTargets(subject: PublishedSubject, types: readonly PredicateType[] = PREDICATE_TYPES): CertifyTarget[] {
  const ordered = PREDICATE_TYPES.filter((t) => types.includes(t));
  if (subject.kind === "image") return [{ reference: subject.reference, role: "image", attestations: ordered }];
  return [
    { reference: subject.reference, role: "index", attestations: ordered.filter((t) => INDEX_ATTESTATIONS.includes(t)) },
    ...subject.variants.map((v): CertifyTarget => ({ reference: v.reference, role: "variant", platform: v.platform, attestations: ordered })),
  ];
}

/** How a target is named in messages: `the linux/arm64 image ghcr.io/…@sha256:…`. */
export function describeTarget(target: CertifyTarget): string {
  if (target.role === "variant") return `the ${target.platform} image ${target.reference}`;
  return target.role === "index" ? `the index ${target.reference}` : target.reference;
}

/** One cosign run of a plan. */
export interface CosignStepPlan {
  operation: CosignOperation;
  target: CertifyTarget;
  predicateType?: PredicateType;
  argv: string[];
}

/** `cosign sign` of every target. */
export function signPlan(targets: readonly CertifyTarget[], mode: SignerMode, flags: CosignFlags = {}): CosignStepPlan[] {
  return targets.map((target) => ({ operation: "sign", target, argv: signArgs(target.reference, mode, flags) }));
}

/** `cosign attest` of each type of each target, target by target. */
export function attestPlan(targets: readonly CertifyTarget[], mode: SignerMode, flags: CosignFlags = {}): CosignStepPlan[] {
  return targets.flatMap((target) =>
    target.attestations.map((type): CosignStepPlan => ({ operation: "attest", target, predicateType: type, argv: attestArgs(target.reference, type, mode, flags) })),
  );
}

/** `cosign verify` then `verify-attestation` of each type, target by target. */
export function verifyPlan(targets: readonly CertifyTarget[], verifier: VerifierSpec, flags: CosignFlags = {}): CosignStepPlan[] {
  return targets.flatMap((target) => [
    { operation: "verify", target, argv: verifyArgs(target.reference, verifier, flags) } as CosignStepPlan,
    ...target.attestations.map(
      (type): CosignStepPlan => ({ operation: "verify-attestation", target, predicateType: type, argv: verifyAttestationArgs(target.reference, type, verifier, flags) }),
    ),
  ]);
}

/**
 * The targets `attest` may attest single files to: an image takes every predicate; an index only
 * the provenance — an SBOM or a vulnerability report describes one platform's image, so it goes
 * on that image's digest, never on the index.
 */
export function attestableTargets(subject: PublishedSubject, given: readonly PredicateType[]): CertifyTarget[] {
  const [own] = certifyTargets(subject, given);
  const refused = given.filter((t) => !own!.attestations.includes(t)).map((t) => ATTEST_FLAGS[t]);
  if (refused.length > 0) {
    const variants = subject.variants.map((v) => `  ${v.platform}: ${v.reference}`).join("\n");
    throw new ReleaseError(
      `attest --ref=${subject.reference}: found ${refused.join(" and ")} for an index of ${subject.variants.map((v) => v.platform).join(", ")}, expected them for one platform's image — ` +
        "a report describes one platform's files, so it goes on that image's digest: attest each variant with its own report " +
        "(e.g. --ref=<its reference below> --sbom=reports/backend-linux-arm64/sbom.cdx.json --vuln-report=reports/backend-linux-arm64/trivy.json); the index takes --provenance alone:\n" +
        variants,
    );
  }
  return [own!];
}

/** The `attest` argument that gives each predicate type. */
const ATTEST_FLAGS: Readonly<Record<PredicateType, string>> = { cyclonedx: "--sbom", vuln: "--vuln-report", slsaprovenance1: "--provenance" };
