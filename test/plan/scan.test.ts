/**
 * scan(image, name) against the fake engine: Trivy's exact command lines, the pinned scanner
 * image, the DB refreshed in a locked cache volume of the config's own and copied out for the
 * scan, the image tarball and VEX documents it gets, and every way a scan can go wrong — each one
 * an error naming the image, never a pass.
 */
import { dag } from "@dagger.io/dagger";
import { describe, expect, it } from "vitest";
import { GateFailedError } from "../../dagger/src/objects/gate-error.ts";
import { ReportError } from "../../dagger/src/report/errors.ts";
import { ScanError } from "../../dagger/src/scan/trivy.ts";
import { SourceError } from "../../dagger/src/source.ts";
import { execStartsWith, useFakeEngine, withEngine } from "../support/fake-engine/index.js";
import {
  answerTrivy,
  both,
  DB_COPY,
  DEFAULT_DB_VOLUME,
  drydock,
  MINIMAL_APPS,
  metadataRule,
  mountedDirectory,
  rejectionOf,
  reportText,
  SCAN_DB,
  scanOf,
  TARBALL,
  TRIVY_CACHE,
  useTempSources,
} from "../support/plan-helpers.js";
import { langResult, vulnerability } from "../support/trivy-reports.js";

const engine = useFakeEngine();
const tempSource = useTempSources();

const TRIVY = "docker.io/aquasec/trivy:0.69.3@sha256:bcc376de8d77cfe086a917230e818dc9f8528e3c852f7b1aff648949b6258d1c";
const ALPINE = "docker.io/library/alpine:3.22.2@sha256:4b7ce07002c69e8f3d704a9c5d6fd3053be500b7f1c69fc0d80990c2ad8dd412";
const DB_REPOSITORIES = "mirror.gcr.io/aquasec/trivy-db:2,public.ecr.aws/aquasecurity/trivy-db:2,ghcr.io/aquasecurity/trivy-db:2";
const imageScan = scanOf("(no title)");

// --skip-version-check and --disable-telemetry: no call home, so the e2e runs this argv offline.
const DOWNLOAD_ARGS = [
  "trivy", "image", "--download-db-only",
  "--cache-dir", "/root/.cache/trivy", "--timeout", "10m", "--skip-version-check", "--disable-telemetry",
  "--no-progress", "--db-repository", DB_REPOSITORIES,
];
const COPY_ARGS = ["cp", "-R", "/root/.cache/trivy/db", "/drydock/trivy-db"];

const IMAGE_SCAN_ARGS = [
  "trivy", "image",
  "--cache-dir", "/drydock/trivy-cache", "--timeout", "10m", "--skip-version-check", "--disable-telemetry",
  "--cache-backend", "memory", "--no-progress",
  "--input", "/drydock/image.tar",
  "--scanners", "vuln,secret", "--image-config-scanners", "misconfig,secret",
  "--skip-db-update", "--skip-java-db-update", "--skip-check-update",
  "--list-all-pkgs", "--show-suppressed",
  "--exit-code", "0", "--format", "json", "--output", "/drydock/trivy.json",
];

const failing = reportText([langResult({ Vulnerabilities: [vulnerability()] })]);

/**
 * Scan a small pinned image named "api" with the source's config, the caller allowing `allowed`
 * (with-allowed-scanner); read every file of the scan.
 */
const scanApi = (dir?: string, allowed?: { trivyImage?: string; dbRepositories?: string[] }) =>
  withEngine(engine, async () => {
    const d = allowed ? drydock(dir).withAllowedScanner(allowed.trivyImage, allowed.dbRepositories) : drydock(dir);
    const scan = await d.scan(dag.container().from(ALPINE), "api");
    await scan.files().sync();
    return scan;
  });

const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);

