/**
 * drydock's own checks on a real engine: build the reference application (examples/app) with
 * drydock, run both images as services against Postgres, probe them, inspect them, and run
 * build-and-scan. Run `dagger check` in this folder.
 */
import { argument, check, dag, func, object, type Container, type Directory, type Service } from "@dagger.io/dagger";

// Pinned like drydock's own (a plan test keeps these equal to dagger/src: this module cannot
// import drydock's sources, which the engine never copies into its runtime container).

/** The image the probes run in: drydock's build and runtime base. */
export const NODE_IMAGE =
  "docker.io/library/node:24.13.1-alpine@sha256:4f696fbf39f383c1e486030ba6b289a5d9af541642fc78ab197e584a113b9c03";

/** The database the backend runs against: the one drydock's smoke stage starts. */
export const POSTGRES_IMAGE =
  "docker.io/library/postgres:17.10-alpine3.24@sha256:742f40ea20b9ff2ff31db5458d127452988a2164df9e17441e191f3b72252193";

/** The numeric user:group every drydock image runs as. */
export const APP_USER = "1000:1000";

/** examples/app/security-config.yml: both apps listen on 3000. */
export const PORT = 3000;

/**
 * A throwaway database for this run only, reachable only from the containers that bind it: its
 * password is public on purpose, as drydock's smoke database's is.
 */
export const DB = { host: "postgres", port: 5432, user: "tests", password: "tests-only", database: "notes" } as const;
export const DATABASE_URL = `postgresql://${DB.user}:${DB.password}@${DB.host}:${DB.port}/${DB.database}`;

/** The entrypoint of drydock's migrations image (`prisma migrate deploy`), run as `docker run` runs it. */
export const MIGRATE_ARGS = ["node", "node_modules/prisma/build/index.js", "migrate", "deploy"] as const;

/** Set on every container that runs something: the run's instant, so no result is served from the cache. */
export const RUN_VARIABLE = "DRYDOCK_TESTS_RUN";

/** What each probe asks for, and what proves it: the page lists the (empty) notes table, so frontend, backend, Postgres and the migrations all worked. */
export const PROBES = [
  { url: `http://backend:${PORT}/health`, status: 200, body: '{"status":"ok"}' },
  { url: `http://frontend:${PORT}/api/health`, status: 200, body: '{"status":"ok"}' },
  { url: `http://frontend:${PORT}/`, status: 200, body: "No notes yet." },
] as const;

/**
 * The probe: fixed text, the URL its only argument. Retries for 60 s while nothing answers or the
 * answer is 5xx, then prints one JSON line ({url, status, body} or {url, error}) and exits 0:
 * the check decides.
 */
export const PROBE_PROGRAM = [
  "const url=process.argv[1],deadline=Date.now()+60000;",
  "const print=(o)=>console.log(JSON.stringify({url,...o}));",
  "const once=async()=>{try{const r=await fetch(url,{redirect:'manual',signal:AbortSignal.timeout(5000)});const body=(await r.text()).slice(0,4000);",
  "if(r.status>=500&&Date.now()<deadline)return setTimeout(once,1000);print({status:r.status,body})}",
  "catch(e){if(Date.now()<deadline)return setTimeout(once,1000);print({error:String((e&&e.cause&&e.cause.code)||(e&&e.message)||e)})}};",
  "once();",
].join("");

/** Prints the process's uid:gid, as the image's user sees it. */
export const USER_PROGRAM = "process.stdout.write(process.getuid()+':'+process.getgid())";

/**
 * Prints, as a JSON list, every package manager the image still has: on the PATH, or installed
 * where the official Node images put them. Exits 0: the check decides.
 */
export const PACKAGE_MANAGER_PROGRAM = [
  "const fs=require('fs'),path=require('path'),found=[];",
  "for(const dir of (process.env.PATH||'').split(':'))for(const name of ['npm','npx','corepack','yarn','yarnpkg','pnpm','pnpx'])",
  "{const p=path.join(dir,name);if(fs.existsSync(p))found.push(p)}",
  "for(const p of ['/usr/local/lib/node_modules/npm','/usr/local/lib/node_modules/corepack'])if(fs.existsSync(p))found.push(p);",
  "try{for(const e of fs.readdirSync('/opt'))if(e.startsWith('yarn'))found.push('/opt/'+e)}catch{}",
  "console.log(JSON.stringify(found))",
].join("");

const APPS = ["backend", "frontend"] as const;
type AppName = (typeof APPS)[number];

/** The JSON line a fixed program printed; a program that printed none failed to run, and says how. */
function printed<T>(stdout: string, program: string): T {
  try {
    return JSON.parse(stdout) as T;
  } catch {
    throw new Error(`${program} printed no JSON: ${JSON.stringify(stdout.slice(0, 400))}`);
  }
}

