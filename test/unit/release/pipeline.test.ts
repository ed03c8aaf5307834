/** The pure checks the release wiring makes before anything is built: platforms, tags, repositories, attestation types, logins. */
import { describe, expect, it } from "vitest";
import type { File } from "@dagger.io/dagger";
import { predicateFor, predicateTypes, registryLoginOf, repositoryFor, tagsFor } from "../../../dagger/src/release/pipeline.ts";
import { platformSlug, smokePlatform } from "../../../dagger/src/release/platforms.ts";

const SHA = "0123456789abcdef0123456789abcdef01234567";

describe("smokePlatform", () => {
  it.each([
    { built: ["linux/amd64", "linux/arm64"], engine: "linux/amd64", smoked: "linux/amd64" },
    { built: ["linux/amd64", "linux/arm64"], engine: "linux/arm64/v8", smoked: "linux/arm64" },
    { built: ["linux/arm64", "linux/amd64"], engine: "linux/amd64", smoked: "linux/amd64" },
    { built: ["linux/arm64"], engine: "linux/amd64", smoked: "linux/arm64" },
    { built: ["linux/amd64", "linux/arm64"], engine: "linux/riscv64", smoked: "linux/amd64" },
  ] as const)("smokes $smoked of $built on a $engine engine", ({ built, engine, smoked }) => expect(smokePlatform(built, engine)).toBe(smoked));

  it("names a variant by its platform", () => expect(platformSlug("linux/arm64")).toBe("linux-arm64"));
});

describe("tagsFor", () => {
  it.each([
    { name: "a release tag on the default branch", meta: { gitRef: "refs/tags/v1.2.3", gitSha: SHA, defaultBranch: "main", branch: "main" }, tags: ["1.2.3", "1.2", "1", "latest", "sha-0123456"] },
    { name: "a release tag without its branch", meta: { gitRef: "refs/tags/v1.2.3", gitSha: SHA, defaultBranch: "main" }, tags: ["1.2.3", "1.2", "1", "sha-0123456"] },
    { name: "explicit tags without a commit", meta: { tags: ["stable", "1.4.0"] }, tags: ["stable", "1.4.0"] },
    { name: "an empty tag list falls back to git", meta: { tags: [], gitSha: SHA }, tags: ["sha-0123456"] },
  ])("$name", ({ meta, tags }) => expect(tagsFor(meta)).toEqual(tags));

  it("refuses neither tags nor a commit, saying how to give either", () => expect(() => tagsFor({ gitRef: "refs/heads/main" })).toThrow(/no tags — pass --git-sha \$\(git rev-parse HEAD\) \(and --git-ref, e\.g\. \$GITHUB_REF\) to compute them, or --tags/));
});

describe("repositoryFor", () => {
  it.each([
    { registry: "ghcr.io/acme", repository: "ghcr.io/acme/drydock-backend" },
    { registry: "ghcr.io/acme/", repository: "ghcr.io/acme/drydock-backend" },
    { registry: "127.0.0.1:5000", repository: "127.0.0.1:5000/drydock-backend" },
    { registry: "acme", repository: "docker.io/acme/drydock-backend" },
  ])("$registry", ({ registry, repository }) => expect(repositoryFor(registry, "drydock-backend")).toBe(repository));

  it.each([
    { registry: "ghcr.io/acme:1", message: /give a registry and namespace without tag or digest/ },
    { registry: "ghcr.io/Acme", message: /the repository must be lowercase/ },
    { registry: " ", message: /--registry is empty: give a registry and namespace, e.g. ghcr.io\/acme/ },
  ])("refuses $registry", ({ registry, message }) => expect(() => repositoryFor(registry, "drydock-backend")).toThrow(message));
});

describe("predicateTypes", () => {
  it("keeps cosign's order and each type once", () => expect(predicateTypes(["slsaprovenance1", "cyclonedx", "cyclonedx"])).toEqual(["cyclonedx", "slsaprovenance1"]));
  it("takes none: the signature alone", () => expect(predicateTypes([])).toEqual([]));
  it("refuses an unknown type, naming the known ones", () => expect(() => predicateTypes(["spdxjson"])).toThrow(/unknown type "spdxjson" — drydock attests cyclonedx, vuln, slsaprovenance1/));
});

describe("registryLoginOf", () => {
  const flags = { user: "--username", password: "--password" };
  const password = {} as never;
  it("is nothing when neither is given", () => expect(registryLoginOf(undefined, undefined, flags)).toBeUndefined());
  it("is both when both are given", () => expect(registryLoginOf("acme-bot", password, flags)).toEqual({ username: "acme-bot", password }));
  it("refuses a password without a user", () => expect(() => registryLoginOf(undefined, password, flags)).toThrow(/--password was given without --username/));
  it("refuses a user without a password", () => expect(() => registryLoginOf("acme-bot", undefined, flags)).toThrow(/--username was given without --password — pass the password or token as a secret/));
});

describe("predicateFor", () => {
  // Files stand for the engine's: only which one is picked matters here.
  const file = (name: string) => ({ name }) as unknown as File;
  const variants = ["linux/amd64", "linux/arm64"].map((platform) => ({ platform, scan: { sbom: file(`sbom ${platform}`), report: file(`report ${platform}`) } }));
  const make = { provenance: (platform?: string) => file(`provenance ${platform ?? "linux/amd64,linux/arm64"}`), vuln: (report: File) => file(`vuln of ${(report as unknown as { name: string }).name}`) };
  const D = `ghcr.io/acme/drydock-backend@sha256:${"1".repeat(64)}`;
  const name = (f: File) => (f as unknown as { name: string }).name;

  it.each([
    { target: { reference: D, role: "index", attestations: [] }, type: "slsaprovenance1", picked: "provenance linux/amd64,linux/arm64" },
    { target: { reference: D, role: "variant", platform: "linux/arm64", attestations: [] }, type: "cyclonedx", picked: "sbom linux/arm64" },
    { target: { reference: D, role: "variant", platform: "linux/arm64", attestations: [] }, type: "vuln", picked: "vuln of report linux/arm64" },
    { target: { reference: D, role: "variant", platform: "linux/amd64", attestations: [] }, type: "slsaprovenance1", picked: "provenance linux/amd64" },
  ] as const)("$target.role $target.platform $type: $picked", ({ target, type, picked }) => expect(name(predicateFor(variants, { ...target, attestations: [] }, type, make))).toBe(picked));

  it("gives one image its only variant's files", () => {
    expect(name(predicateFor(variants.slice(1), { reference: D, role: "image", attestations: [] }, "cyclonedx", make))).toBe("sbom linux/arm64");
  });

  it.each([
    { name: "a report for the index", target: { reference: D, role: "index" as const, attestations: [] }, type: "cyclonedx" as const, message: /no cyclonedx attestation goes on the index/ },
    { name: "a platform that was not built", target: { reference: D, role: "variant" as const, platform: "linux/arm/v7", attestations: [] }, type: "vuln" as const, message: /is none of the variants built, linux\/amd64, linux\/arm64/ },
  ])("refuses $name", ({ target, type, message }) => expect(() => predicateFor(variants, target, type, make)).toThrow(message));
});
