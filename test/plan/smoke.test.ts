/**
 * The smoke stage of build-and-scan and the imagesStart check against the fake engine: Postgres
 * pinned by digest, the backend's migrations image run as a one-off job before it starts, each image a
 * service with its own entrypoint, probes by a fixed program with the URL and bound as arguments,
 * the stage in flight with the scans, and a failing probe failing the report with a Smoke section.
 */
import { MENTION_BREAK } from "../../dagger/src/report/markdown-text.ts";
import { describe, expect, it } from "vitest";
import { RESERVED_VARIABLES } from "../../dagger/src/config/variables.ts";
import { GateFailedError } from "../../dagger/src/objects/gate-error.ts";
import type { ReportSummary } from "../../dagger/src/report/report-summary.ts";
import { PROBE_PROGRAM, CAPTURE_PROGRAM } from "../../dagger/src/smoke/rules.ts";
import { MIGRATE_ENTRYPOINT } from "../../dagger/src/images/migrations.ts";
import { POSTGRES_IMAGE, RUN_VARIABLE, SMOKE_DATABASE_URL } from "../../dagger/src/smoke/run.ts";
import { execStartsWith, ObjectRef, renderChain, useFakeEngine, withEngine, type Chain } from "../support/fake-engine/index.js";
import { failServiceStart } from "../support/fake-engine/service-failures.js";
import { answerTrivy, drydock, MINIMAL_APPS, rejectionOf, scanOf, useTempSources, exampleAppFiles } from "../support/plan-helpers.js";

const engine = useFakeEngine();
const tempSource = useTempSources();

const probes = () => engine.execs().filter((e) => e.args[0] === "node" && e.args[2] === PROBE_PROGRAM);
const isProbe = (url: string) => execStartsWith("node", "-e", PROBE_PROGRAM, "health", url);
const probeLeaf = (url: string) => (chain: Chain) => chain.at(-1)?.field === "stdout" && chain.some((s) => s.field === "withExec" && (s.args["args"] as string[])[4] === url);
/** A run of the migrations image: its entrypoint as the exec, on the image titled drydock-backend-migrations. */
const isMigrate = (chain: Chain) =>
  chain.some((s) => s.field === "withExec" && JSON.stringify(s.args["args"]) === JSON.stringify(MIGRATE_ENTRYPOINT)) &&
  chain.some((s) => s.field === "withLabel" && s.args["value"] === "drydock-backend-migrations");
const isStartOf = (title: string) => (chain: Chain) =>
  chain.at(-1)?.field === "start" && chain.some((s) => s.field === "withLabel" && s.args["value"] === title);
const isPostgresStart = (chain: Chain) => chain.at(-1)?.field === "start" && chain.some((s) => s.field === "from" && s.args["address"] === POSTGRES_IMAGE);

/** The example app with its sources, plus a security-config.yml of our own. */
function exampleWith(config: string): string {
  return tempSource({ ...exampleAppFiles(), "security-config.yml": config });
}

