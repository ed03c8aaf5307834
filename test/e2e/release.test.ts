/**
 * The release half for real: distribution's registry on 127.0.0.1 requiring credentials, an image
 * pushed with the computed tags and the OCI labels, and the EXACT cosign argv the release
 * functions send to the engine (recorded through the fake engine) run with cosign built at the
 * pinned version, air-gapped (no Rekor, no signing config): sign, attest the CycloneDX SBOM, the
 * cosign-vuln report (both made by the real Trivy from the image with the planted DB) and the SLSA
 * provenance, then verify and verify-attestation. Verifying with another key, the digest a moved
 * tag points to, and an unsigned digest each fail with the mapped message. Only paths, the
 * binary and the secret values are substituted; cosign reaches the registry through the mounted
 * config.json alone.
 */
import { dag } from "@dagger.io/dagger";
import { mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import {
  attest,
  COSIGN_IMAGE,
  cosignFailureMessage,
  cosignVulnArgs,
  ociAnnotations,
  PREDICATE_TYPES,
  sign,
  slsaProvenance,
  verify,
  type CosignRun,
  type ReleaseMetadata,
} from "../../dagger/src/release/index.ts";
import { computeTags } from "../../dagger/src/release/tags.ts";
import { convertArgs } from "../../dagger/src/scan/trivy-args.ts";
import { docker, failureMessage, run } from "../support/docker/cli.ts";
import { imageTag, RUN_LABEL } from "../support/docker/e2e-context.ts";
import { useFakeEngine, withEngine } from "../support/fake-engine/index.js";
import { cosignSteps, HostCosign, type CosignRunResult, type CosignStep } from "../support/release/cosign-steps.ts";
import { digestOfTag, dockerConfigJson, graftSignatures, labelsOf, startAuthRegistry, type AuthRegistry } from "../support/release/registry.ts";
import { COSIGN, TRIVY } from "../support/tools/catalog.ts";
import { ensureGoTool } from "../support/tools/go-tools.ts";
import { writeTrivyDb } from "../support/trivy-db/index.ts";

const ctx = inject("drydockE2e");
const log = (line: string) => console.log(`[e2e] ${line}`);
const engine = useFakeEngine();

const USER = "drydock-bot";
const PASSWORD = `registry-${ctx.runId}`;
const KEY_PASSWORD = `cosign-${ctx.runId}`;
const REPO = "drydock/backend";
const SHA = "0123456789abcdef0123456789abcdef01234567";
const GIT = { gitRef: "refs/tags/v1.2.3", gitSha: SHA, defaultBranch: "main", branch: "main" };
const OFFLINE = ["--skip-db-update", "--skip-java-db-update", "--skip-check-update", "--skip-version-check", "--disable-telemetry"];

let registry: AuthRegistry;
let cosign: string;
let trivy: string;
let work: string;
let configJson: string;
const keys: Record<"main" | "other", { key: string; pub: string }> = { main: { key: "", pub: "" }, other: { key: "", pub: "" } };
const digests: Record<"signed" | "mover" | "unsigned" | "tampered", string> = { signed: "", mover: "", unsigned: "", tampered: "" };
const predicates: Record<string, string> = {};
const pushedTags: string[] = [];
const timings: string[] = [];

/** A tiny image: one npm package the planted DB knows (pg 8.x), labelled, built FROM scratch so no base is needed. */
async function buildImage(name: string, marker: string, labels: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(work, `image-${name}-`));
  await mkdir(path.join(dir, "app/node_modules/pg"), { recursive: true });
  await writeFile(path.join(dir, "app/node_modules/pg/package.json"), JSON.stringify({ name: "pg", version: "8.11.0" }));
  await writeFile(path.join(dir, "app/marker.txt"), `${marker}\n`);
  await writeFile(path.join(dir, "Dockerfile"), "FROM scratch\nCOPY app /app\n");
  const tag = imageTag(ctx.runId, `release-${name}`);
  const labelArgs = Object.entries({ ...labels, [RUN_LABEL]: ctx.runId }).flatMap(([k, v]) => ["--label", `${k}=${v}`]);
  await docker(["build", "--quiet", "--tag", tag, ...labelArgs, dir]);
  return tag;
}

/** Push `local` as each tag with the config.json login; returns the digest the registry holds. */
async function push(local: string, tags: readonly string[]): Promise<string> {
  let digest = "";
  for (const tag of tags) {
    const remote = `${registry.host}/${REPO}:${tag}`;
    await docker(["tag", local, remote]);
    pushedTags.push(remote);
    await docker(["--config", path.join(work, "docker"), "push", "--quiet", remote]);
    digest = await digestOfTag(registry, REPO, tag);
  }
  return digest;
}

const ref = (digest: string) => `${registry.host}/${REPO}@${digest}`;

