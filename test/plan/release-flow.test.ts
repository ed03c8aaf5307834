/**
 * The supply-chain functions of Drydock against the fake engine: publish, sign, attest, verify and
 * release. A failing gate publishes nothing; bad input fails before anything is built; cosign
 * always gets a digest; no secret's plaintext reaches any query; every cosign step of one call
 * carries that call's run ID.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { dag, type File, type Secret } from "@dagger.io/dagger";
import { describe, expect, it } from "vitest";
import type { Drydock } from "../../dagger/src/index.ts";
import { GateFailedError } from "../../dagger/src/objects/gate-error.ts";
import { COSIGN_IMAGE, predicatePath } from "../../dagger/src/release/index.ts";
import { execStartsWith } from "../support/fake-engine/rules.js";
import { useFakeEngine, withEngine, type ExecRecord } from "../support/fake-engine/index.js";
import { ObjectRef, type Chain } from "../support/fake-engine/index.js";
import { fileAt } from "../support/fake-engine/rules.js";
import { answerTrivy, both, drydock, refsOf, rejectionOf, reportText, scannedImageTitle, scanOf, TARBALL, TRIVY_REPORT } from "../support/plan-helpers.js";
import { repoRoot } from "../support/paths.js";
import { langResult, vulnerability } from "../support/trivy-reports.js";

const engine = useFakeEngine();

const KEY_CANARY = "-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\nkey-canary-3e81aa\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n";
const KEY_PASSWORD_CANARY = "key-password-canary-77c2";
const TOKEN_CANARY = "eyJ-oidc-canary-c4d9";
const REGISTRY_PASSWORD_CANARY = "registry-password-canary-91fe";
const CONFIG_CANARY = '{"auths":{"ghcr.io":{"auth":"Y29uZmlnLWNhbmFyeS1mbG93"}}}';
const CANARIES = [KEY_CANARY, "key-canary-3e81aa", KEY_PASSWORD_CANARY, TOKEN_CANARY, REGISTRY_PASSWORD_CANARY, CONFIG_CANARY, "Y29uZmlnLWNhbmFyeS1mbG93"];

const SHA = "0123456789abcdef0123456789abcdef01234567";
const REF = `ghcr.io/acme/drydock-backend@sha256:${"2".repeat(64)}`;
const IDENTITY = "https://github.com/acme/shop/.github/workflows/release.yml@refs/tags/v1.2.3";
const ISSUER = "https://token.actions.githubusercontent.com";
const PUBLIC_KEY = "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----\n";
const failing = reportText([langResult({ Vulnerabilities: [vulnerability()] })]);

const cosignExecs = (): ExecRecord[] => engine.execs().filter((e) => e.args[0] === "/ko-app/cosign");
const publishes = () => engine.evaluations.filter((e) => e.leaf.field === "publish");
const secret = (name: string, text: string): Secret => dag.setSecret(name, text);

/** The platform a chain's container was started on (`container(platform: …)`), or "(engine)" without one. */
function rootPlatform(chain: Chain): string {
  const root = chain[0];
  if (root?.field !== "container") return "(not a container)";
  return typeof root.args["platform"] === "string" ? root.args["platform"] : "(engine)";
}

/** Every container an image's chain is made from (itself included) was started on `platform`: no stage is shared with another platform. */
function expectOnlyOn(chain: Chain, platform: string): void {
  const containers = [chain, ...refsOf(chain).map((ref) => ref.chain)].filter((c) => c[0]?.field === "container");
  expect(containers.length).toBeGreaterThan(1);
  expect(new Set(containers.map(rootPlatform))).toEqual(new Set([platform]));
}

/** The platform of the image whose tarball a Trivy scan mounts. */
function scannedPlatform(chain: Chain): string | undefined {
  const source = chain.find((s) => s.field === "withMountedFile" && s.args["path"] === TARBALL)?.args["source"];
  return source instanceof ObjectRef ? rootPlatform(source.chain) : undefined;
}

const imageScans = (): ExecRecord[] => engine.execs().filter((e) => e.args[0] === "trivy" && e.args[1] === "image" && !e.args.includes("--download-db-only"));

function expectNoLeaks(): void {
  for (const canary of CANARIES) expect(engine.leaks(canary).filter((q) => !q.includes("setSecret"))).toEqual([]);
  expect(engine.evaluations.map((e) => e.leaf.field)).not.toContain("plaintext");
  const values = engine.stepsOf("withEnvVariable").map((s) => String(s.args["value"]));
  for (const canary of CANARIES) expect(values.filter((v) => v.includes(canary))).toEqual([]);
}

