/**
 * The supply-chain half of drydock: publish, sign, attest, verify, rebuild. Pure parts (tags,
 * references, platforms and the platform probe, annotations, provenance, cosign argv and messages,
 * a private Sigstore's files, the certify plans, the manifest reader's program and the index
 * parser, the manifest, the image layout's times, the rebuild plan) have no Dagger import;
 * cosign.ts, subjects.ts, platform-check.ts, image-layout.ts, publish.ts, predicates.ts and
 * pipeline.ts drive the engine.
 */
export * from "./annotations.js";
export * from "./certify-plan.js";
export * from "./cosign.js";
export * from "./cosign-args.js";
export * from "./cosign-errors.js";
export * from "./errors.js";
export * from "./image-index.js";
export * from "./image-layout.js";
export * from "./images.js";
export * from "./layout-times.js";
export * from "./manifest.js";
export * from "./manifest-reader.js";
export * from "./pipeline.js";
export * from "./platform-check.js";
export * from "./platform-probe.js";
export * from "./platforms.js";
export * from "./predicates.js";
export * from "./provenance.js";
export * from "./publish.js";
export * from "./rebuild-plan.js";
export * from "./reference.js";
export * from "./sigstore-files.js";
export * from "./subjects.js";
export * from "./tags.js";
