/**
 * The smoke stage: every image proven to start before it is reported or published. Each image
 * runs as a Dagger service the way production runs it — its own entrypoint (useEntrypoint), user
 * and environment; only the read-only root and dropped capabilities, which Dagger services cannot
 * express, are left to the Docker e2e. The backend gets a pinned Postgres, with its Prisma
 * migrations applied first when it uses Prisma; the frontend gets the backend, when the config
 * lists one (an app it does not list is no part of the stage). A small client container probes
 * each over the service binding, then the service gets SIGTERM and must exit within 3 s.
 *
 * Every wait is bounded (within.ts), and every step that runs something carries the run's instant,
 * so the engine's cache never answers "healthy" for a run that did not happen.
 */
import { dag, type Container, type Service } from "@dagger.io/dagger";

import { execFailure } from "../exec-failure.js";
import { APP_USER } from "../images/defaults.js";
import type { AppName } from "../source.js";
import {
  captureArgs,
  describeFailedProbe,
  parseProbeOutput,
  probeArgs,
  seconds,
  STOP_BUDGET_MS,
  stoppedInTime,
  tailLines,
  type ProbeKind,
} from "./rules.js";
import { appSmoke, smokeOff, smokeVerdict, type AppSmoke, type SmokeCheck, type SmokeVerdict } from "./summary.js";
import { within } from "./within.js";

/**
 * Postgres for the backend's smoke test. Seen pinned to this digest (as postgres:17.10-alpine3.24
 * and as postgres:17-alpine) in many unrelated public repositories; compose.security.yaml pins
 * the same digest.
 */
export const POSTGRES_IMAGE =
  "docker.io/library/postgres:17.10-alpine3.24@sha256:742f40ea20b9ff2ff31db5458d127452988a2164df9e17441e191f3b72252193";

/**
 * The smoke database. Its password is fixed and public on purpose: the database is empty, lives
 * only as long as the stage, and is reachable only from containers of this session that bind it
 * (no port reaches the host). A random one would have to travel in a query (setSecret sends its
 * plaintext) for no protection gained. So DATABASE_URL is a plain variable here: it guards
 * nothing, and no secret reaches the build stage that runs the migrations.
 */
export const SMOKE_DB = { host: "postgres", port: 5432, user: "drydock", password: "drydock-smoke", database: "drydock" } as const;
export const SMOKE_DATABASE_URL = `postgresql://${SMOKE_DB.user}:${SMOKE_DB.password}@${SMOKE_DB.host}:${SMOKE_DB.port}/${SMOKE_DB.database}`;

/** What the frontend reads to find the backend (examples/app/frontend/lib/backend.ts). */
export const BACKEND_URL_VARIABLE = "BACKEND_URL";

/** Set on every container of the stage that runs something: the run's instant, so no result is cached across runs. */
export const RUN_VARIABLE = "DRYDOCK_SMOKE_RUN";

export const MIGRATE_ARGS = ["pnpm", "exec", "prisma", "migrate", "deploy"] as const;
/** `migrate deploy` may download Prisma's schema engine first. */
export const MIGRATE_BOUND_MS = 300_000;
/** How long the log capture lets a failed app run before it stops it. */
export const CAPTURE_FOR_MS = 15_000;
/** What a client container may take to start, on top of the bound of the wait it runs. */
export const CONTAINER_MARGIN_MS = 60_000;

/** One image to start. */
export interface SmokeApp {
  image: Container;
  port: number;
  healthPath: string;
  /** The image's entrypoint, as the recipe set it: named when the app does not start. */
  entrypoint: readonly string[];
}

export interface SmokePlan {
  /** The apps the config lists, backend first: each is either started (below) or off (`off` says why). */
  apps: readonly AppName[];
  /** Undefined when the backend is not started; `off` says why, unless the config lists no backend. */
  backend?: SmokeApp & {
    /** Present when the backend uses Prisma: its migrations run before it starts. */
    migrate?: {
      /** The build stage: it holds the Prisma CLI and the migrations. */
      build: Container;
      /** PRISMA_ENGINES_MIRROR for `migrate deploy`, when configured. */
      enginesMirror?: string;
    };
  };
  frontend?: SmokeApp;
  off: Partial<Record<AppName, string>>;
  /** The pinned Node image the probes run in. */
  clientImage: string;
  /** The bound of each start and health wait (config smoke.timeout). */
  timeoutMs: number;
  /** The run's instant, ISO 8601. */
  instant: string;
}

interface Probe {
  kind: ProbeKind;
  path: string;
}

/**
 * Runs the stage over the apps of the plan: the backend (with Postgres) first, then the frontend
 * against it. Never throws for an app that fails: it says so.
 */
