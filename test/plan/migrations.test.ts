/**
 * The backend's migrations image against the fake engine: `app --name=backend migrations` builds
 * the Prisma CLI and the migrations on the cleaned runtime root as 1000:1000, its entrypoint the
 * migration; its files come from every dependency pruned to the CLI (no secret), its schema engine
 * from the runtime base; the functions of an app without migrations fail, saying what it lacks; and
 * build-and-scan scans and gates it as a third image, backend-migrations, in the summary and reports.
 */
import { dag, type Container, type Directory } from "@dagger.io/dagger";
import { describe, expect, it } from "vitest";
import { ArgumentError, SourceError } from "../../dagger/src/errors.ts";
import { NODE_IMAGE, PACKAGE_MANAGER_PATHS } from "../../dagger/src/images/defaults.ts";
import { ENGINE_PROGRAM, MIGRATIONS_PROGRAM } from "../../dagger/src/images/migrations-programs.ts";
import { MIGRATE_ENTRYPOINT, MIGRATIONS_DEPLOY } from "../../dagger/src/images/migrations.ts";
import { LOCAL_PACKAGES_BUILD } from "../../dagger/src/images/steps.ts";
import { ObjectRef, useFakeEngine, withEngine, type Chain, type ExecRecord } from "../support/fake-engine/index.js";
import { answerTrivy, chainOf, drydock, exampleAppFiles, MINIMAL_APPS, rejectionOf, reportText, scannedImageTitle, useTempSources, type DrydockArgs } from "../support/plan-helpers.js";
import { shippedFolderOf } from "../support/shipped-folder.js";
import { langResult, vulnerability } from "../support/trivy-reports.js";

const engine = useFakeEngine();
const tempSource = useTempSources();

/** The migrations image of `source`, synced, and its chain. */
async function migrationsOf(source?: string, args: Partial<DrydockArgs> = {}): Promise<Chain> {
  return withEngine(engine, async () => {
    const image: Container = await (await drydock(source, args).app("backend")).migrations();
    await image.sync();
    return chainOf(image);
  });
}

const isProgram = (program: string) => (e: ExecRecord) => e.args[0] === "node" && e.args[1] === "-e" && e.args[2] === program;
const only = (found: ExecRecord[], what: string): ExecRecord => {
  expect(found, what).toHaveLength(1);
  return found[0]!;
};
const stepsOf = (chain: Chain, field: string) => chain.filter((s) => s.field === field);
const sourceChain = (value: unknown): Chain => (value instanceof ObjectRef ? value.chain : expect.fail(`expected an object argument, got ${JSON.stringify(value)}`));

