/**
 * The release functions (publish, sign, attest, verify) against the fake engine: cosign runs in
 * its pinned image as its own user, by digest only; the key, its password, the OIDC token and the
 * registry login reach the engine only inside setSecret and cosign only as secret variables or a
 * mounted config.json; cosign's failures come back as the mapped messages.
 */
import { dag, type Platform } from "@dagger.io/dagger";
import { describe, expect, it } from "vitest";
import { NODE_IMAGE as UNPACK_IMAGE } from "../../dagger/src/images/defaults.ts";
import { imageLayout } from "../../dagger/src/release/image-layout.ts";
import { blobPath, cosignLoadIndex, type Descriptor } from "../../dagger/src/release/layout-times.ts";
import { LAYOUT_DIR } from "../../dagger/src/release/publish.ts";
import { ObjectRef, type Chain } from "../support/fake-engine/chain.js";
import { ENGINE_EXPORT_TIME } from "../support/fake-engine/image-archive.js";
import { COSIGN_IMAGE, publish, PUBLIC_KEY_PATH, SIGNING_CONFIG_PATH, TRUSTED_ROOT_PATH, vulnPredicate, provenancePredicate, type CosignRun } from "../../dagger/src/release/index.ts";
import { attestImage as attest, signImage as sign, verifyImage as verify } from "../support/release/one-image.js";
import { execStartsWith } from "../support/fake-engine/rules.js";
import { useFakeEngine, withEngine, type ExecRecord } from "../support/fake-engine/index.js";
import { rejectionOf } from "../support/plan-helpers.js";

const engine = useFakeEngine();

const KEY_CANARY = "-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\nkey-canary-51d0e2\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n";
const PASSWORD_CANARY = "password-canary-8c3f";
const TOKEN_CANARY = "eyJ-token-canary-0a9b";
const CONFIG_CANARY = '{"auths":{"ghcr.io":{"auth":"Y29uZmlnLWNhbmFyeS03ZTQx"}}}';
const REGISTRY_PASSWORD_CANARY = "registry-password-canary-2b6d";
const CANARIES = [KEY_CANARY, "key-canary-51d0e2", PASSWORD_CANARY, TOKEN_CANARY, CONFIG_CANARY, "Y29uZmlnLWNhbmFyeS03ZTQx", REGISTRY_PASSWORD_CANARY];

const DIGEST = `sha256:${"1".repeat(64)}`;
const REF = `ghcr.io/acme/backend@${DIGEST}`;
const TRIVY = "aquasec/trivy:0.69.3@sha256:bcc376de8d77cfe086a917230e818dc9f8528e3c852f7b1aff648949b6258d1c";

const secrets = () => ({
  key: dag.setSecret("cosign-key", KEY_CANARY),
  password: dag.setSecret("cosign-password", PASSWORD_CANARY),
  registryConfig: dag.setSecret("registry-config", CONFIG_CANARY),
});
const keyRun = (): CosignRun => ({ registryConfig: secrets().registryConfig, airGapped: true, runId: "run-1" });
const cosignExecs = (): ExecRecord[] => engine.execs().filter((e) => e.args[0] === "/ko-app/cosign");

function expectNoLeaks(): void {
  for (const canary of CANARIES) expect(engine.leaks(canary).filter((q) => !q.includes("setSecret"))).toEqual([]);
  expect(engine.evaluations.map((e) => e.leaf.field)).not.toContain("plaintext");
  const values = engine.stepsOf("withEnvVariable").map((s) => String(s.args["value"]));
  for (const canary of CANARIES) expect(values.filter((v) => v.includes(canary))).toEqual([]);
}

function expectCosignContainer(exec: ExecRecord): void {
  expect(exec.image).toBe(COSIGN_IMAGE);
  expect(exec.user).toBe("65532:65532");
  expect(exec.env["DOCKER_CONFIG"]).toBe("/drydock/docker");
  expect(exec.env["DRYDOCK_RELEASE_RUN"]).toBe("run-1");
  expect(exec.mounts["/drydock/docker/config.json"]).toEqual({ kind: "secret", source: 'setSecret(name: "registry-config", plaintext: "***")', options: { owner: "65532:65532", mode: 0o400 } });
  expect(exec.args.at(-1)).toBe(REF);
}

