/**
 * The test module for real engines (dagger/tests) against the fake engine. No engine runs here,
 * so its checks cannot build anything; what they ask for is validated instead, against the core
 * schema extended with the types drydock adds (generated from drydock's sources by the SDK's own
 * introspector, module-schema.ts), and their plan is pinned: the images come from drydock, the
 * services are bound, the probes and checks run where they should, build-and-scan is called once.
 * `dag.drydock(…)`, which `dagger develop` would generate, is bound from that same schema
 * (module-binding.ts), so the module's code runs unchanged.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { Context, dag } from "@dagger.io/dagger";
import { beforeAll, describe, expect, it } from "vitest";
import { APP_USER as DRYDOCK_USER, NODE_IMAGE as DRYDOCK_NODE_IMAGE } from "../../dagger/src/images/defaults.ts";
import { POSTGRES_IMAGE as DRYDOCK_POSTGRES_IMAGE } from "../../dagger/src/smoke/run.ts";
import {
  APP_USER,
  DATABASE_URL,
  MIGRATE_ARGS,
  NODE_IMAGE,
  PACKAGE_MANAGER_PROGRAM,
  PORT,
  POSTGRES_IMAGE,
  PROBE_PROGRAM,
  PROBES,
  RUN_VARIABLE,
  Tests,
  USER_PROGRAM,
} from "../../dagger/tests/src/index.ts";
import { describeApi, undocumented } from "../support/describe-api.js";
import { execIncludes, execStartsWith, renderChain, useFakeEngine, withEngine, type Chain, type Rule } from "../support/fake-engine/index.js";
import { introspectModule, type IntrospectedModule } from "../support/introspect.js";
import { installModuleBinding, moduleBindingDeclarations } from "../support/module-binding.js";
import { moduleSdl, type ModuleSdl } from "../support/module-schema.js";
import { repoRoot } from "../support/paths.js";
import { rejectionOf } from "../support/plan-helpers.js";

const TESTS_DIR = path.join(repoRoot, "dagger", "tests");

let drydockModule: Promise<{ module: IntrospectedModule; sdl: ModuleSdl }> | undefined;
/** drydock as the engine would register it; introspected once for the file. */
function drydockSchema() {
  drydockModule ??= introspectModule().then((module) => ({ module, sdl: moduleSdl(module) }));
  return drydockModule;
}

const engine = useFakeEngine({ schemaExtension: async () => (await drydockSchema()).sdl.sdl });

beforeAll(async () => {
  // After useFakeEngine's beforeAll: the engine has started and extended its schema.
  installModuleBinding(engine.schema!, "drydock", Object.values((await drydockSchema()).sdl.typeNames));
});

/** The tests module as the engine constructs it for `dagger check`: its defaultPath, with its ignore list. */
async function tests(): Promise<Tests> {
  const ignore = (await testsModule()).objects["Tests"]!._constructor!.arguments["app"]!.ignore;
  return new Tests(dag.host().directory("examples/app", { exclude: ignore }));
}

let testsIntrospected: Promise<IntrospectedModule> | undefined;
const testsModule = () => (testsIntrospected ??= introspectModule(TESTS_DIR));

const endsWith =
  (...fields: string[]) =>
  (chain: Chain): boolean =>
    fields.every((field, i) => chain.at(i - fields.length)?.field === field);
/** Everything in the plan that reads drydock's images: chains that start at `drydock(source: …)`. */
const fromDrydock = (chain: Chain) => chain[0]?.field === "drydock";

const userRules = (user = "1000:1000", running = user): Rule[] => [
  { when: (c) => fromDrydock(c) && (endsWith("backend")(c) || endsWith("frontend")(c)), leaves: { user } },
  { when: execStartsWith("node", "-e", USER_PROGRAM), stdout: running },
];