describe("app --name=backend migrations", () => {
  it("is the cleaned runtime root with the CLI's files and the Prisma files owned by root, as 1000:1000, its entrypoint `prisma migrate deploy`, with the OCI labels", async () => {
    const chain = await migrationsOf(undefined, { imageVersion: "1.4.0", revision: "0123abc" });
    expect(chain.slice(0, 2).map((s) => s.field)).toEqual(["container", "withRootfs"]);
    const root = sourceChain(chain[1]!.args["directory"]);
    expect(root.map((s) => s.field)).toEqual(["container", "from", "rootfs", "filter"]);
    expect({ base: root[1]!.args["address"], removed: root[3]!.args["exclude"] }).toEqual({ base: NODE_IMAGE, removed: [...PACKAGE_MANAGER_PATHS] });

    const [cli, prisma, ...more] = stepsOf(chain, "withDirectory").map(shippedFolderOf);
    expect(more).toEqual([]);
    // Both folders at the image's SOURCE_DATE_EPOCH (0 for the default created label), not at the times a step or a checkout wrote them.
    expect([cli, prisma].map((folder) => [folder!.to, folder!.owner, folder!.time])).toEqual([["/app", "0:0", 0], ["/app", "0:0", 0]]);
    // The Prisma files are exactly what prisma generate gets of the app folder: the config and the schema's folder (with the migrations).
    const files = prisma!.source;
    const generate = only(engine.execs().filter((e) => e.args.join(" ") === "pnpm exec prisma generate"), "prisma generate");
    const generateInputs = sourceChain([...generate.chain].reverse().find((s) => s.field === "withDirectory")!.args["source"]);
    expect(files).toEqual(generateInputs);
    expect(files.map((s) => s.field)).toEqual(["host", "directory", "directory", "filter"]);
    expect(files[3]!.args["include"]).toEqual(expect.arrayContaining(["prisma.config.ts", "prisma/**"]));

    const env = Object.fromEntries(stepsOf(chain, "withEnvVariable").map((s) => [s.args["name"], s.args["value"]]));
    expect(env).toEqual({
      PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
      NODE_ENV: "production",
      CHECKPOINT_DISABLE: "1",
      PRISMA_SCHEMA_ENGINE_BINARY: "/app/schema-engine",
    });
    expect(stepsOf(chain, "withWorkdir").map((s) => s.args["path"])).toEqual(["/app"]);
    expect(stepsOf(chain, "withUser").map((s) => s.args["name"])).toEqual(["1000:1000"]);
    expect(stepsOf(chain, "withEntrypoint").map((s) => s.args["args"])).toEqual([MIGRATE_ENTRYPOINT]);
    const labels = Object.fromEntries(stepsOf(chain, "withLabel").map((s) => [s.args["name"], s.args["value"]]));
    expect(labels).toMatchObject({
      "org.opencontainers.image.title": "drydock-backend-migrations",
      "org.opencontainers.image.version": "1.4.0",
      "org.opencontainers.image.revision": "0123abc",
      "org.opencontainers.image.base.name": NODE_IMAGE.split("@")[0],
      "org.opencontainers.image.base.digest": NODE_IMAGE.split("@")[1],
    });
    expect(Object.keys(labels)).toHaveLength(9);
    // A one-off job: no port, no healthcheck, and nothing runs in the image's own chain.
    expect(chain.map((s) => s.field).filter((f) => ["withExposedPort", "withDockerHealthcheck", "withExec"].includes(f))).toEqual([]);
  });

  it("takes every dependency from the build's store (after the local packages, before the app's source), prunes it to the CLI, and fetches the schema engine in the runtime base as root", async () => {
    await migrationsOf();
    const execs = engine.execs();
    const deploy = only(execs.filter((e) => JSON.stringify(e.args) === JSON.stringify(MIGRATIONS_DEPLOY)), "pnpm deploy of every dependency");
    expect(deploy.args[2], "devDependencies included: the CLI is one").not.toContain("--prod");
    expect(deploy.workdir).toBe("/src/backend");
    const before = deploy.chain.filter((s) => s.field === "withExec").map((s) => (s.args["args"] as string[]).join(" "));
    expect(before).toContain("pnpm exec prisma generate");
    expect(before).toContain(LOCAL_PACKAGES_BUILD.join(" "));
    expect(before, "a source edit does not rebuild it").not.toContain("pnpm run build");
    const prune = only(execs.filter(isProgram(MIGRATIONS_PROGRAM)), "the prune");
    expect({ args: prune.args.slice(3), workdir: prune.workdir, chainOfDeploy: prune.chain.slice(0, deploy.chain.length) }).toEqual({
      args: ["/migrate"],
      workdir: "/src/backend",
      chainOfDeploy: deploy.chain,
    });
    const fetch = only(execs.filter(isProgram(ENGINE_PROGRAM)), "the schema engine's fetch");
    expect({ args: fetch.args.slice(3), image: fetch.image, user: fetch.user }).toEqual({ args: ["/migrate"], image: NODE_IMAGE, user: "0:0" });
    const copied = stepsOf(fetch.chain, "withDirectory");
    expect(copied.map((s) => [s.args["path"], sourceChain(s.args["source"]).at(-1)?.field, sourceChain(s.args["source"]).at(-1)?.args["path"]])).toEqual([["/migrate", "directory", "/migrate"]]);
    // The folder the prune wrote: the directory is taken from the prune's own container.
    expect(sourceChain(copied[0]!.args["source"]).slice(0, -1)).toEqual(prune.chain);
    // No secret and no cache for the commands that read the app's deployed files.
    for (const exec of [deploy, prune]) expect({ mounts: exec.mounts, secretEnv: exec.secretEnv }).toEqual({ mounts: {}, secretEnv: {} });
  });

  it.each([
    { name: "not given", args: {}, prune: undefined, fetch: undefined },
    {
      name: "given",
      args: { prismaSchemaEngineBinary: "/bin/false", prismaEnginesMirror: "https://prisma-mirror.example.com/engines" },
      prune: "/bin/false",
      fetch: "https://prisma-mirror.example.com/engines",
    },
  ])("hands PRISMA_SCHEMA_ENGINE_BINARY to the prune alone and PRISMA_ENGINES_MIRROR to the engine fetch alone: $name", async ({ args, prune, fetch }) => {
    await migrationsOf(undefined, args);
    const execs = engine.execs();
    const knobs = (e: ExecRecord) => [e.env["PRISMA_SCHEMA_ENGINE_BINARY"], e.env["PRISMA_ENGINES_MIRROR"]];
    expect(knobs(only(execs.filter(isProgram(MIGRATIONS_PROGRAM)), "the prune"))).toEqual([prune, undefined]);
    expect(knobs(only(execs.filter(isProgram(ENGINE_PROGRAM)), "the fetch"))).toEqual([undefined, fetch]);
    expect(knobs(only(execs.filter((e) => JSON.stringify(e.args) === JSON.stringify(MIGRATIONS_DEPLOY)), "the deploy"))).toEqual([undefined, undefined]);
  });

  const withoutMigrations = () => tempSource(Object.fromEntries(Object.entries(exampleAppFiles()).filter(([file]) => !file.includes("prisma/migrations/"))));
  it.each([
    {
      name: "the frontend",
      call: () => withEngine(engine, async () => (await drydock().app("frontend")).migrations()),
      type: ArgumentError,
      message: '--name: found "frontend", expected backend: only the backend has Prisma migrations — call app --name=backend migrations',
    },
    {
      name: "a backend without Prisma",
      call: () => withEngine(engine, async () => (await drydock(tempSource(MINIMAL_APPS)).app("backend")).migrations()),
      type: SourceError,
      message:
        "security-config.yml: apps.backend.path: found no Prisma schema (no prisma.config.* and no prisma/schema.prisma) in backend, expected a backend with Prisma migrations: the migrations image runs prisma migrate deploy — commit the migrations prisma migrate dev writes beside the schema, or build only the backend image",
    },
    {
      name: "a backend whose Prisma has no migration",
      call: () => withEngine(engine, async () => (await drydock(withoutMigrations()).app("backend")).migrations()),
      type: SourceError,
      message:
        "security-config.yml: apps.backend.path: found no migration (migrations/<name>/migration.sql) beside the Prisma schema prisma/schema.prisma in backend, expected a backend with Prisma migrations: the migrations image runs prisma migrate deploy — commit the migrations prisma migrate dev writes beside the schema, or build only the backend image",
    },
  ])("fails for $name, saying what it found and how to fix it, and runs nothing", async ({ call, type, message }) => {
    const error = await rejectionOf(call());
    expect(error).toBeInstanceOf(type);
    expect(error.message).toBe(message);
    expect(engine.execs()).toEqual([]);
  });
});