export async function runSmoke(plan: SmokePlan): Promise<SmokeVerdict> {
  for (const app of plan.apps) {
    // A listed app is started or says why not: never silently left out.
    if (!plan[app] && plan.off[app] === undefined) throw new Error(`internal: the smoke plan neither starts ${app} nor says why not`);
  }
  const results: AppSmoke[] = [];
  const started: Service[] = [];
  try {
    let backendService: Service | undefined;
    if (plan.backend) {
      const backend = await smokeBackend(plan, plan.backend);
      started.push(...[backend.service, backend.db].filter((s): s is Service => s !== undefined));
      if (backend.started) backendService = backend.service;
      results.push(backend.result);
    } else if (plan.apps.includes("backend")) results.push(smokeOff("backend", plan.off.backend!));

    if (plan.frontend) results.push(await smokeFrontend(plan, plan.frontend, backendService));
    else if (plan.apps.includes("frontend")) results.push(smokeOff("frontend", plan.off.frontend!));
  } finally {
    // The frontend's binding restarted the backend; Postgres ran for both. Neither outlives the stage.
    await Promise.all(started.map((service) => within(plan.timeoutMs, service.stop({ kill: true }))));
  }
  return smokeVerdict(results);
}

interface BackendSmoke {
  result: AppSmoke;
  db?: Service;
  service?: Service;
  /** Whether the backend listened: only then does the frontend get it. */
  started: boolean;
}

async function smokeBackend(plan: SmokePlan, app: NonNullable<SmokePlan["backend"]>): Promise<BackendSmoke> {
  const checks: SmokeCheck[] = [];
  const db = postgresService(plan.instant);
  const dbWhat = `start ${POSTGRES_IMAGE.split("@")[0]}`;
  const dbStarted = await within(plan.timeoutMs, db.start());
  if (dbStarted.kind !== "done") {
    checks.push({ what: dbWhat, passed: false, detail: dbStarted.kind === "timeout" ? `port ${SMOKE_DB.port} not listening within ${seconds(plan.timeoutMs)}` : messageOf(dbStarted.error) });
    return { result: appSmoke("backend", checks, { log: dbStarted.kind === "failed" ? tailLines(messageOf(dbStarted.error)) : undefined }), db, started: false };
  }
  checks.push({ what: dbWhat, passed: true, detail: `listening on ${SMOKE_DB.port} after ${seconds(dbStarted.ms)}` });

  const withDb = (c: Container) => c.withServiceBinding(SMOKE_DB.host, db).withEnvVariable("DATABASE_URL", SMOKE_DATABASE_URL);

  if (app.migrate) {
    // Migrations from the build stage, before the backend starts: the app expects its tables.
    let migrate = withDb(app.migrate.build).withEnvVariable(RUN_VARIABLE, plan.instant);
    if (app.migrate.enginesMirror !== undefined) migrate = migrate.withEnvVariable("PRISMA_ENGINES_MIRROR", app.migrate.enginesMirror);
    const migrated = await within(MIGRATE_BOUND_MS, migrate.withExec([...MIGRATE_ARGS]).sync());
    const migrateWhat = MIGRATE_ARGS.join(" ");
    if (migrated.kind !== "done") {
      checks.push({ what: migrateWhat, passed: false, detail: migrated.kind === "timeout" ? `not finished within ${seconds(MIGRATE_BOUND_MS)}` : exitOf(migrated.error) });
      return { result: appSmoke("backend", checks, { log: migrated.kind === "failed" ? tailLines(outputOf(migrated.error)) : undefined }), db, started: false };
    }
    checks.push({ what: migrateWhat, passed: true, detail: `applied in ${seconds(migrated.ms)}` });
  }

  const image = withDb(app.image);
  const service = image.asService({ useEntrypoint: true });
  const result = await smokeService(plan, "backend", app, image, service, [{ kind: "health", path: app.healthPath }], checks);
  const started = result.checks.some((check) => check.what === startWhat(app) && check.passed);
  return { result, db, service, started };
}

/**
 * The frontend, against the backend when it started. A repository without a backend (the config
 * lists none) gets no backend binding and no BACKEND_URL: there is nothing for them to name.
 */
async function smokeFrontend(plan: SmokePlan, app: SmokeApp, backend: Service | undefined): Promise<AppSmoke> {
  const hasBackend = plan.apps.includes("backend");
  let image = app.image;
  if (hasBackend) image = image.withEnvVariable(BACKEND_URL_VARIABLE, `http://backend:${plan.backend?.port ?? app.port}`);
  if (backend) image = image.withServiceBinding("backend", backend);
  const service = image.asService({ useEntrypoint: true });
  const probes: Probe[] = [
    { kind: "health", path: app.healthPath },
    { kind: "page", path: "/" },
  ];
  const note = backend || !hasBackend ? undefined : `ran without a backend (${BACKEND_URL_VARIABLE} names a host that does not resolve): ${plan.off.backend ?? "the backend did not start"}`;
  return smokeService(plan, "frontend", app, image, service, probes, [], note);
}

