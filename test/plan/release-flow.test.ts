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
import { beforeEach, describe, expect, it } from "vitest";
import type { Drydock } from "../../dagger/src/index.ts";
import { GateFailedError } from "../../dagger/src/objects/gate-error.ts";
import { MIGRATE_ENTRYPOINT } from "../../dagger/src/images/migrations.ts";
import { COSIGN_IMAGE, predicatePath } from "../../dagger/src/release/index.ts";
import { execIncludes, execStartsWith } from "../support/fake-engine/rules.js";
import { useFakeEngine, withEngine, type ExecRecord } from "../support/fake-engine/index.js";
import { ObjectRef, type Chain } from "../support/fake-engine/index.js";
import { fileAt } from "../support/fake-engine/rules.js";
import { NODE_IMAGE } from "../../dagger/src/images/defaults.ts";
import { answerTrivy, both, drydock, refsOf, rejectionOf, reportText, scannedImageTitle, scanOf, TARBALL, TRIVY_REPORT } from "../support/plan-helpers.js";
import { repoRoot } from "../support/paths.js";
import { answerPlatformProbes, answerRelease, imageManifest, indexManifest, isManifestRead, isPlatformProbe, pushesOf, serveManifest } from "../support/release/plan-answers.js";
import { langResult, vulnerability } from "../support/trivy-reports.js";

const engine = useFakeEngine();

const KEY_CANARY = "-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\nkey-canary-3e81aa\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n";
const KEY_PASSWORD_CANARY = "key-password-canary-77c2";
const TOKEN_CANARY = "eyJ-oidc-canary-c4d9";
const REGISTRY_PASSWORD_CANARY = "registry-password-canary-91fe";
const CONFIG_CANARY = '{"auths":{"ghcr.io":{"auth":"Y29uZmlnLWNhbmFyeS1mbG93"}}}';
const CANARIES = [KEY_CANARY, "key-canary-3e81aa", KEY_PASSWORD_CANARY, TOKEN_CANARY, REGISTRY_PASSWORD_CANARY, CONFIG_CANARY, "Y29uZmlnLWNhbmFyeS1mbG93"];

const SHA = "0123456789abcdef0123456789abcdef01234567";
/** An image the fake registry serves (serveManifest): sign, attest and verify first ask what a reference is. */
const SERVED = imageManifest("drydock-backend linux/amd64");
const REF = `ghcr.io/acme/drydock-backend@${SERVED.digest}`;
const IDENTITY = "https://github.com/acme/shop/.github/workflows/release.yml@refs/tags/v1.2.3";
const ISSUER = "https://token.actions.githubusercontent.com";
const PUBLIC_KEY = "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----\n";
const failing = reportText([langResult({ Vulnerabilities: [vulnerability()] })]);