describe("build-and-scan and the migrations image", () => {
  const lodash = vulnerability();
  const withLodash = reportText([langResult({ Vulnerabilities: [lodash] })]);
  const baselineOf = (reports: Record<string, string>): Directory => Object.entries(reports).reduce((dir, [scan, text]) => dir.withNewFile(`${scan}/trivy.json`, text), dag.directory());

  it("scans it as a third image from the smoke test's own build, and fails the gate on a finding in it alone, naming it", async () => {
    answerTrivy(engine, { backendMigrations: withLodash });
    const report = await withEngine(engine, () => drydock().buildAndScan());
    expect(report.scans().map((scan) => [scan.name, scan.passed])).toEqual([
      ["backend", true],
      ["backend-migrations", false],
      ["frontend", true],
    ]);
    expect(report.passed).toBe(false);
    expect(report.summary).toContain("## ❌ Security gate failed: backend-migrations");
    expect(report.summary).toContain("CVE-2019-10744");
    // One migrations image: the one scanned is the one the smoke test ran.
    const scanned = engine.execs().filter((e) => e.args[0] === "trivy" && e.args.includes("--input") && scannedImageTitle(e.chain) === "drydock-backend-migrations");
    expect(scanned).toHaveLength(1);
  });

  it("applies backend-migrations/trivy.json of the baseline folder, and takes a folder without it (every finding then counts)", async () => {
    answerTrivy(engine, { backendMigrations: withLodash });
    const clean = reportText();
    const withIt = await withEngine(engine, () => drydock().buildAndScan(baselineOf({ backend: clean, frontend: clean, lint: clean, "backend-migrations": withLodash })));
    expect(withIt.passed).toBe(true);
    expect(withIt.scans()[1]!.summary).toContain("1 pre-existing (in the baseline)");
    answerTrivy(engine, { backendMigrations: withLodash });
    const without = await withEngine(engine, () => drydock().buildAndScan(baselineOf({ backend: clean, frontend: clean, lint: clean })));
    expect(without.scans().map((scan) => [scan.name, scan.passed])).toEqual([
      ["backend", true],
      ["backend-migrations", false],
      ["frontend", true],
    ]);
  });

  it("scans it with the smoke test turned off, and not for a backend without Prisma", async () => {
    answerTrivy(engine);
    const off = await withEngine(engine, () => drydock(tempSource({ ...exampleAppFiles(), "security-config.yml": "smoke:\n  enabled: false\n" })).buildAndScan());
    expect(off.scans().map((scan) => scan.name)).toEqual(["backend", "backend-migrations", "frontend"]);
    answerTrivy(engine);
    const none = await withEngine(engine, () => drydock(tempSource(MINIMAL_APPS)).buildAndScan());
    expect(none.scans().map((scan) => scan.name)).toEqual(["backend", "frontend"]);
  });
});
