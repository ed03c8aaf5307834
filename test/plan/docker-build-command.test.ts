/**
 * `app --name=… docker-build-command`: the `docker build` line that builds the same image as the
 * Dagger build, from security-config.yml and the module's settings. The proof is the parity
 * model's: the printed line is run by a real shell (a stand-in docker records its argv), its build
 * arguments resolve Dockerfile.<app>, and that model must equal the Dagger plan of the same
 * source and settings — for both examples, a backend without Prisma, and every key non-default.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path/posix";
import { dag } from "@dagger.io/dagger";
import { afterAll, describe, expect, it } from "vitest";
import { NODE_IMAGE } from "../../dagger/src/images/defaults.ts";
import { App } from "../../dagger/src/objects/app.ts";
import { ConfigError } from "../../dagger/src/config/errors.ts";
import { ArgumentError } from "../../dagger/src/errors.ts";
import { readDockerfile } from "../support/dockerfile.js";
import { useFakeEngine, withEngine } from "../support/fake-engine/index.js";
import { repoRoot } from "../support/paths.js";
import { drydock, EXAMPLE_APP, exampleAppFiles, useTempSources, type DrydockArgs } from "../support/plan-helpers.js";
import { buildArgsOf, runWithFakeDocker } from "../support/sh-argv.js";
import { compareBuilds, describeDrifts } from "./parity/drift.js";
import { withInputFiles } from "./parity/files.js";
import { planOf } from "./parity/plan-of.js";

const engine = useFakeEngine();
const tempSource = useTempSources();
const APPS = ["backend", "frontend"] as const;
type AppName = (typeof APPS)[number];

type CommandArgs = Parameters<App["dockerBuildCommand"]>;

/** Whether the recorded plan reads the backend's folder (the query names the path). */
const readsBackend = () => engine.queries.some((q) => q.includes('"backend"'));

/** What docker-build-command prints for `app` of `source` (a folder of the repository, or absolute) with Drydock's `settings`. */
function printed(source: string, settings: Partial<DrydockArgs>, app: AppName, ...args: CommandArgs): Promise<string> {
  return withEngine(engine, () => App.chosenFrom(drydock(source, settings), app).dockerBuildCommand(...args));
}

const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** A copy of examples/app with its apps moved to srv/api and srv/web, and `config` as its security-config.yml. */
function movedExample(config: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "drydock-docker-build-"));
  made.push(dir);
  cpSync(path.join(repoRoot, EXAMPLE_APP), dir, { recursive: true, filter: (from) => !/\/(node_modules|dist|\.next)$/.test(from) });
  mkdirSync(path.join(dir, "srv"));
  renameSync(path.join(dir, "backend"), path.join(dir, "srv/api"));
  renameSync(path.join(dir, "frontend"), path.join(dir, "srv/web"));
  writeFileSync(path.join(dir, "security-config.yml"), config);
  return dir;
}

/** A copy of examples/app whose backend has no Prisma schema or config. */
function exampleWithoutPrisma(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "drydock-docker-build-"));
  made.push(dir);
  cpSync(path.join(repoRoot, EXAMPLE_APP), dir, { recursive: true, filter: (from) => !/\/(node_modules|dist|\.next)$/.test(from) });
  rmSync(path.join(dir, "backend/prisma"), { recursive: true });
  rmSync(path.join(dir, "backend/prisma.config.ts"));
  return dir;
}

const MIRROR_BUILD = `registry.example.com/mirror/node:24.13.1-alpine@sha256:${"b".repeat(64)}`;
const MIRROR_RUNTIME = `registry.example.com/mirror/node-runtime:24.13.1@sha256:${"c".repeat(64)}`;

