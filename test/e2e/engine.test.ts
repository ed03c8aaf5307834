/**
 * The engine tier: drydock loaded by a real Dagger engine (v0.21.8, built from source by
 * ../shared/dagger-engine/kit.sh) and driven with the real `dagger` CLI, as a user would.
 * The module is a test copy whose image pins name digest-pinned stand-ins in the kit's registry
 * (test/support/engine/module-copy.ts); the Trivy DB is the planted one, downloaded for real by
 * `trivy image --download-db-only` from the lab registry inside the engine's network.
 *
 * The README's and the CI templates' command lines run as written, with bash, in a copy of the
 * module (for `--source=examples/app`) or an application repository made from examples/app (for
 * the remote-module form), substituting only the module address, the registry placeholder
 * `ghcr.io/OWNER` and the `sha256:…` a user would paste.
 *
 * Without the kit (or root) the tier skips with one notice; under CI=true it fails instead.
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run } from "../support/docker/cli.ts";
import { describeApi } from "../support/describe-api.ts";
import { dagger, described, expectSuccess, shellLine, type CliResult } from "../support/engine/cli.ts";
import { oneReadmeLine, readmeCommandLines, templateCommandLines } from "../support/engine/command-lines.ts";
import { githubJobEnv, startSigstoreFor } from "../support/engine/keyless-job.ts";
import { ENGINE_TCP, type RunningKit } from "../support/engine/kit.ts";
import { writeAppRepository } from "../support/engine/module-copy.ts";
import { airGapped, amd64Only, asUser as asUserOf, LAB_NAMESPACE, passingConfig } from "../support/engine/user-lines.ts";
import { engineTierUnavailable, log, setUpEngineTier, tearDownEngineTier } from "../support/engine/tier.ts";
import { introspectModule } from "../support/introspect.ts";
import { repoRoot } from "../support/paths.ts";
import type { LocalSigstore } from "../support/sigstore/index.ts";
import { COSIGN } from "../support/tools/catalog.ts";
import { ensureGoTool } from "../support/tools/go-tools.ts";

const unavailable = engineTierUnavailable();

const COSIGN_PASSWORD = "engine-tier-key-password";

let kit: RunningKit;
let work: string;
let moduleDir: string;
/** An application repository whose policy passes (the planted advisories excepted). */
let appRepo: string;
/** The same application with the example's policy, which the planted advisories fail. */
let failingRepo: string;
let home: string;
let env: Record<string, string>;
/** The local Sigstore of the keyless tests, and what they signed when. */
let sigstore: LocalSigstore;
let keylessRef = "";
let keylessSignedAt = 0;