async function timed(label: string, fn: () => Promise<CosignRunResult>): Promise<CosignRunResult> {
  const result = await fn();
  timings.push(`${label}: ${result.seconds.toFixed(2)} s (exit ${result.code})`);
  return result;
}

async function generateKeyPair(name: "main" | "other"): Promise<void> {
  const dir = await mkdtemp(path.join(work, `keys-${name}-`));
  const result = await run(cosign, ["generate-key-pair"], { cwd: dir, env: { COSIGN_PASSWORD: KEY_PASSWORD, HOME: dir } });
  if (result.code !== 0) throw new Error(failureMessage("cosign generate-key-pair", result));
  keys[name] = { key: await readFile(path.join(dir, "cosign.key"), "utf8"), pub: await readFile(path.join(dir, "cosign.pub"), "utf8") };
}

/** The release functions' cosign steps for `target`, recorded through the fake engine. */
async function planFor(target: string, what: "sign-attest" | "verify"): Promise<CosignStep[]> {
  engine.reset();
  const run: CosignRun = { registryConfig: dag.setSecret("registry-config", configJson), airGapped: true, runId: ctx.runId };
  await withEngine(engine, async () => {
    const material = { key: dag.setSecret("cosign-key", keys.main.key), password: dag.setSecret("cosign-password", KEY_PASSWORD) };
    if (what === "sign-attest") {
      await sign(target, material, run);
      await attest(target, Object.fromEntries(PREDICATE_TYPES.map((t) => [t, dag.file(`${t}.json`, predicates[t]!)])), material, run);
    } else {
      await verify(target, { publicKey: dag.file("cosign.pub", keys.main.pub) }, PREDICATE_TYPES, run);
    }
  });
  const steps = cosignSteps(engine);
  engine.reset();
  return steps;
}

/** Run one recorded step for real, with the mounts' contents and the secrets the engine would inject. */
async function runStep(host: HostCosign, step: CosignStep, publicKey = keys.main.pub): Promise<CosignRunResult> {
  const mounts: Record<string, string> = {};
  for (const at of Object.keys(step.mounts)) {
    if (at === "/drydock/docker/config.json") mounts[at] = configJson;
    else if (at === "/drydock/cosign.pub") mounts[at] = publicKey;
    else {
      const type = /^\/drydock\/predicates\/(.+)\.json$/.exec(at)?.[1];
      if (type && predicates[type]) mounts[at] = predicates[type]!;
    }
  }
  return host.run(step, mounts, { COSIGN_KEY: keys.main.key, COSIGN_PASSWORD: KEY_PASSWORD });
}

/** The in-toto predicate type URIs cosign writes for each `--type`. */
const PREDICATE_TYPE_URIS: Record<string, string> = {
  cyclonedx: "https://cyclonedx.org/bom",
  vuln: "https://cosign.sigstore.dev/attestation/vuln/v1",
  slsaprovenance1: "https://slsa.dev/provenance/v1",
};

/** The predicate types of the attestations `cosign verify-attestation` printed (one DSSE envelope a line). */
function attestedPredicateTypes(stdout: string): string[] {
  return stdout
    .split("\n")
    .filter((line) => line.trim().startsWith("{"))
    .map((line) => (JSON.parse(Buffer.from((JSON.parse(line) as { payload: string }).payload, "base64").toString("utf8")) as { predicateType: string }).predicateType);
}

const describeRun = (r: CosignRunResult) => `exit ${r.code}: ${r.argv.join(" ")}\n${r.stderr.slice(-3000)}`;