/** cosign's signing and verifying steps (the pushes, cosign load, are publishes()). */
const cosignExecs = (): ExecRecord[] => engine.execs().filter((e) => e.args[0] === "/ko-app/cosign" && e.args[1] !== "load");
/** How a signature is verified: the statement of the type cosign v3 signs with (`cosign verify` would take any attestation). */
const SIGNATURE = "https://sigstore.dev/cosign/sign/v1";
const TRUSTED_ROOT = JSON.stringify({ mediaType: "application/vnd.dev.sigstore.trustedroot+json;version=0.1", certificateAuthorities: [{}], tlogs: [{}], ctlogs: [], timestampAuthorities: [{}] });
const SIGNING_CONFIG = JSON.stringify({ mediaType: "application/vnd.dev.sigstore.signingconfig.v0.2+json", caUrls: [{ url: "http://fulcio.internal" }], rekorTlogUrls: [{ url: "http://rekor.internal" }], tsaUrls: [] });
const publishes = () => pushesOf(engine);
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
    answerPlatformProbes(engine);
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
    expect(publishes().map((p) => p.address)).toEqual(
      expect.arrayContaining(["backend", "frontend"].flatMap((app) => tags.map((tag) => `ghcr.io/acme/drydock-${app}:${tag}`))),
    );
    for (const p of publishes()) {
      // cosign pushes with the login given: the user in the environment, the password a secret variable.
      expect(p.exec.env["COSIGN_REGISTRY_USERNAME"]).toBe("acme-bot");
      expect(Object.keys(p.exec.secretEnv)).toEqual(["COSIGN_REGISTRY_PASSWORD"]);
      const annotations = Object.fromEntries(p.chain.filter((s) => s.field === "withAnnotation").map((s) => [s.args["name"], s.args["value"]]));
      expect(annotations).toMatchObject({ "org.opencontainers.image.revision": SHA, "org.opencontainers.image.base.digest": expect.stringMatching(/^sha256:/) });
      expect(p.platformVariants).toBeUndefined();
    }
    // Each app's image went out under one digest, the same for every tag.
    for (const app of result) expect(publishes().filter((p) => p.address.startsWith(`${app.repository}:`))).toHaveLength(tags.length);
    // One build per app (and per platform): the build command ran once for each.
    expect(engine.execs().filter((e) => e.args.join(" ") === "pnpm run build")).toHaveLength(2);
    expectNoLeaks();
  });

  it("pushes with a Docker config.json (--registry-config) mounted for cosign's user, and nothing else of the login", async () => {
    answerTrivy(engine);
    answerPlatformProbes(engine);
    await withEngine(engine, () => drydock().publish("ghcr.io/acme", undefined, undefined, ["1.2.3"], undefined, SHA, undefined, undefined, "linux/amd64", secret("registry-config", CONFIG_CANARY)));
    expect(publishes().map((p) => p.address).sort()).toEqual(["ghcr.io/acme/drydock-backend:1.2.3", "ghcr.io/acme/drydock-frontend:1.2.3"]);
    for (const p of publishes()) {
      expect(p.exec.mounts["/drydock/docker/config.json"]).toEqual({ kind: "secret", source: 'setSecret(name: "registry-config", plaintext: "***")', options: { owner: "65532:65532", mode: 0o400 } });
      expect(p.exec.env["DOCKER_CONFIG"]).toBe("/drydock/docker");
      expect(p.exec.env["COSIGN_REGISTRY_USERNAME"]).toBeUndefined();
      expect(p.exec.secretEnv).toEqual({});
    }
    expectNoLeaks();
  });

  it("builds every app once per platform, each chain on its platform from the first stage, and pushes one index with every variant", async () => {
    answerTrivy(engine);
    answerPlatformProbes(engine);
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
    expect(publishes().map((p) => p.address).sort()).toEqual(["ghcr.io/acme/drydock-backend:1.2.3", "ghcr.io/acme/drydock-frontend:1.2.3"]);
    for (const p of publishes()) {
      const variants = p.platformVariants;
      expect(Array.isArray(variants) && variants.length).toBe(1);
      const arm64 = (variants as ObjectRef[])[0]!;
      expect(arm64).toBeInstanceOf(ObjectRef);
      expectOnlyOn(p.chain, "linux/amd64");
      expectOnlyOn(arm64.chain, "linux/arm64");
      // Both variants carry the annotations.
      for (const chain of [p.chain, arm64.chain]) expect(chain.filter((s) => s.field === "withAnnotation").length).toBeGreaterThan(0);
    }

    // Every variant pushed was first proven to be its platform: node in it, and in its build image on that platform, said so.
    const probes = engine.execs().filter((e) => isPlatformProbe(e.chain));
    for (const p of publishes()) {
      for (const chain of [p.chain, p.platformVariants![0]!.chain]) {
        const image = JSON.stringify(chain.slice(0, chain.findIndex((s) => s.field === "withAnnotation")));
        expect(probes.filter((e) => JSON.stringify(e.chain.slice(0, -1)) === image)).toHaveLength(1);
      }
    }
    expect(probes.filter((e) => e.chain.length === 3).map((e) => `${rootPlatform(e.chain)} ${e.image}`).sort()).toEqual(["linux/amd64", "linux/arm64"].map((p) => `${p} ${NODE_IMAGE}`));
  });

  it.each([
    {
      name: "a variant whose node runs as the engine's platform (a base without linux/arm64, on an engine without emulation)",
      rule: { when: (chain: Chain) => isPlatformProbe(chain) && rootPlatform(chain) === "linux/arm64" && chain.length > 3, stdout: "linux/x64\n" },
      message:
        /^--platforms linux\/arm64: the (backend|frontend) variant's runtime image docker\.io\/library\/node:[^ ]+@sha256:[a-f0-9]{64}: found it runs as linux\/amd64 \(node in it printed "linux\/x64"\): the image has no linux\/arm64 variant, so the engine built linux\/amd64 files and would publish them as linux\/arm64, expected node to report linux\/arm64 — pin a multi-platform runtime image whose index lists linux\/arm64 \(with-runtime-image --runtime-image=name:tag@sha256:<index digest>\), or build only the platforms it has, e\.g\. --platforms=linux\/amd64$/,
    },
    {
      name: "a build image without the platform (pnpm would pick the engine's native packages)",
      rule: { when: (chain: Chain) => isPlatformProbe(chain) && rootPlatform(chain) === "linux/arm64" && chain.length === 3, stdout: "linux/x64\n" },
      message: /^--platforms linux\/arm64: the (backend|frontend) variant's build image docker\.io\/library\/node:[^ ]+: found it runs as linux\/amd64 .*with-build-image --build-image=name:tag@sha256:<index digest>/,
    },
    {
      name: "a variant the engine cannot run (no emulation registered)",
      rule: { when: (chain: Chain) => isPlatformProbe(chain) && rootPlatform(chain) === "linux/arm64", exitCode: 1, stderr: "exec /usr/local/bin/node: exec format error\n" },
      message:
        /^--platforms linux\/arm64: the (backend|frontend) variant's (build|runtime) image [^ ]+: found node in it could not run \(exit 1: exec \/usr\/local\/bin\/node: exec format error\): the engine cannot execute linux\/arm64 programs, expected a linux\/arm64 engine, or one with linux\/arm64 emulation registered — register emulation on the engine's host \(e\.g\. `docker run --privileged --rm tonistiigi\/binfmt --install arm64`, then restart the engine\), run the release on a linux\/arm64 engine, or leave linux\/arm64 out, e\.g\. --platforms=linux\/amd64$/,
    },
  ])("refuses $name, naming the platform, what node said and how to fix it, and pushes nothing", async ({ rule, message }) => {
    answerTrivy(engine);
    answerPlatformProbes(engine);
    engine.addRule(rule);
    const error = await rejectionOf(withEngine(engine, () => drydock().publish("ghcr.io/acme", undefined, undefined, ["1.2.3"], undefined, SHA)));
    expect(error.name).toBe("ArgumentError");
    expect(error.message).toMatch(message);
    expect(publishes()).toEqual([]);
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
    { name: "two logins, a user and a registry config", user: true, password: true, config: true, args: [["x"], undefined], message: /give the registry login once — either --registry-config/ },
  ])("refuses $name", async ({ registry, user, password, config, args, message }) => {
    answerPlatformProbes(engine);
    const error = await rejectionOf(
      withEngine(engine, () =>
        drydock().publish(
          registry ?? "ghcr.io/acme",
          user ? "acme-bot" : undefined,
          password ? secret("registry-password", REGISTRY_PASSWORD_CANARY) : undefined,
          args[0] as string[] | undefined,
          undefined,
          args[1] as string | undefined,
          undefined,
          undefined,
          "linux/amd64",
          config ? secret("registry-config", CONFIG_CANARY) : undefined,
        ),
      ),
    );
    expect(error.message).toMatch(message);
    expect(publishes()).toEqual([]);
  });
});

