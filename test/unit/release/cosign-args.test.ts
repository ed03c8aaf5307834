import { describe, expect, it } from "vitest";
import { attestArgs, signArgs, signerMode, verifyArgs, verifyAttestationArgs } from "../../../dagger/src/release/cosign-args.ts";

const D = `sha256:${"f".repeat(64)}`;
const REF = `ghcr.io/acme/backend@${D}`;
const GH = { mode: "keyless", identity: "https://github.com/acme/shop/.github/workflows/release.yml@refs/heads/main", oidcIssuer: "https://token.actions.githubusercontent.com" } as const;

describe("cosign argv", () => {
  it.each([
    { name: "sign with a key", argv: signArgs(REF, "key"), expected: ["/ko-app/cosign", "sign", "--yes", "--key", "env://COSIGN_KEY", REF] },
    {
      name: "sign with a key, air-gapped, on a plain-HTTP registry",
      argv: signArgs(REF, "key", { airGapped: true, allowHttpRegistry: true }),
      expected: ["/ko-app/cosign", "sign", "--yes", "--key", "env://COSIGN_KEY", "--tlog-upload=false", "--use-signing-config=false", "--allow-http-registry", REF],
    },
    { name: "sign keyless (the token comes from SIGSTORE_ID_TOKEN)", argv: signArgs(REF, "keyless"), expected: ["/ko-app/cosign", "sign", "--yes", REF] },
    {
      name: "attest the SBOM",
      argv: attestArgs(REF, "cyclonedx", "key", { allowInsecureRegistry: true }),
      expected: ["/ko-app/cosign", "attest", "--yes", "--type", "cyclonedx", "--predicate", "/drydock/predicates/cyclonedx.json", "--key", "env://COSIGN_KEY", "--allow-insecure-registry", REF],
    },
    {
      name: "attest provenance keyless",
      argv: attestArgs(REF, "slsaprovenance1", "keyless"),
      expected: ["/ko-app/cosign", "attest", "--yes", "--type", "slsaprovenance1", "--predicate", "/drydock/predicates/slsaprovenance1.json", REF],
    },
    {
      // The signature statement itself: `cosign verify` would take any attestation for a signature.
      name: "verify the signature with a public key, air-gapped",
      argv: verifyArgs(REF, { mode: "key" }, { airGapped: true }),
      expected: ["/ko-app/cosign", "verify-attestation", "--type", "https://sigstore.dev/cosign/sign/v1", "--key", "/drydock/cosign.pub", "--insecure-ignore-tlog=true", "--output", "json", REF],
    },
    {
      name: "verify the signature keyless",
      argv: verifyArgs(REF, GH),
      expected: ["/ko-app/cosign", "verify-attestation", "--type", "https://sigstore.dev/cosign/sign/v1", "--certificate-identity", GH.identity, "--certificate-oidc-issuer", GH.oidcIssuer, "--output", "json", REF],
    },
    {
      name: "verify an attestation keyless by regexps",
      argv: verifyAttestationArgs(REF, "vuln", { mode: "keyless", identityRegexp: "^https://github.com/acme/", oidcIssuerRegexp: "^https://token\\.actions\\." }),
      expected: ["/ko-app/cosign", "verify-attestation", "--type", "vuln", "--certificate-identity-regexp", "^https://github.com/acme/", "--certificate-oidc-issuer-regexp", "^https://token\\.actions\\.", "--output", "json", REF],
    },
    {
      name: "sign keyless through a private Sigstore",
      argv: signArgs(REF, "keyless", { privateSigstore: { signingConfig: true } }),
      expected: ["/ko-app/cosign", "sign", "--yes", "--trusted-root", "/drydock/sigstore/trusted_root.json", "--signing-config", "/drydock/sigstore/signing_config.json", REF],
    },
    {
      name: "attest with a key through a private Sigstore",
      argv: attestArgs(REF, "vuln", "key", { privateSigstore: { signingConfig: true } }),
      expected: [
        "/ko-app/cosign", "attest", "--yes", "--type", "vuln", "--predicate", "/drydock/predicates/vuln.json",
        "--key", "env://COSIGN_KEY", "--trusted-root", "/drydock/sigstore/trusted_root.json", "--signing-config", "/drydock/sigstore/signing_config.json", REF,
      ],
    },
    {
      // Air-gapped, nothing of a Sigstore is used, so its trusted root is not passed.
      name: "sign with a key air-gapped, a private trusted root given",
      argv: signArgs(REF, "key", { airGapped: true, privateSigstore: {} }),
      expected: ["/ko-app/cosign", "sign", "--yes", "--key", "env://COSIGN_KEY", "--tlog-upload=false", "--use-signing-config=false", REF],
    },
    {
      name: "verify keyless against a private trusted root",
      argv: verifyArgs(REF, GH, { privateSigstore: {} }),
      expected: [
        "/ko-app/cosign", "verify-attestation", "--type", "https://sigstore.dev/cosign/sign/v1",
        "--certificate-identity", GH.identity, "--certificate-oidc-issuer", GH.oidcIssuer, "--trusted-root", "/drydock/sigstore/trusted_root.json", "--output", "json", REF,
      ],
    },
    {
      name: "verify with a key against a private trusted root (its Rekor)",
      argv: verifyAttestationArgs(REF, "cyclonedx", { mode: "key" }, { privateSigstore: { signingConfig: true } }),
      expected: ["/ko-app/cosign", "verify-attestation", "--type", "cyclonedx", "--key", "/drydock/cosign.pub", "--trusted-root", "/drydock/sigstore/trusted_root.json", "--output", "json", REF],
    },
  ])("$name", ({ argv, expected }) => expect(argv).toEqual(expected));

  it("addresses the image by digest, dropping a tag beside it", () => {
    expect(signArgs(`ghcr.io/acme/backend:1.2.3@${D}`, "key").at(-1)).toBe(REF);
  });

  it.each([
    { name: "sign a tag", run: () => signArgs("ghcr.io/acme/backend:1.2.3", "key"), message: /sign "ghcr.io\/acme\/backend:1.2.3" has no digest.*crane digest/s },
    { name: "verify a tag", run: () => verifyArgs("ghcr.io/acme/backend:latest", { mode: "key" }), message: /has no digest/ },
    { name: "sign keyless air-gapped", run: () => signArgs(REF, "keyless", { airGapped: true }), message: /keyless signing needs Fulcio and Rekor/ },
    { name: "verify keyless air-gapped", run: () => verifyArgs(REF, GH, { airGapped: true }), message: /cannot be verified air-gapped/ },
    { name: "verify keyless without issuer", run: () => verifyArgs(REF, { mode: "keyless", identity: "x" }), message: /exactly one of --certificate-identity.*AND exactly one of --certificate-oidc-issuer/ },
    { name: "verify keyless with both identity forms", run: () => verifyArgs(REF, { ...GH, identityRegexp: ".*" }), message: /exactly one/ },
    {
      name: "sign keyless with a private trusted root but no signing config",
      run: () => signArgs(REF, "keyless", { privateSigstore: {} }),
      message: /with-sigstore was given a trusted root but no --signing-config — signing needs both/,
    },
    { name: "attest with a key and a private trusted root alone", run: () => attestArgs(REF, "cyclonedx", "key", { privateSigstore: {} }), message: /no --signing-config/ },
    {
      name: "sign air-gapped with a signing config",
      run: () => signArgs(REF, "key", { airGapped: true, privateSigstore: { signingConfig: true } }),
      message: /--air-gapped signs with no Sigstore service, so a signing config cannot apply/,
    },
  ])("refuses to $name", ({ run, message }) => expect(run).toThrow(message));
});

describe("signerMode", () => {
  it.each([
    { given: { key: true, password: true, identityToken: false }, mode: "key" },
    { given: { key: true, password: false, identityToken: false }, mode: "key" },
    { given: { key: false, password: false, identityToken: true }, mode: "keyless" },
  ])("$mode from $given", ({ given, mode }) => expect(signerMode(given)).toBe(mode));

  it("with neither, explains both ways in one error", () => {
    expect(() => signerMode({ key: false, password: false, identityToken: false })).toThrow(
      /no signing identity — either\n {2}keyless \(CI\): --identity-token env:SIGSTORE_ID_TOKEN.*id-token: write.*\n {2}key \(laptop, air-gapped\): --key env:COSIGN_KEY --key-password env:COSIGN_PASSWORD/s,
    );
  });

  it.each([
    { given: { key: true, password: false, identityToken: true }, message: /not both/ },
    { given: { key: false, password: true, identityToken: false }, message: /--key-password was given without --key/ },
  ])("refuses $given", ({ given, message }) => expect(() => signerMode(given)).toThrow(message));
});