/** Every cosign step runs in the pinned image, as its user, on a digest. */
function expectCosignByDigest(execs: readonly ExecRecord[]): void {
  expect(execs.length).toBeGreaterThan(0);
  for (const exec of execs) {
    expect(exec.image).toBe(COSIGN_IMAGE);
    expect(exec.user).toBe("65532:65532");
    expect(exec.args.at(-1)).toMatch(/^[a-z0-9.:-]+\/[a-z0-9/._-]+@sha256:[a-f0-9]{64}$/);
  }
}

interface ReleaseOptions {
  registry?: string;
  gitSha?: string;
  username?: string;
  password?: Secret;
  tags?: string[];
  gitRef?: string;
  defaultBranch?: string;
  branch?: string;
  platforms?: string;
  key?: Secret;
  keyPassword?: Secret;
  identityToken?: Secret;
  publicKey?: File;
  certificateIdentity?: string;
  certificateOidcIssuer?: string;
  registryConfig?: Secret;
  airGapped?: boolean;
  builderId?: string;
}

/** `release` with named options, as the CLI passes them. */
const release = (d: Drydock, o: ReleaseOptions) =>
  d.release(
    o.registry ?? "ghcr.io/acme",
    o.gitSha ?? SHA,
    o.username,
    o.password,
    o.tags,
    o.gitRef,
    o.defaultBranch,
    o.branch,
    o.platforms ?? "linux/amd64",
    o.key,
    o.keyPassword,
    o.identityToken,
    o.publicKey,
    o.certificateIdentity,
    undefined,
    o.certificateOidcIssuer,
    undefined,
    o.registryConfig,
    o.airGapped,
    o.builderId,
  );

/** Key mode, air-gapped, logged in with a user and password: the laptop flow. */
const keyMode = (): ReleaseOptions => ({
  username: "acme-bot",
  password: secret("registry-password", REGISTRY_PASSWORD_CANARY),
  key: secret("cosign-key", KEY_CANARY),
  keyPassword: secret("cosign-password", KEY_PASSWORD_CANARY),
  publicKey: dag.file("cosign.pub", PUBLIC_KEY),
  gitRef: "refs/tags/v1.2.3",
  defaultBranch: "main",
  branch: "main",
  airGapped: true,
});

