/**
 * The supply-chain half of drydock: publish, sign, attest, verify. Pure parts (tags, references,
 * platforms, annotations, provenance, cosign argv and messages, the manifest) have no Dagger
 * import; cosign.ts, publish.ts, predicates.ts and pipeline.ts drive the engine.
 */
export * from "./annotations.js";
export * from "./cosign.js";
export * from "./cosign-args.js";
export * from "./cosign-errors.js";
export * from "./errors.js";
export * from "./images.js";
export * from "./manifest.js";
export * from "./pipeline.js";
export * from "./platforms.js";
export * from "./predicates.js";
export * from "./provenance.js";
export * from "./publish.js";
export * from "./reference.js";
export * from "./tags.js";