describe("the smoke stage of buildAndScan", () => {
  it("starts Postgres pinned by digest, with its own entrypoint, as a service", async () => {
    answerTrivy(engine);
    const report = await withEngine(engine, () => drydock().buildAndScan());
    expect(report.passed).toBe(true);
    expect(POSTGRES_IMAGE).toMatch(/^docker\.io\/library\/postgres:[\w.-]+@sha256:[0-9a-f]{64}$/);
    expect(engine.froms()).toContain(POSTGRES_IMAGE);
    const services = engine.stepsOf("asService");
    expect(services.map((s) => s.args["useEntrypoint"])).toEqual(services.map(() => true));
    expect(services.length).toBe(3);
  });

  it("runs the migrations image as a one-off job — its own entrypoint, user and folder — with the database bound and a plain URL, before the backend starts", async () => {
    answerTrivy(engine);
    await withEngine(engine, () => drydock().buildAndScan());
    const runs = engine.execs().filter((e) => isMigrate(e.chain));
    expect(runs, "one run of the migrations image").toHaveLength(1);
    const migrate = runs[0]!;
    // What `docker run <image>` runs: the image's own entrypoint, as its last withEntrypoint set it.
    const entrypoint = [...migrate.chain].reverse().find((s) => s.field === "withEntrypoint")?.args["args"];
    expect({ exec: migrate.args, entrypoint }).toEqual({ exec: MIGRATE_ENTRYPOINT, entrypoint: MIGRATE_ENTRYPOINT });
    expect({ user: migrate.user, workdir: migrate.workdir }).toEqual({ user: "1000:1000", workdir: "/app" });
    // The image, not the build stage: it starts from the cleaned runtime root, and no pnpm runs it.
    expect(migrate.chain.slice(0, 2).map((s) => s.field)).toEqual(["container", "withRootfs"]);
    expect(engine.execs().some((e) => e.args.join(" ").startsWith("pnpm exec prisma migrate"))).toBe(false);
    expect(migrate.chain.some((s) => s.field === "withServiceBinding" && s.args["alias"] === "postgres")).toBe(true);
    expect(migrate.env["DATABASE_URL"], "the throwaway database's URL, never a secret of the caller").toBe(SMOKE_DATABASE_URL);
    expect(migrate.env[RUN_VARIABLE]).toMatch(/^\d{4}-\d\d-\d\dT/);
    const order = engine.evaluations.map((e) => [...e.chain, e.leaf]);
    const first = (p: (c: Chain) => boolean) => order.findIndex(p);
    expect(first(isPostgresStart)).toBeGreaterThanOrEqual(0);
    expect(first((c) => isMigrate(c) && c.at(-1)?.field === "sync")).toBeGreaterThan(first(isPostgresStart));
    expect(first(isStartOf("drydock-backend"))).toBeGreaterThan(first((c) => isMigrate(c) && c.at(-1)?.field === "sync"));
    expect(engine.stepsOf("withSecretVariable"), "no secret reaches the build stage or the apps").toEqual([]);
  });

  it("starts a backend without Prisma on its database with no migration and no prisma command", async () => {
    answerTrivy(engine);
    const report = await withEngine(engine, () => drydock(tempSource(MINIMAL_APPS)).buildAndScan());
    expect(engine.execs().flatMap((e) => e.args).filter((arg) => arg.includes("prisma"))).toEqual([]);
    expect(engine.evaluations.some((e) => isMigrate([...e.chain, e.leaf]))).toBe(false);
    expect(engine.evaluations.some((e) => isStartOf("drydock-backend")([...e.chain, e.leaf]))).toBe(true);
    expect(report.summary).not.toContain("prisma migrate deploy");
  });

  it("fails the backend's smoke test at its migrations, naming the migrations image, its exit code and its output", async () => {
    answerTrivy(engine);
    const failure = "Error: Schema engine exited. Error: Command failed with exit code 1: /app/schema-engine --datasource {\"url\":\"<REDACTED>\"} cli can-connect-to-database";
    engine.addRule({ when: (chain) => isMigrate(chain) && chain.at(-1)?.field === "withExec", exitCode: 1, stderr: `${failure}\n` });
    const report = await withEngine(engine, () => drydock().buildAndScan());
    expect(report.passed).toBe(false);
    expect(report.summary).toContain("## ❌ Smoke test failed: backend");
    expect(report.summary).toContain("❌ `drydock-backend-migrations: prisma migrate deploy`: exited with code 1");
    expect(report.summary).toContain("Schema engine exited");
    expect(engine.evaluations.some((e) => isStartOf("drydock-backend")([...e.chain, e.leaf])), "the backend never starts without its tables").toBe(false);
  });

  it("starts a backend whose Prisma has no migrations with no migrations image (nothing to apply)", async () => {
    answerTrivy(engine);
    const files = Object.fromEntries(Object.entries(exampleAppFiles()).filter(([file]) => !file.includes("prisma/migrations/")));
    const report = await withEngine(engine, () => drydock(tempSource(files)).buildAndScan());
    expect(engine.evaluations.some((e) => isMigrate([...e.chain, e.leaf]))).toBe(false);
    expect(engine.evaluations.some((e) => isStartOf("drydock-backend")([...e.chain, e.leaf]))).toBe(true);
    expect(report.scans().map((scan) => scan.name)).toEqual(["backend", "frontend"]);
  });

  it("probes each health path and the frontend's page with the fixed program, as user 1000, URL and bounds as arguments", async () => {
    answerTrivy(engine);
    await withEngine(engine, () => drydock().buildAndScan());
    expect(probes().map((p) => p.args.slice(3))).toEqual([
      ["health", "http://backend:3000/health", "60000", "500", "5000"],
      ["health", "http://frontend:3000/api/health", "60000", "500", "5000"],
      // The backend again, as the frontend reaches it, before the page: the page is served with the backend running.
      ["health", "http://backend:3000/health", "60000", "500", "5000"],
      ["page", "http://frontend:3000/", "60000", "500", "5000"],
    ]);
    for (const probe of probes()) {
      expect(probe.user).toBe("1000:1000");
      expect(probe.env[RUN_VARIABLE], "cache-busted by the run's instant").toMatch(/^\d{4}-\d\d-\d\dT/);
      expect(probe.chain[1]).toMatchObject({ field: "from" });
    }
    const frontendService = engine.stepsOf("asService").find((s) => s.chain.some((c) => c.field === "withLabel" && c.args["value"] === "drydock-frontend"));
    expect(frontendService!.chain.some((s) => s.field === "withEnvVariable" && s.args["name"] === "BACKEND_URL" && s.args["value"] === "http://backend:3000")).toBe(true);
    expect(frontendService!.chain.some((s) => s.field === "withServiceBinding" && s.args["alias"] === "backend")).toBe(true);
    // SIGTERM first (a graceful stop), a kill only to clean up.
    expect(engine.stepsOf("stop").map((s) => s.args["kill"] ?? false)).toContain(false);
  });

  it("fails the report on a failing probe, naming the app, the URL, the status and the log", async () => {
    answerTrivy(engine);
    engine.addRule({
      when: isProbe("http://backend:3000/health"),
      exitCode: 1,
      stdout: JSON.stringify({ kind: "health", url: "http://backend:3000/health", healthy: false, attempts: 120, ms: 60_000, status: 503 }) + "\n",
    });
    engine.addRule({ when: execStartsWith("node", "-e", CAPTURE_PROGRAM), stdout: "[Nest] ERROR database check failed: connection refused\n[drydock] killed after 15000 ms\n" });
    const report = await withEngine(engine, () => drydock().buildAndScan());
    expect(report.passed).toBe(false);
    expect([report.backendScan().passed, report.frontendScan().passed, report.lint.passed]).toEqual([true, true, true]);
    expect(report.summary).toContain("## ❌ Smoke test failed: backend");
    expect(report.summary).toContain(`GET http${MENTION_BREAK}://backend:3000/health answered 503, expected 2xx`);
    expect(report.summary).toContain("database check failed: connection refused");
    expect(() => report.gate()).toThrow(GateFailedError);
  });

  it("names the entrypoint of an image that exits before it listens", async () => {
    answerTrivy(engine);
    const undo = failServiceStart(engine, isStartOf("drydock-backend"), "start: exited: exit status 1\noutput: Error: Cannot find module '/app/dist/main.js'\n  code: 'MODULE_NOT_FOUND'");
    const report = await withEngine(engine, () => drydock().buildAndScan()).finally(undo);
    expect(report.passed).toBe(false);
    expect(report.summary).toContain("the entrypoint `node dist/main.js` exited before port 3000 listened");
    expect(report.summary).toContain("Cannot find module '/app/dist/main.js'");
    expect(report.summary).toContain("ran without a backend");
  });

  it("says so in the summary when the config turns it off, and starts nothing", async () => {
    answerTrivy(engine);
    const report = await withEngine(engine, () => drydock(exampleWith("smoke:\n  enabled: false\n")).buildAndScan());
    expect(report.passed).toBe(true);
    expect(report.summary).toContain("## ⚠️ Smoke test off: backend, frontend");
    expect(report.summary).toContain("`smoke.enabled` is false in security-config.yml");
    expect(engine.stepsOf("asService")).toEqual([]);
  });

  it("probes the health paths the config names", async () => {
    answerTrivy(engine);
    const config = "apps:\n  backend:\n    healthPath: /status/live\n  frontend:\n    healthPath: /_internal/health-check.v2\n";
    const report = await withEngine(engine, () => drydock(exampleWith(config)).buildAndScan());
    expect(report.passed).toBe(true);
    const urls = probes().map((p) => p.args[4]);
    expect(urls).toEqual(expect.arrayContaining(["http://backend:3000/status/live", "http://frontend:3000/_internal/health-check.v2"]));
    expect(urls.filter((u) => u?.endsWith("/health"))).toEqual([]);
  });

  it("starts only the frontend when smoke.backend is false", async () => {
    answerTrivy(engine);
    const report = await withEngine(engine, () => drydock(exampleWith("smoke:\n  backend: false\n")).buildAndScan());
    expect(report.summary).toContain("## ⚠️ Smoke test off: backend");
    expect(engine.froms()).not.toContain(POSTGRES_IMAGE);
    expect(probes().map((p) => p.args[4])).toEqual(["http://frontend:3000/api/health", "http://frontend:3000/"]);
  });

  const backendScan = scanOf("drydock-backend");
  const frontendScan = scanOf("drydock-frontend");
  it.each([
    { held: "the backend's probe", until: "the backend's scan", hold: probeLeaf("http://backend:3000/health"), release: backendScan },
    { held: "the backend's scan", until: "the backend's probe", hold: backendScan, release: probeLeaf("http://backend:3000/health") },
    { held: "the frontend's scan", until: "the frontend's probe", hold: frontendScan, release: probeLeaf("http://frontend:3000/api/health") },
    { held: "Postgres' start", until: "the frontend's scan", hold: isPostgresStart, release: frontendScan },
  ])("keeps $until going while $held is held", async ({ held, until, hold, release }) => {
    answerTrivy(engine);
    engine.addHold({ hold, until: release, timeoutMs: 2_000, description: `${held} until ${until} arrived` });
    const report = await withEngine(engine, () => drydock().buildAndScan());
    expect(report.passed).toBe(true);
  });
});