describe("dagger/tests: the module", () => {
  it("depends on drydock at the repository root, on drydock's engine version", () => {
    const config = JSON.parse(readFileSync(path.join(TESTS_DIR, "dagger.json"), "utf8")) as { name: string; engineVersion: string; sdk: { source: string }; source: string; dependencies: { name: string; source: string }[] };
    const main = JSON.parse(readFileSync(path.join(repoRoot, "dagger.json"), "utf8")) as { name: string; engineVersion: string };
    expect(config).toMatchObject({ name: "tests", sdk: { source: "typescript" }, source: ".", engineVersion: main.engineVersion });
    expect(config.dependencies).toEqual([{ name: main.name, source: "../.." }]);
    // A dependency's source is relative to the dagger.json that names it.
    expect(path.resolve(TESTS_DIR, config.dependencies[0]!.source)).toBe(repoRoot);
  });

  it("pins what drydock pins: the Node and Postgres images, the user, the apps' port", () => {
    expect(NODE_IMAGE).toBe(DRYDOCK_NODE_IMAGE);
    expect(POSTGRES_IMAGE).toBe(DRYDOCK_POSTGRES_IMAGE);
    expect(APP_USER).toBe(DRYDOCK_USER);
    const config = readFileSync(path.join(repoRoot, "examples/app/security-config.yml"), "utf8");
    expect([...config.matchAll(/^\s+port: (\d+)$/gm)].map((m) => Number(m[1]))).toEqual([PORT, PORT]);
  });

  it("leaves out of the example app what drydock's own default source leaves out", async () => {
    const { module } = await drydockSchema();
    const drydockIgnore = module.objects["Drydock"]!._constructor!.arguments["source"]!.ignore;
    expect((await testsModule()).objects["Tests"]!._constructor!.arguments["app"]!.ignore).toEqual(drydockIgnore);
  });

  it("has four checks, none with a required argument, none cached, each documented", async () => {
    const module = await testsModule();
    expect(describeApi(module).filter((line) => !line.startsWith(" "))).toEqual([
      `module Tests  "drydock's own checks on a real engine: build the reference application (examples/app) with drydock, run both images as services against Postgres, probe them, inspect them, and run build-and-scan. Run \`dagger check\` in this folder."`,
      `object Tests  "drydock's checks, run on a real engine against the reference application."`,
      "Tests.constructor(app: Directory)",
      `Tests.imagesRunAsUser1000() -> Void  cache=never  check  "Check that both images run as the numeric user 1000:1000: as configured, and as a process in them sees it."`,
      `Tests.imagesHaveNoPackageManagers() -> Void  cache=never  check  "Check that neither image has a package manager: no npm, npx, corepack, yarn or pnpm on the PATH or where Node images install them."`,
      `Tests.imagesServeTheExampleApp() -> Void  cache=never  check  "Run both images as services, the backend against a pinned Postgres with its migrations applied and the frontend against the backend, and probe the backend's /health, the frontend's /api/health and its page."`,
      `Tests.buildAndScanPassesPolicy() -> Void  cache=never  check  "Run build-and-scan on the example app: every scan must run and produce its reports (Trivy JSON, SARIF, CycloneDX SBOM), and the example's policy must pass with today's vulnerability DB."`,
    ]);
    expect(module.objects["Tests"]!._constructor!.arguments["app"]!.defaultPath).toBe("/examples/app");
    expect(undocumented(module)).toEqual([]);
  });

  it("is never read by drydock's introspector, which reads dagger/src only", async () => {
    const { module } = await drydockSchema();
    expect(Object.keys(module.objects)).not.toContain("Tests");
  });
});