/** Fails with every problem found, one a line, under `what`. */
function failOn(problems: readonly string[], what: string): void {
  if (problems.length > 0) throw new Error(`${what}:\n${problems.map((p) => `- ${p}`).join("\n")}`);
}

/** drydock's checks, run on a real engine against the reference application. */
@object()
export class Tests {
  app: Directory;

  constructor(
    /**
     * The application repository to build, e.g. --app=../../examples/app-nopnpmfile. Default:
     * examples/app, without what its .dockerignore keeps out (drydock's own default list).
     */
    @argument({
      defaultPath: "/examples/app",
      // drydock's constructor list (a plan test keeps them equal): an explicit source gets no
      // ignore list of drydock's, so the caller applies it.
      ignore: [
        "**/.env*",
        "**/.npmrc",
        "**/*.pem",
        "**/*.key",
        "**/.git",
        "**/.gitignore",
        "**/node_modules",
        "**/dist",
        "**/.next",
        "**/out",
        "**/src/generated",
        "**/next-env.d.ts",
        "**/*.tsbuildinfo",
        "**/*.spec.*",
        "**/*.test.*",
        "**/test",
        "**/__tests__",
        "**/coverage",
        "**/.vscode",
        "**/.idea",
        "**/*.swp",
        "**/*.swo",
        "**/*~",
        "**/.DS_Store",
        "**/*.log",
        "reports",
      ],
    })
    app: Directory,
  ) {
    this.app = app;
  }

  /**
   * Check that both images run as the numeric user 1000:1000: as configured, and as a process in them sees it.
   *
   * Example: dagger check images-run-as-user-1000
   */
  @func({ cache: "never" })
  @check()
  async imagesRunAsUser1000(): Promise<void> {
    const instant = new Date().toISOString();
    const problems = await Promise.all(
      APPS.map(async (app) => {
        const image = this.image(app);
        const [configured, running] = await Promise.all([image.user(), image.withEnvVariable(RUN_VARIABLE, instant).withExec(["node", "-e", USER_PROGRAM]).stdout()]);
        return [
          ...(configured === APP_USER ? [] : [`${app}: the image's user is ${JSON.stringify(configured)}, expected ${APP_USER}`]),
          ...(running.trim() === APP_USER ? [] : [`${app}: a process in the image runs as ${JSON.stringify(running.trim())}, expected ${APP_USER}`]),
        ];
      }),
    );
    failOn(problems.flat(), "an image does not run as user 1000:1000");
  }

  /**
   * Check that neither image has a package manager: no npm, npx, corepack, yarn or pnpm on the PATH or where Node images install them.
   *
   * Example: dagger check images-have-no-package-managers
   */
  @func({ cache: "never" })
  @check()
  async imagesHaveNoPackageManagers(): Promise<void> {
    const instant = new Date().toISOString();
    const problems = await Promise.all(
      APPS.map(async (app) => {
        const stdout = await this.image(app).withEnvVariable(RUN_VARIABLE, instant).withExec(["node", "-e", PACKAGE_MANAGER_PROGRAM]).stdout();
        const found = printed<string[]>(stdout, `the package manager finder in the ${app} image`);
        return found.map((p) => `${app}: found ${p}, expected no package manager — drydock's runtime stage must remove it`);
      }),
    );
    failOn(problems.flat(), "an image still has a package manager");
  }

  /**
   * Run both images as services, the backend against a pinned Postgres with its migrations applied and the frontend against the backend, and probe the backend's /health, the frontend's /api/health and its page.
   *
   * Example: dagger check images-serve-the-example-app
   */
  @func({ cache: "never" })
  @check()
  async imagesServeTheExampleApp(): Promise<void> {
    const instant = new Date().toISOString();
    const db = postgres(instant);
    const withDb = (c: Container) => c.withServiceBinding(DB.host, db).withEnvVariable("DATABASE_URL", DATABASE_URL);
    const backend = withDb(this.image("backend")).asService({ useEntrypoint: true });
    const frontend = this.image("frontend")
      .withServiceBinding("backend", backend)
      .withEnvVariable("BACKEND_URL", `http://backend:${PORT}`)
      .asService({ useEntrypoint: true });
    // Started by hand, so each runs once for the whole check: a service only bound would stop
    // between two commands, and a restarted Postgres would have lost the migrations.
    const started: Service[] = [];
    const start = async (service: Service) => {
      await service.start();
      started.unshift(service);
    };
    try {
      await start(db);
      // drydock's migrations image as a one-off job, as a deployment runs it; the app expects its tables.
      await withDb(this.drydock().app("backend").migrations()).withEnvVariable(RUN_VARIABLE, instant).withExec([...MIGRATE_ARGS]).sync();
      await start(backend);
      await start(frontend);
      failOn(await probeAll(backend, frontend, instant), "the example app does not serve");
    } finally {
      await Promise.all(started.map((service) => service.stop({ kill: true })));
    }
  }

