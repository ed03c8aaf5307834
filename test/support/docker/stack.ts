/**
 * Run the stack of compose.security.yaml with plain `docker run`: one private network per compose
 * network, each service with the flags the compose file declares, reachable from the host over
 * its container IP only (nothing is published).
 */
import { randomBytes } from "node:crypto";
import { readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { docker, dockerTry } from "./cli.ts";
import type { ComposeFile, ServiceRunSpec } from "./compose-flags.ts";
import { RUN_LABEL, type E2eContext } from "./e2e-context.ts";

export interface StartService {
  /** The compose service whose settings the container gets. */
  service: string;
  /** Container name and network alias, when not the service's own: a second container of the same service. */
  as?: string;
  image: string;
  /** Values for exactly the environment keys the compose file declares for the service. */
  environment: Record<string, string>;
  /** Files for the service's compose secrets, by secret name. */
  secretFiles?: Record<string, string>;
}

export class Stack {
  /** `namespace` tells apart two stacks of one run (e.g. "ws"): their networks and containers. */
  constructor(
    private readonly ctx: E2eContext,
    private readonly compose: ComposeFile,
    private readonly namespace = "",
  ) {}

  /** Docker name of a compose network or service in this run. */
  name(thing: string): string {
    return `drydock-e2e-${this.ctx.runId}${this.namespace === "" ? "" : `-${this.namespace}`}-${thing}`;
  }

  spec(service: string): ServiceRunSpec {
    const spec = this.compose.services[service];
    if (!spec) throw new Error(`compose.security.yaml: no service "${service}"; found ${Object.keys(this.compose.services).join(", ")}`);
    return spec;
  }

  async createNetworks(): Promise<void> {
    for (const [network, { internal }] of Object.entries(this.compose.networks)) {
      await docker(["network", "create", "--label", `${RUN_LABEL}=${this.ctx.runId}`, ...(internal ? ["--internal"] : []), this.name(network)]);
    }
  }

  /** `docker run -d` a service as the compose file describes it; returns the container name. */
  async start(request: StartService): Promise<string> {
    const spec = this.spec(request.service);
    const given = Object.keys(request.environment).sort();
    const declared = [...spec.environmentKeys].sort();
    if (given.join() !== declared.join()) {
      throw new Error(`compose.security.yaml: services.${request.service}.environment declares [${declared}] but the test supplies [${given}]`);
    }
    const [first, ...others] = spec.networks;
    if (!first) throw new Error(`compose.security.yaml: services.${request.service}.networks is empty; expected at least one network`);
    // An env file keeps values such as DATABASE_URL out of the process list.
    const alias = request.as ?? request.service;
    const envFile = path.join(this.ctx.workDir, `${alias}.env`);
    // One variable a line: a newline in a value would add another variable.
    const badValue = Object.entries(request.environment).find(([k, v]) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(k) || /[\r\n\0]/.test(v));
    if (badValue) throw new Error(`services.${request.service}.environment: ${JSON.stringify(badValue[0])} has a name or value an env file cannot hold (a newline or NUL) — pass a single-line value`);
    await writeFile(envFile, Object.entries(request.environment).map(([k, v]) => `${k}=${v}\n`).join(""), { mode: 0o600 });
    const volumes = Object.entries(spec.volumes).flatMap(([volume, target]) => ["--mount", `type=volume,source=${this.name(volume)},target=${target},volume-label=${RUN_LABEL}=${this.ctx.runId}`]);
    const secrets = spec.secrets.flatMap((secret) => {
      const file = request.secretFiles?.[secret];
      if (!file) throw new Error(`compose.security.yaml: services.${request.service}.secrets names "${secret}" but the test gave no file for it`);
      if (/[,\r\n"]/.test(file)) throw new Error(`services.${request.service}.secrets: the file for "${secret}" is ${JSON.stringify(file)}; a comma, quote or newline would change the --mount spec — use another path`);
      return ["--mount", `type=bind,source=${file},target=/run/secrets/${secret},readonly`];
    });
    const container = this.name(alias);
    await docker([
      "run", "--detach", "--name", container,
      "--label", `${RUN_LABEL}=${this.ctx.runId}`,
      "--network", this.name(first), "--network-alias", alias,
      ...spec.flags, ...volumes, ...secrets,
      "--env-file", envFile,
      request.image,
    ]);
    for (const network of others) {
      await docker(["network", "connect", "--alias", alias, this.name(network), container]);
    }
    return container;
  }

  /** The container's address on one of its compose networks. */
  async ip(service: string, network: string): Promise<string> {
    const ip = await docker(["inspect", "--format", `{{(index .NetworkSettings.Networks "${this.name(network)}").IPAddress}}`, this.name(service)]);
    if (!/^\d+\.\d+\.\d+\.\d+$/.test(ip)) throw new Error(`${this.name(service)} has no IPv4 address on ${this.name(network)} (got "${ip}")`);
    return ip;
  }

  /**
   * Start the compose file's `db` service on `image` with a fresh random password (a file secret, as
   * compose hands it over), wait until it is healthy, and return the backend's DATABASE_URL.
   */
  async startDatabase(image: string): Promise<string> {
    const password = randomBytes(18).toString("base64url");
    const passwordFile = path.join(this.ctx.workDir, `${this.name("postgres-password")}`);
    // World-readable for the database's own (non-root) user in the container; the run's workDir is 0700.
    await writeFile(passwordFile, password, { mode: 0o644 });
    await this.start({
      service: "db",
      image,
      environment: { POSTGRES_USER: "app", POSTGRES_DB: "app", POSTGRES_PASSWORD_FILE: "/run/secrets/postgres-password" },
      secretFiles: { "postgres-password": passwordFile },
    });
    await this.waitHealthy("db", 60_000);
    return `postgresql://app:${password}@db:5432/app`;
  }

  /** Apply the committed SQL migrations in order, as psql inside the database container. */
  async applyMigrations(migrationsDir: string, user: string, database: string): Promise<string[]> {
    const applied: string[] = [];
    const dirs = (await readdir(migrationsDir, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name).sort();
    for (const dir of dirs) {
      const sql = await readFile(path.join(migrationsDir, dir, "migration.sql"));
      await docker(["exec", "--interactive", this.name("db"), "psql", "--quiet", "-v", "ON_ERROR_STOP=1", "-U", user, "-d", database], { input: sql });
      applied.push(dir);
    }
    return applied;
  }

  /** Wait until Docker reports the container healthy; fail early when it turns unhealthy or exits. */
  async waitHealthy(service: string, timeoutMs: number): Promise<number> {
    const container = this.name(service);
    const started = Date.now();
    for (;;) {
      const state = await docker(["inspect", "--format", "{{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}", container]);
      const [status, health] = state.split(" ");
      if (health === "healthy") return Date.now() - started;
      if (status !== "running" || health === "unhealthy" || health === "none" || Date.now() - started > timeoutMs) {
        const logs = await dockerTry(["logs", "--tail", "30", container]);
        throw new Error(`${container} is "${state}" after ${Date.now() - started} ms; expected "running healthy". Last log lines:\n${logs.stdout}${logs.stderr}`);
      }
      await sleep(500);
    }
  }

  /** `docker stop` a service and return how long it took. */
  async stopTimed(service: string): Promise<number> {
    const started = Date.now();
    await docker(["stop", this.name(service)]);
    return Date.now() - started;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Poll `probe` until it returns a value `accept` likes; throw with the last value after the timeout. */
export async function pollUntil<T>(what: string, probe: () => Promise<T>, accept: (v: T) => boolean, timeoutMs: number): Promise<T> {
  const started = Date.now();
  let last: T | undefined;
  let lastError: unknown;
  while (Date.now() - started < timeoutMs) {
    try {
      last = await probe();
      if (accept(last)) return last;
    } catch (error) {
      lastError = error;
    }
    await sleep(500);
  }
  throw new Error(`${what}: not reached within ${timeoutMs} ms; last value ${JSON.stringify(last)}${lastError ? `, last error ${String(lastError)}` : ""}`);
}

/** GET/POST over plain HTTP with a timeout; returns status and body text. */
export async function http(url: string, init: RequestInit = {}): Promise<{ status: number; body: string }> {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(5_000) });
  return { status: response.status, body: await response.text() };
}
