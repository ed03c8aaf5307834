/**
 * `dagger call` chains through the TypeScript SDK's own entrypoint (`invoke`): the engine builds
 * Drydock from the arguments it was given, keeps every returned object as JSON, and rebuilds it
 * from that JSON for the next function of the chain. What the module returns must survive that
 * round trip, and functions called on rebuilt objects must still work.
 */
import { dag } from "@dagger.io/dagger";
import { beforeAll, describe, expect, it } from "vitest";
import { Executor } from "../../node_modules/@dagger.io/dagger/dist/src/module/executor.js";
import { invoke } from "../../node_modules/@dagger.io/dagger/dist/src/module/entrypoint/invoke.js";
import * as drydockModule from "../../dagger/src/index.ts";
import { App } from "../../dagger/src/objects/app.ts";
import { GateFailedError } from "../../dagger/src/objects/gate-error.ts";
import { listDirectory } from "../support/fake-engine/filesystem.js";
import { lookupId } from "../support/fake-engine/ids.js";
import { ObjectRef, useFakeEngine, withEngine } from "../support/fake-engine/index.js";
import { introspectModule, type IntrospectedModule } from "../support/introspect.js";
import { repoRoot } from "../support/paths.js";
import { answerTrivy, EXAMPLE_APP, reportText } from "../support/plan-helpers.js";
import { langResult } from "../support/trivy-reports.js";

const engine = useFakeEngine();

const ALPINE = "docker.io/library/alpine:3.22.2@sha256:4b7ce07002c69e8f3d704a9c5d6fd3053be500b7f1c69fc0d80990c2ad8dd412";

type Json = Record<string, unknown>;
let module: IntrospectedModule;
let executor: Executor;

beforeAll(async () => {
  module = await introspectModule();
  // The entrypoint hands the executor the module's imported files; their exports are all it reads.
  executor = new Executor([drydockModule] as unknown as ConstructorParameters<typeof Executor>[0], module);
}, 60_000);

/** One function call as the engine makes it: arguments and parent as JSON, the result back as JSON. */
async function call(parentName: string, fnName: string, parentArgs: Json, fnArgs: Json): Promise<unknown> {
  const result: unknown = await invoke(executor, module, { parentName, fnName, parentArgs, fnArgs });
  return result === undefined || result === null ? null : JSON.parse(JSON.stringify(result));
}

/** `dagger call` with only --source given: every other argument left to its default. */
async function constructDrydock(fnArgs: Json = {}): Promise<Json> {
  const source = await dag.host().directory(EXAMPLE_APP).id();
  return (await call("Drydock", "", {}, { source, ...fnArgs })) as Json;
}

/** What a directory the engine got back by ID holds. */
function entriesOf(id: unknown): string[] {
  const issued = typeof id === "string" ? lookupId(id) : undefined;
  if (!issued) throw new Error(`not an ID the fake engine handed out: ${JSON.stringify(id)}`);
  const listing = listDirectory({ rules: [], hostRoot: repoRoot }, issued.chain, ".");
  if (listing.kind !== "list") throw new Error(`cannot list ${JSON.stringify(id)}: ${listing.reason}`);
  return [...listing.names].sort();
}

