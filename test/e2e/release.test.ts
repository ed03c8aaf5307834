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
import { NODE_IMAGE } from "../../dagger/src/images/defaults.ts";
import {
  attestTargets,
  certifyTargets,
  COSIGN_IMAGE,
  cosignFailureMessage,
  cosignVulnArgs,
  MANIFEST_READER_PROGRAM,
  ociAnnotations,
  parseFetchedManifest,
  PREDICATE_TYPES,
  readPublished,
  SIGNATURE_PREDICATE_TYPE,
  signSubject,
  slsaProvenance,
  verifySubject,
  type CosignRun,
  type PredicateType,
  type ReleaseMetadata,
} from "../../dagger/src/release/index.ts";
import { computeTags } from "../../dagger/src/release/tags.ts";
import { convertArgs } from "../../dagger/src/scan/trivy-args.ts";
import { docker, failureMessage, run } from "../support/docker/cli.ts";
import { imageTag } from "../support/docker/e2e-context.ts";
import { useFakeEngine, withEngine } from "../support/fake-engine/index.js";
import { execArgs } from "../support/fake-engine/rules.js";
import { cosignSteps, HostCosign, readerSteps, type CosignRunResult, type CosignStep } from "../support/release/cosign-steps.ts";
import { attestImage as attest, signImage as sign, verifyImage as verify } from "../support/release/one-image.ts";
import { digestOfTag, dockerConfigJson, graftSignatures, labelsOf, startAuthRegistry, type AuthRegistry } from "../support/release/registry.ts";
import { buildTinyImage, pushTiny } from "../support/release/tiny-image.ts";
import { COSIGN, CRANE, TRIVY } from "../support/tools/catalog.ts";
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

const buildImage = (name: string, marker: string, labels: Record<string, string>, platform?: string) =>
  buildTinyImage({ work, runId: ctx.runId, name, marker, labels, ...(platform ? { platform } : {}) });
const push = (local: string, tags: readonly string[]) => pushTiny(local, { registry, repository: REPO, tags, dockerConfigDir: path.join(work, "docker"), pushed: pushedTags });

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

