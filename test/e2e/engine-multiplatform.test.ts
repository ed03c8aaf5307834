/**
 * A two-platform release on the real engine, as a CI job of a backend-only repository runs it:
 * the README's private-Sigstore `release` line exactly as written — its default
 * `--platforms=linux/amd64,linux/arm64` included — builds the backend from the lab's two-platform
 * node index, the arm64 variant under the engine's QEMU emulation; scans and gates each variant;
 * publishes one index; signs keyless (local Sigstore) and attests every digest; and verifies them.
 * Then the README's `verify` line passes for each variant by its own digest, and the arm64 variant,
 * pulled from the registry, starts under emulation beside Postgres and answers its health path.
 *
 * Backend only: the frontend's `next build` under emulation would cost CI several more minutes
 * and prove nothing the backend does not (the same release code builds every app per platform).
 */
import { mkdtemp, readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { docker } from "../support/docker/cli.ts";
import { readComposeFile } from "../support/docker/compose-flags.ts";
import { imageTag } from "../support/docker/e2e-context.ts";
import { EMULATED_MEMORY, ensureEmulation, withBackendMemory } from "../support/docker/emulation.ts";
import { REPO_ROOT } from "../support/docker/engine.ts";
import { http, pollUntil, Stack } from "../support/docker/stack.ts";
import { expectSuccess, shellLine } from "../support/engine/cli.ts";
import { oneReadmeLine } from "../support/engine/command-lines.ts";
import { craneInEngine } from "../support/engine/kit.ts";
import { githubJobEnv, startSigstoreFor } from "../support/engine/keyless-job.ts";
import { writeAppRepository } from "../support/engine/module-copy.ts";
import { engineTierUnavailable, log, setUpEngineTier, tearDownEngineTier, type EngineTier } from "../support/engine/tier.ts";
import { asUser, LAB_NAMESPACE, passingConfig } from "../support/engine/user-lines.ts";
import { onCi } from "../support/shared-material.ts";
import type { LocalSigstore } from "../support/sigstore/index.ts";

const unavailable = engineTierUnavailable();
const ctx = inject("drydockE2e");
// arm64 runs under QEMU user emulation (registered here when root); as in arm64.test.ts, CI fails without it.
const emulation = unavailable === undefined ? await ensureEmulation() : undefined;
if (emulation && !emulation.ok) {
  if (onCi()) throw new Error(`CI=${process.env["CI"]}: linux/arm64 emulation is required for the two-platform release, and: ${emulation.reason}`);
  console.warn(`[engine] skipping test/e2e/engine-multiplatform.test.ts (a two-platform release): ${emulation.reason}`);
}
const PLATFORMS = ["linux/amd64", "linux/arm64"];

interface Released {
  signer: { mode: string; identity?: string };
  gate: { passed: boolean };
  images: {
    app: string;
    repository: string;
    digest: string;
    reference: string;
    platforms: string[];
    signed: boolean;
    verified: boolean;
    attestations: string[];
    variants: { platform: string; digest: string; reference: string; attestations: string[] }[];
  }[];
}

interface IndexManifest {
  mediaType: string;
  manifests: { digest: string; platform?: { os: string; architecture: string } }[];
}

let tier: EngineTier;
let repo: string;
let sigstore: LocalSigstore;
let released: Released["images"][number];

/** What a GitHub Actions job of acme/shop has in its environment, with a token of the local Sigstore's issuer. */
const ciEnv = async () => ({ HOME: path.join(tier.work, "home"), ...(await githubJobEnv(sigstore, repo)) });

describe.skipIf(unavailable !== undefined || emulation?.ok === false)("a two-platform keyless release on the real engine: the README's line as written, backend only", () => {
  beforeAll(async () => {
    tier = await setUpEngineTier();
    // The lab's node index holds arm64 where emulation runs: checked above, so both are there.
    expect(tier.images.nodePlatforms, "the lab's node stand-in index: linux/arm64 needs QEMU user emulation (scripts/e2e/ensure-emulation.sh)").toEqual(PLATFORMS);
    repo = path.join(tier.work, "shop-api");
    await writeAppRepository(repo, "examples/app", { "security-config.yml": await passingConfig({ apps: ["backend"] }) });
    sigstore = await startSigstoreFor(repo, tier.work, log);

    const line = oneReadmeLine((l) => l.includes("with-sigstore") && l.includes(" release "));
    expect(line, "the README's line names no platforms: the default, both, is what runs").not.toContain("--platforms");
    const result = await shellLine(tier.kit, asUser(line, tier.moduleDir), { cwd: repo, env: await ciEnv() });
    log(`two-platform keyless release (backend only, arm64 emulated): exit ${result.code} in ${result.seconds.toFixed(0)} s`);
    expectSuccess(result);
    const manifest = JSON.parse(await readFile(path.join(repo, "reports/release.json"), "utf8")) as Released;
    expect(manifest.gate.passed).toBe(true);
    expect(manifest.signer).toMatchObject({ mode: "keyless", identity: sigstore.identityOf() });
    expect(manifest.images.map((i) => i.app)).toEqual(["backend"]);
    released = manifest.images[0]!;
  });

  afterAll(async () => {
    await sigstore?.stop();
    await tearDownEngineTier(tier?.work);
  });

  it("release.json: one index of both platforms, signed, attested and verified, and a variant per platform with its three attestations", () => {
    expect(released.reference).toMatch(new RegExp(`^${LAB_NAMESPACE.replaceAll(".", "\\.")}/drydock-backend@sha256:[a-f0-9]{64}$`));
    expect(released).toMatchObject({ platforms: PLATFORMS, signed: true, verified: true, attestations: ["slsaprovenance1"] });
    expect(released.variants.map((v) => v.platform)).toEqual(PLATFORMS);
    for (const variant of released.variants) {
      expect(variant.reference).toBe(`${released.repository}@${variant.digest}`);
      expect(variant.attestations).toEqual(["cyclonedx", "vuln", "slsaprovenance1"]);
    }
  });

  it("the registry holds that index: one image per platform, each with the platform and architecture its config says", async () => {
    const index = JSON.parse(await craneInEngine(["manifest", released.reference])) as IndexManifest;
    expect(index.mediaType).toMatch(/image\.index|manifest\.list/);
    const images = index.manifests.filter((m) => m.platform?.architecture !== "unknown");
    expect(images.map((m) => `${m.platform?.os}/${m.platform?.architecture}`)).toEqual(PLATFORMS);
    expect(images.map((m) => m.digest)).toEqual(released.variants.map((v) => v.digest));
    for (const variant of released.variants) {
      const config = JSON.parse(await craneInEngine(["config", variant.reference])) as { os: string; architecture: string };
      expect(`${config.os}/${config.architecture}`).toBe(variant.platform);
    }
  });

  it("each variant was scanned and gated: its own report folder, a Trivy report of an image of its architecture, and a passing verdict", async () => {
    const summary = JSON.parse(await readFile(path.join(repo, "reports/summary.json"), "utf8")) as { passed: boolean; scans: { name: string; passed: boolean }[] };
    expect(summary.passed).toBe(true);
    const variantScans = summary.scans.filter((s) => s.name.startsWith("backend-linux-"));
    expect(variantScans).toEqual([
      { name: "backend-linux-amd64", passed: true },
      { name: "backend-linux-arm64", passed: true },
    ]);
    for (const { name } of variantScans) {
      const trivy = JSON.parse(await readFile(path.join(repo, "reports", name, "trivy.json"), "utf8")) as { Metadata: { ImageConfig: { architecture: string } } };
      expect(`linux/${trivy.Metadata.ImageConfig.architecture}`).toBe(`linux/${name.split("-").at(-1)}`);
    }
  });

  it("the README's private-Sigstore verify line passes for each variant by its own digest (signature and the three attestations)", async () => {
    const line = oneReadmeLine((l) => l.includes("with-sigstore") && l.includes(" verify "));
    for (const variant of released.variants) {
      const result = await shellLine(tier.kit, asUser(line, tier.moduleDir, { digest: variant.digest }), { cwd: repo, env: await ciEnv() });
      log(`verify ${variant.platform} ${variant.digest}: exit ${result.code} in ${result.seconds.toFixed(0)} s`);
      expectSuccess(result);
    }
  });

  it("the published arm64 variant starts under emulation with the compose file's hardening, and answers 200 on /health", async () => {
    const arm64 = released.variants.find((v) => v.platform === "linux/arm64")!;
    const tarball = path.join(await mkdtemp(path.join(tier.work, "pull-")), "backend-arm64.tar");
    await craneInEngine(["pull", arm64.reference, tarball]);
    const loaded = await docker(["load", "-q", "-i", tarball]);
    const id = /Loaded image(?: ID)?: (\S+)/.exec(loaded)?.[1];
    expect(id, `docker load said: ${loaded}`).toBeDefined();
    const tag = imageTag(ctx.runId, "engine-backend-arm64");
    await docker(["tag", id!, tag]);
    expect(await docker(["image", "inspect", "--format", "{{.Os}}/{{.Architecture}}", tag])).toBe("linux/arm64");

    // Its containers and networks carry the run's label: the e2e's teardown removes them.
    const stack = new Stack(ctx, withBackendMemory(await readComposeFile(path.join(REPO_ROOT, "compose.security.yaml")), EMULATED_MEMORY), "engine-arm64");
    await stack.createNetworks();
    const databaseUrl = await stack.startDatabase(ctx.bases.postgres);
    await stack.applyMigrations(path.join(repo, "backend/prisma/migrations"), "app", "app");
    const started = Date.now();
    await stack.start({ service: "backend", image: tag, environment: { DATABASE_URL: databaseUrl, PORT: "3000" } });
    const backend = `http://${await stack.ip("backend", "web")}:3000`;
    const answered = await pollUntil("the engine-built arm64 backend's /health", () => http(`${backend}/health`), (r) => r.status === 200, 180_000);
    expect(answered).toEqual({ status: 200, body: '{"status":"ok"}' });
    log(`engine-built arm64 backend: docker run to first 200 on /health in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    expect(await docker(["exec", stack.name("backend"), "node", "-p", "process.arch"])).toBe("arm64");
  });
});
