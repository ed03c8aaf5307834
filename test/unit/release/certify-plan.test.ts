/** What sign, attest and verify run on a published subject: each digest its own cosign argv. */
import { describe, expect, it } from "vitest";
import { attestableTargets, attestPlan, certifyTargets, signPlan, verifyPlan } from "../../../dagger/src/release/certify-plan.ts";
import type { PublishedSubject } from "../../../dagger/src/release/image-index.ts";

const d = (c: string) => `sha256:${c.repeat(64)}`;
const at = (digest: string) => `ghcr.io/acme/drydock-backend@${digest}`;
const INDEX: PublishedSubject = {
  reference: at(d("1")),
  kind: "index",
  variants: [
    { platform: "linux/amd64", digest: d("a"), reference: at(d("a")) },
    { platform: "linux/arm64", digest: d("b"), reference: at(d("b")) },
  ],
};
const IMAGE: PublishedSubject = { reference: at(d("c")), kind: "image", variants: [] };
const COSIGN = "/ko-app/cosign";
/** What a cosign v3 signature is checked as: its own statement type, not any attestation. */
const SIGNATURE = "https://sigstore.dev/cosign/sign/v1";
const KEY = ["--key", "env://COSIGN_KEY", "--tlog-upload=false", "--use-signing-config=false"];
const PUB = ["--key", "/drydock/cosign.pub", "--insecure-ignore-tlog=true"];

describe("certifyTargets", () => {
  it("an index: itself with the provenance, then each platform's image with every type, by its own digest", () => {
    expect(certifyTargets(INDEX)).toEqual([
      { reference: at(d("1")), role: "index", attestations: ["slsaprovenance1"] },
      { reference: at(d("a")), role: "variant", platform: "linux/amd64", attestations: ["cyclonedx", "vuln", "slsaprovenance1"] },
      { reference: at(d("b")), role: "variant", platform: "linux/arm64", attestations: ["cyclonedx", "vuln", "slsaprovenance1"] },
    ]);
  });

  it("one image: every type on its digest, in cosign's order", () => {
    expect(certifyTargets(IMAGE, ["slsaprovenance1", "cyclonedx"])).toEqual([{ reference: at(d("c")), role: "image", attestations: ["cyclonedx", "slsaprovenance1"] }]);
  });

  it("asked for the SBOM alone, the index checks nothing but its signature", () => {
    expect(certifyTargets(INDEX, ["cyclonedx"]).map((t) => t.attestations)).toEqual([[], ["cyclonedx"], ["cyclonedx"]]);
  });
});

describe("cosign argv per digest", () => {
  const targets = certifyTargets(INDEX);

  it("signs the index and each variant, each by its own digest", () => {
    expect(signPlan(targets, "key", { airGapped: true }).map((s) => s.argv)).toEqual(
      [d("1"), d("a"), d("b")].map((digest) => [COSIGN, "sign", "--yes", ...KEY, at(digest)]),
    );
  });

  it("attests the provenance on the index and each variant's three predicates on the variant", () => {
    const argv = (type: string, digest: string) => [COSIGN, "attest", "--yes", "--type", type, "--predicate", `/drydock/predicates/${type}.json`, ...KEY, at(digest)];
    expect(attestPlan(targets, "key", { airGapped: true }).map((s) => [s.target.platform ?? "index", s.argv])).toEqual([
      ["index", argv("slsaprovenance1", d("1"))],
      ...["a", "b"].flatMap((c, i) => ["cyclonedx", "vuln", "slsaprovenance1"].map((type) => [["linux/amd64", "linux/arm64"][i], argv(type, d(c))])),
    ]);
  });

  it("verifies each digest's signature, then each attestation it must carry", () => {
    const verify = (digest: string) => [COSIGN, "verify-attestation", "--type", SIGNATURE, ...PUB, "--output", "json", at(digest)];
    const verifyAttestation = (type: string, digest: string) => [COSIGN, "verify-attestation", "--type", type, ...PUB, "--output", "json", at(digest)];
    expect(verifyPlan(targets, { mode: "key" }, { airGapped: true }).map((s) => s.argv)).toEqual([
      verify(d("1")),
      verifyAttestation("slsaprovenance1", d("1")),
      ...[d("a"), d("b")].flatMap((digest) => [verify(digest), ...["cyclonedx", "vuln", "slsaprovenance1"].map((type) => verifyAttestation(type, digest))]),
    ]);
  });

  it("keyless: the same digests, the identity instead of the key", () => {
    const identity = "https://github.com/acme/shop/.github/workflows/release.yml@refs/heads/main";
    const issuer = "https://token.actions.githubusercontent.com";
    const plan = verifyPlan(targets, { mode: "keyless", identity, oidcIssuer: issuer });
    expect(plan.filter((s) => s.operation === "verify").map((s) => s.argv)).toEqual(
      [d("1"), d("a"), d("b")].map((digest) => [COSIGN, "verify-attestation", "--type", SIGNATURE, "--certificate-identity", identity, "--certificate-oidc-issuer", issuer, "--output", "json", at(digest)]),
    );
  });
});

describe("attestableTargets", () => {
  it("takes every file for one image", () => expect(attestableTargets(IMAGE, ["cyclonedx", "vuln", "slsaprovenance1"])).toEqual(certifyTargets(IMAGE)));

  it("takes a provenance for an index", () => expect(attestableTargets(INDEX, ["slsaprovenance1"])).toEqual([certifyTargets(INDEX)[0]]));

  it("refuses an SBOM and a report for an index, naming the arguments and listing each platform's reference", () => {
    expect(() => attestableTargets(INDEX, ["cyclonedx", "vuln"])).toThrow(
      `attest --ref=${at(d("1"))}: found --sbom and --vuln-report for an index of linux/amd64, linux/arm64, expected them for one platform's image — ` +
        "a report describes one platform's files, so it goes on that image's digest: attest each variant with its own report " +
        "(e.g. --ref=<its reference below> --sbom=reports/backend-linux-arm64/sbom.cdx.json --vuln-report=reports/backend-linux-arm64/trivy.json); the index takes --provenance alone:\n" +
        `  linux/amd64: ${at(d("a"))}\n  linux/arm64: ${at(d("b"))}`,
    );
  });
});
