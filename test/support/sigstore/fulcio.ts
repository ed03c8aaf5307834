/**
 * Fulcio, the certificate authority of keyless signing: it checks a token of the local OIDC issuer
 * and certifies cosign's ephemeral key for 10 minutes, with the token's identity in the certificate.
 *
 * - CA: `ephemeralca`, a self-signed ECDSA root made in memory at start (no intermediate) and read
 *   back from /api/v2/trustBundle for the trusted root and the CT log's accepted roots.
 * - Issuers: Fulcio's production `ci-provider` type with its `github-workflow` templates (copied from
 *   Fulcio's config/identity/config.yaml), so the SAN is `https://github.com/<job_workflow_ref>` and
 *   the GitHub extensions (1.3.6.1.4.1.57264.1.*) are filled as for a real GitHub Actions token.
 *   An `http://` issuer is fine: go-oidc fetches discovery and JWKS over any scheme, and only
 *   demands that the discovery document's `issuer` equals the configured URL exactly.
 * - CT: with a CT log URL, each certificate is a precertificate submitted to the log first, and the
 *   log's SCT is embedded; the log's public key lets Fulcio check that SCT before answering.
 *   Without one (`ctLogUrl: undefined`), certificates carry no SCT and cosign must be told
 *   --insecure-ignore-sct to verify them.
 */
import { writeFile } from "node:fs/promises";
import path from "node:path";
import type { X509Certificate } from "node:crypto";
import { FULCIO } from "../tools/catalog.ts";
import { ensureGoTool, type Log } from "../tools/go-tools.ts";
import { parsePemChain } from "./keys.ts";
import { freePort } from "../free-port.ts";
import { answers, startService, type Service } from "../service.ts";

export interface FulcioOptions {
  dir: string;
  /** The address it listens on and is named by. */
  host: string;
  /** The OIDC issuer URLs Fulcio trusts, all as GitHub Actions issuers. */
  issuers: string[];
  /** The CT log's submission URL, or undefined to issue certificates without an SCT. */
  ctLogUrl?: string;
  /** The CT log's PKIX public key, PEM, to check its SCTs. */
  ctLogPublicKeyPem?: string;
}

export interface Fulcio extends Service {
  url: string;
  /** The CA chain, leaf-most first, root last (here: the root alone). */
  chain: X509Certificate[];
}

/** Fulcio's own github-workflow templates: what the public instance writes into GitHub Actions certificates. */
const GITHUB_WORKFLOW_METADATA = {
  DefaultTemplateValues: { url: "https://github.com", environment: "" },
  ExtensionTemplates: {
    GithubWorkflowTrigger: "event_name",
    GithubWorkflowSHA: "sha",
    GithubWorkflowName: "workflow",
    GithubWorkflowRepository: "repository",
    GithubWorkflowRef: "ref",
    BuildSignerURI: "{{ .url }}/{{ .job_workflow_ref }}",
    BuildSignerDigest: "job_workflow_sha",
    RunnerEnvironment: "runner_environment",
    SourceRepositoryURI: "{{ .url }}/{{ .repository }}",
    SourceRepositoryDigest: "sha",
    SourceRepositoryRef: "ref",
    SourceRepositoryIdentifier: "repository_id",
    SourceRepositoryOwnerURI: "{{ .url }}/{{ .repository_owner }}",
    SourceRepositoryOwnerIdentifier: "repository_owner_id",
    BuildConfigURI: "{{ .url }}/{{ .workflow_ref }}",
    BuildConfigDigest: "workflow_sha",
    BuildTrigger: "event_name",
    RunInvocationURI: "{{ .url }}/{{ .repository }}/actions/runs/{{ .run_id }}/attempts/{{ .run_attempt }}",
    SourceRepositoryVisibilityAtSigning: "repository_visibility",
    DeploymentEnvironment: "environment",
  },
  SubjectAlternativeNameTemplate: "{{ .url }}/{{ .job_workflow_ref }}",
};

export function fulcioConfig(issuers: string[]): Record<string, unknown> {
  return {
    OIDCIssuers: Object.fromEntries(
      issuers.map((url) => [url, { IssuerURL: url, ClientID: "sigstore", Type: "ci-provider", CIProvider: "github-workflow" }]),
    ),
    CIIssuerMetadata: { "github-workflow": GITHUB_WORKFLOW_METADATA },
  };
}

export async function startFulcio(options: FulcioOptions, log: Log): Promise<Fulcio> {
  const binary = await ensureGoTool(FULCIO, log);
  const configPath = path.join(options.dir, "fulcio-config.json");
  await writeFile(configPath, JSON.stringify(fulcioConfig(options.issuers), null, 2));
  const ctArgs: string[] = ["--ct-log-url", options.ctLogUrl ?? ""];
  if (options.ctLogUrl && options.ctLogPublicKeyPem) {
    const keyPath = path.join(options.dir, "ct-log.pub.pem");
    await writeFile(keyPath, options.ctLogPublicKeyPem);
    ctArgs.push("--ct-log-public-key-path", keyPath);
  }
  const [port, grpcPort, metricsPort] = [await freePort(), await freePort(), await freePort()];
  const url = `http://${options.host}:${port}`;
  const service = await startService(
    {
      name: "fulcio",
      binary,
      args: [
        "serve",
        "--ca", "ephemeralca",
        "--config-path", configPath,
        // HTTP (what cosign uses) and gRPC on ports of their own. The same port for both would make
        // Fulcio serve them on one listener, which panics in v1.8.8 (go-grpc-kit registers a gRPC
        // metric twice: "a previously registered descriptor ... grpc_server_started_total").
        "--host", options.host, "--port", String(port),
        // Its HTTP API reaches its own gRPC server at localhost:<grpc-port> (cmd/app/http.go), so
        // gRPC listens there whatever address HTTP serves on.
        "--grpc-host", "127.0.0.1", "--grpc-port", String(grpcPort),
        "--metrics-port", String(metricsPort),
        // The default, an abstract socket with a fixed name, would clash between two Fulcios on one machine.
        "--legacy-unix-domain-socket", `@drydock-fulcio-${port}`,
        ...ctArgs,
      ],
      cwd: options.dir,
      readyWhen: `GET ${url}/api/v2/trustBundle answering 200`,
      isReady: answers(`${url}/api/v2/trustBundle`),
    },
    log,
  );
  try {
    const bundle = (await (await fetch(`${url}/api/v2/trustBundle`)).json()) as { chains: { certificates: string[] }[] };
    const chain = parsePemChain(bundle.chains[0]!.certificates.join("\n"));
    return { ...service, url, chain };
  } catch (error) {
    await service.stop();
    throw new Error(`fulcio at ${url} served no usable /api/v2/trustBundle: ${(error as Error).message}`);
  }
}
