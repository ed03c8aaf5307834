/**
 * A repository with one app: `apps` in security-config.yml lists exactly the apps built, scanned,
 * smoke-tested, published and released. An app it does not list is no part of any of them — no
 * build, no scan, no smoke section, no "skipped" — and every function aimed at it fails, naming the
 * config file and key, before anything runs.
 */
import { dag, type Secret } from "@dagger.io/dagger";
import { describe, expect, it } from "vitest";
import { App } from "../../dagger/src/objects/app.ts";
import { ArgumentError } from "../../dagger/src/errors.ts";
import { Drydock } from "../../dagger/src/index.ts";
import { PROBE_PROGRAM } from "../../dagger/src/smoke/rules.ts";
import { DEFAULTS } from "../../dagger/src/config/schema.ts";
import { MIGRATE_ENTRYPOINT } from "../../dagger/src/images/migrations.ts";
import { POSTGRES_IMAGE } from "../../dagger/src/smoke/run.ts";
import { SourceError } from "../../dagger/src/source.ts";
import { useFakeEngine, withEngine, type Chain } from "../support/fake-engine/index.js";
import { execStartsWith } from "../support/fake-engine/rules.js";
import { answerTrivy, drydock, rejectionOf, reportText, scannedImageTitle, useTempSources, exampleAppFiles } from "../support/plan-helpers.js";
import { answerPlatformProbes, answerRelease, pushesOf } from "../support/release/plan-answers.js";

const engine = useFakeEngine();
const tempSource = useTempSources();

const BACKEND_ONLY = "apps:\n  backend: {}\n";
const FRONTEND_ONLY = "apps:\n  frontend: {}\n";

/** The example app with its sources (both apps' folders), plus a security-config.yml of our own. */
function exampleWith(config: string): string {
  return tempSource({ ...exampleAppFiles(), "security-config.yml": config });
}

/** The folders `pnpm run build` ran in: one per app image built. */
const builtIn = () => engine.execs().filter((e) => e.args.join(" ") === "pnpm run build").map((e) => e.workdir).sort();
/** The titles of the images Trivy scanned. */
const scannedTitles = () =>
  engine
    .execs()
    .filter((e) => e.args[0] === "trivy" && e.args[1] === "image" && !e.args.includes("--download-db-only"))
    .map((e) => scannedImageTitle(e.chain))
    .sort();