describe("sign", () => {
  it("signs by digest with the key and password as secret variables, air-gapped", async () => {
    const result = await withEngine(engine, async () => sign(`ghcr.io/acme/backend:1.2.3@${DIGEST}`, secrets(), keyRun()));
    expect(result).toEqual([{ reference: REF, role: "image", attestations: [] }]);
    const [exec, ...others] = cosignExecs();
    expect(others).toEqual([]);
    expect(exec!.args).toEqual(["/ko-app/cosign", "sign", "--yes", "--key", "env://COSIGN_KEY", "--tlog-upload=false", "--use-signing-config=false", REF]);
    expectCosignContainer(exec!);
    expect(exec!.secretEnv).toEqual({
      COSIGN_KEY: 'setSecret(name: "cosign-key", plaintext: "***")',
      COSIGN_PASSWORD: 'setSecret(name: "cosign-password", plaintext: "***")',
    });
    expectNoLeaks();
  });

  it("signs keyless with the OIDC token as SIGSTORE_ID_TOKEN and nothing on argv", async () => {
    await withEngine(engine, async () => sign(REF, { identityToken: dag.setSecret("oidc", TOKEN_CANARY) }, { runId: "run-1" }));
    const [exec] = cosignExecs();
    expect(exec!.args).toEqual(["/ko-app/cosign", "sign", "--yes", REF]);
    expect(exec!.secretEnv).toEqual({ SIGSTORE_ID_TOKEN: 'setSecret(name: "oidc", plaintext: "***")' });
    expect(exec!.mounts).toEqual({});
    expectNoLeaks();
  });

  it("signs keyless through a private Sigstore: its trusted root and signing config mounted for cosign's user", async () => {
    const privateSigstore = { trustedRoot: dag.file("trusted_root.json", "{}"), signingConfig: dag.file("signing_config.json", "{}") };
    await withEngine(engine, async () => sign(REF, { identityToken: dag.setSecret("oidc", TOKEN_CANARY) }, { runId: "run-1", privateSigstore }));
    const [exec, ...others] = cosignExecs();
    expect(others).toEqual([]);
    expect(exec!.args).toEqual(["/ko-app/cosign", "sign", "--yes", "--trusted-root", TRUSTED_ROOT_PATH, "--signing-config", SIGNING_CONFIG_PATH, REF]);
    expect(exec!.mounts).toEqual({
      [TRUSTED_ROOT_PATH]: { kind: "file", source: expect.stringContaining("trusted_root.json"), options: { owner: "65532:65532" } },
      [SIGNING_CONFIG_PATH]: { kind: "file", source: expect.stringContaining("signing_config.json"), options: { owner: "65532:65532" } },
    });
    expectNoLeaks();
  });

  it("refuses to sign against a private trusted root without its signing config, before anything runs", async () => {
    const error = await rejectionOf(
      withEngine(engine, async () => sign(REF, { identityToken: dag.setSecret("oidc", TOKEN_CANARY) }, { runId: "run-1", privateSigstore: { trustedRoot: dag.file("trusted_root.json", "{}") } })),
    );
    expect(error.message).toMatch(/with-sigstore was given a trusted root but no --signing-config/);
    expect(cosignExecs()).toEqual([]);
  });

  it("refuses a tag without digest before anything runs", async () => {
    const error = await rejectionOf(withEngine(engine, async () => sign("ghcr.io/acme/backend:1.2.3", secrets(), keyRun())));
    expect(error.message).toMatch(/has no digest: cosign signs and verifies an image by digest only.*crane digest ghcr.io\/acme\/backend:1.2.3/s);
    expect(cosignExecs()).toEqual([]);
  });

  it("with neither a key nor a token, explains both", async () => {
    const error = await rejectionOf(withEngine(engine, async () => sign(REF, {}, {})));
    expect(error.message).toMatch(/no signing identity — either\n {2}keyless.*\n {2}key/s);
    expect(cosignExecs()).toEqual([]);
  });

  it("a malformed key is a clear error", async () => {
    engine.addRule({ when: execStartsWith("/ko-app/cosign", "sign"), exitCode: 1, stderr: "Error: signing [ghcr.io/acme/backend@sha256:1111]: getting signer: reading key: decrypt: encrypted: decryption failed\nmain.go:74: error during command execution: …\n" });
    const error = await rejectionOf(withEngine(engine, async () => sign(REF, secrets(), keyRun())));
    expect(error).toMatchObject({ name: "CosignError", kind: "bad-key", exitCode: 1 });
    expect(error.message).toMatch(/the private key could not be read — pass the PEM made by `cosign generate-key-pair`/);
    expectNoLeaks();
  });
});

