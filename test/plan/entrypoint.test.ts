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
import { GateFailedError } from "../../dagger/src/objects/gate-error.ts";
import { listDirectory } from "../support/fake-engine/filesystem.js";
import { lookupId } from "../support/fake-engine/ids.js";
import { useFakeEngine, withEngine } from "../support/fake-engine/index.js";
import { introspectModule, type IntrospectedModule } from "../support/introspect.js";
import { repoRoot } from "../support/paths.js";
import { answerTrivy, EXAMPLE_APP, reportText } from "../support/plan-helpers.js";
import { langResult } from "../support/trivy-reports.js";

const engine = useFakeEngine();

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
  it("constructs Drydock with only --source, the optional secrets left out", async () => {
    const state = await withEngine(engine, () => constructDrydock());
    expect(state).toMatchObject({ config: "security-config.yml", pnpmVersion: "12.4.2", source: expect.stringMatching(/^fake-id:Directory:/) });
  });

  it.each([
    { name: "not given", fnArgs: {}, env: {} },
    { name: "given", fnArgs: { prismaSchemaEngineBinary: "/bin/false" }, env: { PRISMA_SCHEMA_ENGINE_BINARY: "/bin/false" } },
  ])("builds the backend from the rebuilt Drydock with the Prisma arguments $name", async ({ fnArgs, env }) => {
    await withEngine(engine, async () => call("Drydock", "backend", await constructDrydock(fnArgs), {}));
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
    expect(entries).toEqual(["backend/", "frontend/", "lint/", "summary.md"]);
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
      return entriesOf(await call("Scan", "files", lint, {}));
    });
    expect(entries).toEqual(["summary.json", "summary.md", "trivy.json", "trivy.sarif"]);
  });
});