const probedUrls = () => engine.execs().filter((e) => e.args[0] === "node" && e.args[2] === PROBE_PROGRAM).map((e) => e.args[4]);
const serviceOf = (title: string) => engine.stepsOf("asService").find((s) => s.chain.some((c) => c.field === "withLabel" && c.args["value"] === title));
const titlesOfSummary = (summary: string) => summary.split("\n\n---\n\n").map((part) => /Security gate (?:passed|failed): (\S+)/.exec(part)?.[1] ?? /^## .*Smoke test[^:]*: (.*)$/m.exec(part)?.[0]);
const isStartOf = (title: string) => (chain: Chain) => chain.at(-1)?.field === "start" && chain.some((s) => s.field === "withLabel" && s.args["value"] === title);

const unlisted = (app: string, call: string, listed: string) =>
  `security-config.yml: apps: found no ${app}, expected apps.${app} for \`${call}\` — add apps.${app} to security-config.yml, or call a function of an app it lists (${listed})`;

describe("build-and-scan with a backend-only config", () => {
  it("builds, scans and smoke-tests the backend (and its migrations image) alone, and the summary and reports list only them", async () => {
    answerTrivy(engine);
    const { report, entries, scanNames } = await withEngine(engine, async () => {
      const report = await drydock(exampleWith(BACKEND_ONLY)).buildAndScan();
      return { report, entries: await report.reports().entries(), scanNames: report.scans().map((s) => s.name) };
    });
    expect(report.passed).toBe(true);
    expect(builtIn()).toEqual(["/src/backend"]);
    expect(scannedTitles()).toEqual(["drydock-backend", "drydock-backend-migrations"]);
    expect(probedUrls()).toEqual(["http://backend:3000/health"]);
    expect(engine.froms()).toContain(POSTGRES_IMAGE);
    expect(engine.execs().some((e) => JSON.stringify(e.args) === JSON.stringify(MIGRATE_ENTRYPOINT))).toBe(true);
    expect(serviceOf("drydock-frontend")).toBeUndefined();

    expect(titlesOfSummary(report.summary)).toEqual(["backend", "backend-migrations", "lint"]);
    expect(report.summary).not.toMatch(/frontend/);
    expect(scanNames).toEqual(["backend", "backend-migrations"]);
    expect(entries.sort()).toEqual(["backend-migrations/", "backend/", "lint/", "summary.json", "summary.md"]);
    expect(report.backendScan().name).toBe("backend");
  });

  it("lists only the backend as off when the smoke test is turned off", async () => {
    answerTrivy(engine);
    const report = await withEngine(engine, () => drydock(exampleWith(`${BACKEND_ONLY}smoke:\n  enabled: false\n`)).buildAndScan());
    expect(report.summary).toContain("## ⚠️ Smoke test off: backend\n");
    expect(report.summary).not.toMatch(/frontend/);
    expect(engine.stepsOf("asService")).toEqual([]);
  });

  it("refuses the frontend's image and scan of its report, naming the config file and key", async () => {
    answerTrivy(engine);
    const report = await withEngine(engine, () => drydock(exampleWith(BACKEND_ONLY)).buildAndScan());
    expect(() => report.frontend()).toThrow(ArgumentError);
    expect(() => report.frontend()).toThrow(unlisted("frontend", "build-and-scan frontend", "backend"));
    expect(() => report.frontendScan()).toThrow(unlisted("frontend", "build-and-scan frontend-scan", "backend"));
  });

  it("takes a baseline holding the backend's and the lint's reports only, and names exactly those when one is missing", async () => {
    answerTrivy(engine, { backend: reportText() });
    const dir = exampleWith(BACKEND_ONLY);
    const both = (reports: Record<string, string>) => Object.entries(reports).reduce((d, [scan, text]) => d.withNewFile(`${scan}/trivy.json`, text), dag.directory());
    const report = await withEngine(engine, () => drydock(dir).buildAndScan(both({ backend: reportText(), lint: reportText() })));
    expect(report.passed).toBe(true);
    const error = await rejectionOf(withEngine(engine, () => drydock(dir).buildAndScan(both({ backend: reportText() }))));
    expect(error).toBeInstanceOf(SourceError);
    expect(error.message).toBe(
      "--baseline: found no lint/trivy.json, expected the reports of an earlier run — pass the folder written by `build-and-scan reports export` (it holds backend/ and lint/ with trivy.json each)",
    );
  });
});

describe("build-and-scan with a frontend-only config", () => {
  it("builds, scans and smoke-tests the frontend alone, binding no backend, and the summary lists only it", async () => {
    answerTrivy(engine);
    const report = await withEngine(engine, () => drydock(exampleWith(FRONTEND_ONLY)).buildAndScan());
    expect(report.passed).toBe(true);
    expect(builtIn()).toEqual(["/src/frontend"]);
    expect(scannedTitles()).toEqual(["drydock-frontend"]);
    expect(probedUrls()).toEqual(["http://frontend:3000/api/health", "http://frontend:3000/"]);

    // No backend to bind, name or start: no Postgres, no migrations, no BACKEND_URL, no "ran without a backend".
    expect(engine.froms()).not.toContain(POSTGRES_IMAGE);
    expect(engine.stepsOf("withServiceBinding").filter((s) => s.args["alias"] === "backend")).toEqual([]);
    const frontend = serviceOf("drydock-frontend");
    expect(frontend).toBeDefined();
    const backendUrlVariables: readonly string[] = DEFAULTS.apps.frontend.backendUrlVariables;
    expect(frontend!.chain.some((s) => s.field === "withEnvVariable" && backendUrlVariables.includes(String(s.args["name"])))).toBe(false);
    expect(engine.stepsOf("asService")).toHaveLength(1);

    expect(titlesOfSummary(report.summary)).toEqual(["frontend", "lint"]);
    expect(report.summary).not.toMatch(/backend/);
    expect(() => report.backend()).toThrow(unlisted("backend", "build-and-scan backend", "frontend"));
  });

  it("reports a failing frontend start without a word about a backend", async () => {
    answerTrivy(engine);
    engine.addRule({
      when: execStartsWith("node", "-e", PROBE_PROGRAM, "health", "http://frontend:3000/api/health"),
      exitCode: 1,
      stdout: JSON.stringify({ kind: "health", url: "http://frontend:3000/api/health", healthy: false, attempts: 120, ms: 60_000, status: 503 }) + "\n",
    });
    const report = await withEngine(engine, () => drydock(exampleWith(FRONTEND_ONLY)).buildAndScan());
    expect(report.passed).toBe(false);
    expect(report.summary).toContain("## ❌ Smoke test failed: frontend");
    expect(report.summary).not.toMatch(/backend/);
  });

  it("images-pass-policy and images-start cover the frontend alone", async () => {
    answerTrivy(engine);
    const dir = exampleWith(FRONTEND_ONLY);
    await expect(withEngine(engine, () => drydock(dir).imagesPassPolicy())).resolves.toBeUndefined();
    expect(scannedTitles()).toEqual(["drydock-frontend"]);
    await expect(withEngine(engine, () => drydock(dir).imagesStart())).resolves.toBeUndefined();
    expect(engine.evaluations.some((e) => isStartOf("drydock-backend")([...e.chain, e.leaf]))).toBe(false);
    expect(builtIn()).toEqual(["/src/frontend"]);
  });
});

describe("a function of an app the config does not list", () => {
  it.each([
    { call: "frontend", run: (d: Drydock) => d.frontend() },
    { call: "frontend-build", run: (d: Drydock) => d.frontendBuild() },
    { call: "app --name=frontend", run: (d: Drydock) => d.app("frontend") },
    // The App as the engine rebuilds it between calls, without going through `app` again.
    { call: "app --name=frontend image", run: (d: Drydock) => App.chosenFrom(d, "frontend").image() },
    { call: "app --name=frontend build", run: (d: Drydock) => App.chosenFrom(d, "frontend").build() },
    { call: "app --name=frontend scan", run: (d: Drydock) => App.chosenFrom(d, "frontend").scan() },
  ])("`$call` on a backend-only config fails with the config's file and key, and runs no command", async ({ call, run }) => {
    answerTrivy(engine);
    const error = await rejectionOf(withEngine(engine, async () => run(drydock(exampleWith(BACKEND_ONLY)))));
    expect(error).toBeInstanceOf(ArgumentError);
    expect(error.message).toBe(unlisted("frontend", call, "backend"));
    expect(engine.execs()).toEqual([]);
  });

  it("`backend` on a frontend-only config given with --config names that file", async () => {
    const source = exampleWith(BACKEND_ONLY);
    const error = await rejectionOf(
      withEngine(engine, () => new Drydock(dag.host().directory(source), dag.directory().withNewFile("org-security.yml", FRONTEND_ONLY).file("org-security.yml")).backend()),
    );
    expect(error.message).toBe(
      "org-security.yml: apps: found no backend, expected apps.backend for `backend` — add apps.backend to org-security.yml, or call a function of an app it lists (frontend)",
    );
    expect(engine.execs()).toEqual([]);
  });

  it("the listed app builds as before", async () => {
    await withEngine(engine, async () => (await (await drydock(exampleWith(BACKEND_ONLY)).app("backend")).image()).sync());
    expect(builtIn()).toEqual(["/src/backend"]);
  });
});

const SHA = "0123456789abcdef0123456789abcdef01234567";
const secret = (name: string, text: string): Secret => dag.setSecret(name, text);
const publishes = () => pushesOf(engine);
/** cosign's signing and verifying steps (the pushes, cosign load, are publishes()). */
const cosignExecs = () => engine.execs().filter((e) => e.args[0] === "/ko-app/cosign" && e.args[1] !== "load");

/** `release` in key mode, air-gapped, on the engine's platform: the laptop flow. */
const release = (d: Drydock) =>
  d.release(
    "ghcr.io/acme",
    SHA,
    "acme-bot",
    secret("registry-password", "registry-password-canary"),
    ["1.2.3"],
    undefined,
    undefined,
    undefined,
    "linux/amd64",
    secret("cosign-key", "-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\nk\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n"),
    secret("cosign-password", "p"),
    undefined,
    dag.file("cosign.pub", "-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----\n"),
    undefined,
    undefined,
    undefined,
    undefined,
    undefined,
    true,
  );

describe("publish and release with one app", () => {
  it("release with a frontend-only config builds, gates, publishes, signs and attests the frontend alone", async () => {
    answerTrivy(engine);
    answerRelease(engine);
    const { images, manifest, entries, released } = await withEngine(engine, async () => {
      const released = await release(drydock(exampleWith(FRONTEND_ONLY)));
      return {
        released,
        images: released.images().map(({ app, repository }) => ({ app, repository })),
        manifest: JSON.parse(await released.manifest.contents()) as { images: { app: string }[] },
        entries: await released.reports.entries(),
      };
    });
    expect(images).toEqual([{ app: "frontend", repository: "ghcr.io/acme/drydock-frontend" }]);
    expect(manifest.images.map((i) => i.app)).toEqual(["frontend"]);
    expect(entries.sort()).toEqual(["frontend/", "lint/", "release.json", "summary.json", "summary.md"]);
    expect(publishes().map((p) => p.address)).toEqual(["ghcr.io/acme/drydock-frontend:1.2.3"]);
    expect(new Set(cosignExecs().map((e) => e.args.at(-1)))).toEqual(new Set([expect.stringMatching(/^ghcr\.io\/acme\/drydock-frontend@sha256:/)]));
    expect(builtIn()).toEqual(["/src/frontend"]);
    expect(released.frontend().app).toBe("frontend");
    expect(() => released.backend()).toThrow(unlisted("backend", "release … backend", "frontend"));
  });

  it("publish with a backend-only config pushes the backend alone", async () => {
    answerPlatformProbes(engine);
    const published = await withEngine(engine, () => drydock(exampleWith(BACKEND_ONLY)).publish("ghcr.io/acme", undefined, undefined, ["1.2.3"], undefined, SHA, undefined, undefined, "linux/amd64"));
    expect(published.images().map((i) => i.app)).toEqual(["backend"]);
    expect(published.backend().repository).toBe("ghcr.io/acme/drydock-backend");
    expect(() => published.frontend()).toThrow(unlisted("frontend", "publish … frontend", "backend"));
    expect(publishes().map((p) => p.address)).toEqual(["ghcr.io/acme/drydock-backend:1.2.3"]);
    expect(builtIn()).toEqual(["/src/backend"]);
  });
});
