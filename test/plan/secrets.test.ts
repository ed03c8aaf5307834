/**
 * The install secrets (npmrc, CA certificates) through a whole build-and-scan: planted canary
 * strings reach the engine only inside setSecret, are only ever mounted by ID for the pnpm
 * bootstrap and the download (which run no code of the app), and never reach an argument, a
 * variable, a file, a command that runs the app's code (pnpmfile, install scripts, build) or the images.
 * One exception, for the CA alone: the migrations image's download of Prisma's schema engine (Prisma's
 * own code, from the lockfile) gets the CA certificates — public, no credential — for a TLS-intercepting
 * proxy on its way; never the npmrc.
 */
import { dag } from "@dagger.io/dagger";
import { NODE_IMAGE } from "../../dagger/src/images/defaults.ts";
import { ENGINE_PROGRAM } from "../../dagger/src/images/migrations-programs.ts";
import { OPTIONAL_PEER_PRUNE } from "../../dagger/src/images/optional-peers.ts";
import { beforeAll, describe, expect, it } from "vitest";
import { containerState } from "../support/fake-engine/container-state.js";
import { ObjectRef, renderStep, useFakeEngine, withEngine, type Chain, type ExecRecord } from "../support/fake-engine/index.js";
import { answerTrivy, appFoldersOf, chainOf, drydock } from "../support/plan-helpers.js";

const engine = useFakeEngine();

/** The download step of an app: the one command after its source that may get the secrets. */
const isDownload = (e: ExecRecord) => e.args[0] === "pnpm" && e.args[1] === "fetch";
/** The migrations image's schema-engine download: the one command that gets the CA, and nothing else. */
const isEngineFetch = (e: ExecRecord) => e.args[0] === "node" && e.args[2] === ENGINE_PROGRAM;

const NPMRC_CANARY = "//registry.example.com/:_authToken=npm-canary-3f9a6c1e";
const CA_CANARY = "-----BEGIN CERTIFICATE-----\nMIIca-canary-7b1c2d\n-----END CERTIFICATE-----\n";
const NPMRC_SECRET = 'setSecret(name: "drydock-npmrc", plaintext: "***")';
const CA_SECRET = 'setSecret(name: "drydock-proxy-ca", plaintext: "***")';

interface Planned {
  queries: string[];
  execs: ExecRecord[];
  images: Chain[];
  withMountedSecret: { path: unknown; source: string }[];
  secretVariables: number;
  leafFields: string[];
  envValues: string[];
}

/** The whole build-and-scan with both secrets set, recorded once for every assertion below. */
let planned: Planned;

