/**
 * A keyless CI job on the engine tier: the local Sigstore where cosign in the engine's containers
 * reaches it, its two files in the repository as the README's `with-sigstore` lines name them,
 * and the environment a GitHub Actions job of acme/shop has.
 */
import { copyFile } from "node:fs/promises";
import path from "node:path";
import { run } from "../docker/cli.ts";
import { startLocalSigstore, type LocalSigstore } from "../sigstore/index.ts";
import type { Log } from "../tools/go-tools.ts";
import { HOST_ADDRESS } from "./kit.ts";

/** Start the local Sigstore on the host's end of the kit's veth pair, and put trusted_root.json and signing_config.json in `repo`. */
export async function startSigstoreFor(repo: string, work: string, log: Log): Promise<LocalSigstore> {
  const sigstore = await startLocalSigstore({ work, log, host: HOST_ADDRESS });
  await copyFile(sigstore.trustedRoot, path.join(repo, "trusted_root.json"));
  await copyFile(sigstore.signingConfig, path.join(repo, "signing_config.json"));
  return sigstore;
}

/** The GitHub Actions variables the README's keyless lines read, with a fresh token of the local Sigstore's issuer. */
export async function githubJobEnv(sigstore: LocalSigstore, repo: string, identity = sigstore.identityOf()): Promise<Record<string, string>> {
  return {
    GITHUB_ACTOR: "drydock-ci",
    GITHUB_TOKEN: "lab-registry-needs-none",
    GITHUB_SHA: (await run("git", ["rev-parse", "HEAD"], { cwd: repo })).stdout.trim(),
    GITHUB_REF: "refs/tags/v1.2.3",
    SIGSTORE_ID_TOKEN: sigstore.mintToken(),
    SIGNER_IDENTITY: identity,
    OIDC_ISSUER: sigstore.issuer,
  };
}