describe("attest", () => {
  it("attests the SBOM, the vuln report and the provenance, each mounted for cosign's user", async () => {
    const types = await withEngine(engine, async () =>
      attest(
        REF,
        {
          slsaprovenance1: provenancePredicate({
            app: "backend",
            platform: "linux/amd64",
            sourceUrl: "https://github.com/acme/shop",
            revision: "0123456789abcdef0123456789abcdef01234567",
            builderId: "https://github.com/acme/shop/.github/workflows/release.yml@refs/heads/main",
            buildArguments: {},
            images: { trivy: TRIVY },
            lockfiles: {},
          }),
          cyclonedx: dag.file("sbom.cdx.json", "{}"),
          vuln: vulnPredicate(TRIVY, dag.file("trivy.json", "{}")),
        },
        secrets(),
        keyRun(),
      ),
    );
    expect(types).toEqual(["cyclonedx", "vuln", "slsaprovenance1"]);
    const execs = cosignExecs();
    expect(execs.map((e) => e.args.slice(1, 7))).toEqual(
      types.map((t) => ["attest", "--yes", "--type", t, "--predicate", `/drydock/predicates/${t}.json`]),
    );
    for (const exec of execs) {
      expectCosignContainer(exec);
      const predicate = exec.args[exec.args.indexOf("--predicate") + 1]!;
      expect(exec.mounts[predicate]).toMatchObject({ kind: "file", options: { owner: "65532:65532" } });
      expect(exec.args).toContain("--tlog-upload=false");
    }
    const convert = engine.execs().find((e) => e.args[0] === "trivy");
    expect(convert?.args).toEqual(["trivy", "convert", "--format", "cosign-vuln", "--output", "/drydock/vuln.cosign.json", "/drydock/trivy.json"]);
    expect(convert?.image).toBe(TRIVY);
    expectNoLeaks();
  });
});

