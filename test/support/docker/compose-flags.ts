/**
 * Turn a service of compose.security.yaml into `docker run` flags, so the end-to-end tests run the
 * containers exactly as the compose file says (`docker compose` itself may not be installed) and
 * the compose file cannot drift from what is tested. Only the keys the file uses are understood;
 * any other key is an error rather than silently ignored.
 */
import { readFile } from "node:fs/promises";
import { parse } from "yaml";
import { shellQuote } from "./shell-quote.ts";

/** Keys that describe how to build, start or wire a service, which the tests do themselves. */
const ORCHESTRATION_KEYS = new Set(["image", "build", "depends_on", "ports", "networks", "restart", "secrets", "volumes", "environment"]);
/** Keys translated into `docker run` flags. */
const RUN_KEYS = new Set(["read_only", "cap_drop", "cap_add", "security_opt", "tmpfs", "user", "stop_signal", "pids_limit", "deploy", "healthcheck"]);

export interface ServiceRunSpec {
  /** `docker run` flags for the hardening and limits the service declares. */
  flags: string[];
  /** Names of the environment variables the service sets; the tests supply their own values. */
  environmentKeys: string[];
  /** Named volumes: `volume name -> mount path`. */
  volumes: Record<string, string>;
  /** File secrets, mounted by compose at /run/secrets/<name>. */
  secrets: string[];
  /** Network names the service joins, in order. */
  networks: string[];
}

export interface ComposeFile {
  services: Record<string, ServiceRunSpec>;
  /** Network name -> whether it is `internal: true`. */
  networks: Record<string, { internal: boolean }>;
}

/** Read and translate a compose file; errors name the file, the key and what was expected. */
export async function readComposeFile(file: string): Promise<ComposeFile> {
  return translateCompose(await readFile(file, "utf8"), file);
}

/** Translate compose YAML text (`file` names it in errors). */
export function translateCompose(text: string, file: string): ComposeFile {
  const doc: unknown = parse(text, { merge: true });
  const root = record(doc, file, "the top level");
  const services = record(root.services, file, "services");
  const result: ComposeFile = { services: {}, networks: {} };
  for (const [name, value] of Object.entries(services)) {
    result.services[name] = translateService(record(value, file, `services.${name}`), file, `services.${name}`);
  }
  for (const [name, value] of Object.entries(record(root.networks ?? {}, file, "networks"))) {
    const internal = value === null ? false : record(value, file, `networks.${name}`).internal;
    result.networks[name] = { internal: internal === true };
  }
  return result;
}

/** Compose keys holding a list, each entry one repetition of a `docker run` flag. */
const LIST_FLAGS: Record<string, string> = { cap_drop: "--cap-drop", cap_add: "--cap-add", security_opt: "--security-opt", tmpfs: "--tmpfs" };
/** Compose keys holding the one value of a `docker run` flag. */
const SCALAR_FLAGS: Record<string, string> = { user: "--user", stop_signal: "--stop-signal", pids_limit: "--pids-limit" };