/** Every apps key non-default (backendUrlVariables is a run-time variable: no build argument), and keys of the rest of the config that no build argument carries. */
const EVERY_KEY_CONFIG = `version: 1
apps:
  backend:
    path: srv/api/
    image: shop-api
    port: 8080
    healthPath: /status/live
    entrypoint: dist/src/main.js
  frontend:
    path: srv/web
    image: acme/shop-web
    port: 8081
    healthPath: /_internal/health-check.v2
    entrypoint: apps/web/server.js
    backendUrlVariables: [API_URL, SERVER_URL]
policy:
  failOn: { vulnerabilities: [CRITICAL], secrets: [HIGH], misconfigurations: [] }
  ignoreUnfixed: true
  maxExceptionDays: 30
  expiryWarningDays: 3
scanner:
  timeout: 20m
  maxDbAgeDays: 2
smoke: { enabled: false, backend: false, frontend: false, timeout: 90s }
`;

/** Every module setting that reaches the image, non-default. */
const EVERY_SETTING: Partial<DrydockArgs> = {
  buildImage: MIRROR_BUILD,
  runtimeImage: MIRROR_RUNTIME,
  imageVersion: "1.4.0",
  revision: "0123456789abcdef0123456789abcdef01234567",
  created: "2026-11-27T10:00:00Z",
  sourceUrl: "https://example.com/acme/shop",
  licenses: "MIT OR Apache-2.0",
  prismaSchemaEngineBinary: "/bin/false",
  prismaEnginesMirror: "https://prisma-mirror.example.com/engines",
};

const VARIANTS: { name: string; source: () => string; settings: Partial<DrydockArgs> }[] = [
  { name: "examples/app", source: () => EXAMPLE_APP, settings: {} },
  { name: "examples/workspace", source: () => "examples/workspace", settings: {} },
  { name: "a backend without Prisma", source: exampleWithoutPrisma, settings: {} },
  { name: "every config key and module setting non-default", source: () => movedExample(EVERY_KEY_CONFIG), settings: EVERY_SETTING },
];

describe.each(VARIANTS)("the printed docker build for $name", ({ source: sourceOf, settings }) => {
  it.each(APPS)("resolves Dockerfile.%s, run by sh, to the Dagger plan's build", async (app) => {
    const source = sourceOf();
    const text = await printed(source, settings, app);
    const { argv, buildkit } = runWithFakeDocker(text);
    expect({ buildkit, file: argv.slice(0, 3), context: argv.at(-1) }).toEqual({ buildkit: "1", file: ["build", "--file", `Dockerfile.${app}`], context: "." });

    const tree = path.resolve(repoRoot, source);
    const dockerfile = readDockerfile(readFileSync(path.join(repoRoot, `Dockerfile.${app}`), "utf8"), `Dockerfile.${app}`, buildArgsOf(argv));
    // The layout program runs for real on the tree, with the printed APP_DIR, PNPM_VERSION and PRISMA.
    const dockerModel = withInputFiles(dockerfile.model, tree, dockerfile.layout.args.slice(6));
    const daggerModel = withInputFiles(await planOf(engine, app, settings, source), tree);
    expect(describeDrifts(app, compareBuilds(dockerModel, daggerModel))).toBe("");
  }, 60_000);
});