/** Functions of the Drydock object as the CLI names them (kebab-case), from the introspector. */
async function drydockFunctions(): Promise<string[]> {
  const lines = describeApi(await introspectModule(repoRoot));
  return lines
    .map((line) => /^Drydock\.(\w+)\(/.exec(line)?.[1])
    .filter((name): name is string => name !== undefined && name !== "constructor")
    .map((name) => name.replaceAll(/[A-Z]/g, (c) => `-${c.toLowerCase()}`));
}

function expectFailure(result: CliResult, says: RegExp): void {
  expect(result.code, described(result)).not.toBe(0);
  expect(`${result.stdout}\n${result.stderr}`, described(result)).toMatch(says);
}

/** The README's lines this tier ran; every other one must be in NOT_RUN, with why. */
const ranLines = new Set<string>();

/** README lines not run here, by a part of the line, and why. */
const NOT_RUN: ReadonlyArray<[string, string]> = [
  ["dagger install ", "it adds drydock to the user's own Dagger module: no command to call"],
  ["build terminal", "an interactive terminal needs a TTY"],
  [
    "--certificate-oidc-issuer=https://token.actions.githubusercontent.com",
    "the public-good Sigstore and GitHub's OIDC issuer are not reachable here; the same keyless release and verify run through a local Sigstore (with-sigstore)",
  ],
];

/** The one README line `matches` picks, recorded as run. */
function readmeLine(matches: (line: string) => boolean): string {
  const line = oneReadmeLine(matches);
  ranLines.add(line);
  return line;
}

/** Run a README or template line with the placeholders a user replaces, replaced. */
const asUser = (line: string, values: { digest?: string } = {}) => asUserOf(line, moduleDir, values);

describe.skipIf(unavailable !== undefined)("drydock on a real Dagger engine (v0.21.8 from ../shared/dagger-engine)", () => {
  beforeAll(async () => {
    ({ kit, work, moduleDir } = await setUpEngineTier());
    appRepo = path.join(work, "shop");
    failingRepo = path.join(work, "shop-as-is");
    home = path.join(work, "home");
    await writeAppRepository(failingRepo, "examples/app");
    await writeAppRepository(appRepo, "examples/app", { "security-config.yml": await passingConfig() });
    await mkdir(path.join(work, "org"));
    await writeFile(path.join(work, "org/security-config.yml"), await passingConfig());
    await mkdir(home);
    // A harmless .npmrc for the README's with-npmrc line: a scoped registry nobody installs from.
    await writeFile(path.join(home, ".npmrc"), "@drydock-engine-tier:registry=https://npm.invalid/\n");
    env = { HOME: home, COSIGN_PASSWORD, GHCR_TOKEN: "lab-registry-needs-none" };
    log(`application repositories ${appRepo} (policy passes), ${failingRepo} (the example's)`);
  });

  describe("loading", () => {
    it("dagger functions lists every function of the module", async () => {
      const result = await dagger(kit, ["functions"], { cwd: moduleDir });
      expectSuccess(result);
      log(`dagger functions (first load): ${result.seconds.toFixed(1)} s`);
      const listed = result.stdout.split("\n").map((line) => line.trim().split(/\s+/)[0]);
      expect(listed).toEqual(expect.arrayContaining(await drydockFunctions()));
    });

    it("every function has --help with its example", async () => {
      for (const fn of await drydockFunctions()) {
        const result = await dagger(kit, ["call", fn, "--help"], { cwd: moduleDir });
        expectSuccess(result);
        expect(result.stdout, fn).toMatch(/USAGE/);
        expect(result.stdout, fn).toMatch(/dagger call/);
      }
    });
  });

  describe("check-config", () => {
    it("prints the effective config of a good one", async () => {
      const result = await dagger(kit, ["call", "--source=examples/app", "check-config"], { cwd: moduleDir });
      expectSuccess(result);
      expect(result.stdout).toContain("maxExceptionDays: 90");
      expect(result.stdout).toContain("CVE-2023-45853");
    });

    it("fails on a bad one with the text a user sees: the file, the key, its line and column", async () => {
      const bad = path.join(work, "bad-security-config.yml");
      await writeFile(bad, "version: 1\npolicy:\n  failOn:\n    vulnerabilities: [HIGHEST]\n");
      const result = await dagger(kit, ["call", "--source=examples/app", `--config=${bad}`, "check-config"], { cwd: moduleDir });
      expectFailure(result, /bad-security-config\.yml: policy\.failOn\.vulnerabilities\[0\]: found "HIGHEST", expected one of UNKNOWN, LOW, MEDIUM, HIGH, CRITICAL \(line 4, column \d+\)/);
    });
  });

  describe("build-and-scan", () => {
    let exported: string;

    it("the README's export line writes every report, with both scans and the lint, and a smoke stage that ran", async () => {
      const line = readmeLine((l) => l.includes("--source=examples/app build-and-scan reports export"));
      const result = await shellLine(kit, asUser(line), { cwd: moduleDir, env });
      expectSuccess(result);
      log(`build-and-scan reports export (cold): ${result.seconds.toFixed(1)} s`);
      exported = path.join(moduleDir, "reports");
      expect((await readdir(exported)).sort()).toEqual(["backend", "backend-migrations", "frontend", "lint", "summary.json", "summary.md"]);
      for (const app of ["backend", "backend-migrations", "frontend"]) {
        expect((await readdir(path.join(exported, app))).sort()).toEqual(["sbom.cdx.json", "summary.json", "summary.md", "trivy.json", "trivy.sarif"]);
      }
      const summary = await readFile(path.join(exported, "summary.md"), "utf8");
      // The planted DB was downloaded for real (from the lab registry, today): its advisories are found.
      expect(summary).toMatch(/CVE-2999-1000[1-4]/);
      expect(summary).toContain("Trivy vulnerability DB: updated today");
      // The smoke stage ran for real: the frontend as a service, probed, stopped; the backend's
      // Postgres started and its migrations failed here (see the backend smoke test below).
      expect(summary).toMatch(/## ❌ Smoke test failed: backend/);
      expect(summary).toMatch(/### ✅ frontend: started/);
    });

    it("build-and-scan summary prints the Markdown summary", async () => {
      const line = readmeLine((l) => l.includes("--source=examples/app build-and-scan summary"));
      const result = await shellLine(kit, asUser(line), { cwd: moduleDir, env });
      expectSuccess(result);
      expect(result.stdout).toMatch(/## ❌ Security gate failed: backend/);
    });

    it("gate fails with the policy's verdict on the planted advisories, and names one", async () => {
      const line = readmeLine((l) => l.includes("--source=examples/app build-and-scan gate"));
      const result = await shellLine(kit, asUser(line), { cwd: moduleDir, env });
      expectFailure(result, /CVE-2999-1000[1-4]/);
      log(`build-and-scan gate (warm): ${result.seconds.toFixed(1)} s, exit ${result.code}`);
    });

    it("a policy that excepts the planted advisories passes: build-and-scan gate exits 0 — scans, lint and the frontend's smoke test passed (--config from outside the source)", async () => {
      const line = readmeLine((l) => l.includes("--config=../org/security-config.yml build-and-scan gate"));
      // ../org is beside the application repository, whose own config is the failing example's.
      const result = await shellLine(kit, asUser(line), { cwd: failingRepo, env });
      expectSuccess(result);
    });

    it("the backend's smoke test runs for real up to its migrations, which need Prisma's schema engine (not obtainable here), and fails closed naming them", async () => {
      const config = path.join(work, "backend-smoke.yml");
      await writeFile(config, await passingConfig({ backendSmoke: true }));
      const result = await dagger(kit, ["call", "--source=examples/app", `--config=${config}`, "build-and-scan", "gate"], { cwd: moduleDir });
      expectFailure(result, /## ❌ Smoke test failed: backend/);
      const said = `${result.stdout}\n${result.stderr}`;
      expect(said).toMatch(/✅ `start localhost:5000\/drydock-lab\/postgres:17`: listening on 5432/);
      expect(said).toMatch(/❌ `drydock-backend-migrations: prisma migrate deploy`: exited with code 1/);
      expect(said).toMatch(/Schema engine exited/);
      // The frontend, which needs no migration, started, answered and stopped on SIGTERM.
      expect(said).toMatch(/✅ `SIGTERM`: exited/);
    });

    it("the gate re-applied to an exported report keeps its exit code (the CI templates' gate step)", async () => {
      const failing = await dagger(kit, ["call", "--source=examples/app", "gate", `--report=${path.join(exported, "backend/trivy.json")}`], { cwd: moduleDir });
      expectFailure(failing, /CVE-2999-1000[13]/);
    });
  });

  describe("the README's other lines, as written", () => {
    it.each([
      ["with-labels … with-npmrc … backend export", "backend export --path=backend.tar", "backend.tar"],
      ["lint summary-json export", "lint summary-json export", "lint-summary.json"],
      ["app docker-build-command (prints the docker build line)", "docker-build-command --npmrc-path", "build-backend.sh"],
      ["app migrations export (the migrations image)", "app --name=backend migrations export", "backend-migrations.tar"],
    ])("%s", async (_, marker, output) => {
      const line = readmeLine((l) => l.includes(marker));
      const result = await shellLine(kit, asUser(line), { cwd: appRepo, env });
      expectSuccess(result);
      expect(existsSync(path.join(appRepo, output))).toBe(true);
    });

    it("build-and-scan backend-scan failing finding-id lists the failing findings' IDs", async () => {
      const line = readmeLine((l) => l.includes("backend-scan failing finding-id"));
      const result = await shellLine(kit, asUser(line), { cwd: failingRepo, env });
      expectSuccess(result);
      expect(result.stdout.trim().split("\n").sort()).toEqual(["CVE-2999-10001", "CVE-2999-10001", "CVE-2999-10002", "CVE-2999-10002", "CVE-2999-10002", "CVE-2999-10003"]);
    });

    it("the remote-module line of the first screen gates (and fails on the planted advisories)", async () => {
      const line = readmeLine((l) => l.endsWith("call --source=. build-and-scan gate"));
      const result = await shellLine(kit, asUser(line), { cwd: failingRepo, env });
      expectFailure(result, /CVE-2999-1000[1-4]/);
    });

    it("check-config, as a remote module", async () => {
      const line = readmeLine((l) => l.endsWith("call --source=. check-config"));
      expectSuccess(await shellLine(kit, asUser(line), { cwd: appRepo, env }));
    });
  });

  describe("release with a key, and verify", () => {
    let backendRef: string;

    beforeAll(async () => {
      // The README's `cosign generate-key-pair`, with the cosign the e2e builds.
      const cosign = await ensureGoTool(COSIGN, log);
      const generated = await run(cosign, ["generate-key-pair"], { cwd: appRepo, env: { COSIGN_PASSWORD } });
      expect(generated.code, generated.stderr).toBe(0);
    });

    it("the README's laptop release line publishes, signs, attests and verifies (air-gapped: no transparency log for key signing here; amd64 only: engine-multiplatform.test.ts runs both platforms)", async () => {
      const line = readmeLine((l) => l.includes("--key=file:cosign.key"));
      const result = await shellLine(kit, amd64Only(airGapped(asUser(line))), { cwd: appRepo, env });
      expectSuccess(result);
      const manifest = JSON.parse(await readFile(path.join(appRepo, "reports/release.json"), "utf8")) as { images: { app: string; reference: string }[] };
      backendRef = manifest.images.find((i) => i.app === "backend")!.reference;
      expect(backendRef).toMatch(new RegExp(`^${LAB_NAMESPACE.replaceAll(".", "\\.")}/drydock-backend@sha256:[a-f0-9]{64}$`));
    });

    it("verify passes with the right key", async () => {
      const line = readmeLine((l) => l.includes(" verify --ref=") && l.includes("--public-key=cosign.pub"));
      const result = await shellLine(kit, airGapped(asUser(line, { digest: backendRef.split("@")[1] })), { cwd: appRepo, env });
      expectSuccess(result);
    });

    it("the README's rebuild check: the backend rebuilt from release.json and the released commit has the released digest", async () => {
      // As a consumer: release.json beside the clone of the released commit.
      const manifest = await readFile(path.join(appRepo, "reports/release.json"), "utf8");
      expect(JSON.parse(manifest)).toMatchObject({ rebuild: { created: "1970-01-01T00:00:00Z", sourceDateEpoch: 0, imageVersion: "0.0.0-dev" } });
      const beside = path.dirname(appRepo);
      try {
        await writeFile(path.join(beside, "release.json"), manifest);
        const rebuilt = await shellLine(kit, asUser(readmeLine((l) => l.includes(" rebuild --release="))), { cwd: appRepo, env });
        expectSuccess(rebuilt);
        log(`rebuild of the released backend: ${rebuilt.seconds.toFixed(1)} s`);
        const checked = await shellLine(kit, oneReadmeLine((l) => l.includes("the released digest"), "test"), { cwd: appRepo });
        expectSuccess(checked);
        expect(checked.stdout.trim()).toBe("the released digest");
      } finally {
        await Promise.all(["release.json", "rebuilt"].map((file) => rm(path.join(beside, file), { recursive: true, force: true })));
      }
    });

    it("verify fails with another key, saying so", async () => {
      const otherDir = path.join(work, "other-key");
      await mkdir(otherDir, { recursive: true });
      const cosign = await ensureGoTool(COSIGN, log);
      expect((await run(cosign, ["generate-key-pair"], { cwd: otherDir, env: { COSIGN_PASSWORD } })).code).toBe(0);
      expect(backendRef).toMatch(/@sha256:/);
      const result = await dagger(kit, ["-m", moduleDir, "call", "--source=.", "verify", "--air-gapped", `--ref=${backendRef}`, `--public-key=${path.join(otherDir, "cosign.pub")}`], { cwd: appRepo, env });
      expectFailure(result, /is signed, but not by the given key: no signature verifies with this public key/);
    });
  });

  describe("keyless, through a private Sigstore (with-sigstore)", () => {
    let backendRef = "";

    /** What a GitHub Actions job would have in its environment, with a token of the local Sigstore's issuer. */
    const keylessEnv = async (identity?: string) => ({ ...env, ...(await githubJobEnv(sigstore, appRepo, identity)) });

    beforeAll(async () => {
      sigstore = await startSigstoreFor(appRepo, work, log);
    });

    it("the README's private-Sigstore release line signs keyless (Fulcio, CT log, Rekor v2, timestamp authority), attests and verifies (amd64 only here; as written, with both platforms, in engine-multiplatform.test.ts)", async () => {
      const line = readmeLine((l) => l.includes("with-sigstore") && l.includes(" release "));
      const result = await shellLine(kit, amd64Only(asUser(line)), { cwd: appRepo, env: await keylessEnv() });
      expectSuccess(result);
      keylessSignedAt = Date.now();
      const manifest = JSON.parse(await readFile(path.join(appRepo, "reports/release.json"), "utf8")) as { signer: Record<string, unknown>; images: { app: string; reference: string }[] };
      const rootDigest = `sha256:${createHash("sha256").update(await readFile(sigstore.trustedRoot)).digest("hex")}`;
      expect(manifest.signer).toEqual({ mode: "keyless", identity: sigstore.identityOf(), issuer: sigstore.issuer, transparencyLog: true, trustedRoot: rootDigest });
      backendRef = manifest.images.find((i) => i.app === "backend")!.reference;
      keylessRef = backendRef;
    });

    it("the README's private-Sigstore verify line passes for the workflow that signed", async () => {
      const line = readmeLine((l) => l.includes("with-sigstore") && l.includes(" verify "));
      expectSuccess(await shellLine(kit, asUser(line, { digest: backendRef.split("@")[1] }), { cwd: appRepo, env: await keylessEnv() }));
    });

    it("the same verify fails for another repository's workflow, saying so", async () => {
      const line = readmeLine((l) => l.includes("with-sigstore") && l.includes(" verify "));
      const other = sigstore.identityOf({ repository: "acme/other" });
      const result = await shellLine(kit, asUser(line, { digest: backendRef.split("@")[1] }), { cwd: appRepo, env: await keylessEnv(other) });
      expectFailure(result, /is signed, but not by the expected identity/);
    });
  });

  describe("the CI templates", () => {
    it("ci/any-ci.sh runs as written and exits 0 on a repository whose policy passes", async () => {
      const result = await shellLine(kit, `bash ${path.join(moduleDir, "ci/any-ci.sh")} ci-reports`, { cwd: appRepo, env: { ...env, DRYDOCK_MODULE: moduleDir } });
      expectSuccess(result);
      expect(existsSync(path.join(appRepo, "ci-reports/summary.md"))).toBe(true);
    });

    it.each(["ci/github/drydock.yml", "ci/gitlab/drydock.gitlab-ci.yml"])("%s: every dagger step runs as written", async (template) => {
      for (const line of await templateCommandLines(path.join(repoRoot, template))) {
        const result = await shellLine(kit, line, { cwd: appRepo, env: { ...env, ...ciEnvironment() } });
        // The gate step fails on the smoke verdict, which only the exported summary.md explains.
        expectSuccess(result, result.code === 0 ? "" : await smokeSectionOf(path.join(appRepo, "reports/summary.md")));
      }
    });
  });

  describe("a shared engine, reached over TCP as CI reaches one", () => {
    const overTcp = () => ({ ...env, _EXPERIMENTAL_DAGGER_RUNNER_HOST: ENGINE_TCP });

    it(`the CLI reaches the engine at ${ENGINE_TCP} and calls the module`, async () => {
      const result = await dagger(kit, ["call", "--source=examples/app", "check-config"], { cwd: moduleDir, env: overTcp() });
      expectSuccess(result);
      expect(result.stderr).toMatch(/connected/);
    });

    it("two repositories' build-and-scan at once on the one engine, each with its own reports", async () => {
      const workspaceRepo = path.join(work, "workspace");
      await writeAppRepository(workspaceRepo, "examples/workspace");
      const started = Date.now();
      const [shop, workspace] = await Promise.all(
        [appRepo, workspaceRepo].map((cwd) =>
          shellLine(kit, `dagger -m ${moduleDir} call --source=. build-and-scan reports export --path=tcp-reports`, { cwd, env: overTcp() }),
        ),
      );
      const wall = (Date.now() - started) / 1000;
      expectSuccess(shop!);
      expectSuccess(workspace!);
      log(`two repositories at once over TCP: examples/app ${shop!.seconds.toFixed(1)} s, examples/workspace ${workspace!.seconds.toFixed(1)} s, wall ${wall.toFixed(1)} s`);
      expect((await readdir(path.join(appRepo, "tcp-reports"))).sort()).toEqual(["backend", "backend-migrations", "frontend", "lint", "summary.json", "summary.md"]);
      expect((await readdir(path.join(workspaceRepo, "tcp-reports"))).sort()).toEqual(["backend", "backend-migrations", "frontend", "lint", "summary.json", "summary.md"]);
      // Each report describes its own repository's image (the workspace's api is titled workspace-api).
      const workspaceReport = JSON.parse(await readFile(path.join(workspaceRepo, "tcp-reports/backend/trivy.json"), "utf8")) as { Metadata?: { ImageConfig?: { config?: { Labels?: Record<string, string> } } } };
      expect(workspaceReport.Metadata?.ImageConfig?.config?.Labels?.["org.opencontainers.image.title"]).toBe("workspace-api");
    });
  });

  describe("dagger check on dagger/tests", () => {
    beforeAll(async () => {
      // The check expects the example's policy to pass "with today's DB" — here the planted one:
      // its advice, a dated exception in examples/app/security-config.yml, taken in the copy.
      await writeFile(path.join(moduleDir, "examples/app/security-config.yml"), await passingConfig());
    });

    it.each(["images-run-as-user-1000", "images-have-no-package-managers", "build-and-scan-passes-policy"])("dagger check %s passes", async (check) => {
      const result = await dagger(kit, ["check", check], { cwd: path.join(moduleDir, "dagger/tests") });
      expectSuccess(result);
      log(`dagger check ${check}: ${result.seconds.toFixed(1)} s`);
    });

    it("images-serve-the-example-app fails here at the migrations, naming Prisma's schema engine", async () => {
      const result = await dagger(kit, ["check", "images-serve-the-example-app"], { cwd: path.join(moduleDir, "dagger/tests") });
      expectFailure(result, /Schema engine exited|schema engine/i);
    });
  });

  it("a keyless signature still verifies once its 10-minute certificate has expired: by its trusted timestamp", async () => {
    expect(keylessRef, "the keyless release above did not run").toMatch(/@sha256:/);
    // Fulcio's certificates are valid for 10 minutes; the tests in between usually take longer.
    const wait = keylessSignedAt + 11 * 60_000 - Date.now();
    if (wait > 0) {
      log(`waiting ${Math.ceil(wait / 1000)} s for the keyless certificate to expire`);
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
    const result = await dagger(
      kit,
      ["-m", moduleDir, "call", "--source=.", "with-sigstore", "--trusted-root=./trusted_root.json", "verify", `--ref=${keylessRef}`, `--certificate-identity=${sigstore.identityOf()}`, `--certificate-oidc-issuer=${sigstore.issuer}`],
      { cwd: appRepo, env },
    );
    expectSuccess(result);
    log(`keyless verify ${((Date.now() - keylessSignedAt) / 60_000).toFixed(1)} min after signing: passed`);
  }, 15 * 60_000);

  it("ran every dagger line of the README, but those NOT_RUN says why not", () => {
    const unaccounted = readmeCommandLines().filter((line) => !ranLines.has(line) && !NOT_RUN.some(([part]) => line.includes(part)));
    expect(unaccounted).toEqual([]);
  });

  afterAll(async () => {
    await sigstore?.stop();
    await tearDownEngineTier(work);
  });
});

/** What GitHub Actions and GitLab CI set that the templates read. */
function ciEnvironment(): Record<string, string> {
  return {
    DRYDOCK_MODULE: moduleDir,
    GITHUB_SHA: "0123456789abcdef0123456789abcdef01234567",
    GITHUB_SERVER_URL: "https://github.com",
    GITHUB_REPOSITORY: "acme/shop",
    GITHUB_STEP_SUMMARY: path.join(work, "step-summary.md"),
    CI_COMMIT_SHA: "0123456789abcdef0123456789abcdef01234567",
    CI_PROJECT_URL: "https://gitlab.com/acme/shop",
  };
}

/** The Smoke test section of an exported summary.md (what a failed smoke verdict means), or why there is none. */
async function smokeSectionOf(summaryMd: string): Promise<string> {
  if (!existsSync(summaryMd)) return `(no ${summaryMd})`;
  const text = await readFile(summaryMd, "utf8");
  const start = text.search(/^## .*Smoke test/m);
  if (start < 0) return `(${summaryMd} has no Smoke test section)`;
  const next = text.slice(start + 1).search(/^## /m);
  return text.slice(start, next < 0 ? undefined : start + 1 + next);
}