function translateService(service: Record<string, unknown>, file: string, where: string): ServiceRunSpec {
  const spec: ServiceRunSpec = { flags: [], environmentKeys: [], volumes: {}, secrets: [], networks: [] };
  for (const [key, value] of Object.entries(service)) {
    const at = `${where}.${key}`;
    if (!RUN_KEYS.has(key) && !ORCHESTRATION_KEYS.has(key)) {
      throw new Error(`${file}: ${at}: key not understood by the e2e flag translation; expected one of ${[...RUN_KEYS, ...ORCHESTRATION_KEYS].join(", ")}`);
    }
    const listFlag = LIST_FLAGS[key];
    const scalarFlag = SCALAR_FLAGS[key];
    if (listFlag) {
      for (const entry of strings(value, file, at)) spec.flags.push(listFlag, entry);
      continue;
    }
    if (scalarFlag) {
      spec.flags.push(scalarFlag, scalar(value, file, at));
      continue;
    }
    switch (key) {
      case "read_only":
        if (typeof value !== "boolean") throw new Error(`${file}: ${at}: found ${JSON.stringify(value)}; expected true or false`);
        if (value) spec.flags.push("--read-only");
        break;
      case "deploy":
        spec.flags.push(...limitFlags(value, file, at));
        break;
      case "healthcheck":
        spec.flags.push(...healthFlags(value, file, at));
        break;
      case "environment":
        spec.environmentKeys = Object.keys(record(value, file, at));
        break;
      case "volumes":
        for (const entry of strings(value, file, at)) {
          const [source, target, ...rest] = entry.split(":");
          // The two parts go into one `--mount k=v,k=v` spec: a comma or a newline would add options to it.
          if (!source || !target || rest.length > 1 || !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(source) || !/^\/[A-Za-z0-9._\/-]*$/.test(target)) {
            throw new Error(`${file}: ${at}: found "${entry}"; expected a named volume as "name:/path"`);
          }
          spec.volumes[source] = target;
        }
        break;
      case "secrets":
        spec.secrets = strings(value, file, at);
        for (const secret of spec.secrets) {
          if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(secret)) throw new Error(`${file}: ${at}: found ${JSON.stringify(secret)}; expected a secret name of letters, digits and _ . - (it becomes part of a --mount spec)`);
        }
        break;
      case "networks":
        spec.networks = strings(value, file, at);
        break;
    }
  }
  return spec;
}

function limitFlags(deploy: unknown, file: string, at: string): string[] {
  const limits = record(record(record(deploy, file, at).resources, file, `${at}.resources`).limits, file, `${at}.resources.limits`);
  const flags: string[] = [];
  for (const [key, value] of Object.entries(limits)) {
    if (key === "cpus") flags.push("--cpus", scalar(value, file, `${at}.resources.limits.cpus`));
    else if (key === "memory") flags.push("--memory", scalar(value, file, `${at}.resources.limits.memory`));
    else if (key === "pids") flags.push("--pids-limit", scalar(value, file, `${at}.resources.limits.pids`));
    else throw new Error(`${file}: ${at}.resources.limits.${key}: not understood; expected cpus, memory or pids`);
  }
  return flags;
}

const HEALTH_TIMINGS: Record<string, string> = { interval: "--health-interval", timeout: "--health-timeout", start_period: "--health-start-period", retries: "--health-retries" };

/** docker run takes the check as a shell command line; compose's exec form is quoted into one. */
function healthFlags(healthcheck: unknown, file: string, at: string): string[] {
  const flags: string[] = [];
  for (const [key, value] of Object.entries(record(healthcheck, file, at))) {
    if (key === "test") {
      const [kind, ...args] = strings(value, file, `${at}.test`);
      if (kind === "CMD" && args.length > 0) flags.push("--health-cmd", args.map(shellQuote).join(" "));
      else if (kind === "CMD-SHELL" && args.length === 1) flags.push("--health-cmd", args[0] ?? "");
      else throw new Error(`${file}: ${at}.test: found ${JSON.stringify(value)}; expected ["CMD", program, ...args] or ["CMD-SHELL", command]`);
    } else if (HEALTH_TIMINGS[key]) {
      flags.push(HEALTH_TIMINGS[key], scalar(value, file, `${at}.${key}`));
    } else {
      throw new Error(`${file}: ${at}.${key}: not understood; expected test, ${Object.keys(HEALTH_TIMINGS).join(", ")}`);
    }
  }
  return flags;
}

function record(value: unknown, file: string, at: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new Error(`${file}: ${at}: found ${JSON.stringify(value) ?? "nothing"}; expected a mapping`);
  }
  return value as Record<string, unknown>;
}

function strings(value: unknown, file: string, at: string): string[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === "string")) {
    throw new Error(`${file}: ${at}: found ${JSON.stringify(value) ?? "nothing"}; expected a list of strings`);
  }
  return value;
}

function scalar(value: unknown, file: string, at: string): string {
  if (typeof value === "string" && value !== "") return value;
  if (typeof value === "number") return String(value);
  throw new Error(`${file}: ${at}: found ${JSON.stringify(value) ?? "nothing"}; expected a string or a number`);
}