describe("publish", () => {
  it("builds each app once, pushes every computed tag with registry auth and annotations, and returns references by digest", async () => {
    answerTrivy(engine);
    const result = await withEngine(engine, async () => {
      const published = await drydock().publish("ghcr.io/acme", "acme-bot", secret("registry-password", REGISTRY_PASSWORD_CANARY), undefined, "refs/tags/v1.2.3", SHA, "main", "main", "linux/amd64");
      return published.images().map(({ app, repository, digest, reference, tags, platforms }) => ({ app, repository, digest, reference, tags, platforms }));
    });
    const tags = ["1.2.3", "1.2", "1", "latest", "sha-0123456"];
    expect(result).toEqual(
      ["backend", "frontend"].map((app) => ({
        app,
        repository: `ghcr.io/acme/drydock-${app}`,
        digest: expect.stringMatching(/^sha256:[a-f0-9]{64}$/),
        reference: expect.stringMatching(new RegExp(`^ghcr\\.io/acme/drydock-${app}@sha256:[a-f0-9]{64}$`)),
        tags,
        platforms: ["linux/amd64"],
      })),
    );
    expect(publishes().map((p) => p.leaf.args["address"])).toEqual(
      expect.arrayContaining(["backend", "frontend"].flatMap((app) => tags.map((tag) => `ghcr.io/acme/drydock-${app}:${tag}`))),
    );
    for (const p of publishes()) {
      expect(p.chain.find((s) => s.field === "withRegistryAuth")?.args).toMatchObject({ address: "ghcr.io", username: "acme-bot" });
      const annotations = Object.fromEntries(p.chain.filter((s) => s.field === "withAnnotation").map((s) => [s.args["name"], s.args["value"]]));
      expect(annotations).toMatchObject({ "org.opencontainers.image.revision": SHA, "org.opencontainers.image.base.digest": expect.stringMatching(/^sha256:/) });
      expect(p.leaf.args["platformVariants"]).toBeUndefined();
    }
    // One build per app (and per platform): the build command ran once for each.
    expect(engine.execs().filter((e) => e.args.join(" ") === "pnpm run build")).toHaveLength(2);
    expectNoLeaks();
  });

  it("builds every app once per platform, each chain on its platform from the first stage, and pushes one index with every variant", async () => {
    answerTrivy(engine);
    const result = await withEngine(engine, async () => {
      // The default --platforms: linux/amd64,linux/arm64.
      const published = await drydock().publish("ghcr.io/acme", undefined, undefined, ["1.2.3"], undefined, SHA);
      return published.images().map(({ app, platforms }) => ({ app, platforms }));
    });
    expect(result).toEqual(["backend", "frontend"].map((app) => ({ app, platforms: ["linux/amd64", "linux/arm64"] })));

    // pnpm downloads, installs and builds within each platform's own chain: twice per app, once on each platform.
    for (const command of ["pnpm fetch", "pnpm install", "pnpm run build"]) {
      const runs = engine.execs().filter((e) => e.args.join(" ").startsWith(command));
      expect(runs.map((e) => rootPlatform(e.chain)).sort(), command).toEqual(["linux/amd64", "linux/amd64", "linux/arm64", "linux/arm64"]);
      for (const run of runs) expect(run.chain.some((s) => s.field === "from" && s.args["address"] === run.image)).toBe(true);
    }

    // One index per app: the amd64 variant publishes with the arm64 variant as its platformVariants.
    expect(publishes().map((p) => p.leaf.args["address"]).sort()).toEqual(["ghcr.io/acme/drydock-backend:1.2.3", "ghcr.io/acme/drydock-frontend:1.2.3"]);
    for (const p of publishes()) {
      const variants = p.leaf.args["platformVariants"];
      expect(Array.isArray(variants) && variants.length).toBe(1);
      const arm64 = (variants as ObjectRef[])[0]!;
      expect(arm64).toBeInstanceOf(ObjectRef);
      expectOnlyOn(p.chain, "linux/amd64");
      expectOnlyOn(arm64.chain, "linux/arm64");
      // Both variants carry the annotations.
      for (const chain of [p.chain, arm64.chain]) expect(chain.filter((s) => s.field === "withAnnotation").length).toBeGreaterThan(0);
    }
  });

  it.each([
    { name: "an unknown platform", platforms: "linux/s390x", message: /--platforms: unknown platform "linux\/s390x" — supported: linux\/amd64, linux\/arm64/ },
    { name: "an empty platform list", platforms: " , ", message: /--platforms is empty/ },
  ])("refuses $name before anything is built or pushed", async ({ platforms, message }) => {
    const error = await rejectionOf(withEngine(engine, () => drydock().publish("ghcr.io/acme", undefined, undefined, undefined, undefined, SHA, undefined, undefined, platforms)));
    expect(error.message).toMatch(message);
    expect(engine.execs()).toEqual([]);
    expect(publishes()).toEqual([]);
  });

  it.each([
    { name: "neither tags nor a commit", args: [undefined, undefined], message: /no tags — pass --git-sha \$\(git rev-parse HEAD\)/ },
    { name: "a registry with a tag", registry: "ghcr.io/acme:1", args: [["x"], undefined], message: /--registry "ghcr.io\/acme:1": give a registry and namespace without tag or digest/ },
    { name: "a password without a user", password: true, args: [["x"], undefined], message: /--password was given without --username/ },
  ])("refuses $name", async ({ registry, password, args, message }) => {
    const error = await rejectionOf(
      withEngine(engine, () =>
        drydock().publish(registry ?? "ghcr.io/acme", undefined, password ? secret("registry-password", REGISTRY_PASSWORD_CANARY) : undefined, args[0] as string[] | undefined, undefined, args[1] as string | undefined, undefined, undefined, "linux/amd64"),
      ),
    );
    expect(error.message).toMatch(message);
    expect(publishes()).toEqual([]);
  });
});

