/**
 * The smoke stage: every image proven to start before it is reported or published. Each image
 * runs as a Dagger service the way production runs it — its own entrypoint (useEntrypoint), user
 * and environment; only the read-only root and dropped capabilities, which Dagger services cannot
 * express, are left to the Docker e2e. The backend gets a pinned Postgres, with its Prisma
 * migrations applied first, when it uses Prisma, by its migrations image run as a one-off job, as
 * a deployment runs it; the frontend gets the backend, when the config
 * lists one (an app it does not list is no part of the stage), its URL in the variables of
 * apps.frontend.backendUrlVariables. A small client container probes each over the service binding
 * — the frontend's page only after a backend that passed its own checks answered at that URL, so the
 * page is served with the backend running — then the service gets SIGTERM and must exit within 10 s.
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
import { appSmoke, smokeOff, smokeVerdict, type AppSmoke, type BackendUrl, type SmokeCheck, type SmokeVerdict } from "./summary.js";
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

/** The backend's host name on the frontend's network: the alias of its service binding. */
export const BACKEND_HOST = "backend";

/** Set on every container of the stage that runs something: the run's instant, so no result is cached across runs. */
export const RUN_VARIABLE = "DRYDOCK_SMOKE_RUN";

/** How long `prisma migrate deploy` may take: the migrations of a real app, on an empty database. */
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
      /** The migrations image (images/migrations.ts): the Prisma CLI, the migrations and the schema engine. */
      image: Container;
      /** Its title label, which the check names. */
      title: string;
      /** Its entrypoint (`prisma migrate deploy`), run as `docker run` runs it. */
      entrypoint: readonly string[];
    };
  };
  frontend?: SmokeApp & {
    /**
     * Present exactly when the config lists a backend (started or not): the variables
     * (apps.frontend.backendUrlVariables) set to its URL, and its port (apps.backend.port).
     */
    backendUrl?: { variables: readonly string[]; port: number };
  };
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
  /** A service other than the app under test, reached as the app reaches it, and why it is probed. */
  other?: { host: string; port: number; service: Service; why: string };
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
  if (plan.frontend && (plan.frontend.backendUrl !== undefined) !== plan.apps.includes("backend")) {
    throw new Error("internal: the smoke plan names the backend's URL to the frontend exactly when the config lists a backend");
  }
  const results: AppSmoke[] = [];
  const started: Service[] = [];
  try {
    let backendService: StartedBackend | undefined;
    if (plan.backend) {
      const backend = await smokeBackend(plan, plan.backend);
      started.push(...[backend.service, backend.db].filter((s): s is Service => s !== undefined));
      if (backend.started && backend.service) backendService = { service: backend.service, passed: backend.result.state === "passed" };
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

/** The backend as the frontend gets it: the service, and whether it passed its own checks. */
interface StartedBackend {
  service: Service;
  passed: boolean;
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
    // The migrations image as a one-off job, before the backend starts: the app expects its tables.
    // Its entrypoint as argv (not useEntrypoint): what runs is stated where it runs.
    const migrate = withDb(app.migrate.image).withEnvVariable(RUN_VARIABLE, plan.instant);
    const migrated = await within(MIGRATE_BOUND_MS, migrate.withExec([...app.migrate.entrypoint]).sync());
    const migrateWhat = `${app.migrate.title}: prisma migrate deploy`;
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
 * The frontend, against the backend when it started: its URL in every configured variable, and —
 * when the backend passed its own checks — the page probed only once the backend answered at that
 * URL, so the page is served with the backend running. A backend that failed its checks is its own
 * failure: the frontend is judged without that proof, and says so. A repository without a backend
 * (the config lists none) gets no backend binding and no variable: there is nothing for them to name.
 */
async function smokeFrontend(plan: SmokePlan, app: NonNullable<SmokePlan["frontend"]>, backend: StartedBackend | undefined): Promise<AppSmoke> {
  const link = app.backendUrl;
  const backendUrl: BackendUrl | undefined = link && { url: `http://${BACKEND_HOST}:${link.port}`, variables: [...link.variables] };
  let image = app.image;
  if (backendUrl) for (const variable of backendUrl.variables) image = image.withEnvVariable(variable, backendUrl.url);
  if (backend) image = image.withServiceBinding(BACKEND_HOST, backend.service);
  const service = image.asService({ useEntrypoint: true });
  const probes: Probe[] = [{ kind: "health", path: app.healthPath }];
  if (backend?.passed && link && plan.backend) {
    // The very service the frontend's binding started, at the URL the frontend got: what its page reaches.
    const why = `the backend, at the URL the frontend got in ${link.variables.join(", ")}`;
    probes.push({ kind: "health", path: plan.backend.healthPath, other: { host: BACKEND_HOST, port: link.port, service: backend.service, why } });
  }
  probes.push({ kind: "page", path: "/" });
  return smokeService(plan, "frontend", app, image, service, probes, [], { note: frontendNote(plan, backendUrl, backend), backendUrl });
}

/** Why the frontend's page was probed without the proof that the backend answers at its URL; undefined when it was not. */
function frontendNote(plan: SmokePlan, backendUrl: BackendUrl | undefined, backend: StartedBackend | undefined): string | undefined {
  if (!backendUrl || backend?.passed) return undefined;
  if (backend) return "ran with a backend that did not pass its own checks, so its page was probed without first proving the backend answers at its URL";
  const names = backendUrl.variables.join(", ");
  return `ran without a backend (${names} name${backendUrl.variables.length === 1 ? "s" : ""} a host that does not resolve): ${plan.off.backend ?? "the backend did not start"}`;
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
  extra: { note?: string; backendUrl?: BackendUrl } = {},
): Promise<AppSmoke> {
  const entrypoint = app.entrypoint.join(" ");
  const what = startWhat(app);
  const started = await within(plan.timeoutMs, service.start());
  if (started.kind === "failed") {
    // The engine's error holds the output of a process that exited before its port listened.
    checks.push({ what, passed: false, detail: `the entrypoint \`${entrypoint}\` exited before port ${app.port} listened` });
    return appSmoke(name, checks, { log: tailLines(messageOf(started.error)), ...extra });
  }
  if (started.kind === "timeout") {
    checks.push({ what, passed: false, detail: `port ${app.port} not listening within ${seconds(plan.timeoutMs)} of starting \`${entrypoint}\`` });
    await within(plan.timeoutMs, service.stop({ kill: true }));
    return appSmoke(name, checks, { log: await captureLog(plan, image, app), ...extra });
  }
  checks.push({ what, passed: true, detail: `listening on port ${app.port} after ${seconds(started.ms)}` });

  const client = dag.container().from(plan.clientImage).withUser(APP_USER).withEnvVariable(RUN_VARIABLE, plan.instant).withServiceBinding(name, service);
  for (const probe of probes) {
    const { other } = probe;
    // Bound to the app too: a probe of the other service alone would be the very query of its own
    // earlier probe, which the engine's cache would answer without running it.
    const check = other
      ? explained(await runProbe(plan, client.withServiceBinding(other.host, other.service), `http://${other.host}:${other.port}${probe.path}`, probe.kind), other.why)
      : await runProbe(plan, client, `http://${name}:${app.port}${probe.path}`, probe.kind);
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
  return appSmoke(name, checks, { log: failed ? await captureLog(plan, image, app) : undefined, ...extra });
}

/** A check of another service, saying why it is part of this app's checks. */
function explained(check: SmokeCheck, why: string): SmokeCheck {
  return { ...check, detail: `${check.detail} — ${why}` };
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
