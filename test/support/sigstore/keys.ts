/**
 * The keys and certificates the local Sigstore's files need, with node:crypto only. The logs (CT
 * and Rekor) sign with keys made here, so the trusted root can name their public keys and log IDs
 * without asking the servers; the CAs (Fulcio's, the TSA's) make their own certificates, which are
 * read back as PEM and turned into DER here.
 */
import { createHash, generateKeyPairSync, X509Certificate, type KeyObject } from "node:crypto";

export interface LogKey {
  privateKey: KeyObject;
  /** "EC PRIVATE KEY" (SEC1): the only form TesseraCT reads. */
  sec1Pem: string;
  /** "PRIVATE KEY" (PKCS #8): what Rekor's file signer reads. */
  pkcs8Pem: string;
  /** "PUBLIC KEY" (PKIX), for Fulcio's --ct-log-public-key-path. */
  spkiPem: string;
  /** The PKIX public key, DER: the trusted root's `publicKey.rawBytes`. */
  spkiDer: Buffer;
  /**
   * SHA-256 of the PKIX DER: the log ID of an RFC 6962 CT log, and of a Rekor v2 log with an ECDSA
   * key (rekor-tiles' note.KeyHash; an Ed25519 key would mix the origin in).
   */
  logId: Buffer;
}

/** An ECDSA P-256 key pair for a transparency log (the trusted root says PKIX_ECDSA_P256_SHA_256). */
export function newLogKey(): LogKey {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const spkiDer = publicKey.export({ type: "spki", format: "der" });
  return {
    privateKey,
    sec1Pem: privateKey.export({ type: "sec1", format: "pem" }).toString(),
    pkcs8Pem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    spkiPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
    spkiDer,
    logId: createHash("sha256").update(spkiDer).digest(),
  };
}

/** Every certificate in a PEM bundle, in order. */
export function parsePemChain(pem: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw new Error(`expected PEM certificates, got: ${pem.slice(0, 200)}`);
  return blocks.map((block) => new X509Certificate(block));
}

/** The PEM text of one certificate. */
export function pemOf(cert: X509Certificate): string {
  return cert.toString();
}
