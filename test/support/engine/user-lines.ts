/**
 * What the engine tier does to a README line before running it, and the policy it runs under:
 * only what a user would do — replace the placeholders (module address, `ghcr.io/OWNER`, the
 * `sha256:…` they paste) and add the flags the README itself advises for a machine like this one.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { parse, stringify } from "yaml";
import { repoRoot } from "../paths.ts";
import { PLANTED_IDS } from "../trivy-db/index.ts";
import { LAB_REGISTRY } from "./kit.ts";

export const MODULE_ADDRESS = "github.com/OWNER/drydock@VERSION";
export const REGISTRY_PLACEHOLDER = "ghcr.io/OWNER";
/** Where the README's `ghcr.io/OWNER` publishes in the lab. */
export const LAB_NAMESPACE = `${LAB_REGISTRY}/acme`;

/** A README or template line with the placeholders a user replaces, replaced. */
export function asUser(line: string, moduleDir: string, values: { digest?: string } = {}): string {
  let text = line.replaceAll(MODULE_ADDRESS, moduleDir).replaceAll(REGISTRY_PLACEHOLDER, LAB_NAMESPACE);
  if (values.digest) text = text.replaceAll("sha256:…", values.digest);
  return text;
}

/**
 * The README's own advice for an engine without arm64 emulation ("add --platforms=linux/amd64"),
 * where a test has no need of a second platform's cost.
 */
export function amd64Only(line: string): string {
  const withFlag = line.replace(/ release /, " release --platforms=linux/amd64 ");
  if (withFlag === line) throw new Error(`not a release line: ${line}`);
  return withFlag;
}

/**
 * The README's own advice for a machine without a transparency log ("add --air-gapped"), for key
 * signing: the key tests run no Rekor (the keyless ones run a local Sigstore instead).
 */
export function airGapped(line: string): string {
  const withFlag = line.replace(/ (release|verify) /, " $1 --air-gapped ");
  if (withFlag === line) throw new Error(`not a release or verify line: ${line}`);
  return withFlag;
}

const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

/**
 * The example's config with a dated, justified exception for every planted advisory: a policy that
 * passes. With `smoke.backend: false` unless `backendSmoke`: the backend's smoke test runs
 * `prisma migrate deploy`, which needs Prisma's native schema engine, and no host serving it can be
 * reached from this machine (engine.test.ts shows the stage failing there, closed). `apps` keeps
 * only the apps named, as a repository without the others writes it.
 */
export async function passingConfig({ backendSmoke = false, apps }: { backendSmoke?: boolean; apps?: string[] } = {}): Promise<string> {
  const config = parse(await readFile(path.join(repoRoot, "examples/app/security-config.yml"), "utf8")) as Record<string, unknown> & {
    apps: Record<string, unknown>;
    policy: { ignores: unknown[] };
  };
  delete config["$schema"];
  config.policy.ignores.push(
    ...PLANTED_IDS.map((id) => ({ id, reason: "Planted in the engine tier's DB; accepted to prove a passing policy passes", expires: inDays(30) })),
  );
  if (apps) config.apps = Object.fromEntries(apps.map((app) => [app, config.apps[app]]));
  if (!backendSmoke) config["smoke"] = { backend: false };
  return stringify(config);
}