describe("sign, attest and verify", () => {
  // The registry behind REF: each function first asks it what the reference is.
  beforeEach(() => serveManifest(engine, SERVED));

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
    // The registry was asked what REF is first, with the same login, by its digest, in the runtime image as cosign's user.
    const [read, ...otherReads] = engine.execs().filter((e) => isManifestRead(e.chain));
    expect(otherReads).toEqual([]);
    expect(read!.image).toBe(NODE_IMAGE);
    expect(read!.user).toBe("65532:65532");
    expect(read!.args.slice(3)).toEqual(["ghcr.io", "acme/drydock-backend", SERVED.digest, "https"]);
    expect(read!.env["COSIGN_REGISTRY_USERNAME"]).toBe("acme-bot");
    expect(Object.keys(read!.secretEnv)).toEqual(["COSIGN_REGISTRY_PASSWORD"]);
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
  ])("sign refuses $name before anything runs", async ({ ref, key, both, message }) => {
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
    expect(engine.execs()).toEqual([]);
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
      drydock().attest(REF, dag.file("sbom.cdx.json", "{}"), dag.file("trivy.json", reportText()), dag.file("provenance.json", "{}"), undefined, undefined, secret("oidc", TOKEN_CANARY), undefined, undefined, undefined, false),
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
      variants: [],
    });
    expect(cosignExecs().map((e) => e.args.slice(1, 4))).toEqual([
      ["verify-attestation", "--type", SIGNATURE],
      ["verify-attestation", "--type", "cyclonedx"],
      ["verify-attestation", "--type", "vuln"],
    ]);
  });

  it.each<{ name: string; call: (d: Drydock) => Promise<unknown>; message: RegExp }>([
    {
      name: "attest with no predicate",
      call: (d: Drydock) => d.attest(REF, undefined, undefined, undefined, secret("cosign-key", KEY_CANARY), undefined, undefined, undefined, undefined, undefined, true),
      message: new RegExp(`^attest ${REF}: no predicate given — pass at least one of --sbom, --vuln-report, --provenance$`),
    },
    { name: "verify with nothing to trust", call: (d: Drydock) => d.verify(REF), message: /^verify: nothing to trust — either --public-key cosign\.pub/ },
    {
      name: "attest keyless and air-gapped",
      call: (d: Drydock) => d.attest(REF, undefined, undefined, dag.file("provenance.json", "{}"), undefined, undefined, secret("oidc", TOKEN_CANARY), undefined, undefined, undefined, true),
      message: /keyless signing needs Fulcio and Rekor, so it cannot be air-gapped/,
    },
  ])("refuses $name before the registry is asked anything", async ({ call, message }) => {
    const error = await rejectionOf(withEngine(engine, () => call(drydock())));
    expect(error.message).toMatch(message);
    expect(engine.execs()).toEqual([]);
  });

  it("verifies the signature alone with an empty attestation list, and refuses an unknown type", async () => {
    const v = await withEngine(engine, async () => ({ ...(await drydock().verify(REF, dag.file("cosign.pub", PUBLIC_KEY), undefined, undefined, undefined, undefined, [], undefined, undefined, undefined, true)) }));
    expect(v).toMatchObject({ mode: "key", publicKeyDigest: expect.stringMatching(/^sha256:/), attestations: [], transparencyLog: false });
    expect(cosignExecs().map((e) => e.args.slice(1, 4))).toEqual([["verify-attestation", "--type", SIGNATURE]]);
    const error = await rejectionOf(withEngine(engine, () => drydock().verify(REF, dag.file("cosign.pub", PUBLIC_KEY), undefined, undefined, undefined, undefined, ["spdx"])));
    expect(error.message).toMatch(/--attestations: unknown type "spdx" — drydock attests cyclonedx, vuln, slsaprovenance1/);
  });
});