/** Start, probe, SIGTERM; on a failure, the last lines of the app's log. */
async function smokeService(
  plan: SmokePlan,
  name: AppName,
  app: SmokeApp,
  image: Container,
  service: Service,
  probes: readonly Probe[],
  checks: SmokeCheck[],
  note?: string,
): Promise<AppSmoke> {
  const entrypoint = app.entrypoint.join(" ");
  const what = startWhat(app);
  const started = await within(plan.timeoutMs, service.start());
  if (started.kind === "failed") {
    // The engine's error holds the output of a process that exited before its port listened.
    checks.push({ what, passed: false, detail: `the entrypoint \`${entrypoint}\` exited before port ${app.port} listened` });
    return appSmoke(name, checks, { log: tailLines(messageOf(started.error)), note });
  }
  if (started.kind === "timeout") {
    checks.push({ what, passed: false, detail: `port ${app.port} not listening within ${seconds(plan.timeoutMs)} of starting \`${entrypoint}\`` });
    await within(plan.timeoutMs, service.stop({ kill: true }));
    return appSmoke(name, checks, { log: await captureLog(plan, image, app), note });
  }
  checks.push({ what, passed: true, detail: `listening on port ${app.port} after ${seconds(started.ms)}` });

  const client = dag.container().from(plan.clientImage).withUser(APP_USER).withEnvVariable(RUN_VARIABLE, plan.instant).withServiceBinding(name, service);
  for (const probe of probes) {
    const check = await runProbe(plan, client, `http://${name}:${app.port}${probe.path}`, probe.kind);
    checks.push(check);
    if (!check.passed) break;
  }

  const stopWhat = "SIGTERM";
  const stopped = await within(STOP_BUDGET_MS, service.stop());
  if (stopped.kind === "done" && stoppedInTime(stopped.ms)) {
    checks.push({ what: stopWhat, passed: true, detail: `exited ${seconds(stopped.ms)} after SIGTERM` });
  } else {
    checks.push({
      what: stopWhat,
      passed: false,
      detail: stopped.kind === "failed" ? messageOf(stopped.error) : `still running ${seconds(STOP_BUDGET_MS)} after SIGTERM — make the process handle SIGTERM (or run it under an init)`,
    });
    await within(plan.timeoutMs, service.stop({ kill: true }));
  }
  const failed = checks.some((check) => !check.passed);
  return appSmoke(name, checks, { log: failed ? await captureLog(plan, image, app) : undefined, note });
}

async function runProbe(plan: SmokePlan, client: Container, url: string, kind: ProbeKind): Promise<SmokeCheck> {
  const what = `GET ${url}`;
  const ran = await within(plan.timeoutMs + CONTAINER_MARGIN_MS, client.withExec(probeArgs(kind, url, plan.timeoutMs)).stdout());
  if (ran.kind === "timeout") return { what, passed: false, detail: `the probe did not finish within ${seconds(plan.timeoutMs + CONTAINER_MARGIN_MS)}` };
  if (ran.kind === "done") {
    const outcome = parseProbeOutput(ran.value);
    return { what, passed: true, detail: outcome?.status === undefined ? "healthy" : `${outcome.status} after ${seconds(outcome.ms)}` };
  }
  const failed = execFailure(ran.error);
  const outcome = failed ? parseProbeOutput(failed.stdout) : undefined;
  return { what, passed: false, detail: outcome ? describeFailedProbe(outcome, plan.timeoutMs) : messageOf(ran.error) };
}

/**
 * A service's output cannot be read back through the API, so a failed app is run once more as a
 * bounded command of the same image, bindings and environment, and its output kept.
 */
async function captureLog(plan: SmokePlan, image: Container, app: SmokeApp): Promise<string> {
  const capture = image.withEnvVariable(RUN_VARIABLE, plan.instant).withExec(captureArgs(app.entrypoint, CAPTURE_FOR_MS));
  const ran = await within(CAPTURE_FOR_MS + CONTAINER_MARGIN_MS, capture.stdout());
  if (ran.kind === "done") return tailLines(ran.value);
  if (ran.kind === "timeout") return `(no log: the capture did not finish within ${seconds(CAPTURE_FOR_MS + CONTAINER_MARGIN_MS)})`;
  return tailLines(outputOf(ran.error)) || `(no log: ${messageOf(ran.error)})`;
}

const startWhat = (app: SmokeApp) => `start ${app.entrypoint.join(" ")}`;

function postgresService(instant: string): Service {
  return (
    dag
      .container()
      .from(POSTGRES_IMAGE)
      .withEnvVariable("POSTGRES_USER", SMOKE_DB.user)
      .withEnvVariable("POSTGRES_PASSWORD", SMOKE_DB.password)
      .withEnvVariable("POSTGRES_DB", SMOKE_DB.database)
      // A database of this run only: the migrations' result must never be a cached one.
      .withEnvVariable(RUN_VARIABLE, instant)
      .withExposedPort(SMOKE_DB.port)
      .asService({ useEntrypoint: true })
  );
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function exitOf(error: unknown): string {
  const failure = execFailure(error);
  return failure ? `exited with code ${failure.exitCode}` : messageOf(error);
}

function outputOf(error: unknown): string {
  const failure = execFailure(error);
  return failure ? `${failure.stdout}\n${failure.stderr}` : messageOf(error);
}