describe("docker-build-command", () => {
  it("gives examples/app's backend every build argument, defaults spelled out, and tags it with the config's image name", async () => {
    const { argv } = runWithFakeDocker(await printed(EXAMPLE_APP, {}, "backend"));
    expect(argv.slice(0, 7)).toEqual(["build", "--file", "Dockerfile.backend", "--tag", "drydock-backend", "--target", "runtime"]);
    expect(readsBackend()).toBe(true);
    expect(buildArgsOf(argv)).toEqual({
      BASE_NAME: "docker.io/library/node:24.13.1-alpine",
      BASE_DIGEST: NODE_IMAGE.split("@")[1],
      BUILD_IMAGE: NODE_IMAGE,
      RUNTIME_IMAGE: NODE_IMAGE,
      APP_DIR: "backend",
      PNPM_VERSION: "12.4.2",
      PRISMA: "on",
      ENTRYPOINT: "dist/main.js",
      HEALTH_PATH: "/health",
      PORT: "3000",
      TITLE: "drydock-backend",
      VERSION: "0.0.0-dev",
      REVISION: "unknown",
      CREATED: "1970-01-01T00:00:00Z",
      SOURCE: "",
      LICENSES: "NOASSERTION",
    });
  });

  it("reads the pnpm a workspace member installs with from the workspace root's package.json", async () => {
    const root = JSON.parse(readFileSync(path.join(repoRoot, "examples/workspace/package.json"), "utf8")) as { packageManager: string };
    const { argv } = runWithFakeDocker(await printed("examples/workspace", {}, "frontend"));
    expect(`pnpm@${buildArgsOf(argv)["PNPM_VERSION"]}`).toBe(root.packageManager);
  });

  it("takes the context, Dockerfile, tag and secret files it is given, naming the files and reading none", async () => {
    const { argv } = runWithFakeDocker(await printed(EXAMPLE_APP, {}, "frontend", "../shop", "../drydock/Dockerfile.frontend", "acme/shop-web:1.4.0", "/home/me/no such .npmrc", "./ca.pem"));
    expect([...argv.slice(0, 7), ...argv.slice(-5)]).toEqual([
      "build",
      "--file",
      "../drydock/Dockerfile.frontend",
      "--tag",
      "acme/shop-web:1.4.0",
      "--target",
      "runtime",
      "--secret",
      "id=npmrc,src=/home/me/no such .npmrc",
      "--secret",
      "id=ca,src=./ca.pem",
      "../shop",
    ]);
  });

  it("never prints a secret the module holds: a note says which --secret the build needs", async () => {
    const text = await printed(EXAMPLE_APP, { npmrc: dag.setSecret("npmrc", "//registry.example/:_authToken=npm_SECRET_TOKEN"), caCertificates: dag.setSecret("ca", "-----BEGIN CERTIFICATE-----SECRET") }, "backend");
    expect(text).not.toMatch(/SECRET|_authToken|BEGIN CERTIFICATE/);
    expect(text.split("\n").filter((line) => line.startsWith("#"))).toEqual([
      '# with-npmrc is set: add --secret id=npmrc,src="$HOME/.npmrc" (or pass --npmrc-path to docker-build-command to print it); the secret itself is never printed',
      "# with-ca-certificates is set: add --secret id=ca,src=<the PEM file> (or pass --ca-certificates-path to docker-build-command to print it); the secret itself is never printed",
    ]);
    expect(runWithFakeDocker(text).argv.filter((word) => word === "--secret")).toEqual([]);
  });

  it("prints with-pnpm-version's pnpm when it is packageManager's", async () => {
    const { argv } = runWithFakeDocker(await printed(EXAMPLE_APP, { pnpmVersion: "12.4.2" }, "frontend"));
    expect(buildArgsOf(argv)["PNPM_VERSION"]).toBe("12.4.2");
  });

  it("refuses with-pnpm-version's pnpm when packageManager names another, which the Dockerfile's layout stage refuses", async () => {
    await expect(printed(EXAMPLE_APP, { pnpmVersion: "12.5.0" }, "backend")).rejects.toThrow(
      new ArgumentError({
        where: "--pnpm-version",
        found: '"12.5.0" (with-pnpm-version), while backend/package.json names pnpm@12.4.2 in packageManager',
        expected: "the pnpm packageManager names: the Dockerfiles' layout stage refuses any other PNPM_VERSION",
        fix: 'leave out with-pnpm-version for docker-build-command, or set packageManager in backend/package.json to "pnpm@12.5.0" and run pnpm install with it',
      }),
    );
  });

  it("fails for an app the config does not list, naming the config file and key, and reads no app", async () => {
    const source = tempSource({ ...exampleAppFiles(), "security-config.yml": "apps:\n  frontend: {}\n" });
    await expect(printed(source, {}, "backend")).rejects.toThrow(
      "security-config.yml: apps: found no backend, expected apps.backend for `app --name=backend docker-build-command` — add apps.backend to security-config.yml, or call a function of an app it lists (frontend)",
    );
    expect(readsBackend()).toBe(false);
  });

  it("refuses a bad argument before it reads the config", async () => {
    const source = tempSource({ ...exampleAppFiles(), "security-config.yml": "apps: 3\n" });
    await expect(printed(source, {}, "backend", undefined, undefined, "Shop:latest")).rejects.toThrow(ArgumentError);
    await expect(printed(source, {}, "backend")).rejects.toThrow(ConfigError);
  });
});
