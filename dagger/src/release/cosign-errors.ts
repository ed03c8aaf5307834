/**
 * cosign's failures as messages that say what went wrong and what to do: cosign's own exit codes
 * (10 no signature, 11 tag not found, 12 no matching signature, 13 no certificate) and, where one
 * code covers several causes, the words of its stderr.
 */
export type CosignOperation = "load" | "sign" | "attest" | "verify" | "verify-attestation";

export type CosignFailureKind =
  | "no-signature"
  | "no-attestation"
  | "wrong-key"
  | "wrong-identity"
  | "tampered"
  | "not-found"
  | "registry-auth"
  | "bad-key"
  | "token-refused"
  | "untrusted-sigstore"
  | "unknown";

export interface CosignFailure {
  operation: CosignOperation;
  /** The reference cosign was given (by digest). */
  ref: string;
  exitCode: number;
  stderr: string;
  /** For verify-attestation: the predicate type checked. */
  predicateType?: string;
  /** How the verifier was given: by key, or by certificate identity. */
  verifier?: "key" | "keyless";
}

export interface MappedCosignFailure {
  kind: CosignFailureKind;
  message: string;
}

const has = (text: string, ...patterns: RegExp[]) => patterns.some((p) => p.test(text));

/**
 * Classify a failure; the order matters: the most specific cause first. The phrases are cosign
 * v3.1.3's (and sigstore-go's) own, as seen from the real binary in test/e2e/release.test.ts: with
 * the v3 bundle format, a signature that does not verify is exit 1 "no matching attestations:
 * failed to verify signature: …" for `verify` too, not exit 12.
 */
export function classifyCosignFailure(f: CosignFailure): CosignFailureKind {
  const err = f.stderr;
  const signing = f.operation === "sign" || f.operation === "attest";
  if (has(err, /UNAUTHORIZED|authentication required|\b401 Unauthorized|DENIED: |\b403 Forbidden/)) return "registry-auth";
  if (signing && has(err, /Fulcio returned 4\d\d|error processing the identity token/)) return "token-refused";
  if (signing && has(err, /reading key|decrypt|invalid pem block|unsupported pem type|private key/i)) return "bad-key";
  // Before the Sigstore's parts: one digest can carry several signers' statements (two builds of a
  // commit publish one digest), and cosign lists why each failed. A statement that got as far as
  // its identity was made through this Sigstore, so the identity is what does not match.
  if (has(err, /none of the expected identities matched|no matching CertificateIdentity|failed to verify certificate identity/)) return "wrong-identity";
  if (untrustedPart(err) !== undefined) return "untrusted-sigstore";
  if (has(err, /provided artifact digest does not match any digest in statement|digest mismatch|invalid or missing digest in claim/)) return "tampered";
  if (f.exitCode === 11 || has(err, /MANIFEST_UNKNOWN|NAME_UNKNOWN|image tag not found/)) return "not-found";
  if (f.exitCode === 13) return "wrong-identity";
  if (f.exitCode === 12 || has(err, /failed to verify signature|accepted signatures do not match threshold|invalid signature when validating|no matching signatures/)) {
    return f.verifier === "keyless" ? "wrong-identity" : "wrong-key";
  }
  if (f.exitCode === 10 || has(err, /no signatures found/)) return "no-signature";
  // Statements of other types about the digest, none of the one asked for: for the signature's type, no signature.
  if (has(err, /no matching attestations|none of the attestations matched the predicate type/)) return f.operation === "verify-attestation" ? "no-attestation" : "no-signature";
  return "unknown";
}

/**
 * Which part of a Sigstore the trusted root does not vouch for, from sigstore-go's words: each is
 * checked against the trusted root, so a root of another Sigstore fails on one of them.
 */
