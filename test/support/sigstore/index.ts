/**
 * A local Sigstore for keyless signing in the end-to-end tests: everything cosign v3 talks to when
 * it signs with an OIDC identity, on one address (127.0.0.1 by default), from binaries built from
 * the projects' Go modules.
 *
 *   OIDC issuer (GitHub Actions stand-in, node:http) → Fulcio (ephemeral CA) → CT log (TesseraCT)
 *                                                     → Rekor v2 (rekor-tiles, POSIX) + TSA
 *
 * startLocalSigstore writes a trusted_root.json and a signing_config.json naming them, so cosign runs
 * exactly as against the public instance but with `--trusted-root` and `--signing-config`:
 *
 *   SIGSTORE_ID_TOKEN=$(mintToken()) cosign sign --yes --trusted-root TR --signing-config SC IMAGE@DIGEST
 *   cosign verify --trusted-root TR --certificate-identity <identityOf()> --certificate-oidc-issuer <issuer> IMAGE@DIGEST
 *
 * The certificates carry an SCT from the local CT log, so verification needs no
 * --insecure-ignore-sct. Only one local Sigstore runs per machine at a time (see tsa.ts: port 2112).
 */
import { mkdtemp } from "node:fs/promises";
import path from "node:path";
import type { Log } from "../tools/go-tools.ts";
import { ctLogUrl, startCtLog } from "./ct-log.ts";
import { startFulcio } from "./fulcio.ts";
import { newLogKey } from "./keys.ts";
import { startOidcIssuer, type TokenOverrides } from "./oidc-issuer.ts";
import { freePort } from "../free-port.ts";
import { startRekor } from "./rekor.ts";
import { writeTrustFiles } from "./trust-files.ts";
import { startTsa } from "./tsa.ts";

export { DEFAULT_SHA, githubClaims, type TokenOverrides } from "./oidc-issuer.ts";

export interface LocalSigstoreOptions {
  /** A folder for the services' state and the two files (a fresh `sigstore-*` folder is made in it). */
  work: string;
  log?: Log;
  /**
   * Run the CT log (default true). Without it, certificates carry no SCT and cosign's verify
   * commands need --insecure-ignore-sct.
   */
  ctLog?: boolean;
  /**
   * The address every service listens on and is named by in the two files and the tokens. Default
   * 127.0.0.1: a cosign on this machine. A container's cosign needs one it can reach, such as the
   * engine tier's 10.199.0.2.
   */
  host?: string;
}

export interface LocalSigstore {
  /** Path of trusted_root.json: cosign's --trusted-root. */
  trustedRoot: string;
  /** Path of signing_config.json: cosign's --signing-config. */
  signingConfig: string;
  /** The OIDC issuer URL: the certificates' issuer, cosign's --certificate-oidc-issuer. */
  issuer: string;
  /** A second issuer Fulcio also trusts (`mintToken({ issuer: otherIssuer })`). */
  otherIssuer: string;
  /** An ID token shaped like a GitHub Actions job's; the default is acme/shop's release.yml at refs/tags/v1.2.3. */
  mintToken(overrides?: TokenOverrides): string;
  /** The certificate identity (SAN) Fulcio gives such a token: https://github.com/<job_workflow_ref>. */
  identityOf(overrides?: TokenOverrides): string;
  urls: { fulcio: string; rekor: string; tsa: string; ctLog?: string };
  /** The folder holding the services' state, the two files and the services' configs. */
  dir: string;
  /** The last output lines of every service, for a failing test's message. */
  logs(): string;
  /** Stop every service (the folder stays, for a post-mortem; it lives under `work`). */
  stop(): Promise<void>;
}

export async function startLocalSigstore(options: LocalSigstoreOptions): Promise<LocalSigstore> {
  const log = options.log ?? (() => {});
  const withCt = options.ctLog ?? true;
  const host = options.host ?? "127.0.0.1";
  const dir = await mkdtemp(path.join(options.work, "sigstore-"));
  // Keys and windows count from a moment before anything starts, so no clock rounding puts a fresh signature outside them.
  const since = new Date(Date.now() - 60_000);
  const stops: (() => Promise<void>)[] = [];
  const services: { name: string; logTail(): string }[] = [];
  const stopAll = async () => {
    for (const stop of stops.splice(0).reverse()) await stop().catch(() => {});
  };

  try {
    const oidc = await startOidcIssuer(host);
    stops.push(oidc.stop);
    log(`OIDC issuer on ${oidc.url} (and ${oidc.otherUrl})`);

    // Fulcio needs the CT log's URL and key before the log can start (the log needs Fulcio's root).
    const ctKey = newLogKey();
    const ctPort = withCt ? await freePort() : 0;
    const fulcio = await startFulcio(
      {
        dir,
        host,
        issuers: [oidc.url, oidc.otherUrl],
        ...(withCt ? { ctLogUrl: ctLogUrl(host, ctPort), ctLogPublicKeyPem: ctKey.spkiPem } : {}),
      },
      log,
    );
    stops.push(fulcio.stop);
    services.push(fulcio);

    let ctLog: { url: string; key: typeof ctKey } | undefined;
    if (withCt) {
      const ct = await startCtLog({ dir, host, port: ctPort, key: ctKey, rootsPem: fulcio.chain.map((c) => c.toString()).join("") }, log);
      stops.push(ct.stop);
      services.push(ct);
      ctLog = { url: ct.url, key: ctKey };
    }

    const rekorKey = newLogKey();
    const rekor = await startRekor(dir, host, rekorKey, log);
    stops.push(rekor.stop);
    services.push(rekor);

    const tsa = await startTsa(dir, host, log);
    stops.push(tsa.stop);
    services.push(tsa);

    const files = { trustedRoot: path.join(dir, "trusted_root.json"), signingConfig: path.join(dir, "signing_config.json") };
    await writeTrustFiles(
      { since, fulcio, ...(ctLog ? { ctLog } : {}), rekor: { url: rekor.url, key: rekorKey }, tsa, oidcUrl: oidc.url },
      files,
    );
    log(`local Sigstore up in ${path.relative(options.work, dir)}: fulcio ${fulcio.url}, rekor v2 ${rekor.url}, tsa ${tsa.url}${ctLog ? `, ct ${ctLog.url}` : ", no CT log"}`);

    return {
      ...files,
      issuer: oidc.url,
      otherIssuer: oidc.otherUrl,
      mintToken: oidc.mintToken,
      identityOf: oidc.identityOf,
      urls: { fulcio: fulcio.url, rekor: rekor.url, tsa: tsa.url, ...(ctLog ? { ctLog: ctLog.url } : {}) },
      dir,
      logs: () => services.map((s) => `--- ${s.name}\n${s.logTail()}`).join("\n"),
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
