import { existsSync } from "node:fs";
import { mkdtemp, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { afterEach, beforeAll, describe, expect, inject, it, vi } from "vitest";
import { APPS, ensureBuilt, type App } from "../support/docker/app-images.ts";
import { docker, failureMessage, run } from "../support/docker/cli.ts";
import { appBuild, imageTag } from "../support/docker/e2e-context.ts";
import { TRIVY, TRIVY_VERSION } from "../support/tools/catalog.ts";
import { ensureGoTool, goToolPath, type GoTool } from "../support/tools/go-tools.ts";
import { PLANTED_HITS, writeTrivyDb, type PlantedHit } from "../support/trivy-db/index.ts";

const ctx = inject("drydockE2e");
const log = (line: string) => console.log(`[e2e] ${line}`);

/** No network: the planted DB is all Trivy gets, and nothing phones home. */
const OFFLINE = ["--skip-db-update", "--skip-java-db-update", "--skip-check-update", "--skip-version-check", "--disable-telemetry"];
const UPDATED_AT = new Date("2026-11-27T06:00:00.000Z");
const NEXT_UPDATE = new Date("2026-11-27T12:00:00.000Z");

interface TrivyReport {
  Trivy?: { Version: string };
  Results?: Array<{
    Class: string;
    Vulnerabilities?: Array<{ VulnerabilityID: string; PkgName: string; InstalledVersion: string; FixedVersion?: string; Severity: string }>;
  }>;
}

let trivy: string;

beforeAll(async () => {
  trivy = await ensureGoTool(TRIVY, log);
});

/** Scan a `docker save` archive of the image with the planted DB in `cacheDir`. */
async function scan(image: string, cacheDir: string): Promise<TrivyReport> {
  const archive = path.join(await mkdtemp(path.join(ctx.workDir, "trivy-")), "image.tar");
  await docker(["save", "--output", archive, image]);
  const args = ["image", "--input", archive, "--cache-dir", cacheDir, ...OFFLINE, "--scanners", "vuln", "--format", "json", "--quiet"];
  const result = await run(trivy, args, { timeoutMs: 10 * 60_000 });
  if (result.code !== 0) throw new Error(failureMessage(`trivy ${args.join(" ")}`, result));
  return JSON.parse(result.stdout) as TrivyReport;
}

function findings(report: TrivyReport): Array<PlantedHit & { installedVersion: string }> {
  return (report.Results ?? []).flatMap((r) =>
    (r.Vulnerabilities ?? []).map((v) => ({
      id: v.VulnerabilityID,
      pkgName: v.PkgName,
      severity: v.Severity as PlantedHit["severity"],
      fixedVersion: v.FixedVersion,
      class: r.Class as PlantedHit["class"],
      installedVersion: v.InstalledVersion,
    })),
  );
}

/** Debian advisories only hit Debian bases; with the official (Alpine) images only npm ones apply. */
function expectedHits(app: App): PlantedHit[] {
  return PLANTED_HITS[app].filter((h) => h.class === "lang-pkgs" || ctx.bases.origin === "stand-in");
}

describe(`Trivy built from its Go module at the module's pin (${TRIVY.version})`, () => {
  it("reports exactly the version the module pins", async () => {
    const result = await run(trivy, ["version", "--format", "json", "--cache-dir", await mkdtemp(path.join(ctx.workDir, "trivy-"))]);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ Version: TRIVY_VERSION });
  });

  it("is reused on the next call, not rebuilt", async () => {
    const before = await stat(trivy);
    const lines: string[] = [];
    expect(await ensureGoTool(TRIVY, (line) => lines.push(line))).toBe(trivy);
    expect(lines).toEqual([`reusing trivy ${TRIVY.version} from .cache/tools/trivy@${TRIVY.version}/trivy`]);
    expect((await stat(trivy)).mtimeMs).toBe(before.mtimeMs);
  });
});

describe("the Go tool builder says what went wrong", () => {
  const missing: GoTool = { name: "drydock-e2e-absent", pkg: "drydock.invalid/absent/cmd/absent", version: "v0.0.0" };

  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it("names Go as what to install when `go` is not on PATH", async () => {
    vi.stubEnv("PATH", "/nonexistent");
    await expect(ensureGoTool(missing)).rejects.toThrow(/building drydock-e2e-absent v0\.0\.0 needs the Go toolchain, but `go` is not on PATH — install Go/);
    expect(existsSync(path.dirname(goToolPath(missing)))).toBe(false);
  });

  it("shows go's own words when the build fails", async () => {
    const offline = { ...missing, env: { GOPROXY: "off" } };
    await expect(ensureGoTool(offline)).rejects.toThrow(/building drydock-e2e-absent v0\.0\.0: go install .* exited 1:\n.*GOPROXY=off/s);
    expect(existsSync(path.dirname(goToolPath(offline)))).toBe(false);
  });
});

describe("the planted Trivy DB", () => {
  let cacheDir: string;

  beforeAll(async () => {
    cacheDir = await mkdtemp(path.join(ctx.workDir, "trivy-cache-"));
    await writeTrivyDb({ cacheDir, updatedAt: UPDATED_AT, nextUpdate: NEXT_UPDATE, log });
  });

  it("carries the given dates in metadata.json, schema version 2", async () => {
    const metadata = JSON.parse(await readFile(path.join(cacheDir, "db/metadata.json"), "utf8")) as Record<string, string | number>;
    // Go writes 06:00:00Z where JavaScript writes 06:00:00.000Z: compare instants.
    const instant = (key: string) => new Date(metadata[key] ?? "").toISOString();
    expect(metadata.Version).toBe(2);
    expect(instant("UpdatedAt")).toBe(UPDATED_AT.toISOString());
    expect(instant("NextUpdate")).toBe(NEXT_UPDATE.toISOString());
    expect(instant("DownloadedAt")).toBe(UPDATED_AT.toISOString());
  });

  it("is accepted by Trivy with --skip-db-update: a scan of the runtime base succeeds", async () => {
    const report = await scan(ctx.bases.runtime, cacheDir);
    expect(report.Trivy?.Version).toBe(TRIVY_VERSION);
    const osHits = PLANTED_HITS.backend.filter((h) => h.class === "os-pkgs" && ctx.bases.origin === "stand-in");
    expect(findings(report)).toEqual(expect.arrayContaining(osHits.map((h) => expect.objectContaining(h))));
  });

  it.each(APPS)("plants advisories that Trivy finds in the %s image, each on the package it targets", async (app) => {
    await ensureBuilt(appBuild(ctx, app), log);
    const found = findings(await scan(imageTag(ctx.runId, app), cacheDir));
    const expected = expectedHits(app);
    expect(expected.length).toBeGreaterThan(0);
    for (const hit of expected) {
      const match = found.find((f) => f.id === hit.id && f.pkgName === hit.pkgName);
      expect(match, `${hit.id} on ${hit.pkgName} in the ${app} image; found ${JSON.stringify(found)}`).toMatchObject(hit);
      expect(match?.installedVersion).not.toBe("");
    }
    // Nothing beyond what the fixture plants: the DB holds no other advisory.
    expect(found.map((f) => `${f.id} ${f.pkgName}`).sort()).toEqual(expected.map((h) => `${h.id} ${h.pkgName}`).sort());
  });
});