beforeAll(async () => {
  work = await mkdtemp(path.join(ctx.workDir, "release-"));
  let started = Date.now();
  cosign = await ensureGoTool(COSIGN, log);
  trivy = await ensureGoTool(TRIVY, log);
  timings.push(`tools ready (cosign ${COSIGN.version}, registry, trivy; cached after the first run): ${((Date.now() - started) / 1000).toFixed(1)} s`);
  registry = await startAuthRegistry(USER, PASSWORD, log);
  configJson = dockerConfigJson(registry.host, USER, PASSWORD);
  await mkdir(path.join(work, "docker"), { recursive: true });
  await writeFile(path.join(work, "docker/config.json"), configJson, { mode: 0o600 });

  const tags = computeTags(GIT);
  const meta: ReleaseMetadata = {
    source: "https://github.com/acme/shop",
    revision: SHA,
    version: tags[0]!,
    created: "2026-11-30T10:00:00Z",
    licenses: "MIT",
    title: "drydock-backend",
    baseName: "scratch",
    baseDigest: "",
  };
  const signedImage = await buildImage("signed", "signed", ociAnnotations(meta));
  const moverImage = await buildImage("mover", "moved onto the tag", ociAnnotations({ ...meta, title: "not-drydock" }));
  const unsignedImage = await buildImage("unsigned", "never signed", {});
  const tamperedImage = await buildImage("tampered", "passed off under another image's signature", ociAnnotations(meta));
  started = Date.now();
  digests.signed = await push(signedImage, tags);
  digests.mover = await push(moverImage, ["mover"]);
  digests.unsigned = await push(unsignedImage, ["unsigned"]);
  digests.tampered = await push(tamperedImage, ["tampered"]);
  timings.push(`push 4 images: ${((Date.now() - started) / 1000).toFixed(1)} s`);

  // The predicates: the real Trivy's JSON report of the pushed image (planted DB, offline), turned
  // into CycloneDX and cosign-vuln by the argv the pipeline runs; the provenance by the module's code.
  const trivyDir = await mkdtemp(path.join(work, "trivy-"));
  await writeTrivyDb({ cacheDir: path.join(trivyDir, "cache"), updatedAt: new Date(Date.now() - 3600_000), log });
  await docker(["save", "--output", path.join(trivyDir, "image.tar"), signedImage]);
  const scanArgs = ["image", "--input", path.join(trivyDir, "image.tar"), "--cache-dir", path.join(trivyDir, "cache"), ...OFFLINE, "--scanners", "vuln", "--format", "json", "--output", path.join(trivyDir, "trivy.json"), "--quiet"];
  const scanned = await run(trivy, scanArgs, { timeoutMs: 10 * 60_000 });
  if (scanned.code !== 0) throw new Error(failureMessage(`trivy ${scanArgs.join(" ")}`, scanned));
  const toHost = (args: string[]) => [...args.slice(1).map((a) => (a.startsWith("/drydock/") ? path.join(trivyDir, a.slice("/drydock/".length)) : a))];
  for (const args of [convertArgs("cyclonedx", "/drydock/sbom.cdx.json"), cosignVulnArgs()]) {
    const converted = await run(trivy, toHost(args), { timeoutMs: 60_000 });
    if (converted.code !== 0) throw new Error(failureMessage(args.join(" "), converted));
  }
  predicates["cyclonedx"] = await readFile(path.join(trivyDir, "sbom.cdx.json"), "utf8");
  predicates["vuln"] = await readFile(path.join(trivyDir, "vuln.cosign.json"), "utf8");
  predicates["slsaprovenance1"] = JSON.stringify(
    slsaProvenance({
      app: "backend",
      platform: "linux/amd64",
      sourceUrl: meta.source,
      revision: SHA,
      gitRef: GIT.gitRef,
      builderId: "https://github.com/acme/shop/.github/workflows/release.yml@refs/tags/v1.2.3",
      buildArguments: { imageVersion: meta.version },
      images: { cosign: COSIGN_IMAGE },
      lockfiles: { "backend/pnpm-lock.yaml": "a".repeat(64) },
    }),
  );
  await generateKeyPair("main");
  await generateKeyPair("other");
});

afterAll(async () => {
  if (timings.length > 0) log(`release timings:\n  ${timings.join("\n  ")}`);
  await registry?.stop();
  if (pushedTags.length > 0) await run("/usr/bin/docker", ["rmi", "-f", ...pushedTags]);
});