describe("drydock's schema, as the engine registers it for its dependents", () => {
  it("namespaces drydock's types and adds Query.drydock with the constructor's arguments", async () => {
    const { sdl } = await drydockSchema();
    expect(sdl.typeNames).toMatchObject({ Drydock: "Drydock", Report: "DrydockReport", ImageScan: "DrydockImageScan", LintScan: "DrydockLintScan" });
    const drydock = engine.schema!.getQueryType()!.getFields()["drydock"]!;
    expect(drydock.args.map((a) => `${a.name}: ${String(a.type)}`)).toEqual(["source: ID", "config: ID", "configPath: String", "baseConfig: ID"]);
    expect(String(drydock.type)).toBe("Drydock!");
  });

  // Known: drydock's Finding has a field `id`, which the engine reserves for every object
  // ("cannot define field with reserved name"): a real engine refuses to load drydock until it
  // is renamed (e.g. @func("findingId")). Turn this into `it` once it is.
  it("passes the engine's load-time checks (no field or function named id)", async () => {
    expect((await drydockSchema()).sdl.problems).toEqual([]);
  });

  it("is what the fake engine validates against: a field drydock does not have is refused", async () => {
    const error = await rejectionOf(withEngine(engine, () => new Context().select("drydock").select("buildAndScann").select("passed").execute()));
    expect(error.message).toContain('[invalid-query] Cannot query field "buildAndScann" on type "Drydock". Did you mean "buildAndScan"?');
    engine.violations.length = 0;
  });

  it("keeps the committed declarations of the binding equal to drydock's schema (the root type check of dagger/tests uses them)", async () => {
    const header = [
      "// Generated by test/plan/tests-module.test.ts (test/support/module-binding.ts) from drydock's schema: the",
      "// declarations `dagger develop` generates into dagger/tests/sdk, for the root type check of dagger/tests.",
      "// Update after changing drydock's API: npx vitest run --project plan test/plan/tests-module.test.ts -u",
    ].join("\n");
    const { sdl } = await drydockSchema();
    await expect(moduleBindingDeclarations(engine.schema!, "drydock", Object.values(sdl.typeNames), header)).toMatchFileSnapshot("../support/drydock-binding.gen.d.ts");
  });
});