describe("sign, attest and verify", () => {
  it("signs by digest with the publish login handed to cosign as COSIGN_REGISTRY_USERNAME and a secret COSIGN_REGISTRY_PASSWORD", async () => {
    const signed = await withEngine(engine, () =>
      drydock().sign(`ghcr.io/acme/drydock-backend:1.2.3@${REF.split("@")[1]}`, secret("cosign-key", KEY_CANARY), secret("cosign-password", KEY_PASSWORD_CANARY), undefined, undefined, "acme-bot", secret("registry-password", REGISTRY_PASSWORD_CANARY), true),
    );
    expect(signed).toBe(REF);
    const [exec, ...others] = cosignExecs();
    expect(others).toEqual([]);
    expectCosignByDigest([exec!]);
    expect(exec!.args).toEqual(["/ko-app/cosign", "sign", "--yes", "--key", "env://COSIGN_KEY", "--tlog-upload=false", "--use-signing-config=false", REF]);
    expect(exec!.env["COSIGN_REGISTRY_USERNAME"]).toBe("acme-bot");
    expect(Object.keys(exec!.secretEnv).sort()).toEqual(["COSIGN_KEY", "COSIGN_PASSWORD", "COSIGN_REGISTRY_PASSWORD"]);
    expect(exec!.env["DRYDOCK_RELEASE_RUN"]).toMatch(/^[0-9a-f-]{36}$/);
    expectNoLeaks();
  });

  it("gives each call a run ID of its own, so no signature is served from the engine's cache", async () => {
    await withEngine(engine, async () => {
      const d = drydock();
      await d.sign(REF, secret("cosign-key", KEY_CANARY), undefined, undefined, undefined, undefined, undefined, true);
      await d.sign(REF, secret("cosign-key", KEY_CANARY), undefined, undefined, undefined, undefined, undefined, true);
    });
    const runs = cosignExecs().map((e) => e.env["DRYDOCK_RELEASE_RUN"]);
    expect(runs).toHaveLength(2);
    expect(new Set(runs).size).toBe(2);
  });

  it.each([
    { name: "a tag without digest", ref: "ghcr.io/acme/drydock-backend:1.2.3", key: true, message: /has no digest: cosign signs and verifies an image by digest only.*crane digest ghcr\.io\/acme\/drydock-backend:1\.2\.3/s },
    { name: "neither a key nor a token", ref: REF, key: false, message: /no signing identity — either\n {2}keyless.*id-token: write.*\n {2}key \(laptop, air-gapped\)/s },
    { name: "a registry config and a login", ref: REF, key: true, both: true, message: /give the registry login once/ },
  ])("sign refuses $name before cosign runs", async ({ ref, key, both, message }) => {
    const error = await rejectionOf(
      withEngine(engine, () =>
        drydock().sign(
          ref,
          key ? secret("cosign-key", KEY_CANARY) : undefined,
          undefined,
          undefined,
          both ? secret("registry-config", CONFIG_CANARY) : undefined,
          both ? "acme-bot" : undefined,
          both ? secret("registry-password", REGISTRY_PASSWORD_CANARY) : undefined,
          false,
        ),
      ),
    );
    expect(error.message).toMatch(message);
    expect(cosignExecs()).toEqual([]);
  });

  it.each([
    {
      name: "a file that is no PEM",
      stderr:
        "Flag --tlog-upload has been deprecated, prefer using a --signing-config file with no transparency log services\nError: signing [ghcr.io/acme/drydock-backend@sha256:2222222222222222222222222222222222222222222222222222222222222222]: signing digest: getting keypair and token: getting signer: reading key: invalid pem block\nerror during command execution: signing [ghcr.io/acme/drydock-backend@sha256:2222222222222222222222222222222222222222222222222222222222222222]: signing digest: getting keypair and token: getting signer: reading key: invalid pem block\n",
    },
    {
      name: "a PEM that does not decrypt",
      stderr:
        "Flag --tlog-upload has been deprecated, prefer using a --signing-config file with no transparency log services\nError: signing [ghcr.io/acme/drydock-backend@sha256:2222222222222222222222222222222222222222222222222222222222222222]: signing digest: getting keypair and token: getting signer: reading key: decrypt: invalid character 'o' in literal null (expecting 'u')\nerror during command execution: signing [ghcr.io/acme/drydock-backend@sha256:2222222222222222222222222222222222222222222222222222222222222222]: signing digest: getting keypair and token: getting signer: reading key: decrypt: invalid character 'o' in literal null (expecting 'u')\n",
    },
  ])("maps a malformed key ($name, cosign v3.1.3's own stderr) to one clear error", async ({ stderr }) => {
    engine.addRule({ when: execStartsWith("/ko-app/cosign", "sign"), exitCode: 1, stderr });
    const error = await rejectionOf(withEngine(engine, () => drydock().sign(REF, secret("cosign-key", KEY_CANARY), secret("cosign-password", KEY_PASSWORD_CANARY), undefined, undefined, undefined, undefined, true)));
    expect(error).toMatchObject({ name: "CosignError", kind: "bad-key", exitCode: 1 });
    expect(error.message).toMatch(/the private key could not be read — pass the PEM made by `cosign generate-key-pair` as --key/);
    expectNoLeaks();
  });

  it("attests the SBOM, the Trivy report converted in the configured Trivy image, and a provenance file", async () => {
    const types = await withEngine(engine, () =>
      drydock().attest(REF, dag.file("sbom.cdx.json", "{}"), dag.file("trivy.json", "{}"), dag.file("provenance.json", "{}"), undefined, undefined, secret("oidc", TOKEN_CANARY), undefined, undefined, undefined, false),
    );
    expect(types).toEqual(["cyclonedx", "vuln", "slsaprovenance1"]);
    const execs = cosignExecs();
    expectCosignByDigest(execs);
    expect(execs.map((e) => e.args.slice(1, 5))).toEqual(types.map((t) => ["attest", "--yes", "--type", t]));
    for (const exec of execs) expect(exec.secretEnv).toEqual({ SIGSTORE_ID_TOKEN: 'setSecret(name: "oidc", plaintext: "***")' });
    expect(engine.execs().find((e) => e.args[0] === "trivy")?.args.slice(0, 4)).toEqual(["trivy", "convert", "--format", "cosign-vuln"]);
    expectNoLeaks();
  });

  it("verifies keyless and returns what it checked and whom it trusted", async () => {
    const result = await withEngine(engine, async () => {
      const v = await drydock().verify(REF, undefined, IDENTITY, undefined, ISSUER, undefined, ["vuln", "cyclonedx"]);
      return { ...v };
    });
    expect(result).toEqual({
      reference: REF,
      mode: "keyless",
      publicKeyDigest: "",
      identity: IDENTITY,
      issuer: ISSUER,
      signature: true,
      attestations: ["cyclonedx", "vuln"],
      transparencyLog: true,
    });
    expect(cosignExecs().map((e) => e.args.slice(1, 4))).toEqual([
      ["verify", "--certificate-identity", IDENTITY],
      ["verify-attestation", "--type", "cyclonedx"],
      ["verify-attestation", "--type", "vuln"],
    ]);
  });

  it("verifies the signature alone with an empty attestation list, and refuses an unknown type", async () => {
    const v = await withEngine(engine, async () => ({ ...(await drydock().verify(REF, dag.file("cosign.pub", PUBLIC_KEY), undefined, undefined, undefined, undefined, [], undefined, undefined, undefined, true)) }));
    expect(v).toMatchObject({ mode: "key", publicKeyDigest: expect.stringMatching(/^sha256:/), attestations: [], transparencyLog: false });
    expect(cosignExecs().map((e) => e.args[1])).toEqual(["verify"]);
    const error = await rejectionOf(withEngine(engine, () => drydock().verify(REF, dag.file("cosign.pub", PUBLIC_KEY), undefined, undefined, undefined, undefined, ["spdx"])));
    expect(error.message).toMatch(/--attestations: unknown type "spdx" — drydock attests cyclonedx, vuln, slsaprovenance1/);
  });
});