describe("scan", () => {
  it("runs trivy image on the image's tarball with exactly drydock's flags", async () => {
    answerTrivy(engine);
    await scanApi();
    const trivy = engine.execs().filter((e) => e.args[0] === "trivy").map((e) => e.args);
    expect(trivy).toEqual([
      DOWNLOAD_ARGS,
      IMAGE_SCAN_ARGS,
      ["trivy", "convert", "--format", "sarif", "--output", "/drydock/trivy.sarif", "/drydock/trivy.json"],
      ["trivy", "convert", "--format", "cyclonedx", "--output", "/drydock/sbom.cdx.json", "/drydock/trivy.json"],
    ]);
  });

  it("runs every step in the pinned scanner image, and only the DB refresh and its copy with the config's DB cache volume, locked", async () => {
    answerTrivy(engine);
    await scanApi();
    const volume = { kind: "cache", source: DEFAULT_DB_VOLUME, options: { sharing: "LOCKED" } };
    for (const exec of engine.execs()) {
      expect(exec.image, exec.args.join(" ")).toBe(TRIVY);
      const refresh = exec.args.includes("--download-db-only") || exec.args[0] === "cp";
      expect(exec.mounts[TRIVY_CACHE], exec.args.join(" ")).toEqual(refresh ? volume : undefined);
      expect(Object.values(exec.mounts).filter((m) => m.kind === "cache" && !refresh), exec.args.join(" ")).toEqual([]);
    }
  });

  it("copies the DB out of the volume after the download, in the same container, lets go of the volume, and reads the DB's age from the copy", async () => {
    answerTrivy(engine);
    await scanApi();
    const copy = engine.execs().find((e) => e.args.join(" ") === COPY_ARGS.join(" "))!;
    expect(copy.chain.at(-2)?.args["args"]).toEqual(DOWNLOAD_ARGS);
    const read = engine.execs().find((e) => e.args[0] === "cat")!;
    expect(read.args).toEqual(["cat", `${DB_COPY}/metadata.json`]);
    expect(JSON.stringify(read.chain.slice(0, -2))).toBe(JSON.stringify(copy.chain));
    expect(read.chain.at(-2)).toMatchObject({ field: "withoutMount", args: { path: TRIVY_CACHE } });
  });

  it("gives the image scan that copy as a mounted directory at its cache dir's db/, with no cache volume", async () => {
    answerTrivy(engine);
    await scanApi();
    const scan = engine.execs().find((e) => e.args.join(" ") === IMAGE_SCAN_ARGS.join(" "))!;
    const copy = engine.execs().find((e) => e.args.join(" ") === COPY_ARGS.join(" "))!;
    expect(Object.keys(scan.mounts).sort()).toEqual([TARBALL, SCAN_DB]);
    const db = mountedDirectory(scan.chain, SCAN_DB)!;
    expect(JSON.stringify(db.chain.slice(0, -2))).toBe(JSON.stringify(copy.chain));
    expect(db.chain.slice(-2)).toMatchObject([
      { field: "withoutMount", args: { path: TRIVY_CACHE } },
      { field: "directory", args: { path: DB_COPY } },
    ]);
    expect(scan.chain.filter((s) => s.field === "withExec"), "the scan runs in a fresh scanner container, not on the refresh").toHaveLength(1);
    expect(scan.env, "no env stands in for the DB: the mounted copy is part of the scan's key").toEqual({});
  });

  it("mounts the tarball of the image it was given", async () => {
    answerTrivy(engine);
    await scanApi();
    const scan = engine.execs().find((e) => e.args.join(" ") === IMAGE_SCAN_ARGS.join(" "));
    expect(scan?.mounts[TARBALL]).toEqual({ kind: "file", source: `container.from(address: "${ALPINE}").asTarball`, options: {} });
  });

  it("takes the scanner image, timeout and DB mirrors from the config, as the caller allows them", async () => {
    const image = `registry.example.com/mirror/trivy:0.69.3@sha256:${"c".repeat(64)}`;
    const dir = tempSource({
      ...MINIMAL_APPS,
      "security-config.yml": `scanner:\n  trivyImage: ${image}\n  timeout: 20m\n  dbRepositories: [registry.example.com/trivy-db:2]\n`,
    });
    answerTrivy(engine);
    await scanApi(dir, { trivyImage: image, dbRepositories: ["registry.example.com/trivy-db:2"] });
    expect(engine.froms().sort()).toEqual([ALPINE, image].sort());
    const [download, scan] = engine.execs().filter((e) => e.args[0] === "trivy").map((e) => e.args.join(" "));
    expect(download).toContain("--timeout 20m");
    expect(download).toContain("--db-repository registry.example.com/trivy-db:2");
    expect(scan).toContain("--timeout 20m");
  });

  it("keeps each scanner config's DB in a volume of its own, so no config can poison another's DB", async () => {
    const volumesOf = async (config?: string) => {
      engine.reset();
      answerTrivy(engine);
      // The caller allows both: the volume is the config's own even for what the caller trusts.
      await scanApi(config === undefined ? undefined : tempSource({ ...MINIMAL_APPS, "security-config.yml": config }), { trivyImage: fork, dbRepositories: ["evil.example.com/trivy-db:2"] });
      return [...new Set(engine.execs().flatMap((e) => Object.values(e.mounts).filter((m) => m.kind === "cache").map((m) => m.source)))];
    };
    const fork = `ghcr.io/someone/trivy:0.69.3@sha256:${"d".repeat(64)}`;
    const defaults = await volumesOf();
    const otherMirror = await volumesOf("scanner:\n  dbRepositories: [evil.example.com/trivy-db:2]\n");
    const otherImage = await volumesOf(`scanner:\n  trivyImage: ${fork}\n`);
    expect(defaults).toEqual([DEFAULT_DB_VOLUME]);
    expect(otherMirror).toEqual([expect.stringMatching(/^drydock-trivy-db-[0-9a-f]{16}$/)]);
    expect(otherImage).toEqual([expect.stringMatching(/^drydock-trivy-db-[0-9a-f]{16}$/)]);
    expect(new Set([...defaults, ...otherMirror, ...otherImage]).size).toBe(3);
    expect(await volumesOf("scanner:\n  timeout: 20m\n  maxDbAgeDays: 3\n"), "settings that do not change the DB share the volume").toEqual([DEFAULT_DB_VOLUME]);
  });

  it("mounts each VEX document of policy.vex and passes it with --vex, in order", async () => {
    const dir = tempSource({
      ...MINIMAL_APPS,
      "security-config.yml": "policy:\n  vex: [security/app.openvex.json, security/base/node.openvex.json]\n",
      "security/app.openvex.json": '{"@context": "https://openvex.dev/ns/v0.2.0", "statements": []}\n',
      "security/base/node.openvex.json": '{"@context": "https://openvex.dev/ns/v0.2.0", "statements": []}\n',
    });
    answerTrivy(engine);
    await scanApi(dir);
    const scan = engine.execs().find((e) => e.args[1] === "image" && e.args.includes("--input"));
    expect(scan?.args.slice(scan.args.indexOf("--show-suppressed") + 1, scan.args.indexOf("--exit-code"))).toEqual([
      "--vex", "/drydock/vex/0-app.openvex.json", "--vex", "/drydock/vex/1-node.openvex.json",
    ]);
    expect(scan?.mounts["/drydock/vex/0-app.openvex.json"]?.source).toBe(`host.directory(path: "${dir}").file(path: "security/app.openvex.json")`);
    expect(scan?.mounts["/drydock/vex/1-node.openvex.json"]?.source).toBe(`host.directory(path: "${dir}").file(path: "security/base/node.openvex.json")`);
  });

  it("refuses a VEX document that is not in the source, naming policy.vex[i], before Trivy runs", async () => {
    const dir = tempSource({
      ...MINIMAL_APPS,
      "security-config.yml": "policy:\n  vex: [security/app.openvex.json, security/gone.openvex.json]\n",
      "security/app.openvex.json": "{}\n",
    });
    answerTrivy(engine);
    const error = await rejectionOf(scanApi(dir));
    expect(error).toBeInstanceOf(SourceError);
    expect(error.message).toBe('security-config.yml: policy.vex[1]: found no file "security/gone.openvex.json" in the source, expected a file of the repository — fix the path or remove the entry');
    expect(engine.execs()).toEqual([]);
  });
});

