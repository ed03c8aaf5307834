/**
 * cosign's failures → messages. The stderr texts are cosign v3.1.3's own, captured from the real
 * binary against the e2e registry (test/e2e/release.test.ts runs the same cases for real); the
 * keyless ones too, against the local Sigstore of test/e2e/keyless.test.ts.
 */
import { describe, expect, it } from "vitest";
import { classifyCosignFailure, cosignFailureMessage, type CosignFailure } from "../../../dagger/src/release/cosign-errors.ts";

const REF = `127.0.0.1:5000/drydock/backend@sha256:${"a".repeat(64)}`;
const TLOG = "WARNING: Skipping tlog verification is an insecure practice that lacks transparency and auditability verification for the signature.\n";
const DEPRECATED = "Flag --tlog-upload has been deprecated, prefer using a --signing-config file with no transparency log services\n";
const twice = (line: string) => `${TLOG}Error: ${line}\nerror during command execution: ${line}\n`;

const cases: { name: string; failure: Omit<CosignFailure, "ref">; kind: string; message: RegExp }[] = [
  { name: "no signature", failure: { operation: "verify", exitCode: 10, stderr: twice("no signatures found"), verifier: "key" }, kind: "no-signature", message: /is not signed: no signature is attached to this digest/ },
  {
    name: "the wrong key (v3 bundle: exit 1)",
    failure: { operation: "verify", exitCode: 1, stderr: twice("no matching attestations: failed to verify signature: could not verify envelope: accepted signatures do not match threshold, Found: 0, Expected 1"), verifier: "key" },
    kind: "wrong-key",
    message: /is signed, but not by the given key/,
  },
  {
    name: "the wrong key for an attestation",
    failure: { operation: "verify-attestation", predicateType: "vuln", exitCode: 1, stderr: twice("no matching attestations: failed to verify signature: could not verify envelope: accepted signatures do not match threshold, Found: 0, Expected 1"), verifier: "key" },
    kind: "wrong-key",
    message: /the vuln attestation of .* is signed, but not by the given key/,
  },
  { name: "the wrong key (legacy signatures: exit 12)", failure: { operation: "verify", exitCode: 12, stderr: twice("no matching signatures: invalid signature when validating ASN.1 encoded signature"), verifier: "key" }, kind: "wrong-key", message: /not by the given key/ },
  {
    name: "a missing attestation",
    failure: { operation: "verify-attestation", predicateType: "cyclonedx", exitCode: 1, stderr: twice("no matching attestations: "), verifier: "key" },
    kind: "no-attestation",
    message: /the cyclonedx attestation of .* is missing/,
  },
  {
    // cosign v3 checks a signature as the statement of type https://sigstore.dev/cosign/sign/v1: attested, never signed.
    name: "an image attested but not signed",
    failure: {
      operation: "verify",
      exitCode: 1,
      stderr: twice("none of the attestations matched the predicate type: https://sigstore.dev/cosign/sign/v1, found: https://cyclonedx.org/bom,https://cosign.sigstore.dev/attestation/vuln/v1"),
      verifier: "key",
    },
    kind: "no-signature",
    message: /is not signed: no signature is attached to this digest/,
  },
  {
    name: "an attestation of another type only",
    failure: { operation: "verify-attestation", predicateType: "vuln", exitCode: 1, stderr: twice("none of the attestations matched the predicate type: https://cosign.sigstore.dev/attestation/vuln/v1, found: https://sigstore.dev/cosign/sign/v1"), verifier: "key" },
    kind: "no-attestation",
    message: /the vuln attestation of .* is missing/,
  },
  {
    name: "a tampered image (another digest's signature)",
    failure: { operation: "verify", exitCode: 1, stderr: twice("no matching attestations: failed to verify signature: provided artifact digest does not match any digest in statement"), verifier: "key" },
    kind: "tampered",
    message: /the signed payload names another digest than the image — the image or its signature was tampered with/,
  },
  {
    name: "the wrong identity (keyless)",
    failure: { operation: "verify", exitCode: 1, stderr: twice("no matching attestations: failed to verify certificate identity: no matching CertificateIdentity found, last error: expected SAN value \"x\", got \"y\""), verifier: "keyless" },
    kind: "wrong-identity",
    message: /signed, but not by the expected identity/,
  },
  {
    name: "the wrong identity (legacy keyless)",
    failure: { operation: "verify", exitCode: 12, stderr: twice("none of the expected identities matched what was in the certificate, got subjects [a] with issuer b"), verifier: "keyless" },
    kind: "wrong-identity",
    message: /not by the expected identity/,
  },
  {
    name: "missing registry credentials",
    failure: { operation: "verify", exitCode: 1, stderr: twice("GET http://127.0.0.1:5000/v2/drydock/backend/manifests/sha256-aaaa.sig: UNAUTHORIZED: authentication required; [map[Action:pull Class: Name:drydock/backend Type:repository]]"), verifier: "key" },
    kind: "registry-auth",
    message: /the registry refused the credentials — pass a Docker config.json/,
  },
  {
    name: "a wrong key password",
    failure: { operation: "sign", exitCode: 1, stderr: `${DEPRECATED}Error: signing [${REF}]: signing digest: getting keypair and token: getting signer: reading key: decrypt: encrypted: decryption failed\n` },
    kind: "bad-key",
    message: /the private key could not be read/,
  },
  { name: "a malformed key", failure: { operation: "attest", exitCode: 1, stderr: `${DEPRECATED}Error: signing [${REF}]: getting signer: reading key: invalid pem block\n` }, kind: "bad-key", message: /the private key could not be read/ },
  { name: "anything else", failure: { operation: "sign", exitCode: 2, stderr: "panic: boom\n" }, kind: "unknown", message: /cosign sign of .* failed \(exit 2\)\ncosign said:\npanic: boom/ },
  {
    name: "another issuer (keyless, as cosign v3.1.3 said against the local Sigstore)",
    failure: {
      operation: "verify",
      exitCode: 1,
      stderr: twice('no matching attestations: failed to verify certificate identity: no matching CertificateIdentity found, last error: expected issuer value "http://127.0.0.1:40001/other", got "http://127.0.0.1:40001"'),
      verifier: "keyless",
    },
    kind: "wrong-identity",
    message: /is signed, but not by the expected identity/,
  },
  {
    name: "a token Fulcio refuses (expired, another audience, an untrusted issuer: cosign says the same)",
    failure: {
      operation: "sign",
      exitCode: 1,
      stderr: twice(`signing [${REF}]: signing digest: signing bundle: error signing bundle: Fulcio returned 400: {"code":3, "message":"There was an error processing the identity token", "details":[]}`),
    },
    kind: "token-refused",
    message: /cosign sign of .*: Fulcio refused the OIDC identity token — it has expired, or its audience is not `sigstore`/,
  },
  {
    name: "the wrong identity, on a digest another signer signed too (a key, with no log entry), as cosign v3.1.3 said on the engine tier",
    failure: {
      operation: "verify",
      exitCode: 1,
      stderr: twice(
        "no matching attestations: failed to verify log inclusion: not enough verified log entries from transparency log: 0 < 1\nfailed to verify certificate identity: no matching CertificateIdentity found, last error: expected SAN value \"https://github.com/acme/other/.github/workflows/release.yml@refs/tags/v1.2.3\", got \"https://github.com/acme/shop/.github/workflows/release.yml@refs/tags/v1.2.3\"",
      ),
      verifier: "keyless",
    },
    kind: "wrong-identity",
    message: /is signed, but not by the expected identity/,
  },
  {
    name: "a trusted root without the timestamp authority",
    failure: { operation: "verify", exitCode: 1, stderr: twice("no matching attestations: failed to verify timestamps: threshold not met for verified signed timestamps: 0 < 1; error: unable to verify signed timestamps: %!w(<nil>)"), verifier: "keyless" },
    kind: "untrusted-sigstore",
    message: /is signed, but not through a Sigstore the trusted root vouches for: no timestamp from a timestamp authority the trusted root lists \(a keyless certificate is valid for 10 minutes/,
  },
  {
    name: "a trusted root without the CT log",
    failure: { operation: "verify-attestation", predicateType: "cyclonedx", exitCode: 1, stderr: twice("no matching attestations: failed to verify signed certificate timestamp: only able to verify 0 SCT entries; unable to meet threshold of 1"), verifier: "keyless" },
    kind: "untrusted-sigstore",
    message: /the cyclonedx attestation of .* is signed, but not through a Sigstore the trusted root vouches for: no certificate timestamp \(SCT\)/,
  },
  {
    name: "a trusted root naming another CA",
    failure: { operation: "verify", exitCode: 1, stderr: twice("no matching attestations: failed to verify leaf certificate: leaf certificate verification failed"), verifier: "keyless" },
    kind: "untrusted-sigstore",
    message: /a certificate from a CA the trusted root does not list — verify with the trusted_root.json of the Sigstore that signed/,
  },
];

describe("cosign failure messages", () => {
  it.each(cases)("$name → $kind", ({ failure, kind, message }) => {
    const f = { ...failure, ref: REF };
    expect(classifyCosignFailure(f)).toBe(kind);
    const mapped = cosignFailureMessage(f);
    expect(mapped.kind).toBe(kind);
    expect(mapped.message).toMatch(message);
    expect(mapped.message).toContain("cosign said:\n");
  });
});
