/**
 * What leaves drydock of a Trivy report that found a secret: the trivy.json a scan's `files` and
 * build-and-scan's `reports` export, the report SARIF and SBOM are converted from, and the report
 * the `vuln` attestation is made of — none holds a word of the file around the secret (Trivy's
 * `Code` excerpt and `Match` line), while the finding itself stays.
 */
import { dag, type File } from "@dagger.io/dagger";
import { describe, expect, it } from "vitest";
import { REDACTED_MATCH } from "../../dagger/src/report/redact.ts";
import { ReportError } from "../../dagger/src/report/errors.ts";
import { fileContents } from "../support/fake-engine/filesystem.js";
import { ObjectRef, useFakeEngine, withEngine, type ExecRecord } from "../support/fake-engine/index.js";
import { repoRoot } from "../support/paths.js";
import { answerRelease, imageManifest, serveManifest } from "../support/release/plan-answers.js";
import { answerTrivy, drydock, rejectionOf, reportText, TRIVY_REPORT } from "../support/plan-helpers.js";
import { secret, secretResult } from "../support/trivy-reports.js";

const engine = useFakeEngine();

const ALPINE = "docker.io/library/alpine:3.22.2@sha256:4b7ce07002c69e8f3d704a9c5d6fd3053be500b7f1c69fc0d80990c2ad8dd412";
/** An image the fake registry serves: attest first asks what the reference is. */
const SERVED = imageManifest("drydock-backend linux/amd64");
const REF = `ghcr.io/acme/drydock-backend@${SERVED.digest}`;
const PUBLIC_KEY = "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----\n";
const SHA = "0123456789abcdef0123456789abcdef01234567";

/** Text of the scanned file Trivy leaves unmasked: a neighbouring line, and the rest of the matched line. */
const NEIGHBOUR = "DB_PASSWORD=neighbour-canary-5b1f";
const SAME_LINE = "LEGACY_PASSWORD=same-line-canary-a07c";
const CANARIES = [NEIGHBOUR, SAME_LINE, "neighbour-canary-5b1f", "same-line-canary-a07c"];

/** A report as Trivy writes it for a credential in /app/config/deploy.env: masked match, unmasked context. */
const withSecret = reportText([
  secretResult({
    Target: "/app/config/deploy.env",
    Secrets: [
      secret({
        RuleID: "github-pat",
        Category: "GitHub",
        Title: "GitHub Personal Access Token",
        StartLine: 2,
        EndLine: 2,
        Code: {
          Lines: [
            { Number: 1, Content: NEIGHBOUR, Highlighted: NEIGHBOUR, IsCause: false },
            { Number: 2, Content: `GITHUB_TOKEN=**************************************** ${SAME_LINE}`, IsCause: true, FirstCause: true, LastCause: true },
          ],
        },
        Match: `GITHUB_TOKEN=**************************************** ${SAME_LINE}`,
      }),
    ],
  }),
]);

const contentsOf = (file: File) => file.contents();

/**
 * The report a step reads at /drydock/trivy.json, as its chain tells: the file the plan wrote or
 * mounted there last. An error when that is Trivy's own report, whose text the plan never holds.
 */
function reportReadBy(exec: ExecRecord): string {
  const step = [...exec.chain].reverse().find((s) => ["withFile", "withMountedFile"].includes(s.field) && s.args["path"] === TRIVY_REPORT);
  const source = step?.args["source"];
  if (!(source instanceof ObjectRef)) throw new Error(`"${exec.args.join(" ")}" reads no report the plan wrote or mounted at ${TRIVY_REPORT}: it reads Trivy's own`);
  const found = fileContents({ rules: [], hostRoot: repoRoot }, source.chain);
  if (found.kind !== "file") throw new Error(`"${exec.args.join(" ")}" reads a report whose text its chain does not tell: ${"reason" in found ? found.reason : found.kind}`);
  return found.contents;
}

const converts = () => engine.execs().filter((e) => e.args[0] === "trivy" && e.args[1] === "convert");

function expectRedacted(text: string, what: string): void {
  for (const canary of CANARIES) expect(text, `${what} holds "${canary}"`).not.toContain(canary);
}

/** The published report still names the finding: rule, title, lines — and says why its line is not there. */
function expectFindingKept(text: string): void {
  const doc = JSON.parse(text) as { Results: Array<{ Target: string; Secrets: Array<Record<string, unknown>> }> };
  expect(doc.Results[0]!.Target).toBe("/app/config/deploy.env");
  expect(doc.Results[0]!.Secrets).toEqual([
    { RuleID: "github-pat", Category: "GitHub", Severity: "CRITICAL", Title: "GitHub Personal Access Token", StartLine: 2, EndLine: 2, Offset: 36, Match: REDACTED_MATCH },
  ]);
}