describe("install secrets through build-and-scan", () => {
  beforeAll(async () => {
    answerTrivy(engine);
    const images = await withEngine(engine, async () => {
      const report = await drydock(undefined, {
        npmrc: dag.setSecret("drydock-npmrc", NPMRC_CANARY),
        caCertificates: dag.setSecret("drydock-proxy-ca", CA_CANARY),
      }).buildAndScan();
      return [await chainOf(report.backend()), await chainOf(report.frontend())];
    });
    planned = {
      queries: [...engine.queries],
      execs: engine.execs(),
      images,
      withMountedSecret: engine.stepsOf("withMountedSecret").map((s) => ({
        path: s.args["path"],
        source: s.args["source"] instanceof ObjectRef ? s.args["source"].chain.map((step) => step.field).join(".") : String(s.args["source"]),
      })),
      secretVariables: engine.stepsOf("withSecretVariable").length,
      leafFields: engine.evaluations.map((e) => e.leaf.field),
      envValues: engine.stepsOf("withEnvVariable").map((s) => String(s.args["value"])),
    };
  });

  it.each([
    { name: "the npmrc", canary: NPMRC_CANARY },
    { name: "the CA certificates", canary: CA_CANARY },
    { name: "the npmrc's token alone", canary: "npm-canary-3f9a6c1e" },
    { name: "the certificate's body alone", canary: "MIIca-canary-7b1c2d" },
  ])("never sends $name to the engine outside setSecret", ({ canary }) => {
    expect(planned.queries.some((q) => q.includes("setSecret"))).toBe(true);
    expect(planned.queries.filter((q) => q.includes(canary) || q.includes(JSON.stringify(canary).slice(1, -1)))).toEqual([]);
    expect(planned.envValues.filter((v) => v.includes(canary))).toEqual([]);
  });

  it("never reads a secret's plaintext back, nor puts a secret in a variable", () => {
    expect(planned.leafFields).not.toContain("plaintext");
    expect(planned.secretVariables).toBe(0);
  });

  it("mounts each secret by ID, where BuildKit mounts the Dockerfiles' secrets", () => {
    const paths = new Set(planned.withMountedSecret.map((m) => m.path));
    expect([...paths].sort()).toEqual(["/root/.npmrc", "/run/secrets/ca"]);
    for (const mount of planned.withMountedSecret) expect(mount.source).toBe("setSecret");
  });

  it("gives the secrets to the pnpm bootstrap and to each app's download, and to nothing else", () => {
    const withSecrets = planned.execs.filter((e) => Object.values(e.mounts).some((m) => m.kind === "secret") && !isEngineFetch(e));
    // The pnpm bootstrap, once for both apps (before any folder or source of theirs), and each app's download.
    expect(withSecrets.map((e) => [e.args.slice(0, 3).join(" "), e.workdir ?? "(image's)", ...appFoldersOf(e.chain)].join(" ")).sort()).toEqual([
      "npm install --global (image's)",
      "pnpm fetch --dir=/pnpm/fetch /src/backend backend",
      "pnpm fetch --dir=/pnpm/fetch /src/frontend frontend",
    ]);
    for (const exec of withSecrets) {
      expect(exec.mounts["/root/.npmrc"]).toEqual({ kind: "secret", source: NPMRC_SECRET, options: {} });
      expect(exec.mounts["/run/secrets/ca"]).toEqual({ kind: "secret", source: CA_SECRET, options: {} });
      expect(exec.env["NODE_EXTRA_CA_CERTS"]).toBe("/run/secrets/ca");
    }
    for (const exec of planned.execs.filter((e) => !withSecrets.includes(e) && !isEngineFetch(e))) {
      expect(exec.env, exec.args.join(" ")).not.toHaveProperty("NODE_EXTRA_CA_CERTS");
    }
  });

  it("gives the CA certificates, and no npmrc, to the download of Prisma's schema engine for the migrations image", () => {
    const fetches = planned.execs.filter(isEngineFetch);
    expect(fetches.map((e) => appFoldersOf(e.chain))).toEqual([["backend"]]);
    expect(fetches[0]!.mounts).toEqual({ "/run/secrets/ca": { kind: "secret", source: CA_SECRET, options: {} } });
    expect(fetches[0]!.env["NODE_EXTRA_CA_CERTS"]).toBe("/run/secrets/ca");
    expect(fetches[0]!.secretEnv).toEqual({});
  });

  it("downloads each app's packages with one command that runs no code of the app: no shell, no pnpmfile, no scripts", () => {
    const downloads = planned.execs.filter(isDownload);
    expect(downloads.map((e) => appFoldersOf(e.chain).join()).sort()).toEqual(["backend", "frontend"]);
    for (const exec of downloads) {
      // An argv, not a script: nothing but pnpm's fetch runs, and it loads neither the pnpmfile nor a lifecycle script.
      expect(exec.args).toEqual(["pnpm", "fetch", "--dir=/pnpm/fetch", "--ignore-pnpmfile", "--ignore-scripts", "--store-dir=/pnpm/store"]);
      expect(Object.values(exec.mounts).filter((m) => m.kind !== "secret"), "nothing but the secrets is mounted").toEqual([]);
    }
  });

  it("runs every build command after an app's source is added, but its download, with no secret, no CA variable and no cache volume", () => {
    const appCode = planned.execs.filter((e) => e.image === NODE_IMAGE && appFoldersOf(e.chain).length > 0 && !isDownload(e) && !isEngineFetch(e));
    // The app's code runs in these: its pnpmfile and install scripts, Prisma's generator, its build, pnpm deploy;
    // and the optional-peer removal reads the app's deployed files.
    for (const step of ["pnpm install --frozen-lockfile --offline", "pnpm exec prisma generate", "pnpm run build", "pnpm deploy --filter '{.}' --prod --offline", `node -e ${OPTIONAL_PEER_PRUNE} /out`]) {
      expect(appCode.some((e) => e.args.join(" ").includes(step)), step).toBe(true);
    }
    const exposed = appCode
      .map((e) => ({
        command: `${appFoldersOf(e.chain).join()}: ${e.args.join(" ").slice(0, 60)}`,
        mounts: Object.entries(e.mounts)
          .filter(([, m]) => m.kind === "secret" || m.kind === "cache")
          .map(([at, m]) => `${m.kind} ${at}`),
        env: Object.keys(e.env).filter((name) => name === "NODE_EXTRA_CA_CERTS"),
        secretEnv: Object.keys(e.secretEnv),
      }))
      .filter((e) => e.mounts.length + e.env.length + e.secretEnv.length > 0);
    expect(exposed).toEqual([]);
  });

  it("mounts no cache volume in any command of the builds", () => {
    const builds = planned.execs.filter((e) => e.image === NODE_IMAGE);
    expect(builds.length).toBeGreaterThan(10);
    expect(builds.filter((e) => Object.values(e.mounts).some((m) => m.kind === "cache")).map((e) => e.args.join(" "))).toEqual([]);
  });

  it.each([
    { name: "backend", index: 0 },
    { name: "frontend", index: 1 },
  ])("builds the $name image with no secret mounted, neither in it nor when its files are taken", ({ index }) => {
    const image = planned.images[index]!;
    expect(Object.values(containerState(image).mounts)).toEqual([]);
    expect(containerState(image).env).not.toHaveProperty("NODE_EXTRA_CA_CERTS");
    const appFiles = image.filter((s) => s.field === "withDirectory").map((s) => s.args["source"]);
    expect(appFiles.length).toBeGreaterThan(0);
    for (const files of appFiles) {
      expect(files).toBeInstanceOf(ObjectRef);
      const { chain } = files as ObjectRef;
      const taken = renderStep(chain.at(-1)!);
      expect(Object.values(containerState(chain.slice(0, -1)).mounts).filter((m) => m.kind === "secret"), `no secret is mounted when ${taken} is taken`).toEqual([]);
    }
  });
});