describe("release against a registry that requires credentials", () => {
  it("the registry refuses anonymous access, and the pushed image carries the computed tags and OCI labels", async () => {
    expect((await fetch(`http://${registry.host}/v2/`)).status).toBe(401);
    expect(computeTags(GIT)).toEqual(["1.2.3", "1.2", "1", "latest", "sha-0123456"]);
    for (const tag of computeTags(GIT)) expect(await digestOfTag(registry, REPO, tag)).toBe(digests.signed);
    expect(await labelsOf(registry, REPO, digests.signed)).toMatchObject({
      "org.opencontainers.image.revision": SHA,
      "org.opencontainers.image.version": "1.2.3",
      "org.opencontainers.image.source": "https://github.com/acme/shop",
      "org.opencontainers.image.title": "drydock-backend",
    });
  });

  it("the planned sign and attest steps run for real, air-gapped, and the planned verify steps pass", async () => {
    const host = new HostCosign(await mkdtemp(path.join(work, "cosign-")), cosign);
    const signing = await planFor(ref(digests.signed), "sign-attest");
    expect(signing.map((s) => s.command)).toEqual(["sign", "attest", "attest", "attest"]);
    for (const step of signing) {
      expect(step.args.at(-1)).toBe(ref(digests.signed));
      const result = await timed(`${step.command} ${step.args.includes("--type") ? step.args[step.args.indexOf("--type") + 1] : ""}`.trim(), () => runStep(host, step));
      expect(result.code, describeRun(result)).toBe(0);
    }
    const verifying = await planFor(ref(digests.signed), "verify");
    expect(verifying.map((s) => s.command)).toEqual(["verify", "verify-attestation", "verify-attestation", "verify-attestation"]);
    for (const step of verifying) {
      const result = await timed(`${step.command} ${step.args.includes("--type") ? step.args[step.args.indexOf("--type") + 1] : ""}`.trim(), () => runStep(host, step));
      expect(result.code, describeRun(result)).toBe(0);
      const type = step.args.includes("--type") ? step.args[step.args.indexOf("--type") + 1]! : undefined;
      if (type) expect(attestedPredicateTypes(result.stdout)).toEqual([PREDICATE_TYPE_URIS[type]]);
    }
    log(`recorded cosign argv:\n  ${[...signing, ...verifying].map((s) => s.args.join(" ")).join("\n  ")}`);
  });

  it("verifying with another key fails with the wrong-key message", async () => {
    const host = new HostCosign(await mkdtemp(path.join(work, "cosign-")), cosign);
    for (const step of await planFor(ref(digests.signed), "verify")) {
      const result = await timed(`${step.command} with another key`, () => runStep(host, step, keys.other.pub));
      expect(result.code, describeRun(result)).not.toBe(0);
      const type = step.args.includes("--type") ? step.args[step.args.indexOf("--type") + 1] : undefined;
      const mapped = cosignFailureMessage({ operation: step.command as "verify", ref: ref(digests.signed), exitCode: result.code, stderr: result.stderr, verifier: "key", ...(type ? { predicateType: type } : {}) });
      expect(mapped.kind, `${mapped.message}`).toBe("wrong-key");
    }
  });

  it("after another image is re-tagged onto the release tag, the digest the tag now names is not signed", async () => {
    await push(imageTag(ctx.runId, "release-mover"), ["1.2.3"]);
    const moved = await digestOfTag(registry, REPO, "1.2.3");
    expect(moved).toBe(digests.mover);
    const host = new HostCosign(await mkdtemp(path.join(work, "cosign-")), cosign);
    const [verifyStep] = await planFor(ref(moved), "verify");
    const result = await timed("verify of the moved tag's digest", () => runStep(host, verifyStep!));
    expect(result.code, describeRun(result)).not.toBe(0);
    const mapped = cosignFailureMessage({ operation: "verify", ref: ref(moved), exitCode: result.code, stderr: result.stderr, verifier: "key" });
    expect(mapped.kind, mapped.message).toBe("no-signature");
    // The signed digest still verifies: the signature follows the digest, never the tag.
    const [signedVerify] = await planFor(ref(digests.signed), "verify");
    expect((await runStep(host, signedVerify!)).code).toBe(0);
  });

  it("an unsigned digest fails with the no-signature message, for the signature and each attestation", async () => {
    const host = new HostCosign(await mkdtemp(path.join(work, "cosign-")), cosign);
    for (const step of await planFor(ref(digests.unsigned), "verify")) {
      const result = await timed(`${step.command} of an unsigned digest`, () => runStep(host, step));
      expect(result.code, describeRun(result)).not.toBe(0);
      const type = step.args.includes("--type") ? step.args[step.args.indexOf("--type") + 1] : undefined;
      const mapped = cosignFailureMessage({ operation: step.command as "verify", ref: ref(digests.unsigned), exitCode: result.code, stderr: result.stderr, verifier: "key", ...(type ? { predicateType: type } : {}) });
      expect(mapped.kind, mapped.message).toBe(type ? "no-attestation" : "no-signature");
    }
  });

  it("an image passed off under another digest's signature fails with the tampered message", async () => {
    await graftSignatures(registry, REPO, digests.signed, digests.tampered);
    const host = new HostCosign(await mkdtemp(path.join(work, "cosign-")), cosign);
    const [verifyStep] = await planFor(ref(digests.tampered), "verify");
    const result = await timed("verify of a tampered image", () => runStep(host, verifyStep!));
    expect(result.code, describeRun(result)).not.toBe(0);
    const mapped = cosignFailureMessage({ operation: "verify", ref: ref(digests.tampered), exitCode: result.code, stderr: result.stderr, verifier: "key" });
    expect(mapped.kind, mapped.message).toBe("tampered");
  });

  it("without the mounted config.json, cosign cannot read the registry", async () => {
    const host = new HostCosign(await mkdtemp(path.join(work, "cosign-")), cosign);
    const [step] = await planFor(ref(digests.signed), "verify");
    const { DOCKER_CONFIG: _dropped, ...env } = step!.env;
    const mounts = Object.fromEntries(Object.entries(step!.mounts).filter(([at]) => at !== "/drydock/docker/config.json"));
    const result = await runStep(host, { ...step!, env, mounts });
    expect(result.code, describeRun(result)).not.toBe(0);
    const mapped = cosignFailureMessage({ operation: "verify", ref: ref(digests.signed), exitCode: result.code, stderr: result.stderr, verifier: "key" });
    expect(mapped.kind, mapped.message).toBe("registry-auth");
  });
});