describe("a scan that goes wrong", () => {
  it("raises Trivy's crash as an error naming the image and quoting Trivy, never a pass", async () => {
    answerTrivy(engine);
    engine.addRule({ when: both(imageScan, execStartsWith("trivy", "image")), exitCode: 1, stderr: "2026-11-27T10:00:00Z\tFATAL\tFatal error\timage scan error: unable to open /drydock/image.tar: unexpected EOF\n" });
    const error = await rejectionOf(scanApi());
    expect(error).toBeInstanceOf(ScanError);
    expect(error.message).toBe(
      "Trivy on image api: found exit 1 and no report, expected a JSON report — no verdict was reached: fix what Trivy said, then rerun\nTrivy said:\n2026-11-27T10:00:00Z\tFATAL\tFatal error\timage scan error: unable to open /drydock/image.tar: unexpected EOF",
    );
  });

  it.each([
    { name: "a truncated report", text: '{"SchemaVersion": 2, "Results": [', says: "Trivy report of api: is not valid JSON" },
    { name: "an empty report", text: "", says: "Trivy report of api: is empty" },
    { name: "a SARIF log instead of the JSON report", text: '{"version": "2.1.0", "runs": []}', says: "Trivy report of api: is a SARIF log, not a Trivy JSON report" },
  ])("fails on $name", async ({ text, says }) => {
    answerTrivy(engine, { other: text });
    const error = await rejectionOf(scanApi());
    expect(error).toBeInstanceOf(ReportError);
    expect(error.message).toContain(says);
  });

  it("scans with a copy of the cached DB when the refresh fails, and the summary says how old it is", async () => {
    const built = `${daysAgo(7)}T06:00:00Z`;
    answerTrivy(engine, { dbUpdatedAt: built });
    engine.addRule({ when: execStartsWith("trivy", "image", "--download-db-only"), exitCode: 1, stderr: "FATAL\tdb error: failed to download vulnerability DB: 429 Too Many Requests\n" });
    const scan = await scanApi();
    expect(scan.passed).toBe(true);
    expect(scan.summary).toContain(`> **Note:** the vulnerability DB could not be refreshed from ${DB_REPOSITORIES.replaceAll(",", ", ")} (exit 1); scanned with the cached DB built ${built.replace("Z", ".000Z")}.`);
    expect(scan.summary).toContain("> Trivy vulnerability DB: 7 days old.");
    const image = engine.execs().find((e) => e.args.join(" ") === IMAGE_SCAN_ARGS.join(" "));
    const db = mountedDirectory(image!.chain, SCAN_DB)!;
    expect(db.chain.at(-1)).toMatchObject({ field: "directory", args: { path: DB_COPY } });
    const copy = db.chain.filter((s) => s.field === "withExec").map((s) => s.args["args"]);
    expect(copy, "the scan mounts a copy straight from the volume, not from the failed download").toEqual([COPY_ARGS]);
    expect(db.chain.some((s) => s.field === "withMountedCache"), "the copy is taken from the volume").toBe(true);
    expect(image?.mounts[TRIVY_CACHE], "the scan itself never mounts the volume").toBeUndefined();
    expect(image?.env).toEqual({});
  });

  it("copies the cached DB afresh on every run when the refresh fails, and reads its age from that copy", async () => {
    answerTrivy(engine);
    engine.addRule({ when: execStartsWith("trivy", "image", "--download-db-only"), exitCode: 1, stderr: "FATAL\tdb error\n" });
    await scanApi();
    const copy = engine.execs().find((e) => e.args.join(" ") === COPY_ARGS.join(" "));
    // The volume's contents are no part of the engine's cache key: only this run's instant keeps a stale copy from being replayed.
    expect(copy?.env["DRYDOCK_COPIED_AT"]).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    const read = engine.execs().find((e) => e.args[0] === "cat");
    expect(JSON.stringify(read?.chain.slice(0, -2))).toBe(JSON.stringify(copy?.chain));
  });

  it("fails with a clear error when the refresh fails and the volume holds no DB to copy", async () => {
    answerTrivy(engine);
    engine.addRule({ when: execStartsWith("trivy", "image", "--download-db-only"), exitCode: 1, stderr: "FATAL\tdb error: failed to download vulnerability DB: 429 Too Many Requests\n" });
    engine.addRule({ when: execStartsWith(...COPY_ARGS), exitCode: 1, stderr: "cp: can't stat '/root/.cache/trivy/db': No such file or directory\n" });
    const error = await rejectionOf(scanApi());
    expect(error).toBeInstanceOf(ScanError);
    expect(error.message).toContain("and no cached DB, expected a DB to scan with");
    expect(error.message).toContain("429 Too Many Requests");
    expect(engine.execs().filter((e) => e.args.includes("--input")), "no image is scanned").toEqual([]);
  });

  it("fails with a clear error when the refresh fails and no DB is cached", async () => {
    answerTrivy(engine, { dbUpdatedAt: null });
    engine.addRule({ when: execStartsWith("trivy", "image", "--download-db-only"), exitCode: 1, stderr: "FATAL\tdb error: failed to download vulnerability DB: dial tcp: lookup mirror.gcr.io: no such host\n" });
    const error = await rejectionOf(scanApi());
    expect(error).toBeInstanceOf(ScanError);
    expect(error.message).toBe(
      `Trivy's vulnerability DB: found no download from any of ${DB_REPOSITORIES.replaceAll(",", ", ")} (exit 1) and no cached DB, expected a DB to scan with — ` +
        "check network access to those registries, or set scanner.dbRepositories in the config to a reachable mirror\n" +
        "Trivy said:\nFATAL\tdb error: failed to download vulnerability DB: dial tcp: lookup mirror.gcr.io: no such host",
    );
    expect(engine.execs().filter((e) => e.args.includes("--input")), "no image is scanned").toEqual([]);
  });

  it.each([
    { name: "unreadable", stdout: "{not json" },
    { name: "without UpdatedAt", stdout: '{"Version": 2}' },
    { name: "with a date that is no date", stdout: '{"UpdatedAt": "yesterday"}' },
    // Date.parse takes it, parenthesised text being a comment to it; the text would reach the summary.
    { name: "with a date carrying HTML", stdout: JSON.stringify({ UpdatedAt: "Jan 1 2026 (\n\n<img src=x onerror=alert(1)>)" }) },
  ])("treats a metadata.json that is $name as no cached DB", async ({ stdout }) => {
    answerTrivy(engine);
    engine.addRule({ ...metadataRule(null), exitCode: 0, stdout, stderr: "" });
    engine.addRule({ when: execStartsWith("trivy", "image", "--download-db-only"), exitCode: 1, stderr: "FATAL\tdb error\n" });
    const error = await rejectionOf(scanApi());
    expect(error.message).toContain("and no cached DB, expected a DB to scan with");
  });

  it("refuses to scan with a cached DB older than scanner.maxDbAgeDays when the refresh fails", async () => {
    const built = `${daysAgo(8)}T06:00:00Z`;
    answerTrivy(engine, { dbUpdatedAt: built });
    engine.addRule({ when: execStartsWith("trivy", "image", "--download-db-only"), exitCode: 1, stderr: "FATAL\tdb error: 429 Too Many Requests\n" });
    const error = await rejectionOf(scanApi());
    expect(error).toBeInstanceOf(ScanError);
    expect(error.message).toContain(`Trivy's vulnerability DB: found a DB built ${built.replace("Z", ".000Z")}, 8 days ago, expected one at most scanner.maxDbAgeDays (7) days old — no scan ran`);
    expect(error.message).toContain("The refresh failed: the vulnerability DB could not be refreshed from");
    expect(engine.execs().filter((e) => e.args.includes("--input")), "no image is scanned").toEqual([]);
  });

  it("refuses a DB a mirror serves older than scanner.maxDbAgeDays, even when the refresh succeeds", async () => {
    answerTrivy(engine, { dbUpdatedAt: `${daysAgo(30)}T06:00:00Z` });
    const error = await rejectionOf(scanApi());
    expect(error).toBeInstanceOf(ScanError);
    expect(error.message).toContain("30 days ago, expected one at most scanner.maxDbAgeDays (7) days old");
    expect(error.message).toContain("succeeded but served this DB: the mirror is stale");
  });

  it("refuses a DB whose metadata.json claims it was built after today", async () => {
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    answerTrivy(engine, { dbUpdatedAt: `${tomorrow}T06:00:00Z` });
    const error = await rejectionOf(scanApi());
    expect(error).toBeInstanceOf(ScanError);
    expect(error.message).toContain(`claims to have been built ${tomorrow}T06:00:00.000Z, 1 day(s) after today`);
    expect(engine.execs().filter((e) => e.args.includes("--input")), "no image is scanned").toEqual([]);
  });

  it("refuses to scan when the DB's age cannot be read after a successful refresh", async () => {
    answerTrivy(engine, { dbUpdatedAt: null });
    const error = await rejectionOf(scanApi());
    expect(error).toBeInstanceOf(ScanError);
    expect(error.message).toContain("found no readable db/metadata.json after the refresh");
    expect(engine.execs().filter((e) => e.args.includes("--input")), "no image is scanned").toEqual([]);
  });

  it("refuses to scan when the copy fails after a successful refresh (the volume was pruned while the refresh stayed cached)", async () => {
    answerTrivy(engine);
    engine.addRule({ when: execStartsWith(...COPY_ARGS), exitCode: 1, stderr: "cp: can't stat '/root/.cache/trivy/db': No such file or directory\n" });
    const error = await rejectionOf(scanApi());
    expect(error).toBeInstanceOf(ScanError);
    expect(error.message).toContain("found no readable db/metadata.json after the refresh");
    expect(engine.execs().filter((e) => e.args.includes("--input")), "no image is scanned").toEqual([]);
  });

  it("refuses a DB whose UpdatedAt carries HTML, and never prints it", async () => {
    answerTrivy(engine, { dbUpdatedAt: "Jan 1 2026 (\n\n<img src=x onerror=alert(1)>)" });
    const error = await rejectionOf(scanApi());
    expect(error).toBeInstanceOf(ScanError);
    expect(error.message).toContain("found no readable db/metadata.json after the refresh");
    expect(error.message).not.toContain("<img");
  });
});