/** The in-toto predicate type URIs cosign writes for each `--type` (the signature's is its own URI). */
const PREDICATE_TYPE_URIS: Record<string, string> = {
  [SIGNATURE_PREDICATE_TYPE]: SIGNATURE_PREDICATE_TYPE,
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

/** What a recorded step checks, for the mapped message: the signature's statement is the signature. */
const operationOf = (step: CosignStep) => (step.args.includes(SIGNATURE_PREDICATE_TYPE) ? "verify" : (step.command as "verify-attestation"));
/** The `--type` of a recorded step, if any. */
const typeOf = (step: CosignStep) => (step.args.includes("--type") ? step.args[step.args.indexOf("--type") + 1] : undefined);

const describeRun = (r: CosignRunResult) => `exit ${r.code}: ${r.argv.join(" ")}\n${r.stderr.slice(-3000)}`;

/** The planted DB, written once for every scan of this file. */
let trivyCache: Promise<string> | undefined;

/**
 * The predicates of `image`: the real Trivy's JSON report of it (planted DB, offline), turned into
 * CycloneDX and cosign-vuln by the argv the pipeline runs; the provenance of `platform` by the module's code.
 */
async function predicatesOf(image: string, platform: string): Promise<Record<PredicateType, string>> {
  trivyCache ??= (async () => {
    const cacheDir = path.join(await mkdtemp(path.join(work, "trivy-db-")), "cache");
    await writeTrivyDb({ cacheDir, updatedAt: new Date(Date.now() - 3600_000), log });
    return cacheDir;
  })();
  const cacheDir = await trivyCache;
  const trivyDir = await mkdtemp(path.join(work, "trivy-"));
  await docker(["save", "--output", path.join(trivyDir, "image.tar"), image]);
  const scanArgs = ["image", "--input", path.join(trivyDir, "image.tar"), "--cache-dir", cacheDir, ...OFFLINE, "--scanners", "vuln", "--format", "json", "--output", path.join(trivyDir, "trivy.json"), "--quiet"];
  const scanned = await run(trivy, scanArgs, { timeoutMs: 10 * 60_000 });
  if (scanned.code !== 0) throw new Error(failureMessage(`trivy ${scanArgs.join(" ")}`, scanned));
  const toHost = (args: string[]) => [...args.slice(1).map((a) => (a.startsWith("/drydock/") ? path.join(trivyDir, a.slice("/drydock/".length)) : a))];
  for (const args of [convertArgs("cyclonedx", "/drydock/sbom.cdx.json"), cosignVulnArgs()]) {
    const converted = await run(trivy, toHost(args), { timeoutMs: 60_000 });
    if (converted.code !== 0) throw new Error(failureMessage(args.join(" "), converted));
  }
  return {
    cyclonedx: await readFile(path.join(trivyDir, "sbom.cdx.json"), "utf8"),
    vuln: await readFile(path.join(trivyDir, "vuln.cosign.json"), "utf8"),
    slsaprovenance1: JSON.stringify(
      slsaProvenance({
        app: "backend",
        platform,
        sourceUrl: "https://github.com/acme/shop",
        revision: SHA,
        gitRef: GIT.gitRef,
        builderId: "https://github.com/acme/shop/.github/workflows/release.yml@refs/tags/v1.2.3",
        buildArguments: { imageVersion: "1.2.3" },
        images: { cosign: COSIGN_IMAGE },
        lockfiles: { "backend/pnpm-lock.yaml": "a".repeat(64) },
      }),
    ),
  };
}

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

  Object.assign(predicates, await predicatesOf(signedImage, "linux/amd64"));
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
    // The signature checked as cosign v3 stores it (its own statement type), then each attestation.
    expect(verifying.map((s) => `${s.command} ${typeOf(s)}`)).toEqual([SIGNATURE_PREDICATE_TYPE, "cyclonedx", "vuln", "slsaprovenance1"].map((t) => `verify-attestation ${t}`));
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
      const mapped = cosignFailureMessage({ operation: operationOf(step), ref: ref(digests.signed), exitCode: result.code, stderr: result.stderr, verifier: "key", ...(type && operationOf(step) !== "verify" ? { predicateType: type } : {}) });
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
      const mapped = cosignFailureMessage({ operation: operationOf(step), ref: ref(digests.unsigned), exitCode: result.code, stderr: result.stderr, verifier: "key", ...(type && operationOf(step) !== "verify" ? { predicateType: type } : {}) });
      expect(mapped.kind, mapped.message).toBe(operationOf(step) === "verify" ? "no-signature" : "no-attestation");
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

describe("a two-platform index, signed, attested and verified digest by digest", () => {
  // Two distinct single-platform images (built FROM scratch for each platform: no emulation needed)
  // and an index over them made with crane; a second index whose arm64 image is never signed.
  const variant: Record<"amd64" | "arm64" | "arm64Unsigned", string> = { amd64: "", arm64: "", arm64Unsigned: "" };
  const index = { full: "", partial: "" };
  /** Predicate file contents by the name the plan's dag.file gives them: `<12 hex of the digest attested>-<type>.json`. */
  const files: Record<string, string> = {};
  const fileName = (digest: string, type: PredicateType) => `${digest.slice("sha256:".length, "sha256:".length + 12)}-${type}.json`;
  const digestOf = (reference: string) => reference.slice(reference.lastIndexOf("@") + 1);

  async function craneIndex(tag: string, digests: readonly string[]): Promise<string> {
    const crane = await ensureGoTool(CRANE, log);
    const args = ["index", "append", ...digests.flatMap((d) => ["-m", ref(d)]), "-t", `${registry.host}/${REPO}:${tag}`];
    const made = await run(crane, args, { env: { DOCKER_CONFIG: path.join(work, "docker") }, timeoutMs: 5 * 60_000 });
    if (made.code !== 0) throw new Error(failureMessage(`crane ${args.join(" ")}`, made));
    pushedTags.push(`${registry.host}/${REPO}:${tag}`);
    return digestOfTag(registry, REPO, tag);
  }

  /** The image config's os/architecture of `digest`, read through the registry's HTTP API. */
  async function platformOfImage(digest: string): Promise<string> {
    const headers = { Authorization: registry.basicAuth, Accept: "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json" };
    const manifest = (await (await fetch(`http://${registry.host}/v2/${REPO}/manifests/${digest}`, { headers })).json()) as { config: { digest: string } };
    const config = (await (await fetch(`http://${registry.host}/v2/${REPO}/blobs/${manifest.config.digest}`, { headers })).json()) as { os: string; architecture: string };
    return `${config.os}/${config.architecture}`;
  }

  const cosignRun = (): CosignRun => ({ registryConfig: dag.setSecret("registry-config", configJson), airGapped: true, runId: ctx.runId });
  const signing = () => ({ key: dag.setSecret("cosign-key", keys.main.key), password: dag.setSecret("cosign-password", KEY_PASSWORD) });

  /** The module's reader step for `target`, recorded (the fake engine has no registry: the module stops at its empty answer). */
  async function recordedReader(target: string): Promise<CosignStep> {
    engine.reset();
    await withEngine(engine, () => readPublished(target, cosignRun(), NODE_IMAGE)).catch(() => undefined);
    const [step, ...others] = readerSteps(engine);
    engine.reset();
    expect(others).toEqual([]);
    return step!;
  }

  /** The recorded reader run for real against the registry: what the module reads the index as. */
  async function readForReal(host: HostCosign, target: string): Promise<{ step: CosignStep; result: CosignRunResult }> {
    const step = await recordedReader(target);
    const result = await timed(`read ${target.slice(-12)}`, () => host.runReader(step, { "/drydock/docker/config.json": configJson }, {}));
    return { step, result };
  }

  /**
   * The module's plan for `target` — read, then sign and attest every target, or verify every
   * target — with the reader answered by what it printed for real.
   */
  async function planSubject(target: string, what: "sign-attest" | "verify", readerOutput: string): Promise<{ reader: CosignStep[]; cosign: CosignStep[] }> {
    engine.reset();
    engine.addRule({ when: (chain) => execArgs(chain)?.[2] === MANIFEST_READER_PROGRAM, stdout: readerOutput });
    await withEngine(engine, async () => {
      const run = cosignRun();
      const subject = await readPublished(target, run, NODE_IMAGE);
      if (what === "verify") {
        await verifySubject(subject, { publicKey: dag.file("cosign.pub", keys.main.pub) }, PREDICATE_TYPES, run);
        return;
      }
      await signSubject(subject, signing(), run);
      await attestTargets(subject, certifyTargets(subject), (t, type) => dag.file(fileName(digestOf(t.reference), type), files[fileName(digestOf(t.reference), type)]!), signing(), run);
    });
    const steps = { reader: readerSteps(engine), cosign: cosignSteps(engine) };
    engine.reset();
    return steps;
  }

  /** Run one recorded cosign step for real: each predicate mount gets the file its plan named. */
  async function runSubjectStep(host: HostCosign, step: CosignStep): Promise<CosignRunResult> {
    const mounts: Record<string, string> = {};
    for (const [at, mount] of Object.entries(step.mounts)) {
      if (at === "/drydock/docker/config.json") mounts[at] = configJson;
      else if (at === "/drydock/cosign.pub") mounts[at] = keys.main.pub;
      else {
        const name = /file\(name: "([^"]+)"/.exec(mount.source)?.[1];
        if (name && files[name] !== undefined) mounts[at] = files[name]!;
      }
    }
    return timed(`${step.command} ${typeOf(step) ?? ""} ${step.args.at(-1)!.slice(-12)}`, () => host.run(step, mounts, { COSIGN_KEY: keys.main.key, COSIGN_PASSWORD: KEY_PASSWORD }));
  }

  const describeStep = (step: CosignStep) => `${step.command}${typeOf(step) ? ` ${typeOf(step)}` : ""} ${step.args.at(-1)}`;

  beforeAll(async () => {
    const started = Date.now();
    const amd64 = await buildImage("variant-amd64", "the linux/amd64 image of the index", {}, "linux/amd64");
    const arm64 = await buildImage("variant-arm64", "the linux/arm64 image of the index", {}, "linux/arm64");
    const arm64Unsigned = await buildImage("variant-arm64-unsigned", "a linux/arm64 image never signed", {}, "linux/arm64");
    variant.amd64 = await push(amd64, ["variant-amd64"]);
    variant.arm64 = await push(arm64, ["variant-arm64"]);
    variant.arm64Unsigned = await push(arm64Unsigned, ["variant-arm64-unsigned"]);
    index.full = await craneIndex("multi", [variant.amd64, variant.arm64]);
    index.partial = await craneIndex("multi-partial", [variant.amd64, variant.arm64Unsigned]);
    // Each image's own scan and provenance; each index the provenance naming both platforms.
    for (const [digest, image, platform] of [
      [variant.amd64, amd64, "linux/amd64"],
      [variant.arm64, arm64, "linux/arm64"],
      [variant.arm64Unsigned, arm64Unsigned, "linux/arm64"],
    ] as const) {
      const made = await predicatesOf(image, platform);
      for (const type of PREDICATE_TYPES) files[fileName(digest, type)] = made[type];
    }
    const indexProvenance = (await predicatesOf(amd64, "linux/amd64,linux/arm64")).slsaprovenance1;
    for (const digest of [index.full, index.partial]) files[fileName(digest, "slsaprovenance1")] = indexProvenance;
    timings.push(`three single-platform images, two indexes (crane), their predicates: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });

  it("the registry holds an index of two distinct images, each of its own platform", async () => {
    expect(new Set([variant.amd64, variant.arm64, index.full]).size).toBe(3);
    expect(await platformOfImage(variant.amd64)).toBe("linux/amd64");
    expect(await platformOfImage(variant.arm64)).toBe("linux/arm64");
    expect(JSON.parse(files[fileName(variant.amd64, "cyclonedx")]!).serialNumber).not.toBe(JSON.parse(files[fileName(variant.arm64, "cyclonedx")]!).serialNumber);
  });

  it("the planned reader runs for real and reads the index, each platform's image by its digest", async () => {
    const host = new HostCosign(await mkdtemp(path.join(work, "reader-")), cosign);
    const { step, result } = await readForReal(host, ref(index.full));
    expect(result.code, describeRun(result)).toBe(0);
    expect(step.args.slice(3)).toEqual([registry.host, REPO, index.full, "https,http"]);
    expect(parseFetchedManifest(result.stdout, ref(index.full))).toEqual({
      reference: ref(index.full),
      kind: "index",
      variants: [
        { platform: "linux/amd64", digest: variant.amd64, reference: ref(variant.amd64) },
        { platform: "linux/arm64", digest: variant.arm64, reference: ref(variant.arm64) },
      ],
    });
    // Without the login the registry refuses the reader, which says so with its exit code.
    const anonymous = await host.runReader({ ...step, env: {}, mounts: {} }, {}, {});
    expect(anonymous.code, describeRun(anonymous)).toBe(2);
  });

  it("sign, attest and verify run for real on the index and on each platform's image by its own digest, each variant attested with its own SBOM", async () => {
    const host = new HostCosign(await mkdtemp(path.join(work, "cosign-")), cosign);
    const { step: readStep, result: read } = await readForReal(host, ref(index.full));
    expect(read.code, describeRun(read)).toBe(0);

    const signing = await planSubject(ref(index.full), "sign-attest", read.stdout);
    // The plan reads the index with exactly the step run for real above.
    expect(signing.reader.map((st) => st.args)).toEqual([readStep.args]);
    expect(signing.cosign.map(describeStep).sort()).toEqual(
      [
        `sign ${ref(index.full)}`,
        `sign ${ref(variant.amd64)}`,
        `sign ${ref(variant.arm64)}`,
        `attest slsaprovenance1 ${ref(index.full)}`,
        ...[variant.amd64, variant.arm64].flatMap((d) => PREDICATE_TYPES.map((type) => `attest ${type} ${ref(d)}`)),
      ].sort(),
    );
    for (const step of signing.cosign) {
      const result = await runSubjectStep(host, step);
      expect(result.code, describeRun(result)).toBe(0);
    }

    const verifying = await planSubject(ref(index.full), "verify", read.stdout);
    // Digests are verified at once, so the steps of different digests interleave in the recording.
    expect(verifying.cosign.map(describeStep).sort()).toEqual(
      [
        `verify-attestation ${SIGNATURE_PREDICATE_TYPE} ${ref(index.full)}`,
        `verify-attestation slsaprovenance1 ${ref(index.full)}`,
        ...[variant.amd64, variant.arm64].flatMap((d) => [`verify-attestation ${SIGNATURE_PREDICATE_TYPE} ${ref(d)}`, ...PREDICATE_TYPES.map((type) => `verify-attestation ${type} ${ref(d)}`)]),
      ].sort(),
    );
    expect(verifying.reader.map((st) => st.args)).toEqual([readStep.args]);
    for (const step of verifying.cosign) {
      const result = await runSubjectStep(host, step);
      expect(result.code, describeRun(result)).toBe(0);
      const type = typeOf(step)!;
      // Each attestation names the digest it was verified on, and carries that digest's own predicate.
      const statements = result.stdout
        .split("\n")
        .filter((line) => line.trim().startsWith("{"))
        .map((line) => JSON.parse(Buffer.from((JSON.parse(line) as { payload: string }).payload, "base64").toString("utf8")) as { subject: { digest: { sha256: string } }[]; predicateType: string; predicate: Record<string, unknown> });
      expect(statements.map((st) => st.predicateType)).toEqual([PREDICATE_TYPE_URIS[type]]);
      expect(statements[0]!.subject.map((sub) => `sha256:${sub.digest.sha256}`)).toEqual([step.args.at(-1)!.split("@")[1]]);
      if (type === "cyclonedx") expect(statements[0]!.predicate["serialNumber"]).toBe(JSON.parse(files[fileName(digestOf(step.args.at(-1)!), "cyclonedx")]!).serialNumber);
      if (type === "slsaprovenance1") {
        const platform = step.args.at(-1) === ref(index.full) ? "linux/amd64,linux/arm64" : step.args.at(-1) === ref(variant.amd64) ? "linux/amd64" : "linux/arm64";
        expect((statements[0]!.predicate as { buildDefinition: { externalParameters: { platform: string } } }).buildDefinition.externalParameters.platform).toBe(platform);
      }
    }
    log(`recorded cosign argv of the index:\n  ${[...signing.cosign, ...verifying.cosign].map((st) => st.args.join(" ")).join("\n  ")}`);
  });

  it("verify fails when one platform's image has no signature, though the index and every attestation verify — and the module names that image", async () => {
    const host = new HostCosign(await mkdtemp(path.join(work, "cosign-")), cosign);
    const { result: read } = await readForReal(host, ref(index.partial));
    expect(read.code, describeRun(read)).toBe(0);
    // Everything of the plan but the arm64 image's signature: the index signed, every attestation made.
    const unsignedSign = `sign ${ref(variant.arm64Unsigned)}`;
    const signing = await planSubject(ref(index.partial), "sign-attest", read.stdout);
    expect(signing.cosign.map(describeStep)).toContain(unsignedSign);
    for (const step of signing.cosign.filter((st) => describeStep(st) !== unsignedSign)) {
      const result = await runSubjectStep(host, step);
      expect(result.code, describeRun(result)).toBe(0);
    }

    const verifying = await planSubject(ref(index.partial), "verify", read.stdout);
    const failed: { step: CosignStep; result: CosignRunResult }[] = [];
    for (const step of verifying.cosign) {
      const result = await runSubjectStep(host, step);
      if (result.code !== 0) failed.push({ step, result });
    }
    expect(failed.map((f) => describeStep(f.step))).toEqual([`verify-attestation ${SIGNATURE_PREDICATE_TYPE} ${ref(variant.arm64Unsigned)}`]);
    const { result } = failed[0]!;
    const mapped = cosignFailureMessage({ operation: "verify", ref: ref(variant.arm64Unsigned), exitCode: result.code, stderr: result.stderr, verifier: "key" });
    expect(mapped.kind, mapped.message).toBe("no-signature");
    log(`cosign ${COSIGN.version} on the image attested but never signed: exit ${result.code}, ${result.stderr.trim().split("\n").at(-1)}`);

    // The module, given cosign's real answer for that step, fails the whole verification and names the image.
    engine.reset();
    engine.addRule({ when: (chain) => execArgs(chain)?.[2] === MANIFEST_READER_PROGRAM, stdout: read.stdout });
    engine.addRule({ when: (chain) => JSON.stringify(execArgs(chain)) === JSON.stringify(failed[0]!.step.args), exitCode: result.code, stderr: result.stderr });
    const error = await withEngine(engine, async () => {
      const run = cosignRun();
      return verifySubject(await readPublished(ref(index.partial), run, NODE_IMAGE), { publicKey: dag.file("cosign.pub", keys.main.pub) }, PREDICATE_TYPES, run).then(
        () => undefined,
        (e: unknown) => e as Error,
      );
    });
    engine.reset();
    expect(error?.message).toMatch(new RegExp(`^linux/arm64 image of the index ${ref(index.partial).replaceAll(".", "\\.")}: ${ref(variant.arm64Unsigned).replaceAll(".", "\\.")} is not signed: no signature is attached to this digest`));
  });
});