describe("verify", () => {
  it("verifies the signature and each attestation with the public key, air-gapped", async () => {
    const result = await withEngine(engine, async () => verify(REF, { publicKey: dag.file("cosign.pub", "-----BEGIN PUBLIC KEY-----\n") }, undefined, keyRun()));
    expect(result).toMatchObject({ reference: REF, signature: true, attestations: ["cyclonedx", "vuln", "slsaprovenance1"], transparencyLog: false, trusted: { mode: "key" } });
    const execs = cosignExecs();
    // The signature is checked as cosign v3 stores it: the statement of its own type.
    expect(execs.map((e) => e.args.slice(1, 4))).toEqual([
      ["verify-attestation", "--type", "https://sigstore.dev/cosign/sign/v1"],
      ["verify-attestation", "--type", "cyclonedx"],
      ["verify-attestation", "--type", "vuln"],
      ["verify-attestation", "--type", "slsaprovenance1"],
    ]);
    for (const exec of execs) {
      expectCosignContainer(exec);
      expect(exec.args).toContain("--insecure-ignore-tlog=true");
      expect(exec.mounts[PUBLIC_KEY_PATH]).toMatchObject({ kind: "file" });
      expect(exec.secretEnv).toEqual({});
    }
  });

  it("verifies keyless with a GitHub Actions identity", async () => {
    const identity = "https://github.com/acme/shop/.github/workflows/release.yml@refs/heads/main";
    const issuer = "https://token.actions.githubusercontent.com";
    const result = await withEngine(engine, async () => verify(REF, { certificateIdentity: identity, certificateOidcIssuer: issuer }, ["cyclonedx"], { runId: "run-1" }));
    expect(result.trusted).toEqual({ mode: "keyless", identity, issuer });
    expect(cosignExecs()[0]!.args).toEqual(["/ko-app/cosign", "verify-attestation", "--type", "https://sigstore.dev/cosign/sign/v1", "--certificate-identity", identity, "--certificate-oidc-issuer", issuer, "--output", "json", REF]);
  });

  it("verifies keyless against a private Sigstore's trusted root alone", async () => {
    const identity = "https://github.com/acme/shop/.github/workflows/release.yml@refs/tags/v1.2.3";
    const issuer = "https://oidc.example.com";
    await withEngine(engine, async () =>
      verify(REF, { certificateIdentity: identity, certificateOidcIssuer: issuer }, [], { runId: "run-1", privateSigstore: { trustedRoot: dag.file("trusted_root.json", "{}") } }),
    );
    const [exec] = cosignExecs();
    expect(exec!.args).toEqual(["/ko-app/cosign", "verify-attestation", "--type", "https://sigstore.dev/cosign/sign/v1", "--certificate-identity", identity, "--certificate-oidc-issuer", issuer, "--trusted-root", TRUSTED_ROOT_PATH, "--output", "json", REF]);
    expect(Object.keys(exec!.mounts)).toEqual([TRUSTED_ROOT_PATH]);
  });

  it("verifies keyless with a regexp anchored at both ends: tags of one workflow only", async () => {
    const identityRegexp = "^https://github\\.com/acme/shop/\\.github/workflows/release\\.yml@refs/tags/v[0-9.]+$";
    const issuer = "https://token.actions.githubusercontent.com";
    await withEngine(engine, async () => verify(REF, { certificateIdentityRegexp: identityRegexp, certificateOidcIssuer: issuer }, [], { runId: "run-1" }));
    expect(cosignExecs()[0]!.args).toEqual(["/ko-app/cosign", "verify-attestation", "--type", "https://sigstore.dev/cosign/sign/v1", "--certificate-identity-regexp", identityRegexp, "--certificate-oidc-issuer", issuer, "--output", "json", REF]);
  });

  it.each([
    { name: "no signature", exitCode: 10, stderr: "Error: no signatures found\n", kind: "no-signature", message: /is not signed/ },
    {
      name: "a tampered image",
      exitCode: 1,
      stderr: "Error: no matching attestations: failed to verify signature: provided artifact digest does not match any digest in statement\n",
      kind: "tampered",
      message: /tampered with; do not deploy it/,
    },
    { name: "missing registry credentials", exitCode: 1, stderr: "Error: GET http://ghcr.io/v2/acme/backend/manifests/sha256-1111.sig: UNAUTHORIZED: authentication required\n", kind: "registry-auth", message: /pass a Docker config.json/ },
    { name: "the wrong key", exitCode: 12, stderr: "Error: no matching signatures: invalid signature when validating ASN.1 encoded signature\n", kind: "wrong-key", message: /signed, but not by the given key/ },
  ])("maps $name to a clear message", async ({ exitCode, stderr, kind, message }) => {
    engine.addRule({ when: execStartsWith("/ko-app/cosign", "verify-attestation", "--type", "https://sigstore.dev/cosign/sign/v1"), exitCode, stderr });
    const error = await rejectionOf(withEngine(engine, async () => verify(REF, { publicKey: dag.file("cosign.pub", "k") }, undefined, keyRun())));
    expect(error).toMatchObject({ name: "CosignError", kind, exitCode });
    expect(error.message).toMatch(message);
  });

  it.each([
    { name: "nothing to trust", material: {}, message: /nothing to trust — either --public-key/ },
    { name: "a tag", ref: "ghcr.io/acme/backend:latest", material: { certificateIdentity: "x", certificateOidcIssuer: "y" }, message: /has no digest/ },
    // cosign matches a regexp anywhere: "acme/shop" also trusts evil/x/...@refs/heads/acme/shop.
    { name: "an unanchored identity regexp", material: { certificateIdentityRegexp: "acme/shop", certificateOidcIssuer: "https://token.actions.githubusercontent.com" }, message: /^--certificate-identity-regexp: found "acme\/shop", expected a regexp anchored at both ends/ },
    { name: "an identity regexp anchored at the start only", material: { certificateIdentityRegexp: "^https://github\\.com/acme/shop/", certificateOidcIssuer: "https://token.actions.githubusercontent.com" }, message: /anchored at both ends/ },
    { name: "an identity regexp ending in an escaped $", material: { certificateIdentityRegexp: "^https://github\\.com/acme/shop\\$", certificateOidcIssuer: "https://token.actions.githubusercontent.com" }, message: /anchored at both ends/ },
    { name: "an unanchored issuer regexp", material: { certificateIdentity: "https://github.com/acme/shop/.github/workflows/release.yml@refs/tags/v1.4.0", certificateOidcIssuerRegexp: "githubusercontent" }, message: /^--certificate-oidc-issuer-regexp: found "githubusercontent"/ },
    { name: "an identity without an issuer", material: { certificateIdentity: "https://github.com/acme/shop/.github/workflows/release.yml@refs/tags/v1.4.0" }, message: /^verify: found a signer identity but no OIDC issuer, expected --certificate-oidc-issuer/ },
    { name: "an issuer without an identity", material: { certificateOidcIssuer: "https://token.actions.githubusercontent.com" }, message: /^verify: found an OIDC issuer but no signer identity/ },
  ])("refuses $name", async ({ ref, material, message }) => {
    const error = await rejectionOf(withEngine(engine, async () => verify(ref ?? REF, material, undefined, {})));
    expect(error.message).toMatch(message);
    expect(cosignExecs()).toEqual([]);
  });
});

