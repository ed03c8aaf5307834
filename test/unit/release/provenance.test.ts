/**
 * The SLSA provenance v1 predicate, validated against a JSON schema written from the SLSA v1.0
 * spec (test/support/release/slsa-provenance-v1.schema.json: no npm package ships one).
 */
import { readFileSync } from "node:fs";
import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import { DRYDOCK_BUILD_TYPE, slsaProvenance, type ProvenanceInput } from "../../../dagger/src/release/provenance.ts";
import { COSIGN_IMAGE } from "../../../dagger/src/release/images.ts";
import { repoRoot } from "../../support/paths.ts";

const schema = JSON.parse(readFileSync(`${repoRoot}/test/support/release/slsa-provenance-v1.schema.json`, "utf8"));
const validate = new Ajv({ allErrors: true, strict: true, strictRequired: false }).compile(schema);

const SHA = "0123456789abcdef0123456789abcdef01234567";
const NODE = "node:24.13.1-alpine@sha256:4f696fbf39f383c1e486030ba6b289a5d9af541642fc78ab197e584a113b9c03";
const TRIVY = "aquasec/trivy:0.69.3@sha256:bcc376de8d77cfe086a917230e818dc9f8528e3c852f7b1aff648949b6258d1c";

const input: ProvenanceInput = {
  app: "backend",
  platform: "linux/amd64",
  sourceUrl: "https://github.com/acme/shop",
  revision: SHA,
  gitRef: "refs/tags/v1.2.3",
  builderId: "https://github.com/acme/shop/.github/workflows/release.yml@refs/tags/v1.2.3",
  builderVersion: { drydock: "0.1.0", dagger: "v0.21.8" },
  buildArguments: { imageVersion: "1.2.3", pnpmVersion: "12.4.2" },
  images: { base: NODE, build: NODE, trivy: TRIVY, cosign: COSIGN_IMAGE },
  lockfiles: { "backend/pnpm-lock.yaml": "b".repeat(64) },
  invocationId: "https://github.com/acme/shop/actions/runs/1/attempts/1",
  startedOn: "2026-11-30T10:00:00Z",
  finishedOn: "2026-11-30T10:05:00Z",
};

describe("slsaProvenance", () => {
  it("is valid SLSA provenance v1", () => {
    const predicate = slsaProvenance(input);
    expect(validate(predicate), JSON.stringify(validate.errors)).toBe(true);
  });

  it("is valid with only what the pipeline always knows", () => {
    const predicate = slsaProvenance({ ...input, sourceUrl: "", gitRef: undefined, builderVersion: undefined, invocationId: undefined, startedOn: undefined, finishedOn: undefined, lockfiles: {} });
    expect(validate(predicate), JSON.stringify(validate.errors)).toBe(true);
    expect(predicate.runDetails).toEqual({ builder: { id: input.builderId } });
  });

  it("records the source, the pinned images and the lockfiles as resolved dependencies", () => {
    const p = slsaProvenance(input);
    expect(p.buildDefinition.buildType).toBe(DRYDOCK_BUILD_TYPE);
    expect(p.buildDefinition.resolvedDependencies).toEqual([
      { uri: "git+https://github.com/acme/shop@refs/tags/v1.2.3", digest: { gitCommit: SHA } },
      { name: "base", uri: "pkg:docker/node:24.13.1-alpine", digest: { sha256: "4f696fbf39f383c1e486030ba6b289a5d9af541642fc78ab197e584a113b9c03" } },
      { name: "build", uri: "pkg:docker/node:24.13.1-alpine", digest: { sha256: "4f696fbf39f383c1e486030ba6b289a5d9af541642fc78ab197e584a113b9c03" } },
      { name: "cosign", uri: "pkg:docker/ghcr.io/sigstore/cosign/cosign:v3.1.3", digest: { sha256: "9e5c2f2edc34351160407ca3416c61855bdf9403c3c5936e0f0be7fc261611b8" } },
      { name: "trivy", uri: "pkg:docker/aquasec/trivy:0.69.3", digest: { sha256: "bcc376de8d77cfe086a917230e818dc9f8528e3c852f7b1aff648949b6258d1c" } },
      { name: "backend/pnpm-lock.yaml", digest: { sha256: "b".repeat(64) } },
    ]);
    expect(p.buildDefinition.externalParameters).toEqual({
      source: { uri: "https://github.com/acme/shop", ref: "refs/tags/v1.2.3", revision: SHA },
      app: "backend",
      platform: "linux/amd64",
      buildArguments: { imageVersion: "1.2.3", pnpmVersion: "12.4.2" },
    });
  });

  it("the schema rejects what the spec requires", () => {
    expect(validate({ buildDefinition: { buildType: "x" }, runDetails: {} })).toBe(false);
    expect(validate({ ...slsaProvenance(input), runDetails: { builder: {} } })).toBe(false);
    expect(validate({ buildDefinition: { buildType: DRYDOCK_BUILD_TYPE, externalParameters: {}, resolvedDependencies: [{ name: "no uri nor digest" }] }, runDetails: { builder: { id: "urn:x" } } })).toBe(false);
  });

  it.each([
    { name: "a short revision", change: { revision: "0123456" }, message: /not a full commit SHA/ },
    { name: "a builder that is no URI", change: { builderId: "github actions" }, message: /builder id "github actions" is not a URI/ },
    { name: "an unpinned image", change: { images: { base: "node:24" } }, message: /the base image node:24 is not pinned by digest/ },
    { name: "a lockfile digest that is no sha256", change: { lockfiles: { "pnpm-lock.yaml": "xyz" } }, message: /lockfile pnpm-lock.yaml digest "xyz"/ },
  ])("refuses $name", ({ change, message }) => {
    expect(() => slsaProvenance({ ...input, ...change })).toThrow(message);
  });
});