describe("sign, attest and verify an index of platforms", () => {
  const AMD64 = imageManifest("drydock-backend linux/amd64");
  const ARM64 = imageManifest("drydock-backend linux/arm64");
  // BuildKit may add an attestation manifest to an index: it is no platform's image and is left out.
  const ATTESTATION_MANIFEST = { mediaType: "application/vnd.oci.image.manifest.v1+json", digest: `sha256:${"a".repeat(64)}`, size: 840, platform: { os: "unknown", architecture: "unknown" }, annotations: { "vnd.docker.reference.type": "attestation-manifest", "vnd.docker.reference.digest": AMD64.digest } };
  const INDEX = indexManifest([{ platform: "linux/amd64", manifest: AMD64 }, { platform: "linux/arm64/v8", manifest: ARM64 }], [ATTESTATION_MANIFEST]);
  const at = (digest: string) => `ghcr.io/acme/drydock-backend@${digest}`;
  const key = () => ({ key: secret("cosign-key", KEY_CANARY), password: secret("cosign-password", KEY_PASSWORD_CANARY) });
  beforeEach(() => serveManifest(engine, INDEX));

  it("signs the index by its own digest and each platform's image by its own", async () => {
    const signed = await withEngine(engine, () => drydock().sign(at(INDEX.digest), key().key, key().password, undefined, undefined, undefined, undefined, true));
    expect(signed).toBe(at(INDEX.digest));
    // Three digests, three signatures (at once: each goes to its own digest's tag).
    expect(cosignExecs().map((e) => `${e.args[1]} ${e.args.at(-1)}`).sort()).toEqual([INDEX, AMD64, ARM64].map((m) => `sign ${at(m.digest)}`).sort());
    expectCosignByDigest(cosignExecs());
    expectNoLeaks();
  });

  it("verifies the index's signature and provenance, and each platform's image's signature and every attestation by its own digest", async () => {
    const v = await withEngine(engine, async () => {
      const result = await drydock().verify(at(INDEX.digest), dag.file("cosign.pub", PUBLIC_KEY), undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined, true);
      return { ...result, variants: result.variants.map((variant) => ({ ...variant })) };
    });
    expect(v).toMatchObject({ reference: at(INDEX.digest), mode: "key", attestations: ["slsaprovenance1"] });
    expect(v.variants).toEqual([
      { platform: "linux/amd64", digest: AMD64.digest, reference: at(AMD64.digest), attestations: ["cyclonedx", "vuln", "slsaprovenance1"] },
      { platform: "linux/arm64", digest: ARM64.digest, reference: at(ARM64.digest), attestations: ["cyclonedx", "vuln", "slsaprovenance1"] },
    ]);
    const steps = (digest: string) => cosignExecs().filter((e) => e.args.at(-1) === at(digest)).map((e) => [e.args[1], e.args.includes("--type") ? e.args[e.args.indexOf("--type") + 1] : ""]);
    expect(steps(INDEX.digest)).toEqual([["verify-attestation", SIGNATURE], ["verify-attestation", "slsaprovenance1"]]);
    for (const digest of [AMD64.digest, ARM64.digest]) {
      expect(steps(digest)).toEqual([["verify-attestation", SIGNATURE], ["verify-attestation", "cyclonedx"], ["verify-attestation", "vuln"], ["verify-attestation", "slsaprovenance1"]]);
    }
    expect(cosignExecs().filter((e) => e.args.at(-1) === at(ATTESTATION_MANIFEST.digest))).toEqual([]);
  });

  it("fails when one platform's image is not signed, naming that image and its index, though the index itself verifies", async () => {
    // What cosign v3.1.3 says of a digest with attestations but no signature (test/e2e/release.test.ts, for real).
    const said = "none of the attestations matched the predicate type: https://sigstore.dev/cosign/sign/v1, found: https://cyclonedx.org/bom";
    engine.addRule({ when: (chain) => execStartsWith("/ko-app/cosign", "verify-attestation", "--type", SIGNATURE)(chain) && execIncludes(at(ARM64.digest))(chain), exitCode: 1, stderr: `Error: ${said}\nerror during command execution: ${said}\n` });
    const error = await rejectionOf(withEngine(engine, () => drydock().verify(at(INDEX.digest), dag.file("cosign.pub", PUBLIC_KEY), undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined, true)));
    expect(error).toMatchObject({ name: "CosignError", kind: "no-signature", exitCode: 1 });
    expect(error.message).toMatch(new RegExp(`^linux/arm64 image of the index ${at(INDEX.digest)}: ${at(ARM64.digest)} is not signed: no signature is attached to this digest`));
    // The index and the other platform's image were checked too: a verification looks at every digest.
    expect(cosignExecs().filter((e) => e.args.includes(SIGNATURE)).map((e) => e.args.at(-1)).sort()).toEqual([at(INDEX.digest), at(AMD64.digest), at(ARM64.digest)].sort());
  });

  it("attest refuses an SBOM for the index, listing each platform's image to attest instead, and attests a provenance to the index alone", async () => {
    const error = await rejectionOf(
      withEngine(engine, () => drydock().attest(at(INDEX.digest), dag.file("sbom.cdx.json", "{}"), undefined, undefined, key().key, key().password, undefined, undefined, undefined, undefined, true)),
    );
    expect(error.message).toMatch(new RegExp(`^attest --ref=${at(INDEX.digest)}: found --sbom for an index of linux/amd64, linux/arm64, expected them for one platform's image — `));
    expect(error.message).toContain(`\n  linux/amd64: ${at(AMD64.digest)}\n  linux/arm64: ${at(ARM64.digest)}`);
    expect(cosignExecs()).toEqual([]);
    const types = await withEngine(engine, () =>
      drydock().attest(at(INDEX.digest), undefined, undefined, dag.file("provenance.json", "{}"), key().key, key().password, undefined, undefined, undefined, undefined, true),
    );
    expect(types).toEqual(["slsaprovenance1"]);
    expect(cosignExecs().map((e) => [e.args[1], e.args[e.args.indexOf("--type") + 1], e.args.at(-1)])).toEqual([["attest", "slsaprovenance1", at(INDEX.digest)]]);
  });

  it("signs nothing when the registry serves bytes that are not the digest's", async () => {
    const other = imageManifest("something else");
    const tampered = `ghcr.io/acme/drydock-backend@sha256:${"3".repeat(64)}`;
    engine.addRule({ when: (chain) => isManifestRead(chain) && execIncludes(`sha256:${"3".repeat(64)}`)(chain), stdout: JSON.stringify({ contentType: other.mediaType, body: Buffer.from(other.body).toString("base64") }) });
    const error = await rejectionOf(withEngine(engine, () => drydock().sign(tampered, key().key, key().password, undefined, undefined, undefined, undefined, true)));
    expect(error.message).toBe(`the registry served ${other.digest} for ${tampered}: not the digest asked for — the registry, or something between, altered the manifest; do not sign, verify or deploy on it`);
    expect(cosignExecs()).toEqual([]);
  });

  it("says the registry refused the login when the reader is refused, and signs nothing", async () => {
    engine.addRule({ when: isManifestRead, exitCode: 2, stderr: `GET https://ghcr.io/v2/acme/drydock-backend/manifests/${INDEX.digest}: 401 without a login: {"errors":[{"code":"UNAUTHORIZED"}]}\n` });
    const error = await rejectionOf(withEngine(engine, () => drydock().sign(at(INDEX.digest), key().key, key().password, undefined, undefined, undefined, undefined, true)));
    expect(error.message).toMatch(/^reading ghcr\.io\/acme\/drydock-backend@sha256:[a-f0-9]{64} from the registry, to learn whether it is one image or an index of platforms: the registry refused the login \(or none was given\) — pass a login that may read it: --registry-username with --registry-password, or --registry-config/);
    expect(error.message).toContain("401 without a login");
    expect(cosignExecs()).toEqual([]);
  });
});