describe("a scan that found a secret", () => {
  it("exports trivy.json, and converts SARIF and SBOM from a report, without the text around the secret", async () => {
    answerTrivy(engine, { other: withSecret });
    const files = await withEngine(engine, async () => {
      const scan = await drydock().scan(dag.container().from(ALPINE), "api");
      const dir = scan.files();
      return {
        report: await contentsOf(scan.report),
        exported: await dir.file("trivy.json").contents(),
        summary: await dir.file("summary.md").contents(),
        summaryJson: await dir.file("summary.json").contents(),
        failing: scan.failingFindings.map((f) => JSON.stringify(f)).join("\n"),
      };
    });
    expect(files.exported).toBe(files.report);
    expectFindingKept(files.exported);
    for (const [what, text] of Object.entries(files)) expectRedacted(text, what);
    expect(files.summary).toContain("github-pat");

    const conversions = converts();
    expect(conversions.map((e) => e.args[3])).toEqual(["sarif", "cyclonedx"]);
    for (const exec of conversions) {
      const read = reportReadBy(exec);
      expect(read, `${exec.args[3]} converts the exported report`).toBe(files.exported);
    }
    for (const canary of CANARIES) expect(engine.leaks(canary), "no query the module sends holds the text").toEqual([]);
  });

  it("exports every folder of build-and-scan's reports without it", async () => {
    answerTrivy(engine, { backend: withSecret, frontend: withSecret, lint: withSecret });
    const texts = await withEngine(engine, async () => {
      const dir = (await drydock().buildAndScan()).reports();
      // Every file of every folder, but what Trivy converts, whose input is checked below.
      const entries = await dir.entries();
      const nested = await Promise.all(entries.filter((e) => e.endsWith("/")).map(async (folder) => (await dir.directory(folder).entries()).map((file) => `${folder}${file}`)));
      const paths = [...entries.filter((e) => !e.endsWith("/")), ...nested.flat()].filter((at) => !/(trivy\.sarif|sbom\.cdx\.json)$/.test(at));
      return Object.fromEntries(await Promise.all(paths.map(async (at) => [at, await dir.file(at).contents()] as const)));
    });
    expect(Object.keys(texts)).toEqual(expect.arrayContaining(["summary.md", "backend/trivy.json", "frontend/trivy.json", "lint/trivy.json", "lint/summary.json"]));
    for (const [what, text] of Object.entries(texts)) expectRedacted(text, what);
    for (const scan of ["backend", "frontend", "lint"]) expectFindingKept(texts[`${scan}/trivy.json`]!);
    for (const exec of converts()) expectRedacted(reportReadBy(exec), `the report ${exec.args[3]} converts`);
  }, 30_000);
});

describe("attest --vuln-report", () => {
  const attest = (vulnReport: File) =>
    withEngine(engine, () => drydock().attest(REF, undefined, vulnReport, undefined, dag.setSecret("key", "k"), undefined, undefined, undefined, undefined, undefined, true));

  it("makes the vuln attestation of the report with the text around the secret taken out", async () => {
    serveManifest(engine, SERVED);
    await attest(dag.file("trivy.json", withSecret));
    const [convert] = converts();
    expect(convert?.args).toEqual(["trivy", "convert", "--format", "cosign-vuln", "--output", "/drydock/vuln.cosign.json", TRIVY_REPORT]);
    const read = reportReadBy(convert!);
    expectRedacted(read, "the report the vuln predicate is made of");
    expectFindingKept(read);
  });

  it("refuses a file that is no Trivy report, naming --vuln-report, and attests nothing", async () => {
    const error = await rejectionOf(attest(dag.file("trivy.sarif", JSON.stringify({ version: "2.1.0", runs: [] }))));
    expect(error).toBeInstanceOf(ReportError);
    expect(error.message).toMatch(/^--vuln-report: is a SARIF log, not a Trivy JSON report/);
    expect(engine.execs()).toEqual([]);
  });
});

describe("release", () => {
  it("attests each image's vulnerability report, and writes the release's reports, without the text around the secret", async () => {
    answerTrivy(engine, { backend: withSecret });
    answerRelease(engine);
    const reports = await withEngine(engine, async () => {
      // The secret is pre-existing, so the gate passes and the release goes as far as attesting.
      const baseline = dag.directory().withNewFile("backend/trivy.json", withSecret).withNewFile("frontend/trivy.json", reportText()).withNewFile("lint/trivy.json", reportText());
      const { reports } = await drydock().release(
        "ghcr.io/acme", SHA, undefined, undefined, undefined, undefined, undefined, undefined, "linux/amd64",
        dag.setSecret("key", "k"), undefined, undefined, dag.file("cosign.pub", PUBLIC_KEY), undefined, undefined, undefined, undefined, undefined, true, undefined, baseline,
      );
      return Object.fromEntries(await Promise.all(["backend/trivy.json", "backend/summary.json", "summary.md"].map(async (at) => [at, await reports.file(at).contents()] as const)));
    });
    for (const [what, text] of Object.entries(reports)) expectRedacted(text, what);
    expectFindingKept(reports["backend/trivy.json"]!);
    const vuln = converts().filter((e) => e.args[3] === "cosign-vuln");
    expect(vuln).toHaveLength(2);
    const read = vuln.map(reportReadBy);
    for (const text of read) expectRedacted(text, "the report a vuln predicate is made of");
    expect(read, "the backend's predicate is made of the report the release exports").toContain(reports["backend/trivy.json"]);
  }, 30_000);
});