describe("imagesStart", () => {
  it("passes when both images start", async () => {
    await expect(withEngine(engine, () => drydock().imagesStart())).resolves.toBeUndefined();
    expect(probes()).toHaveLength(4);
    expect(engine.execs().filter((e) => e.args[0] === "trivy"), "no scan").toEqual([]);
  });

  it("fails with the Smoke section when the frontend's page does not answer", async () => {
    engine.addRule({
      when: execStartsWith("node", "-e", PROBE_PROGRAM, "page"),
      exitCode: 1,
      stdout: JSON.stringify({ kind: "page", url: "http://frontend:3000/", healthy: false, attempts: 3, ms: 60_000, error: "ECONNRESET" }) + "\n",
    });
    const error = await rejectionOf(withEngine(engine, () => drydock().imagesStart()));
    expect(error).toBeInstanceOf(GateFailedError);
    expect(error.message).toContain("## ❌ Smoke test failed: frontend");
    expect(error.message).toContain(`GET http${MENTION_BREAK}://frontend:3000/ got no answer within 60 s (ECONNRESET; 3 attempts in 60 s)`);
  });
});

describe("the backend's URL, in the variables the frontend reads (apps.frontend.backendUrlVariables)", () => {
  const API_URLS = "apps:\n  backend:\n    port: 4000\n  frontend:\n    backendUrlVariables: [API_URL, SERVER_URL]\n";
  const frontendService = () => engine.stepsOf("asService").find((s) => s.chain.some((c) => c.field === "withLabel" && c.args["value"] === "drydock-frontend"))!;
  /** The image's own steps end with its entrypoint: what follows is the smoke stage's. */
  const split = (chain: Chain) => {
    const end = chain.map((s) => s.field).lastIndexOf("withEntrypoint");
    expect(end, "the frontend's image sets its entrypoint").toBeGreaterThan(0);
    return { image: chain.slice(0, end), stage: chain.slice(end + 1) };
  };
  const envOf = (chain: Chain) => chain.filter((s) => s.field === "withEnvVariable").map((s) => [s.args["name"], s.args["value"]]);
  const bindingOf = (chain: Chain, alias: string) => chain.find((s) => s.field === "withServiceBinding" && s.args["alias"] === alias)?.args["service"];
  const isLinkProbe = isProbe("http://backend:4000/health");
  const boundToFrontend = (chain: Chain) => chain.some((s) => s.field === "withServiceBinding" && s.args["alias"] === "frontend");
  const exported = (report: Awaited<ReturnType<ReturnType<typeof drydock>["buildAndScan"]>>) =>
    withEngine(engine, async () => JSON.parse(await report.reports().file("summary.json").contents()) as ReportSummary);

  it("sets exactly the configured variables on the frontend, to the backend's URL on apps.backend.port", async () => {
    answerTrivy(engine);
    const report = await withEngine(engine, () => drydock(exampleWith(API_URLS)).buildAndScan());
    expect(report.passed).toBe(true);
    const { stage } = split(frontendService().chain);
    expect(envOf(stage)).toEqual([
      ["API_URL", "http://backend:4000"],
      ["SERVER_URL", "http://backend:4000"],
    ]);
    expect(renderChain(frontendService().chain)).not.toContain("BACKEND_URL");
  });

  it("sets BACKEND_URL alone by default", async () => {
    answerTrivy(engine);
    await withEngine(engine, () => drydock().buildAndScan());
    expect(envOf(split(frontendService().chain).stage)).toEqual([["BACKEND_URL", "http://backend:3000"]]);
  });

  it("probes the backend at that URL, as the frontend's binding runs it, after the frontend's health and before its page", async () => {
    answerTrivy(engine);
    await withEngine(engine, () => drydock(exampleWith(API_URLS)).buildAndScan());
    expect(probes().map((p) => `${p.args[3]} ${p.args[4]}`)).toEqual([
      "health http://backend:4000/health",
      "health http://frontend:3000/api/health",
      "health http://backend:4000/health",
      "page http://frontend:3000/",
    ]);
    const link = probes()[2]!;
    expect(boundToFrontend(link.chain), "bound to the running frontend too: not the backend's own probe again, which the cache would answer").toBe(true);
    const probed = bindingOf(link.chain, "backend");
    const bound = bindingOf(frontendService().chain, "backend");
    expect(probed).toBeInstanceOf(ObjectRef);
    expect(renderChain((probed as ObjectRef).chain), "the very backend service the frontend is bound to").toBe(renderChain((bound as ObjectRef).chain));
  });

  it("names the variables in summary.json", async () => {
    answerTrivy(engine);
    const summary = await exported(await withEngine(engine, () => drydock(exampleWith(API_URLS)).buildAndScan()));
    expect(summary.smoke.apps).toEqual([
      { app: "backend", state: "passed" },
      { app: "frontend", state: "passed", backendUrl: { url: "http://backend:4000", variables: ["API_URL", "SERVER_URL"] } },
    ]);
  });

  it("fails the frontend, probing no page, when the backend does not answer at the URL the frontend got; the summary names the variables", async () => {
    answerTrivy(engine);
    engine.addRule({
      when: (chain) => isLinkProbe(chain) && boundToFrontend(chain),
      exitCode: 1,
      stdout: JSON.stringify({ kind: "health", url: "http://backend:4000/health", healthy: false, attempts: 120, ms: 60_000, error: "ECONNREFUSED" }) + "\n",
    });
    const report = await withEngine(engine, () => drydock(exampleWith(API_URLS)).buildAndScan());
    expect(report.passed).toBe(false);
    expect(report.summary).toContain("## ❌ Smoke test failed: frontend");
    expect(report.summary).toContain("the backend, at the URL the frontend got in API\\_URL, SERVER\\_URL");
    expect(report.summary).toContain("The frontend got the backend's URL, `http://backend:4000`, in `API_URL` and `SERVER_URL`.");
    expect(probes().map((p) => p.args[4])).not.toContain("http://frontend:3000/");
  });

  it("still names the backend to the frontend when smoke.backend is false, saying the host does not resolve", async () => {
    answerTrivy(engine);
    const report = await withEngine(engine, () => drydock(exampleWith(`${API_URLS}smoke:\n  backend: false\n`)).buildAndScan());
    expect(envOf(split(frontendService().chain).stage)).toEqual([
      ["API_URL", "http://backend:4000"],
      ["SERVER_URL", "http://backend:4000"],
    ]);
    expect(bindingOf(frontendService().chain, "backend")).toBeUndefined();
    expect(report.summary).toContain("ran without a backend (API\\_URL, SERVER\\_URL name a host that does not resolve): `smoke.backend` is false in security-config.yml");
    expect(report.summary).toContain("The frontend got the backend's URL, `http://backend:4000`, in `API_URL` and `SERVER_URL`.");
  });

  it("binds a backend that failed its own checks without probing it for the frontend, and says so", async () => {
    answerTrivy(engine);
    engine.addRule({
      when: isProbe("http://backend:3000/health"),
      exitCode: 1,
      stdout: JSON.stringify({ kind: "health", url: "http://backend:3000/health", healthy: false, attempts: 120, ms: 60_000, status: 503 }) + "\n",
    });
    const report = await withEngine(engine, () => drydock().buildAndScan());
    expect(report.summary).toContain("## ❌ Smoke test failed: backend\n");
    expect(probes().map((p) => p.args[4])).toEqual(["http://backend:3000/health", "http://frontend:3000/api/health", "http://frontend:3000/"]);
    expect(bindingOf(frontendService().chain, "backend")).toBeInstanceOf(ObjectRef);
    expect(report.summary).toContain("ran with a backend that did not pass its own checks");
  });

  it("refuses, as reserved, every variable the frontend's image sets itself", async () => {
    answerTrivy(engine);
    await withEngine(engine, () => drydock().imagesStart());
    const own = envOf(split(frontendService().chain).image).map(([name]) => String(name));
    expect(own.length).toBeGreaterThan(0);
    expect(own.filter((name) => !Object.hasOwn(RESERVED_VARIABLES, name))).toEqual([]);
  });
});