describe("dagger call through the SDK entrypoint", () => {
  it("gives App a copy of every Drydock state field, so an app builds with everything the builders set", () => {
    const fields = (name: string) => Object.keys(module.objects[name]?.properties ?? {}).filter((field) => field !== "name").sort();
    expect(fields("App")).toEqual(fields("Drydock"));
  });

  it("App.chosenFrom copies every Drydock state field, each with its value", () => {
    const fields = Object.keys(module.objects["Drydock"]?.properties ?? {});
    expect(fields.length).toBeGreaterThan(20);
    const state = Object.fromEntries(fields.map((field) => [field, field === "allowedDbRepositories" ? [`value of ${field}`] : `value of ${field}`]));
    const drydock = Object.assign(Object.create(drydockModule.Drydock.prototype) as drydockModule.Drydock, state);
    const { name, ...copied } = { ...App.chosenFrom(drydock, "backend") };
    expect(name).toBe("backend");
    expect(copied).toEqual(state);
  });

  it("constructs Drydock with only --source, the optional secrets left out", async () => {
    const state = await withEngine(engine, () => constructDrydock());
    expect(state).toMatchObject({ configPath: "security-config.yml", source: expect.stringMatching(/^fake-id:Directory:/) });
    // Unset until with-pnpm-version: each app's packageManager decides.
    expect(state).not.toHaveProperty("config");
    expect(state).not.toHaveProperty("pnpmVersion");
  });

  it("keeps what a builder set through the JSON round trip, and leaves the object it was called on as it was", async () => {
    const { before, after } = await withEngine(engine, async () => {
      const before = await constructDrydock();
      const after = (await call("Drydock", "withLabels", before, { imageVersion: "1.4.0", licenses: "MIT" })) as Json;
      return { before, after: (await call("Drydock", "withPnpmVersion", after, { pnpmVersion: "12.4.3" })) as Json };
    });
    expect(after).toMatchObject({ imageVersion: "1.4.0", licenses: "MIT", revision: "unknown", pnpmVersion: "12.4.3", source: expect.stringMatching(/^fake-id:Directory:/) });
    expect(before).toMatchObject({ imageVersion: "0.0.0-dev", licenses: "NOASSERTION" });
    expect(before).not.toHaveProperty("pnpmVersion");
  });

  it("mounts the cache volume given to with-trivy-cache for the DB refresh", async () => {
    answerTrivy(engine);
    await withEngine(engine, async () => {
      const cache = await dag.cacheVolume("trivy-db-ci").id();
      const drydock = (await call("Drydock", "withTrivyCache", await constructDrydock(), { cache })) as Json;
      const image = await dag.container().from(ALPINE).id();
      await call("Drydock", "lint", drydock, {});
      return call("Drydock", "scan", drydock, { image, name: "alpine" });
    });
    const volumes = engine.stepsOf("withMountedCache").map((step) => {
      const cache = step.args["cache"];
      return cache instanceof ObjectRef ? cache.chain.at(-1)?.args["key"] : cache;
    });
    expect(volumes).toEqual(["trivy-db-ci"]);
  });

  it("chains app --name=backend into scan and its typed findings, enums as their member names", async () => {
    answerTrivy(engine, { backend: reportText([langResult()]) });
    const failing = await withEngine(engine, async () => {
      const app = (await call("Drydock", "app", await constructDrydock(), { name: "backend" })) as Json;
      const scan = (await call("App", "scan", app, {})) as Json;
      return (await call("ImageScan", "failing", scan, {})) as Json[];
    });
    expect(failing.length).toBeGreaterThan(0);
    expect(failing[0]).toMatchObject({ kind: "Vulnerability", allowedBy: "Nothing", reason: "" });
    expect(["Unknown", "Low", "Medium", "High", "Critical"]).toContain(failing[0]!["severity"]);
  });

  it("chains a Report's backend scan into summary-json, from the JSON the engine keeps", async () => {
    answerTrivy(engine);
    const summary = await withEngine(engine, async () => {
      const report = (await call("Drydock", "buildAndScan", await constructDrydock(), {})) as Json;
      const scans = (await call("Report", "scans", report, {})) as Json[];
      const id = await call("ImageScan", "summaryJson", scans[0]!, {});
      const issued = lookupId(String(id));
      return issued?.chain.at(-1)?.args["contents"];
    });
    expect(JSON.parse(String(summary))).toMatchObject({ notes: [] });
  });

  it.each([
    { name: "not given", fnArgs: {}, env: {} },
    { name: "given", fnArgs: { prismaSchemaEngineBinary: "/bin/false" }, env: { PRISMA_SCHEMA_ENGINE_BINARY: "/bin/false" } },
  ])("builds the backend from the rebuilt Drydock with the Prisma arguments $name", async ({ fnArgs, env }) => {
    await withEngine(engine, async () => {
      const drydock = await constructDrydock();
      const withPrisma = Object.keys(fnArgs).length > 0 ? ((await call("Drydock", "withPrisma", drydock, fnArgs)) as Json) : drydock;
      return call("Drydock", "backend", withPrisma, {});
    });
    const generate = engine.execs().filter((e) => e.args.join(" ") === "pnpm exec prisma generate");
    expect(generate.map((e) => Object.fromEntries(Object.entries(e.env).filter(([name]) => name.startsWith("PRISMA_"))))).toEqual([env]);
  });

  it("chains build-and-scan into reports, from the JSON the engine keeps", async () => {
    answerTrivy(engine);
    const entries = await withEngine(engine, async () => {
      const drydock = await constructDrydock();
      const report = (await call("Drydock", "buildAndScan", drydock, {})) as Json;
      return entriesOf(await call("Report", "reports", report, {}));
    });
    expect(entries).toEqual(["backend-migrations/", "backend/", "frontend/", "lint/", "summary.json", "summary.md"]);
  });

  it("chains build-and-scan into gate, failing with the summary", async () => {
    answerTrivy(engine, { backend: reportText([langResult()]) });
    const error = await withEngine(engine, async () => {
      const report = (await call("Drydock", "buildAndScan", await constructDrydock(), {})) as Json;
      return call("Report", "gate", report, {}).then(
        () => undefined,
        (e: unknown) => e,
      );
    });
    expect(error).toBeInstanceOf(GateFailedError);
    expect((error as Error).message).toContain("## ❌ Security gate failed: backend");
  });

  it("chains lint into files, which has no SBOM to add", async () => {
    answerTrivy(engine);
    const entries = await withEngine(engine, async () => {
      const lint = (await call("Drydock", "lint", await constructDrydock(), {})) as Json;
      return entriesOf(await call("LintScan", "files", lint, {}));
    });
    expect(entries).toEqual(["summary.json", "summary.md", "trivy.json", "trivy.sarif"]);
  });
});