describe("dagger/tests: the checks' plans", () => {
  it("imagesRunAsUser1000 reads each image's user from drydock and asks a process in it", async () => {
    engine.addRule(userRules()[0]!).addRule(userRules()[1]!);
    await withEngine(engine, async () => (await tests()).imagesRunAsUser1000());
    const users = engine.evaluations.filter((e) => e.leaf.field === "user").map((e) => renderChain(e.chain));
    expect(users).toEqual([expect.stringMatching(/^drydock\(source: <Directory host\.directory\(path: "examples\/app", exclude: \[.*\]\)>\)\.backend$/), expect.stringMatching(/\)\.frontend$/)]);
    const runs = engine.execs().filter((e) => e.args[2] === USER_PROGRAM);
    expect(runs.map((r) => renderChain(r.chain.slice(0, 2)))).toEqual([expect.stringMatching(/\.backend$/), expect.stringMatching(/\.frontend$/)]);
    expect(runs.map((r) => r.user), "as the image's own user").toEqual([undefined, undefined]);
  });

  it("imagesRunAsUser1000 fails naming the image and the user found", async () => {
    const [configured, running] = userRules("node", "1000:1000");
    engine.addRule(configured!).addRule(running!);
    const error = await rejectionOf(withEngine(engine, async () => (await tests()).imagesRunAsUser1000()));
    expect(error.message).toBe(
      'an image does not run as user 1000:1000:\n- backend: the image\'s user is "node", expected 1000:1000\n- frontend: the image\'s user is "node", expected 1000:1000',
    );
  });

  it("imagesHaveNoPackageManagers runs the fixed finder in both images and fails naming what it found", async () => {
    engine.addRule({ when: execStartsWith("node", "-e", PACKAGE_MANAGER_PROGRAM), stdout: "[]\n" });
    await withEngine(engine, async () => (await tests()).imagesHaveNoPackageManagers());
    expect(engine.execs().filter((e) => e.args[2] === PACKAGE_MANAGER_PROGRAM).map((e) => e.chain[1]?.field)).toEqual(["backend", "frontend"]);

    engine.reset();
    engine.addRule({ when: execStartsWith("node", "-e", PACKAGE_MANAGER_PROGRAM), stdout: "[]\n" });
    engine.addRule({ when: (c) => execStartsWith("node", "-e", PACKAGE_MANAGER_PROGRAM)(c) && c[1]?.field === "frontend", stdout: '["/usr/local/bin/npm"]\n' });
    const error = await rejectionOf(withEngine(engine, async () => (await tests()).imagesHaveNoPackageManagers()));
    expect(error.message).toBe("an image still has a package manager:\n- frontend: found /usr/local/bin/npm, expected no package manager — drydock's runtime stage must remove it");
  });

  describe("imagesServeTheExampleApp", () => {
    const answerProbes = (bodies: Partial<Record<string, { status: number; body: string }>> = {}) => {
      for (const probe of PROBES) {
        const answer = bodies[probe.url] ?? { status: probe.status, body: probe.body };
        engine.addRule({ when: execIncludes(PROBE_PROGRAM, probe.url), stdout: JSON.stringify({ url: probe.url, ...answer }) + "\n" });
      }
    };
    const order = () => engine.evaluations.map((e) => [...e.chain, e.leaf]);
    const first = (p: (c: Chain) => boolean) => order().findIndex(p);
    const started = (p: (c: Chain) => boolean) => (c: Chain) => c.at(-1)?.field === "start" && p(c);
    const isPostgres = (c: Chain) => c.some((s) => s.field === "from" && s.args["address"] === POSTGRES_IMAGE);
    const isImage = (app: string) => (c: Chain) => fromDrydock(c) && c[1]?.field === app;
    const isMigrate = (c: Chain) => c.some((s) => s.field === "withExec" && JSON.stringify(s.args["args"]) === JSON.stringify(MIGRATE_ARGS));

    it("starts pinned Postgres, migrates with drydock's migrations image, then starts the backend and the frontend", async () => {
      answerProbes();
      await withEngine(engine, async () => (await tests()).imagesServeTheExampleApp());
      const dbStart = first(started(isPostgres));
      const migrated = first((c) => isMigrate(c) && c.at(-1)?.field === "sync");
      expect(dbStart).toBeGreaterThanOrEqual(0);
      expect(migrated).toBeGreaterThan(dbStart);
      expect(first(started(isImage("backend")))).toBeGreaterThan(migrated);
      expect(first(started(isImage("frontend")))).toBeGreaterThan(first(started(isImage("backend"))));
      const migrate = engine.execs().find((e) => JSON.stringify(e.args) === JSON.stringify(MIGRATE_ARGS))!;
      expect(renderChain(migrate.chain.slice(0, 3))).toMatch(/^drydock\(source: .*\)\.app\(name: "backend"\)\.migrations$/);
      expect(migrate.env["DATABASE_URL"]).toBe(DATABASE_URL);
      expect(migrate.env[RUN_VARIABLE]).toMatch(/^\d{4}-\d\d-\d\dT/);
      expect(migrate.chain.some((s) => s.field === "withServiceBinding" && s.args["alias"] === "postgres")).toBe(true);
      const services = engine.stepsOf("asService");
      expect(services.map((s) => s.args["useEntrypoint"])).toEqual(services.map(() => true));
      expect(engine.froms()).toEqual(expect.arrayContaining([POSTGRES_IMAGE, NODE_IMAGE]));
      // Every service started is stopped, killed: nothing outlives the check.
      const stops = engine.evaluations.filter((e) => e.leaf.field === "stop");
      expect(stops.map((e) => e.leaf.args)).toEqual([{ kill: true }, { kill: true }, { kill: true }]);
    });

    it("probes /health, /api/health and the page from the pinned Node image as user 1000, with both services bound", async () => {
      answerProbes();
      await withEngine(engine, async () => (await tests()).imagesServeTheExampleApp());
      const probes = engine.execs().filter((e) => e.args[2] === PROBE_PROGRAM);
      expect(probes.map((p) => p.args.slice(3))).toEqual([["http://backend:3000/health"], ["http://frontend:3000/api/health"], ["http://frontend:3000/"]]);
      for (const probe of probes) {
        expect(probe.image).toBe(NODE_IMAGE);
        expect(probe.user).toBe(APP_USER);
        expect(probe.chain.filter((s) => s.field === "withServiceBinding").map((s) => s.args["alias"])).toEqual(["backend", "frontend"]);
      }
      const frontendBinding = probes[0]!.chain.find((s) => s.field === "withServiceBinding" && s.args["alias"] === "frontend")!;
      expect(renderChain([frontendBinding]), "the frontend finds the backend by its binding").toMatch(/withEnvVariable\(name: "BACKEND_URL", value: "http:\/\/backend:3000"\)/);
    });

    it("fails naming each probe that did not answer as expected, and still stops every service", async () => {
      answerProbes({ "http://frontend:3000/": { status: 200, body: "<p role=\"alert\">The backend is unreachable</p>" } });
      const error = await rejectionOf(withEngine(engine, async () => (await tests()).imagesServeTheExampleApp()));
      expect(error.message).toBe('the example app does not serve:\n- GET http://frontend:3000/: the answer lacks "No notes yet.": <p role="alert">The backend is unreachable</p>');
      expect(engine.evaluations.filter((e) => e.leaf.field === "stop")).toHaveLength(3);
    });
  });

  describe("buildAndScanPassesPolicy", () => {
    const answerReport = (passed: { report: boolean; backend: boolean; frontend: boolean; lint: boolean }) => {
      engine.addRule({ when: (c) => fromDrydock(c) && endsWith("buildAndScan")(c), leaves: { passed: passed.report, summary: "# summary\n" } });
      for (const [accessor, name] of [["backendScan", "backend"], ["frontendScan", "frontend"], ["lint", "lint"]] as const) {
        engine.addRule({ when: (c) => fromDrydock(c) && endsWith(accessor)(c), leaves: { name, passed: passed[name] } });
      }
      engine.addRule({ when: endsWith("report"), contents: '{"SchemaVersion":2}' });
      engine.addRule({ when: endsWith("sarif"), contents: '{"version":"2.1.0"}' });
      engine.addRule({ when: endsWith("sbom"), contents: '{"bomFormat":"CycloneDX"}' });
    };
    const allPass = { report: true, backend: true, frontend: true, lint: true };

    it("calls build-and-scan once and reads every scan's reports, then the verdict", async () => {
      answerReport(allPass);
      await withEngine(engine, async () => (await tests()).buildAndScanPassesPolicy());
      const read = engine.evaluations.filter((e) => e.chain[1]?.field === "buildAndScan").map((e) => renderChain([...e.chain.slice(2), e.leaf]));
      expect(new Set(engine.evaluations.filter(fromDrydockEvaluation).map((e) => renderChain(e.chain.slice(0, 2))))).toHaveProperty("size", 1);
      expect(read.sort()).toEqual(
        [
          "backendScan.name",
          "backendScan.report.contents",
          "backendScan.sarif.contents",
          "backendScan.sbom.contents",
          "backendScan.passed",
          "frontendScan.name",
          "frontendScan.report.contents",
          "frontendScan.sarif.contents",
          "frontendScan.sbom.contents",
          "frontendScan.passed",
          "lint.name",
          "lint.report.contents",
          "lint.passed",
          "passed",
          "summary",
        ].sort(),
      );
    });

    it.each([
      { name: "a scan failed: the day's advisories", passed: { ...allPass, report: false, frontend: false }, why: "a scan failed the example's policy" },
      { name: "every scan passed: the smoke stage failed", passed: { ...allPass, report: false }, why: "the smoke stage failed" },
    ])("fails with the summary when $name", async ({ passed, why }) => {
      answerReport(passed);
      const error = await rejectionOf(withEngine(engine, async () => (await tests()).buildAndScanPassesPolicy()));
      expect(error.message).toContain(`build-and-scan: the gate failed: ${why}`);
      expect(error.message).toMatch(/\n\n# summary\n$/);
    });

    it("fails naming a report that is not what Trivy writes", async () => {
      answerReport(allPass);
      engine.addRule({ when: (c) => endsWith("sbom")(c) && c.some((s) => s.field === "frontendScan"), contents: '{"spdxVersion":"SPDX-2.3"}' });
      const error = await rejectionOf(withEngine(engine, async () => (await tests()).buildAndScanPassesPolicy()));
      expect(error.message).toBe('build-and-scan did not produce every report:\n- frontend sbom.cdx.json: bomFormat is undefined, expected "CycloneDX"');
    });
  });
});

function fromDrydockEvaluation(e: { chain: Chain }): boolean {
  return fromDrydock(e.chain) && e.chain[1]?.field === "buildAndScan";
}