describe("release", () => {
  it("stops before anything is published when the gate fails, and says so above the summary", async () => {
    answerTrivy(engine, { frontend: failing });
    answerRelease(engine);
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
    answerRelease(engine);
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
        ["verify-attestation", SIGNATURE],
        ["verify-attestation", "cyclonedx"],
        ["verify-attestation", "vuln"],
        ["verify-attestation", "slsaprovenance1"],
      ].map(([command, type]) => [command, command === "sign" ? expect.any(String) : type]));
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
    for (const title of ["workspace-api", "workspace-api-migrations", "workspace-web"]) engine.addRule({ when: both(fileAt(TRIVY_REPORT), scanOf(title)), contents: reportText() });
    answerRelease(engine);
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

  it("records in release.json what a rebuild needs besides the source: the created time and its epoch, the pinned images, the settings given, the config", async () => {
    answerTrivy(engine);
    answerRelease(engine);
    const rebuildOf = async (d: Drydock) => (JSON.parse(await (await release(d, keyMode())).manifest.contents()) as { rebuild: unknown }).rebuild;
    const [defaults, given] = await withEngine(engine, async () => [
      await rebuildOf(drydock()),
      await rebuildOf(drydock(undefined, { created: "2026-11-29T18:00:00+01:00", pnpmVersion: "12.4.2", prismaEnginesMirror: "https://prisma-mirror.example" })),
    ]);
    expect(defaults).toEqual({ created: "1970-01-01T00:00:00Z", imageVersion: "0.0.0-dev", licenses: "NOASSERTION", sourceDateEpoch: 0, buildImage: NODE_IMAGE, runtimeImage: NODE_IMAGE, config: "security-config.yml" });
    expect(given).toEqual({
      created: "2026-11-29T18:00:00+01:00",
      imageVersion: "0.0.0-dev",
      licenses: "NOASSERTION",
      sourceDateEpoch: Date.parse("2026-11-29T17:00:00Z") / 1000,
      buildImage: NODE_IMAGE,
      runtimeImage: NODE_IMAGE,
      pnpmVersion: "12.4.2",
      prismaEnginesMirror: "https://prisma-mirror.example",
      config: "security-config.yml",
    });
  });

  it("rebuild recomputes each released digest from release.json and the source: the same labels, annotations, settings, platforms and times", async () => {
    answerTrivy(engine);
    answerRelease(engine);
    const settings = { created: "2026-11-29T18:00:00+01:00", imageVersion: "1.2.3", licenses: "MIT", sourceUrl: "https://github.com/acme/shop", pnpmVersion: "12.4.2" };
    const { releaseJson, rebuilt } = await withEngine(engine, async () => {
      const released = await release(drydock(undefined, settings), { ...keyMode(), platforms: "linux/amd64,linux/arm64" });
      const releaseJson = await released.manifest.contents();
      // A consumer: the plain module on the same source, told nothing but release.json.
      const rebuilt = await Promise.all(
        ["backend", "frontend"].map(async (app) => {
          const layout = await drydock().rebuild(dag.file("release.json", releaseJson), app);
          return (JSON.parse(await layout.file("index.json").contents()) as { manifests: { digest: string }[] }).manifests[0]!.digest;
        }),
      );
      return { releaseJson, rebuilt };
    });
    const images = (JSON.parse(releaseJson) as { images: { app: string; digest: string; platforms: string[] }[] }).images;
    expect(images.map((i) => i.platforms)).toEqual([["linux/amd64", "linux/arm64"], ["linux/amd64", "linux/arm64"]]);
    expect(rebuilt).toEqual(images.map((i) => i.digest));
  });

  it.each([
    { name: "release.json of another config", release: (r: Record<string, any>) => ({ ...r, rebuild: { ...r["rebuild"], config: "ci/security.yml" } }), message: /^rebuild: found the release read its config from ci\/security\.yml, this call from security-config\.yml, expected the config the release read — pass --config-path=ci\/security\.yml/ },
    { name: "a release.json without the rebuild record's labels", release: (r: Record<string, any>) => ({ ...r, rebuild: { ...r["rebuild"], imageVersion: undefined } }), message: /^--release release\.json: rebuild\.imageVersion: expected string, received undefined — a release\.json from a drydock before `rebuild` lacks the record/ },
    { name: "an app the release did not publish", app: "worker", message: /^--app: found "worker", expected one of backend, frontend — pass --app=backend or --app=frontend/ },
    { name: "an unpinned build image", release: (r: Record<string, any>) => ({ ...r, rebuild: { ...r["rebuild"], buildImage: "node:24-alpine" } }), message: /^--build-image: found "node:24-alpine"/ },
  ])("rebuild refuses $name before anything is built", async ({ release: edit, app, message }) => {
    const good = {
      source: { url: "https://github.com/acme/shop", revision: SHA },
      rebuild: { created: "2026-11-29T18:00:00Z", imageVersion: "1.2.3", licenses: "MIT", buildImage: NODE_IMAGE, runtimeImage: NODE_IMAGE, config: "security-config.yml" },
      images: [{ app: "backend", digest: `sha256:${"a".repeat(64)}`, platforms: ["linux/amd64"] }],
    };
    const text = JSON.stringify(edit ? edit(good) : good);
    const error = await rejectionOf(withEngine(engine, async () => drydock().rebuild(dag.file("release.json", text), app ?? "backend")));
    expect(error.message).toMatch(message);
    expect(engine.execs()).toEqual([]);
  });

  it("signs keyless with the OIDC token and records the verified identity in the manifest", async () => {
    answerTrivy(engine);
    answerRelease(engine);
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

  it("signs keyless through a private Sigstore (with-sigstore): every cosign step gets its files, and release.json names its trusted root", async () => {
    answerTrivy(engine);
    answerRelease(engine);
    const manifest = await withEngine(engine, async () => {
      const private_ = await drydock().withSigstore(dag.file("trusted_root.json", TRUSTED_ROOT), dag.file("signing_config.json", SIGNING_CONFIG));
      const released = await release(private_, {
        identityToken: secret("oidc", TOKEN_CANARY),
        certificateIdentity: IDENTITY,
        certificateOidcIssuer: ISSUER,
        registryConfig: secret("registry-config", CONFIG_CANARY),
      });
      return JSON.parse(await released.manifest.contents()) as { signer: Record<string, unknown> };
    });
    expect(manifest.signer).toMatchObject({ mode: "keyless", identity: IDENTITY, issuer: ISSUER, transparencyLog: true, trustedRoot: expect.stringMatching(/^sha256:[a-f0-9]{64}$/) });
    const execs = cosignExecs();
    expect(execs.length).toBeGreaterThan(0);
    for (const exec of execs) {
      const signs = exec.args[1] === "sign" || exec.args[1] === "attest";
      expect(exec.args).toEqual(expect.arrayContaining(["--trusted-root", "/drydock/sigstore/trusted_root.json", ...(signs ? ["--signing-config", "/drydock/sigstore/signing_config.json"] : [])]));
      expect(exec.mounts["/drydock/sigstore/trusted_root.json"]).toMatchObject({ kind: "file", options: { owner: "65532:65532" } });
    }
    expectNoLeaks();
  });

  it.each([
    { name: "a signing config as the trusted root", root: SIGNING_CONFIG, config: SIGNING_CONFIG, message: /^with-sigstore --trusted-root: found mediaType ".*signingconfig.*" .*swapped/ },
    { name: "a trusted root as the signing config", root: TRUSTED_ROOT, config: TRUSTED_ROOT, message: /^with-sigstore --signing-config: found mediaType ".*trustedroot.*".*swapped/ },
    { name: "a trusted root that is not JSON", root: "not json", config: undefined, message: /^with-sigstore --trusted-root: found text that is not JSON/ },
  ])("with-sigstore refuses $name, naming the argument, before anything runs", async ({ root, config, message }) => {
    const error = await rejectionOf(withEngine(engine, () => drydock().withSigstore(dag.file("trusted_root.json", root), config === undefined ? undefined : dag.file("signing_config.json", config))));
    expect(error.message).toMatch(message);
    expect(engine.execs()).toEqual([]);
  });

  it("names the digests pushed unsigned when signing fails after publish", async () => {
    answerTrivy(engine);
    answerRelease(engine);
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

  it("on two platforms, scans and gates every variant with one DB refresh, publishes exactly those as one index, and signs, attests and verifies the index and each variant by its own digest", async () => {
    answerTrivy(engine);
    // Each platform's scan reports its own image's architecture, as Trivy does: how a variant's vulnerability predicate is told apart.
    for (const platform of ["linux/amd64", "linux/arm64"]) {
      const architecture = platform.split("/")[1]!;
      engine.addRule({ when: both(fileAt(TRIVY_REPORT), (chain) => scannedPlatform(chain) === platform), contents: reportText([], { Metadata: { ImageConfig: { architecture, os: "linux" } } }) });
    }
    const served = answerRelease(engine);
    const { manifest, entries, summary, variants } = await withEngine(engine, async () => {
      const released = await release(drydock(), { ...keyMode(), platforms: "linux/amd64,linux/arm64" });
      return {
        manifest: JSON.parse(await released.manifest.contents()) as {
          images: { app: string; platforms: string[]; reference: string; attestations: string[]; variants: { platform: string; digest: string; reference: string; attestations: string[] }[] }[];
          gate: { summary: string };
        },
        entries: await released.reports.entries(),
        summary: await released.reports.file("summary.md").contents(),
        variants: released.backend().variants.map((v) => ({ ...v })),
      };
    });
    // engine.execs() replays every chain: taken once for this test's many questions.
    const all = engine.execs();
    const scansOf = all.filter((e) => e.args[0] === "trivy" && e.args[1] === "image" && !e.args.includes("--download-db-only"));
    // Four image scans, one per app and platform, each of an image built on its platform, and the backend's
    // migrations image of the smoked platform (the one its smoke test ran); one DB download for all.
    expect(scansOf.map((e) => `${scannedImageTitle(e.chain)} ${scannedPlatform(e.chain)}`).sort()).toEqual([
      "drydock-backend linux/amd64",
      "drydock-backend linux/arm64",
      "drydock-backend-migrations linux/amd64",
      "drydock-frontend linux/amd64",
      "drydock-frontend linux/arm64",
    ]);
    expect(all.filter((e) => e.args.includes("--download-db-only"))).toHaveLength(1);
    expect(entries).toEqual(expect.arrayContaining(["backend-linux-amd64/", "backend-linux-arm64/", "frontend-linux-amd64/", "frontend-linux-arm64/", "lint/", "summary.md", "release.json"]));
    for (const name of ["backend-linux-amd64", "backend-linux-arm64", "frontend-linux-amd64", "frontend-linux-arm64"]) {
      expect(summary).toContain(`Security gate passed: ${name}`);
      expect(manifest.gate.summary).toContain(`Security gate passed: ${name}`);
    }

    // What is published is what was scanned: each index's variants are the very images whose tarballs Trivy read.
    const scannedImages = new Set(scansOf.map((e) => JSON.stringify((e.chain.find((s) => s.field === "withMountedFile" && s.args["path"] === TARBALL)!.args["source"] as ObjectRef).chain.slice(0, -1))));
    for (const p of publishes()) {
      const variants = p.platformVariants!;
      expect(variants).toHaveLength(1);
      for (const chain of [p.chain, variants[0]!.chain]) {
        const image = chain.slice(0, chain.findIndex((s) => s.field === "withAnnotation"));
        expect(scannedImages.has(JSON.stringify(image))).toBe(true);
      }
    }
    expect(manifest.images.map((i) => ({ app: i.app, platforms: i.platforms }))).toEqual(["backend", "frontend"].map((app) => ({ app, platforms: ["linux/amd64", "linux/arm64"] })));

    // Each index was read back from the registry, and every digest in it signed, attested and verified by its own digest.
    const cosign = all.filter((e) => e.args[0] === "/ko-app/cosign" && e.args[1] !== "load");
    const reads = all.filter((e) => isManifestRead(e.chain));
    const steps = (reference: string) =>
      cosign
        .filter((e) => e.args.at(-1) === reference)
        .map((e) => `${e.args[1]}${e.args.includes("--type") ? ` ${e.args[e.args.indexOf("--type") + 1]}` : ""}`);
    for (const image of manifest.images) {
      const title = `drydock-${image.app}`;
      const repository = `ghcr.io/acme/${title}`;
      expect(image.reference).toBe(`${repository}@${served(title).subject.digest}`);
      expect(reads.filter((e) => e.args.includes(served(title).subject.digest))).toHaveLength(1);
      // The index: its signature and the provenance of the whole build, naming both platforms.
      expect(image.attestations).toEqual(["slsaprovenance1"]);
      expect(steps(image.reference)).toEqual(["sign", "attest slsaprovenance1", `verify-attestation ${SIGNATURE}`, "verify-attestation slsaprovenance1"]);
      const indexProvenance = cosign.find((e) => e.args[1] === "attest" && e.args.at(-1) === image.reference)!.mounts[predicatePath("slsaprovenance1")]!.source;
      expect(indexProvenance).toContain("linux/amd64,linux/arm64");
      // Each variant: its own digest (the one the index lists), its own scan's SBOM and report, its own platform's provenance.
      expect(image.variants).toEqual(
        ["linux/amd64", "linux/arm64"].map((platform) => {
          const digest = served(title).variants[platform]!.digest;
          return { platform, digest, reference: `${repository}@${digest}`, attestations: ["cyclonedx", "vuln", "slsaprovenance1"] };
        }),
      );
      for (const variant of image.variants) {
        expect(steps(variant.reference)).toEqual(["sign", "attest cyclonedx", "attest vuln", "attest slsaprovenance1", `verify-attestation ${SIGNATURE}`, "verify-attestation cyclonedx", "verify-attestation vuln", "verify-attestation slsaprovenance1"]);
        const [own, other] = variant.platform === "linux/amd64" ? ["amd64", "arm64"] : ["arm64", "amd64"];
        for (const type of ["cyclonedx", "vuln", "slsaprovenance1"] as const) {
          const source = cosign.find((e) => e.args[1] === "attest" && e.args.includes(type) && e.args.at(-1) === variant.reference)!.mounts[predicatePath(type)]!.source;
          expect(source, `${image.app} ${variant.platform} ${type}`).toContain(own);
          expect(source, `${image.app} ${variant.platform} ${type} names no other platform`).not.toContain(other);
        }
      }
    }
    expect(variants).toEqual(manifest.images.find((i) => i.app === "backend")!.variants);
    expect(all.filter((e) => e.args.join(" ") === "pnpm run build")).toHaveLength(4);
    // The smoke test runs the engine's platform's variant (the fake engine's is linux/amd64), migrations with that platform's migrations image.
    const migrations = all.filter((e) => JSON.stringify(e.args) === JSON.stringify(MIGRATE_ENTRYPOINT));
    expect(migrations.map((e) => rootPlatform(e.chain))).toEqual(["linux/amd64"]);
    // Every container of the migrations image itself (up to its entrypoint; the smoke stage then binds Postgres) is on that platform.
    const image = migrations[0]!.chain;
    expectOnlyOn(image.slice(0, image.map((s) => s.field).lastIndexOf("withEntrypoint") + 1), "linux/amd64");
    expectNoLeaks();
    // Four builds and scans, and forty cosign steps recorded through the fake engine: slower than the plan tests' default 5 s.
  }, 30_000);

  it("with the default platforms on an engine that builds amd64 files for arm64, stops before anything is published, saying how to fix it", async () => {
    answerTrivy(engine);
    answerRelease(engine);
    // An amd64-only runtime base on an engine without emulation: the "arm64" variant's node runs as x64.
    engine.addRule({ when: (chain) => isPlatformProbe(chain) && rootPlatform(chain) === "linux/arm64" && chain.length > 3, stdout: "linux/x64\n" });
    // --platforms' default.
    const error = await rejectionOf(withEngine(engine, () => release(drydock(), { ...keyMode(), platforms: "linux/amd64,linux/arm64" })));
    expect(error.message).toMatch(/^--platforms linux\/arm64: the (backend|frontend) variant's runtime image [^ ]+: found it runs as linux\/amd64 \(node in it printed "linux\/x64"\)/);
    expect(error.message).toMatch(/or build only the platforms it has, e\.g\. --platforms=linux\/amd64$/);
    expect(publishes()).toEqual([]);
    expect(cosignExecs()).toEqual([]);
  });

  it("stops before anything is published when one platform's variant fails the gate", async () => {
    answerTrivy(engine);
    answerRelease(engine);
    engine.addRule({ when: both(fileAt(TRIVY_REPORT), scanOf("drydock-frontend"), (chain) => scannedPlatform(chain) === "linux/arm64"), contents: failing });
    const error = await rejectionOf(withEngine(engine, () => release(drydock(), { ...keyMode(), platforms: "linux/amd64,linux/arm64" })));
    expect(error).toBeInstanceOf(GateFailedError);
    expect(error.message).toMatch(/^release stopped: the policy gate failed, so nothing was published, signed or attested\.\n\n/);
    expect(error.message).toContain("Security gate failed: frontend-linux-arm64");
    expect(error.message).toContain("Security gate passed: frontend-linux-amd64");
    // Each app on each platform, and the backend's migrations image.
    expect(imageScans()).toHaveLength(5);
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
