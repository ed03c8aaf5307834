/**
 * Keyless signing for real, against a local Sigstore (test/support/sigstore: an OIDC issuer that
 * mints tokens shaped like a GitHub Actions job's, Fulcio with an ephemeral CA, a CT log, Rekor v2
 * and a timestamp authority, each built from its Go module) and distribution's registry requiring
 * credentials. The EXACT cosign argv drydock's sign, attest and verify send to the engine after
 * `with-sigstore` (recorded through the fake engine) run with cosign v3.1.3; only paths, the binary
 * and the secret values are substituted. Verification passes for the exact identity and issuer and
 * for an anchored regexp of the workflow's tags, and each wrong trust — another repository,
 * workflow, ref or issuer, a tampered image, a Sigstore the trusted root does not name — fails with
 * drydock's mapped message, as does a token Fulcio refuses.
 */
import { dag } from "@dagger.io/dagger";
import { readFileSync } from "node:fs";
import { mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import {
  checkSigningConfig,
  checkTrustedRoot,
  cosignFailureMessage,
  ociAnnotations,
  PREDICATE_TYPES,
  SIGNATURE_PREDICATE_TYPE,
  SIGNING_CONFIG_PATH,
  slsaProvenance,
  TRUSTED_ROOT_PATH,
  type CosignRun,
  type PredicateType,
  type ReleaseMetadata,
  type VerifyingMaterial,
} from "../../dagger/src/release/index.ts";
import { run } from "../support/docker/cli.ts";
import { useFakeEngine, withEngine } from "../support/fake-engine/index.js";
import { cosignSteps, HostCosign, type CosignRunResult, type CosignStep } from "../support/release/cosign-steps.ts";
import { attestImage as attest, signImage as sign, verifyImage as verify } from "../support/release/one-image.ts";
import { dockerConfigJson, graftSignatures, startAuthRegistry, type AuthRegistry } from "../support/release/registry.ts";
import { buildTinyImage, pushTiny } from "../support/release/tiny-image.ts";
import { startLocalSigstore, type LocalSigstore, type TokenOverrides } from "../support/sigstore/index.ts";
import { COSIGN } from "../support/tools/catalog.ts";
import { ensureGoTool } from "../support/tools/go-tools.ts";

const ctx = inject("drydockE2e");
const log = (line: string) => console.log(`[e2e] ${line}`);
const engine = useFakeEngine();

const USER = "drydock-ci";
const PASSWORD = `registry-${ctx.runId}`;
const REPO = "acme/shop-backend";
const SHA = "0123456789abcdef0123456789abcdef01234567";

let sigstore: LocalSigstore;
let registry: AuthRegistry;
let cosign: string;
let work: string;
let configJson: string;
let trustFiles: { trustedRoot: string; signingConfig: string };
const digests: Record<"signed" | "tampered", string> = { signed: "", tampered: "" };
const pushedTags: string[] = [];
const timings: string[] = [];

/** Small but real predicates: what is signed is under test here, not how it was made (test/e2e/release.test.ts makes them with Trivy). */
const PREDICATES: Record<PredicateType, string> = {
  cyclonedx: JSON.stringify({ bomFormat: "CycloneDX", specVersion: "1.6", version: 1, components: [{ type: "library", name: "pg", version: "8.11.0", purl: "pkg:npm/pg@8.11.0" }] }),
  vuln: JSON.stringify({ scanner: { uri: "pkg:github/aquasecurity/trivy@0.69.3", version: "0.69.3", result: { SchemaVersion: 2, Results: [] } }, metadata: { scanStartedOn: "2026-12-01T10:00:00Z", scanFinishedOn: "2026-12-01T10:00:05Z" } }),
  slsaprovenance1: JSON.stringify(
    slsaProvenance({
      app: "backend",
      platform: "linux/amd64",
      sourceUrl: "https://github.com/acme/shop",
      revision: SHA,
      gitRef: "refs/tags/v1.2.3",
      builderId: "https://github.com/acme/shop/.github/workflows/release.yml@refs/tags/v1.2.3",
      buildArguments: {},
      images: {},
      lockfiles: {},
    }),
  ),
};

/** The parts of a trusted_root.json the failure tests change. */
interface TrustedRoot {
  certificateAuthorities: unknown[];
  tlogs: unknown[];
  ctlogs: unknown[];
  timestampAuthorities: Record<string, unknown>[];
}

const ref = (digest: string) => `${registry.host}/${REPO}@${digest}`;
const describeRun = (r: CosignRunResult) => `exit ${r.code}: ${r.argv.join(" ")}\n${r.stderr.slice(-3000)}\n${sigstore.logs().slice(-3000)}`;
const typeOf = (step: CosignStep) => (step.args.includes("--type") ? step.args[step.args.indexOf("--type") + 1] : undefined);
const operationOf = (step: CosignStep) => (step.args.includes(SIGNATURE_PREDICATE_TYPE) ? "verify" : (step.command as "sign" | "attest" | "verify-attestation"));

/** The cosign run of every plan here: the registry's login, this run's ID, the local Sigstore's two files. */
async function cosignRun(files = trustFiles): Promise<CosignRun> {
  const [root, config] = await Promise.all([readFile(files.trustedRoot, "utf8"), readFile(files.signingConfig, "utf8")]);
  return {
    registryConfig: dag.setSecret("registry-config", configJson),
    runId: ctx.runId,
    privateSigstore: { trustedRoot: dag.file("trusted_root.json", root), signingConfig: dag.file("signing_config.json", config) },
  };
}

/** drydock's keyless sign and attest of `target`, recorded. */
async function planSigning(target: string, token: string): Promise<CosignStep[]> {
  engine.reset();
  const run = await cosignRun();
  await withEngine(engine, async () => {
    const material = { identityToken: dag.setSecret("oidc", token) };
    await sign(target, material, run);
    await attest(target, Object.fromEntries(PREDICATE_TYPES.map((t) => [t, dag.file(`${t}.json`, PREDICATES[t])])), material, run);
  });
  const steps = cosignSteps(engine);
  engine.reset();
  return steps;
}

/** drydock's keyless verify of `target` (the signature and every attestation), recorded. */
async function planVerifying(target: string, trust: VerifyingMaterial, files = trustFiles): Promise<CosignStep[]> {
  engine.reset();
  const run = await cosignRun(files);
  await withEngine(engine, () => verify(target, trust, PREDICATE_TYPES, run));
  const steps = cosignSteps(engine);
  engine.reset();
  return steps;
}

/** One recorded step for real: what the engine would mount, and the token as SIGSTORE_ID_TOKEN. */
async function runStep(host: HostCosign, step: CosignStep, token = "", files = trustFiles): Promise<CosignRunResult> {
  const mounts: Record<string, string> = {};
  for (const at of Object.keys(step.mounts)) {
    if (at === "/drydock/docker/config.json") mounts[at] = configJson;
    else if (at === TRUSTED_ROOT_PATH) mounts[at] = await readFile(files.trustedRoot, "utf8");
    else if (at === SIGNING_CONFIG_PATH) mounts[at] = await readFile(files.signingConfig, "utf8");
    else {
      const type = /^\/drydock\/predicates\/(.+)\.json$/.exec(at)?.[1] as PredicateType | undefined;
      if (type) mounts[at] = PREDICATES[type];
    }
  }
  const result = await host.run(step, mounts, token ? { SIGSTORE_ID_TOKEN: token } : {});
  timings.push(`${step.command} ${typeOf(step) ?? ""}: ${result.seconds.toFixed(2)} s (exit ${result.code})`.replace("  ", " "));
  return result;
}

const newHost = async () => new HostCosign(await mkdtemp(path.join(work, "cosign-")), cosign);

/** The exact identity of acme/shop's release workflow at v1.2.3, and its issuer: what a consumer pins. */
const exactTrust = (): VerifyingMaterial => ({ certificateIdentity: sigstore.identityOf(), certificateOidcIssuer: sigstore.issuer });

/** Every verify step of `trust` on `target` fails, each mapped to `kind`. */
async function expectEveryVerifyFails(target: string, trust: VerifyingMaterial, kind: string, message: RegExp, files = trustFiles): Promise<void> {
  const host = await newHost();
  for (const step of await planVerifying(target, trust, files)) {
    const result = await runStep(host, step, "", files);
    expect(result.code, describeRun(result)).not.toBe(0);
    const type = typeOf(step);
    const operation = operationOf(step);
    const mapped = cosignFailureMessage({ operation, ref: target, exitCode: result.code, stderr: result.stderr, verifier: "keyless", ...(type && operation !== "verify" ? { predicateType: type } : {}) });
    expect(mapped.kind, mapped.message).toBe(kind);
    expect(mapped.message).toMatch(message);
  }
}

beforeAll(async () => {
  work = await mkdtemp(path.join(ctx.workDir, "keyless-"));
  let started = Date.now();
  cosign = await ensureGoTool(COSIGN, log);
  sigstore = await startLocalSigstore({ work, log });
  trustFiles = { trustedRoot: sigstore.trustedRoot, signingConfig: sigstore.signingConfig };
  timings.push(`cosign and the local Sigstore built and started: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  registry = await startAuthRegistry(USER, PASSWORD, log);
  configJson = dockerConfigJson(registry.host, USER, PASSWORD);
  await mkdir(path.join(work, "docker"), { recursive: true });
  await writeFile(path.join(work, "docker/config.json"), configJson, { mode: 0o600 });

  const meta: ReleaseMetadata = { source: "https://github.com/acme/shop", revision: SHA, version: "1.2.3", created: "2026-12-01T10:00:00Z", licenses: "MIT", title: "shop-backend", baseName: "scratch", baseDigest: "" };
  started = Date.now();
  const push = (local: string, tags: string[]) => pushTiny(local, { registry, repository: REPO, tags, dockerConfigDir: path.join(work, "docker"), pushed: pushedTags });
  digests.signed = await push(await buildTinyImage({ work, runId: ctx.runId, name: "keyless-signed", marker: "signed keyless", labels: ociAnnotations(meta) }), ["1.2.3"]);
  digests.tampered = await push(await buildTinyImage({ work, runId: ctx.runId, name: "keyless-tampered", marker: "passed off under another image's signature", labels: ociAnnotations(meta) }), ["tampered"]);
  timings.push(`build and push 2 images: ${((Date.now() - started) / 1000).toFixed(1)} s`);

  // Signed once, keyless, by acme/shop's release workflow at v1.2.3: what every test below verifies.
  const host = await newHost();
  for (const step of await planSigning(ref(digests.signed), sigstore.mintToken())) {
    const result = await runStep(host, step, sigstore.mintToken());
    if (result.code !== 0) throw new Error(`keyless ${step.command} failed: ${describeRun(result)}`);
  }
}, 40 * 60_000);

afterAll(async () => {
  if (timings.length > 0) log(`keyless timings:\n  ${timings.join("\n  ")}`);
  await sigstore?.stop();
  await registry?.stop();
  if (pushedTags.length > 0) await run("/usr/bin/docker", ["rmi", "-f", ...pushedTags]);
});

describe("keyless signing through a local Sigstore, with drydock's argv", () => {
  it("with-sigstore's checks accept the local Sigstore's files, and read the services it signs through", async () => {
    expect(() => checkTrustedRoot(readFileSync(trustFiles.trustedRoot, "utf8"), "--trusted-root")).not.toThrow();
    expect(checkSigningConfig(readFileSync(trustFiles.signingConfig, "utf8"), "--signing-config")).toEqual({ fulcio: [sigstore.urls.fulcio], rekor: [sigstore.urls.rekor], tsa: [sigstore.urls.tsa] });
  });

  it("signs and attests with the token as SIGSTORE_ID_TOKEN and the private Sigstore's files, nothing else", async () => {
    const steps = await planSigning(ref(digests.signed), "token-never-on-argv");
    expect(steps.map((s) => `${s.command} ${typeOf(s) ?? ""}`.trim())).toEqual(["sign", "attest cyclonedx", "attest vuln", "attest slsaprovenance1"]);
    for (const step of steps) {
      expect(step.args).toEqual(expect.arrayContaining(["--trusted-root", TRUSTED_ROOT_PATH, "--signing-config", SIGNING_CONFIG_PATH]));
      expect(step.args.join(" ")).not.toContain("token-never-on-argv");
      expect(Object.keys(step.secretEnv)).toEqual(["SIGSTORE_ID_TOKEN"]);
    }
  });

  it("verifies the signature and every attestation for the exact identity and issuer", async () => {
    const host = await newHost();
    const steps = await planVerifying(ref(digests.signed), exactTrust());
    expect(steps.map((s) => typeOf(s))).toEqual([SIGNATURE_PREDICATE_TYPE, ...PREDICATE_TYPES]);
    for (const step of steps) {
      const result = await runStep(host, step);
      expect(result.code, describeRun(result)).toBe(0);
    }
  });

  it("verifies for a regexp anchored at both ends that admits the workflow's release tags", async () => {
    const host = await newHost();
    const identityRegexp = `^${sigstore.identityOf({ ref: "refs/tags/" }).replaceAll(".", "\\.")}v[0-9.]+$`;
    for (const step of await planVerifying(ref(digests.signed), { certificateIdentityRegexp: identityRegexp, certificateOidcIssuer: sigstore.issuer })) {
      const result = await runStep(host, step);
      expect(result.code, describeRun(result)).toBe(0);
    }
  });

  it.each<{ name: string; trust: () => VerifyingMaterial }>([
    { name: "another repository", trust: () => ({ certificateIdentity: sigstore.identityOf({ repository: "acme/other" }), certificateOidcIssuer: sigstore.issuer }) },
    { name: "another workflow", trust: () => ({ certificateIdentity: sigstore.identityOf({ workflow: ".github/workflows/ci.yml" }), certificateOidcIssuer: sigstore.issuer }) },
    { name: "another ref", trust: () => ({ certificateIdentity: sigstore.identityOf({ ref: "refs/heads/main" }), certificateOidcIssuer: sigstore.issuer }) },
    { name: "another issuer", trust: () => ({ certificateIdentity: sigstore.identityOf(), certificateOidcIssuer: sigstore.otherIssuer }) },
  ])("fails for $name, saying the signer is not the expected identity", async ({ trust }) => {
    await expectEveryVerifyFails(ref(digests.signed), trust(), "wrong-identity", /is signed, but not by the expected identity/);
  });

  it.each<{ name: string; change: (root: TrustedRoot) => void; message: RegExp }>([
    {
      // A keyless certificate lives 10 minutes: only a timestamp the trusted root trusts shows it was valid when it signed.
      name: "names no timestamp authority (the certificate's short life cannot be checked)",
      change: (root) => (root.timestampAuthorities = []),
      message: /no timestamp from a timestamp authority the trusted root lists/,
    },
    { name: "names no CT log (the certificate's SCT cannot be checked)", change: (root) => (root.ctlogs = []), message: /no certificate timestamp \(SCT\) from a CT log the trusted root lists/ },
    { name: "names no transparency log (the entry's inclusion proof cannot be checked)", change: (root) => (root.tlogs = []), message: /a transparency log entry of a log the trusted root does not list/ },
    {
      name: "names another CA than the Fulcio that issued the certificate",
      change: (root) => (root.certificateAuthorities = root.timestampAuthorities.map((tsa) => ({ ...tsa, uri: "http://another-fulcio.invalid" }))),
      message: /a certificate from a CA the trusted root does not list/,
    },
  ])("fails when the trusted root $name, saying which part of the Sigstore is not trusted", async ({ change, message }) => {
    const root = JSON.parse(await readFile(trustFiles.trustedRoot, "utf8")) as TrustedRoot;
    change(root);
    const other = { ...trustFiles, trustedRoot: path.join(await mkdtemp(path.join(work, "root-")), "trusted_root.json") };
    await writeFile(other.trustedRoot, JSON.stringify(root));
    await expectEveryVerifyFails(ref(digests.signed), exactTrust(), "untrusted-sigstore", message, other);
  });

  it.each<{ name: string; token: () => string }>([
    { name: "an expired token", token: () => sigstore.mintToken({ expiresInSeconds: -60 }) },
    { name: "a token of an issuer Fulcio does not trust", token: () => sigstore.mintToken({ issuer: "https://token.actions.githubusercontent.com" }) },
    { name: "a token for another audience", token: () => sigstore.mintToken({ audience: "not-sigstore" }) },
  ])("refuses to sign with $name, saying Fulcio refused the token", async ({ token }) => {
    const host = await newHost();
    const [step] = await planSigning(ref(digests.tampered), "recorded");
    const result = await runStep(host, step!, token());
    expect(result.code, describeRun(result)).not.toBe(0);
    const mapped = cosignFailureMessage({ operation: "sign", ref: ref(digests.tampered), exitCode: result.code, stderr: result.stderr });
    expect(mapped.kind, mapped.message).toBe("token-refused");
    expect(mapped.message).toMatch(/Fulcio refused the OIDC identity token/);
  });

  it("fails for an image passed off under another digest's signature", async () => {
    await graftSignatures(registry, REPO, digests.signed, digests.tampered);
    const host = await newHost();
    const [step] = await planVerifying(ref(digests.tampered), exactTrust());
    const result = await runStep(host, step!);
    expect(result.code, describeRun(result)).not.toBe(0);
    const mapped = cosignFailureMessage({ operation: "verify", ref: ref(digests.tampered), exitCode: result.code, stderr: result.stderr, verifier: "keyless" });
    expect(mapped.kind, mapped.message).toBe("tampered");
  });
});