describe("release", () => {
  it("stops before anything is published when the gate fails, and says so above the summary", async () => {
    answerTrivy(engine, { frontend: failing });
    const error = await rejectionOf(withEngine(engine, () => release(drydock(), keyMode())));
    expect(error).toBeInstanceOf(GateFailedError);
    expect(error.message).toMatch(/^release stopped: the policy gate failed, so nothing was published, signed or attested\.\n\n/);
    expect(error.message).toContain("Security gate failed: frontend");
    expect(publishes()).toEqual([]);
    expect(cosignExecs()).toEqual([]);
    expectNoLeaks();
  });

  it("publishes, signs, attests three predicates and verifies each image by digest, and writes release.json into the reports", async () => {
    answerTrivy(engine);
    const { released, manifest, entries, images } = await withEngine(engine, async () => {
      const released = await release(drydock(), keyMode());
      return {
        released,
        manifest: JSON.parse(await released.manifest.contents()) as Record<string, unknown>,
        entries: await released.reports.entries(),
        images: released.images().map((i) => ({ ...i })),
      };
    });
    expect(entries).toEqual(expect.arrayContaining(["backend/", "frontend/", "lint/", "summary.md", "release.json"]));
    expect(released).toMatchObject({ revision: SHA, signerMode: "key", signerIdentity: "", transparencyLog: false });
    expect(manifest).toMatchObject({
      schemaVersion: 1,
      source: { revision: SHA, ref: "refs/tags/v1.2.3" },
      gate: { passed: true },
      signer: { mode: "key", transparencyLog: false },
    });
    const tags = ["1.2.3", "1.2", "1", "latest", "sha-0123456"];
    expect(images).toEqual(
      ["backend", "frontend"].map((app) =>
        expect.objectContaining({ app, repository: `ghcr.io/acme/drydock-${app}`, tags, platforms: ["linux/amd64"], signed: true, attestations: ["cyclonedx", "vuln", "slsaprovenance1"], verified: true }),
      ),
    );
    expect(manifest["images"]).toEqual(images);

    // cosign: per image sign, three attestations, verify and three verify-attestations — all on the published digest.
    const execs = cosignExecs();
    expectCosignByDigest(execs);
    for (const image of images) {
      const on = execs.filter((e) => e.args.at(-1) === image.reference);
      expect(on.map((e) => [e.args[1], e.args[e.args.indexOf("--type") + 1] ?? ""])).toEqual([
        ["sign", "/ko-app/cosign"],
        ["attest", "cyclonedx"],
        ["attest", "vuln"],
        ["attest", "slsaprovenance1"],
        ["verify", "/ko-app/cosign"],
        ["verify-attestation", "cyclonedx"],
        ["verify-attestation", "vuln"],
        ["verify-attestation", "slsaprovenance1"],
      ].map(([command, type]) => [command, command === "sign" || command === "verify" ? expect.any(String) : type]));
    }
    // One run ID for the whole release; cosign logs in with the publish login.
    expect(new Set(execs.map((e) => e.env["DRYDOCK_RELEASE_RUN"])).size).toBe(1);
    for (const exec of execs) expect(exec.env["COSIGN_REGISTRY_USERNAME"]).toBe("acme-bot");
    expect(engine.execs().filter((e) => e.args.join(" ") === "pnpm run build")).toHaveLength(2);
    expectNoLeaks();
  });

  it("releases the apps of a pnpm workspace, their provenance naming the workspace's root lockfile, read before anything is pushed", async () => {
    answerTrivy(engine);
    // examples/workspace's images have other titles than answerTrivy's defaults: clean reports for them too.
    for (const title of ["workspace-api", "workspace-web"]) engine.addRule({ when: both(fileAt(TRIVY_REPORT), scanOf(title)), contents: reportText() });
    const images = await withEngine(engine, async () => (await release(drydock("examples/workspace"), keyMode())).images().map((i) => ({ ...i })));
    expect(images.map((i) => [i.app, i.repository, i.verified])).toEqual([
      ["backend", "ghcr.io/acme/workspace-api", true],
      ["frontend", "ghcr.io/acme/workspace-web", true],
    ]);
    // The provenance's resolved dependencies: one lockfile, the root's, by its sha256.
    const lockfile = readFileSync(path.join(repoRoot, "examples/workspace/pnpm-lock.yaml"));
    const provenances = engine.stepsOf("file").filter((s) => s.args["name"] === "slsaprovenance1.json").map((s) => JSON.parse(String(s.args["contents"])) as { buildDefinition: { resolvedDependencies: { name?: string; digest: { sha256: string } }[] } });
    expect(provenances.length).toBeGreaterThanOrEqual(2);
    const sha256 = createHash("sha256").update(lockfile).digest("hex");
    for (const provenance of provenances) {
      expect(provenance.buildDefinition.resolvedDependencies.filter((d) => d.name?.endsWith("pnpm-lock.yaml"))).toEqual([{ name: "pnpm-lock.yaml", digest: { sha256 } }]);
    }
  });

  it("signs keyless with the OIDC token and records the verified identity in the manifest", async () => {
    answerTrivy(engine);
    const released = await withEngine(engine, () =>
      release(drydock(), {
        identityToken: secret("oidc", TOKEN_CANARY),
        certificateIdentity: IDENTITY,
        certificateOidcIssuer: ISSUER,
        registryConfig: secret("registry-config", CONFIG_CANARY),
        builderId: "https://github.com/acme/shop/.github/workflows/release.yml@refs/tags/v1.2.3",
      }),
    );
    expect(released).toMatchObject({ signerMode: "keyless", signerIdentity: IDENTITY, signerIssuer: ISSUER, transparencyLog: true });
    const signs = cosignExecs().filter((e) => e.args[1] === "sign");
    expect(signs).toHaveLength(2);
    for (const exec of signs) {
      expect(exec.secretEnv).toEqual({ SIGSTORE_ID_TOKEN: 'setSecret(name: "oidc", plaintext: "***")' });
      expect(exec.mounts["/drydock/docker/config.json"]).toMatchObject({ kind: "secret" });
      expect(exec.env["COSIGN_REGISTRY_USERNAME"]).toBeUndefined();
    }
    expectNoLeaks();
  });

  it("names the digests pushed unsigned when signing fails after publish", async () => {
    answerTrivy(engine);
    engine.addRule({
      when: execStartsWith("/ko-app/cosign", "sign"),
      exitCode: 1,
      stderr: "Error: signing [ghcr.io/acme/drydock-backend@sha256:…]: PUT https://ghcr.io/v2/acme/drydock-backend/manifests/sha256-….sig: DENIED: permission_denied: write_package\n",
    });
    const error = await rejectionOf(withEngine(engine, () => release(drydock(), keyMode())));
    expect(error.message).toMatch(/the registry refused the credentials/);
    expect(error.message).toMatch(/These images were published but are NOT signed or attested:\n {2}backend: ghcr\.io\/acme\/drydock-backend@sha256:[a-f0-9]{64}\n {2}frontend: ghcr\.io\/acme\/drydock-frontend@sha256:[a-f0-9]{64}\n/);
    expect(publishes().length).toBeGreaterThan(0);
    expectNoLeaks();
  });

  it("on two platforms, scans and gates every variant with one DB refresh, publishes exactly those as one index, and attests each variant's SBOM and vulnerability report", async () => {
    answerTrivy(engine);
    const { manifest, entries, summary } = await withEngine(engine, async () => {
      const released = await release(drydock(), { ...keyMode(), platforms: "linux/amd64,linux/arm64" });
      return {
        manifest: JSON.parse(await released.manifest.contents()) as { images: { app: string; platforms: string[]; reference: string; attestations: string[] }[]; gate: { summary: string } },
        entries: await released.reports.entries(),
        summary: await released.reports.file("summary.md").contents(),
      };
    });
    // Four image scans, one per app and platform, each of an image built on its platform; one DB download for all.
    expect(imageScans().map((e) => `${scannedImageTitle(e.chain)} ${scannedPlatform(e.chain)}`).sort()).toEqual([
      "drydock-backend linux/amd64",
      "drydock-backend linux/arm64",
      "drydock-frontend linux/amd64",
      "drydock-frontend linux/arm64",
    ]);
    expect(engine.execs().filter((e) => e.args.includes("--download-db-only"))).toHaveLength(1);
    expect(entries).toEqual(expect.arrayContaining(["backend-linux-amd64/", "backend-linux-arm64/", "frontend-linux-amd64/", "frontend-linux-arm64/", "lint/", "summary.md", "release.json"]));
    for (const name of ["backend-linux-amd64", "backend-linux-arm64", "frontend-linux-amd64", "frontend-linux-arm64"]) {
      expect(summary).toContain(`Security gate passed: ${name}`);
      expect(manifest.gate.summary).toContain(`Security gate passed: ${name}`);
    }

    // What is published is what was scanned: each index's variants are the very images whose tarballs Trivy read.
    const scannedImages = new Set(imageScans().map((e) => JSON.stringify((e.chain.find((s) => s.field === "withMountedFile" && s.args["path"] === TARBALL)!.args["source"] as ObjectRef).chain.slice(0, -1))));
    for (const p of publishes()) {
      const variants = p.leaf.args["platformVariants"] as ObjectRef[];
      expect(variants).toHaveLength(1);
      for (const chain of [p.chain, variants[0]!.chain]) {
        const image = chain.slice(0, chain.findIndex((s) => s.field === "withAnnotation"));
        expect(scannedImages.has(JSON.stringify(image))).toBe(true);
      }
    }
    expect(manifest.images.map((i) => ({ app: i.app, platforms: i.platforms }))).toEqual(["backend", "frontend"].map((app) => ({ app, platforms: ["linux/amd64", "linux/arm64"] })));

    // Per index: one SBOM and one vulnerability report per variant, one provenance naming both platforms.
    for (const image of manifest.images) {
      const attests = cosignExecs().filter((e) => e.args[1] === "attest" && e.args.at(-1) === image.reference);
      expect(attests.map((e) => e.args[e.args.indexOf("--type") + 1])).toEqual(["cyclonedx", "cyclonedx", "vuln", "vuln", "slsaprovenance1"]);
      for (const type of ["cyclonedx", "vuln"] as const) {
        const files = attests.filter((e) => e.args.includes(type)).map((e) => e.mounts[predicatePath(type)]?.source);
        expect(new Set(files).size, `two different ${type} predicates`).toBe(2);
      }
      expect(image.attestations).toEqual(["cyclonedx", "vuln", "slsaprovenance1"]);
    }
    expect(engine.execs().filter((e) => e.args.join(" ") === "pnpm run build")).toHaveLength(4);
    // The smoke test runs the engine's platform's variant (the fake engine's is linux/amd64), migrations in that variant's build stage.
    const migrations = engine.execs().filter((e) => e.args.join(" ") === "pnpm exec prisma migrate deploy");
    expect(migrations.map((e) => rootPlatform(e.chain))).toEqual(["linux/amd64"]);
    expectNoLeaks();
  });

  it("stops before anything is published when one platform's variant fails the gate", async () => {
    answerTrivy(engine);
    engine.addRule({ when: both(fileAt(TRIVY_REPORT), scanOf("drydock-frontend"), (chain) => scannedPlatform(chain) === "linux/arm64"), contents: failing });
    const error = await rejectionOf(withEngine(engine, () => release(drydock(), { ...keyMode(), platforms: "linux/amd64,linux/arm64" })));
    expect(error).toBeInstanceOf(GateFailedError);
    expect(error.message).toMatch(/^release stopped: the policy gate failed, so nothing was published, signed or attested\.\n\n/);
    expect(error.message).toContain("Security gate failed: frontend-linux-arm64");
    expect(error.message).toContain("Security gate passed: frontend-linux-amd64");
    expect(imageScans()).toHaveLength(4);
    expect(publishes()).toEqual([]);
    expect(cosignExecs()).toEqual([]);
  });

  it.each([
    { name: "neither a key nor a token", options: { publicKey: undefined }, message: /no signing identity — either/ },
    { name: "a key without the public key to verify with", options: { key: true }, message: /nothing to trust — either --public-key/ },
    { name: "a key with a keyless identity to verify", options: { key: true, certificateIdentity: IDENTITY, certificateOidcIssuer: ISSUER }, message: /release signs with --key, so it verifies with the public key/ },
    { name: "keyless and air-gapped", options: { token: true, certificateIdentity: IDENTITY, certificateOidcIssuer: ISSUER, airGapped: true }, message: /keyless signing needs Fulcio and Rekor, so it cannot be air-gapped/ },
    { name: "a short commit", options: { key: true, publicKey: true, gitSha: "0123456" }, message: /provenance: revision "0123456" is not a full commit SHA/ },
    { name: "a builder id that is no URI", options: { key: true, publicKey: true, builderId: "my laptop" }, message: /provenance: builder id "my laptop" is not a URI/ },
    { name: "an unknown platform", options: { key: true, publicKey: true, platforms: "linux/amd64,linux/riscv64" }, message: /--platforms: unknown platform "linux\/riscv64" — supported: linux\/amd64, linux\/arm64/ },
  ])("refuses $name before anything is built", async ({ options, message }) => {
    const o = options as Record<string, unknown>;
    const error = await rejectionOf(
      withEngine(engine, () =>
        release(drydock(), {
          ...(o["key"] ? { key: secret("cosign-key", KEY_CANARY) } : {}),
          ...(o["token"] ? { identityToken: secret("oidc", TOKEN_CANARY) } : {}),
          ...(o["publicKey"] ? { publicKey: dag.file("cosign.pub", PUBLIC_KEY) } : {}),
          ...(o["certificateIdentity"] ? { certificateIdentity: IDENTITY, certificateOidcIssuer: ISSUER } : {}),
          ...(o["airGapped"] ? { airGapped: true } : {}),
          ...(o["gitSha"] ? { gitSha: o["gitSha"] as string } : {}),
          ...(o["builderId"] ? { builderId: o["builderId"] as string } : {}),
          ...(o["platforms"] ? { platforms: o["platforms"] as string } : {}),
        }),
      ),
    );
    expect(error.message).toMatch(message);
    expect(engine.execs()).toEqual([]);
    expect(publishes()).toEqual([]);
  });
});