  /**
   * Run build-and-scan on the example app: every scan must run and produce its reports (Trivy JSON, SARIF, CycloneDX SBOM), and the example's policy must pass with today's vulnerability DB.
   *
   * Example: dagger check build-and-scan-passes-policy
   */
  @func({ cache: "never" })
  @check()
  async buildAndScanPassesPolicy(): Promise<void> {
    const report = this.drydock().buildAndScan();
    const imageScans = { backend: report.backendScan(), frontend: report.frontendScan() };
    const lint = report.lint();
    const problems: string[] = [];
    const json = async (what: string, file: { contents(): Promise<string> }) => {
      try {
        return JSON.parse(await file.contents()) as Record<string, unknown>;
      } catch (error) {
        problems.push(`${what}: not JSON (${(error as Error).message})`);
        return {};
      }
    };
    const expectField = (what: string, document: Record<string, unknown>, key: string, expected: unknown) => {
      if (document[key] !== expected) problems.push(`${what}: ${key} is ${JSON.stringify(document[key])}, expected ${JSON.stringify(expected)}`);
    };
    await Promise.all([
      ...APPS.map(async (app) => {
        const scan = imageScans[app];
        const [name, trivy, sarif, sbom] = await Promise.all([scan.name(), json(`${app} trivy.json`, scan.report()), json(`${app} trivy.sarif`, scan.sarif()), json(`${app} sbom.cdx.json`, scan.sbom())]);
        if (name !== app) problems.push(`the ${app} scan is named ${JSON.stringify(name)}`);
        expectField(`${app} trivy.json`, trivy, "SchemaVersion", 2);
        expectField(`${app} trivy.sarif`, sarif, "version", "2.1.0");
        expectField(`${app} sbom.cdx.json`, sbom, "bomFormat", "CycloneDX");
      }),
      (async () => {
        const [name, trivy] = await Promise.all([lint.name(), json("lint trivy.json", lint.report())]);
        if (name !== "lint") problems.push(`the lint is named ${JSON.stringify(name)}`);
        expectField("lint trivy.json", trivy, "SchemaVersion", 2);
      })(),
    ]);
    failOn(problems, "build-and-scan did not produce every report");

    // One run: build-and-scan is cached for the session, so every read here sees the same smoke stage.
    const [passed, summary, ...scansPassed] = await Promise.all([report.passed(), report.summary(), imageScans.backend.passed(), imageScans.frontend.passed(), lint.passed()]);
    if (passed) return;
    // Every scan passed, so the smoke stage failed; otherwise the day's advisories may have changed.
    const why = scansPassed.every(Boolean)
      ? "the smoke stage failed (see its section below)"
      : "a scan failed the example's policy: with today's vulnerability DB a new fixable HIGH or CRITICAL finding is the usual cause — bump the pinned base image, or add a dated exception to examples/app/security-config.yml";
    throw new Error(`build-and-scan: the gate failed: ${why}.\n\n${summary}`);
  }

  /** drydock over the application, as an adopter calls it. */
  private drydock() {
    return dag.drydock({ source: this.app });
  }

  private image(app: AppName): Container {
    return app === "backend" ? this.drydock().backend() : this.drydock().frontend();
  }
}

/** Postgres for this run: its own instant, so its data is never a cached run's. */
function postgres(instant: string): Service {
  return dag
    .container()
    .from(POSTGRES_IMAGE)
    .withEnvVariable("POSTGRES_USER", DB.user)
    .withEnvVariable("POSTGRES_PASSWORD", DB.password)
    .withEnvVariable("POSTGRES_DB", DB.database)
    .withEnvVariable(RUN_VARIABLE, instant)
    .withExposedPort(DB.port)
    .asService({ useEntrypoint: true });
}

/** Each probe, one after the other, from a client bound to both services: what did not answer as expected. */
async function probeAll(backend: Service, frontend: Service, instant: string): Promise<string[]> {
  const client = dag
    .container()
    .from(NODE_IMAGE)
    .withUser(APP_USER)
    .withEnvVariable(RUN_VARIABLE, instant)
    .withServiceBinding("backend", backend)
    .withServiceBinding("frontend", frontend);
  const problems: string[] = [];
  for (const probe of PROBES) {
    const stdout = await client.withExec(["node", "-e", PROBE_PROGRAM, probe.url]).stdout();
    const outcome = printed<{ status?: number; body?: string; error?: string }>(stdout, `the probe of ${probe.url}`);
    if (outcome.status === undefined) problems.push(`GET ${probe.url}: no answer within 60 s (${outcome.error ?? "no response"})`);
    else if (outcome.status !== probe.status) problems.push(`GET ${probe.url}: answered ${outcome.status}, expected ${probe.status}: ${(outcome.body ?? "").slice(0, 400)}`);
    else if (!(outcome.body ?? "").includes(probe.body)) problems.push(`GET ${probe.url}: the answer lacks ${JSON.stringify(probe.body)}: ${(outcome.body ?? "").slice(0, 400)}`);
  }
  return problems;
}