describe("publish", () => {
  const METADATA = {
    source: "https://github.com/acme/shop",
    revision: "0123456789abcdef0123456789abcdef01234567",
    version: "1.2.3",
    created: "2026-11-30T10:00:00Z",
    licenses: "MIT",
    title: "drydock-backend",
    baseName: "aquasec/trivy:0.69.3",
    baseDigest: "sha256:bcc376de8d77cfe086a917230e818dc9f8528e3c852f7b1aff648949b6258d1c",
  };
  const twoPlatforms = () => [dag.container().from(TRIVY), dag.container({ platform: "linux/arm64" as Platform }).from(TRIVY)];
  const loginRun = (): CosignRun => ({ runId: "run-1", registryLogin: { username: "acme-bot", password: dag.setSecret("registry-password", REGISTRY_PASSWORD_CANARY) } });

  it("pushes the image's layout with cosign load under every tag, with cosign's login, and returns the reference by the layout's digest", async () => {
    const result = await withEngine(engine, async () =>
      publish({ variants: twoPlatforms(), repository: "ghcr.io/acme/backend", tags: ["1.2.3", "sha-0123456"], metadata: METADATA, created: METADATA.created, unpackImage: UNPACK_IMAGE, run: loginRun() }),
    );
    expect(result.reference).toBe(`ghcr.io/acme/backend@${result.digest}`);
    expect(result.tags).toEqual(["1.2.3", "sha-0123456"]);
    // Not the engine's publish: its digest would carry the engine's times.
    expect(engine.evaluations.filter((e) => e.leaf.field === "publish")).toEqual([]);
    const loads = cosignExecs();
    expect(loads.map((e) => e.args)).toEqual(
      ["ghcr.io/acme/backend:1.2.3", "ghcr.io/acme/backend:sha-0123456"].map((ref) => ["/ko-app/cosign", "load", "--dir", LAYOUT_DIR, ref]),
    );
    for (const load of loads) {
      expect(load.image).toBe(COSIGN_IMAGE);
      expect(load.user).toBe("65532:65532");
      expect(load.env["COSIGN_REGISTRY_USERNAME"]).toBe("acme-bot");
      expect(load.secretEnv).toEqual({ COSIGN_REGISTRY_PASSWORD: 'setSecret(name: "registry-password", plaintext: "***")' });
      expect(load.mounts[LAYOUT_DIR]).toMatchObject({ kind: "directory", options: { owner: "65532:65532" } });
    }
    expectNoLeaks();
  });

  it("unpacks the engine's archive (gzip layers, annotated, both platforms) with tar as root in the unpack image, with no secret", async () => {
    await withEngine(engine, async () =>
      publish({ variants: twoPlatforms(), repository: "ghcr.io/acme/backend", tags: ["1.2.3"], metadata: METADATA, created: METADATA.created, unpackImage: UNPACK_IMAGE, run: loginRun() }),
    );
    const [unpack, ...others] = engine.execs().filter((e) => e.args[0] === "tar");
    expect(others).toEqual([]);
    expect(unpack!.args).toEqual(["tar", "-xf", "/drydock/image.tar", "-C", "/drydock/layout"]);
    expect(unpack!.image).toBe(UNPACK_IMAGE);
    expect(unpack!.user).toBe("0:0");
    expect(unpack!.secretEnv).toEqual({});
    const archive = archiveStep(unpack!);
    expect(archive.args["forcedCompression"]).toBe("Gzip");
    expect(archive.args["platformVariants"]).toHaveLength(1);
    expect(archive.owner.filter((s) => s.field === "withAnnotation").map((s) => s.args["name"])).toContain("org.opencontainers.image.revision");
  });

  it("the layout holds the image with its times set to --created: one digest whatever the engine's times, and what cosign load reads", async () => {
    const { root, index, configs, manifestJson } = await withEngine(engine, async () => {
      const { layout, root } = await imageLayout(twoPlatforms(), "2026-11-30T11:00:00+01:00", UNPACK_IMAGE);
      const read = (p: string) => layout.file(p).contents();
      const index = JSON.parse(await read("index.json")) as { manifests: Descriptor[] };
      const rootIndex = JSON.parse(await read(blobPath(root.digest))) as { manifests: Descriptor[] };
      const configs = await Promise.all(
        rootIndex.manifests.map(async (m) => JSON.parse(await read(blobPath((JSON.parse(await read(blobPath(m.digest))) as { config: Descriptor }).config.digest))) as Record<string, unknown>),
      );
      return { root, index, configs, manifestJson: JSON.parse(await read("manifest.json")) as { Config: string }[] };
    });
    expect(index.manifests).toEqual([root]);
    expect(root.mediaType).toBe("application/vnd.oci.image.index.v1+json");
    expect(configs.map((c) => c["architecture"])).toEqual(["amd64", "arm64"]);
    for (const config of configs) {
      expect(config["created"]).toBe("2026-11-30T10:00:00Z");
      expect(config["history"]).toEqual([{ created: "2026-11-30T10:00:00Z", comment: "buildkit.exporter.image.v0" }]);
      expect(JSON.stringify(config)).not.toContain(ENGINE_EXPORT_TIME);
    }
    expect(manifestJson.map((m) => m.Config)).toHaveLength(2);
    expect(cosignLoadIndex(JSON.stringify(index))).toContain('"kind":"dev.cosignproject.cosign/imageIndex"');
  });

  it("refuses a repository with a tag", async () => {
    const error = await rejectionOf(
      withEngine(engine, async () => publish({ variants: [dag.container()], repository: "ghcr.io/acme/backend:1", tags: ["x"], created: METADATA.created, unpackImage: UNPACK_IMAGE, run: {} })),
    );
    expect(error.message).toMatch(/give the repository alone/);
  });
});

/** The Container.asTarball step of the archive an unpack exec reads, and the chain of the container it archives. */
function archiveStep(unpack: ExecRecord): { args: Record<string, unknown>; owner: Chain } {
  const mounted = unpack.chain.find((s) => s.field === "withMountedFile" && s.args["path"] === "/drydock/image.tar")?.args["source"];
  if (!(mounted instanceof ObjectRef) || mounted.chain.at(-1)?.field !== "asTarball") throw new Error("no archive mounted at /drydock/image.tar");
  return { args: mounted.chain.at(-1)!.args, owner: mounted.chain.slice(0, -1) };
}
