/**
 * A stand-in for GitHub Actions' OIDC issuer (token.actions.githubusercontent.com), with node:http
 * and node:crypto only: OpenID discovery and a JWKS, which is all Fulcio fetches, and RS256 ID tokens
 * with the claims a GitHub Actions job's token carries, so Fulcio's github-workflow templates put the
 * same SAN and extensions into the certificate as for a real release job.
 *
 * It serves two issuers on one port — `url` and `otherUrl` (`<url>/other`) — both trusted by the
 * local Fulcio, so a test can sign as a second, equally valid issuer and see verification pinned to
 * the first one refuse it. A token naming any other `iss` is refused by Fulcio itself.
 */
import { createHash, generateKeyPairSync, randomUUID, sign, type KeyObject } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** What a test may change in a minted token; everything else follows from these. */
export interface TokenOverrides {
  /** `iss`; default the issuer's `url`. `otherUrl` is trusted too; anything else Fulcio refuses. */
  issuer?: string;
  /** `owner/name`; default "acme/shop". */
  repository?: string;
  /** The workflow file; default ".github/workflows/release.yml". */
  workflow?: string;
  /** The git ref the job runs for; default "refs/tags/v1.2.3". */
  ref?: string;
  /** The commit; default a fixed 40-hex SHA. */
  sha?: string;
  /** default "push". */
  eventName?: string;
  /** `aud`; default "sigstore" (Fulcio's client ID). */
  audience?: string;
  /** Lifetime in seconds; default 600. A negative value mints an expired token. */
  expiresInSeconds?: number;
  /** Raw claims applied last, over everything above (e.g. `{ runner_environment: "self-hosted" }`). */
  claims?: Record<string, unknown>;
}

export interface OidcIssuer {
  /** The issuer URL, `http://<host>:<port>`: the certificate's issuer extension and cosign's --certificate-oidc-issuer. */
  url: string;
  /** A second trusted issuer on the same server, `<url>/other`. */
  otherUrl: string;
  /** A signed ID token, as a GitHub Actions job would get it with `audience: sigstore`. */
  mintToken(overrides?: TokenOverrides): string;
  /** The certificate SAN Fulcio makes from such a token: `https://github.com/<job_workflow_ref>`. */
  identityOf(overrides?: TokenOverrides): string;
  stop(): Promise<void>;
}

export const DEFAULT_SHA = "0123456789abcdef0123456789abcdef01234567";
const ISSUER_PATHS = ["", "/other"];

/** The claims of a GitHub Actions ID token (see GitHub's "About security hardening with OpenID Connect"). */
export function githubClaims(issuer: string, overrides: TokenOverrides = {}, now = Math.floor(Date.now() / 1000)): Record<string, unknown> {
  const repository = overrides.repository ?? "acme/shop";
  const owner = repository.split("/")[0]!;
  const ref = overrides.ref ?? "refs/tags/v1.2.3";
  const workflow = overrides.workflow ?? ".github/workflows/release.yml";
  const sha = overrides.sha ?? DEFAULT_SHA;
  const eventName = overrides.eventName ?? "push";
  const workflowRef = `${repository}/${workflow}@${ref}`;
  // Stable numeric IDs derived from the names, so another repository gets other IDs.
  const idOf = (name: string) => String(createHash("sha256").update(name).digest().readUInt32BE(0) % 1_000_000_000);
  const lifetime = overrides.expiresInSeconds ?? 600;
  return {
    jti: randomUUID(),
    sub: `repo:${repository}:ref:${ref}`,
    aud: overrides.audience ?? "sigstore",
    ref,
    ref_type: ref.startsWith("refs/tags/") ? "tag" : "branch",
    ref_protected: "false",
    sha,
    repository,
    repository_id: idOf(repository),
    repository_owner: owner,
    repository_owner_id: idOf(owner),
    repository_visibility: "public",
    actor: "drydock-bot",
    actor_id: idOf("drydock-bot"),
    workflow: "release",
    workflow_ref: workflowRef,
    workflow_sha: sha,
    job_workflow_ref: workflowRef,
    job_workflow_sha: sha,
    run_id: "4242",
    run_number: "7",
    run_attempt: "1",
    event_name: eventName,
    head_ref: "",
    base_ref: "",
    runner_environment: "github-hosted",
    iss: overrides.issuer ?? issuer,
    // A little in the past, as a real token minted moments before use; Fulcio allows no future nbf.
    nbf: now - 60,
    iat: now - 60,
    exp: now + lifetime,
    ...overrides.claims,
  };
}

/** Start the issuer on a free port of `host`. */
export async function startOidcIssuer(host: string): Promise<OidcIssuer> {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const kid = createHash("sha256").update(publicKey.export({ type: "spki", format: "der" })).digest("hex").slice(0, 16);
  const jwk = { ...publicKey.export({ format: "jwk" }), kid, alg: "RS256", use: "sig" };

  let base = "";
  const server: Server = createServer((request, response) => {
    const path = new URL(request.url ?? "/", "http://x").pathname;
    for (const prefix of ISSUER_PATHS) {
      const issuer = `${base}${prefix}`;
      if (path === `${prefix}/.well-known/openid-configuration`) return json(response, discovery(issuer));
      if (path === `${prefix}/.well-known/jwks`) return json(response, { keys: [jwk] });
    }
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, host, () => resolve());
  });
  base = `http://${host}:${(server.address() as AddressInfo).port}`;

  return {
    url: base,
    otherUrl: `${base}/other`,
    mintToken: (overrides = {}) => jwt(githubClaims(base, overrides), privateKey, kid),
    identityOf: (overrides = {}) => `https://github.com/${githubClaims(base, overrides).job_workflow_ref as string}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The discovery document go-oidc (Fulcio's client) reads: its `issuer` must equal the URL exactly. */
function discovery(issuer: string): Record<string, unknown> {
  return {
    issuer,
    jwks_uri: `${issuer}/.well-known/jwks`,
    subject_types_supported: ["public", "pairwise"],
    response_types_supported: ["id_token"],
    claims_supported: ["sub", "aud", "exp", "iat", "iss", "jti", "nbf", "ref", "repository", "job_workflow_ref", "sha"],
    id_token_signing_alg_values_supported: ["RS256"],
    scopes_supported: ["openid"],
  };
}

function json(response: import("node:http").ServerResponse, body: unknown): void {
  response.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify(body));
}

const base64url = (data: Buffer | string) => Buffer.from(data).toString("base64url");

function jwt(claims: Record<string, unknown>, key: KeyObject, kid: string): string {
  const signingInput = `${base64url(JSON.stringify({ typ: "JWT", alg: "RS256", kid }))}.${base64url(JSON.stringify(claims))}`;
  return `${signingInput}.${base64url(sign("sha256", Buffer.from(signingInput), key))}`;
}