function untrustedPart(stderr: string): string | undefined {
  if (/failed to verify timestamps|verified signed timestamps/.test(stderr)) {
    return "no timestamp from a timestamp authority the trusted root lists (a keyless certificate is valid for 10 minutes: only a trusted timestamp shows it was valid when it signed)";
  }
  if (/failed to verify signed certificate timestamp|SCT entries/.test(stderr)) return "no certificate timestamp (SCT) from a CT log the trusted root lists";
  if (/failed to verify leaf certificate|certificate signed by unknown authority|failed to verify certificate chain/.test(stderr)) {
    return "a certificate from a CA the trusted root does not list";
  }
  if (/failed to verify log inclusion|no matching tlog|transparency log entry could not be verified|verifying tlog/.test(stderr)) return "a transparency log entry of a log the trusted root does not list";
  return undefined;
}

function tail(text: string, lines = 15): string {
  return text.trimEnd().split("\n").slice(-lines).join("\n");
}

/** The message for a cosign failure, ending with cosign's own last lines. */
export function cosignFailureMessage(f: CosignFailure): MappedCosignFailure {
  const kind = classifyCosignFailure(f);
  const what = f.predicateType ? `the ${f.predicateType} attestation of ${f.ref}` : f.ref;
  const messages: Record<CosignFailureKind, string> = {
    "no-signature": `${f.ref} is not signed: no signature is attached to this digest — sign it (drydock sign, or release), or check that you verify the digest that was published and signed, not one a tag points to now`,
    "no-attestation": `${what} is missing: no ${f.predicateType ?? ""} attestation signed by the trusted identity is attached to this digest — attest it (drydock attest, or release)`,
    "wrong-key": `${what} is signed, but not by the given key: no signature verifies with this public key — verify with the public key of the key pair that signed (cosign public-key --key …), or the image was signed by someone else`,
    "wrong-identity": `${what} is signed, but not by the expected identity: the certificate's subject or OIDC issuer does not match --certificate-identity/--certificate-oidc-issuer — check the workflow path, ref and issuer (GitHub: https://token.actions.githubusercontent.com)`,
    tampered: `${what}: the signed payload names another digest than the image — the image or its signature was tampered with; do not deploy it`,
    "not-found":
      f.operation === "load"
        ? `publishing ${f.ref}: the registry does not know the repository — check --registry and the image name, and that the login may create or write the repository`
        : `${f.ref} was not found in the registry: check the repository and digest (publish returns them), and the registry credentials' read access`,
    "registry-auth":
      f.operation === "load"
        ? `publishing ${f.ref}: the registry refused the push — pass a login with write access to the repository: --username with --password (a token; GitHub Actions: $GITHUB_ACTOR with GITHUB_TOKEN and \`permissions: packages: write\`), or a Docker config.json as --registry-config`
        : `cosign ${f.operation} of ${f.ref}: the registry refused the credentials — pass a Docker config.json with a login for this registry as --registry-config (e.g. file:$HOME/.docker/config.json after docker login, without a credsStore)`,
    "token-refused": `cosign ${f.operation} of ${f.ref}: Fulcio refused the OIDC identity token — it has expired, or its audience is not \`sigstore\`, or its issuer is not one Fulcio trusts; on GitHub Actions grant \`permissions: id-token: write\` and request the token for the audience sigstore just before signing (a job's token lives minutes)`,
    "untrusted-sigstore": `${what} is signed, but not through a Sigstore the trusted root vouches for: ${untrustedPart(f.stderr) ?? ""} — verify with the trusted_root.json of the Sigstore that signed (with-sigstore --trusted-root; without it, the public-good Sigstore's), or the signature was made elsewhere`,
    "bad-key": `cosign ${f.operation} of ${f.ref}: the private key could not be read — pass the PEM made by \`cosign generate-key-pair\` as --key and its password as --key-password (a wrong password fails the same way)`,
    unknown: `cosign ${f.operation} of ${f.ref} failed (exit ${f.exitCode})`,
  };
  return { kind, message: `${messages[kind]}\ncosign said:\n${tail(f.stderr)}` };
}