describe("the scan's verdict and files", () => {
  it("says the DB was updated today after a successful refresh", async () => {
    answerTrivy(engine);
    const scan = await scanApi();
    expect(scan.passed).toBe(true);
    expect(scan.summary).toContain("## ✅ Security gate passed: api");
    expect(scan.summary).toContain("> Trivy vulnerability DB: updated today.");
    expect(scan.gate()).toBe(scan.summary);
  });

  it("prints the DB's date only as a normalised ISO instant, in notes and errors alike", async () => {
    const built = `${daysAgo(3)}T08:00:00.123456789+02:00`;
    const normalised = `${daysAgo(3)}T06:00:00.123Z`;
    answerTrivy(engine, { dbUpdatedAt: built });
    engine.addRule({ when: execStartsWith("trivy", "image", "--download-db-only"), exitCode: 1, stderr: "FATAL\tdb error\n" });
    const scan = await scanApi();
    expect(scan.summary).toContain(`scanned with the cached DB built ${normalised}.`);
    expect(JSON.parse(scan.summaryDocument).notes).toEqual([expect.stringContaining(`built ${normalised}.`)]);
    expect(scan.summary).not.toContain(built);

    engine.reset();
    const old = `${daysAgo(30)}T08:00:00+02:00`;
    answerTrivy(engine, { dbUpdatedAt: old });
    const error = await rejectionOf(scanApi());
    expect(error.message).toContain(`Trivy's vulnerability DB: found a DB built ${daysAgo(30)}T06:00:00.000Z, 30 days ago`);
  });

  it("fails gate() with the summary on failing findings, and still exports every report", async () => {
    answerTrivy(engine, { other: failing });
    const { scan, entries, summary, report, summaryJson } = await withEngine(engine, async () => {
      const scan = await drydock().scan(dag.container().from(ALPINE), "api");
      const files = scan.files();
      return {
        scan,
        entries: await files.entries(),
        summary: await files.file("summary.md").contents(),
        report: await files.file("trivy.json").contents(),
        summaryJson: await scan.summaryJson().contents(),
      };
    });
    expect(scan.passed).toBe(false);
    expect(() => scan.gate()).toThrow(GateFailedError);
    expect(() => scan.gate()).toThrow(scan.summary);
    expect(scan.summary).toContain("## ❌ Security gate failed: api");
    expect(scan.summary).toContain("CVE-2019-10744");
    expect(entries).toEqual(["sbom.cdx.json", "summary.json", "summary.md", "trivy.json", "trivy.sarif"]);
    expect(summary).toBe(scan.summary);
    // Published as drydock publishes every report (report/redact.ts): one without secrets, as Trivy wrote it.
    expect(JSON.parse(report)).toEqual(JSON.parse(failing));
    expect(JSON.parse(summaryJson)).toMatchObject({ notes: [] });
  });
});
