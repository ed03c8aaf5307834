/**
 * How much the gate costs on a huge report, relative to just reading it.
 *
 * Generates a Trivy report with 100,000 findings in the shapes Trivy writes (descriptions,
 * references, CVSS, package listings), then times, side by side in one process:
 *   - bare `JSON.parse` of the report's bytes, and
 *   - the whole gate as `judgeReport` runs it, phase by phase: parse (JSON.parse and the check
 *     that it is a Trivy report), normalise (validate and flatten to findings), policy (evaluate,
 *     with exceptions and a baseline), markdown, summary.json (build and serialise).
 * Prints the medians, the ratio of the gate to JSON.parse, and the size of summary.json against
 * the JSON of the findings it lists; exits 1 when either misses its target (≤ 1.5 each).
 * The baseline (the accepted previous report) is read before the timed runs, as a file of its own.
 *
 *   npm run bench            # 100,000 findings, 7 runs
 *   npm run bench -- 20000 9 # findings, runs
 */
import { performance } from "node:perf_hooks";
import v8 from "node:v8";
import vm from "node:vm";
import { Policy, SEVERITIES } from "../dagger/src/config/schema.ts";
import { identitiesOf } from "../dagger/src/findings/findings.ts";
import { findingsOfTrivyJson, parseTrivyJson, readTrivyReport } from "../dagger/src/report/trivy.ts";
import { evaluateGate, type GateResult } from "../dagger/src/policy/gate.ts";
import { renderMarkdown } from "../dagger/src/report/markdown.ts";
import { summarizeFinding, summaryJsonText } from "../dagger/src/report/summary.ts";
import { configResult, misconfiguration, report, secret, secretResult, suppressedVulnerability, vulnerability } from "../test/support/trivy-reports.ts";

const TARGET_RATIO = 1.5;
/** summary.json against the JSON of the findings it lists, each once and without why it was let through. */
const TARGET_SIZE_RATIO = 1.5;
const MIN_RUNS = 5;

const findingCount = Number(process.argv[2] ?? 100_000);
const runs = Math.max(MIN_RUNS, Number(process.argv[3] ?? 7));
if (!Number.isInteger(findingCount) || findingCount < 100) {
  throw new Error(`bench/gate.bench.ts: findings argument: expected an integer ≥ 100, found ${process.argv[2]}`);
}

const today = new Date("2026-11-27T12:00:00Z");
const meta = { name: "drydock-backend", usedDefaultConfig: false, configFile: "security-config.yml", dbUpdatedAt: "2026-11-27T06:00:00Z" };

const text = JSON.stringify(generateReport(findingCount));
const policy = Policy.parse({
  ignoreUnfixed: true,
  ignores: Array.from({ length: 25 }, (_, i) => ({
    id: `CVE-2024-${String(10_000 + i * 7).padStart(5, "0")}`,
    reason: "Not reachable from the application: the vulnerable parser is never called.",
    expires: "2027-01-15",
    ...(i % 3 === 0 ? { paths: ["app/node_modules/**"] } : {}),
    ...(i % 3 === 1 ? { purls: [`pkg:npm/pkg-${i}`] } : {}),
  })),
});
// The accepted previous report: the same image before its last 10% of findings appeared. Read
// once, as judgeReport reads it beside the report; timed on its own, not as part of the gate.
const baselineText = JSON.stringify(generateReport(Math.floor(findingCount * 0.9)));
const baselineStart = performance.now();
const baselineFindings = readTrivyReport(baselineText, "baseline").findings;
const baseline = identitiesOf(baselineFindings);
const baselineMs = performance.now() - baselineStart;

const phases = ["parse", "normalise", "policy", "markdown", "summary.json"] as const;
type Phase = (typeof phases)[number];
const timings = { jsonParse: [] as number[], gate: [] as number[], ...Object.fromEntries(phases.map((p) => [p, [] as number[]])) } as Record<
  "jsonParse" | "gate" | Phase,
  number[]
>;

// Each timed section starts on a collected heap, so neither pays for the other's garbage
// (a parsed 100 MiB report is several hundred MiB of objects).
v8.setFlagsFromString("--expose-gc");
const collectGarbage = vm.runInNewContext("gc") as () => void;

let output = { markdown: "", summary: "", result: undefined as GateResult | undefined };
for (let run = 0; run < runs + 1; run++) {
  const record = run > 0; // the first round warms up the JIT and is not counted
  // Alternate which goes first, so neither always runs on a hotter or cooler machine.
  if (run % 2 === 0) {
    timeJsonParse(record);
    output = timeGate(record);
  } else {
    output = timeGate(record);
    timeJsonParse(record);
  }
}

function timeJsonParse(record: boolean): void {
  collectGarbage();
  const t = performance.now();
  JSON.parse(text);
  if (record) timings.jsonParse.push(performance.now() - t);
}

/** The steps of scan/verdict.ts's judgeReport, each timed. */
function timeGate(record: boolean) {
  collectGarbage();
  const start = performance.now();
  let t = start;
  const lap = (phase: Phase) => {
    const now = performance.now();
    if (record) timings[phase].push(now - t);
    t = now;
  };
  const data = parseTrivyJson(text, "bench report");
  lap("parse");
  const { findings, suppressed } = findingsOfTrivyJson(data, "bench report");
  lap("normalise");
  const result = evaluateGate({ findings, suppressed, policy, today, baseline });
  lap("policy");
  const markdown = renderMarkdown(result, meta);
  lap("markdown");
  const summary = summaryJsonText(result, meta);
  lap("summary.json");
  if (record) timings.gate.push(performance.now() - start);
  return { markdown, summary, result };
}

const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const ms = (x: number) => `${x.toFixed(1)} ms`;
const mib = (bytes: number) => `${(bytes / 1_048_576).toFixed(1)} MiB`;
const ratio = median(timings.gate) / median(timings.jsonParse);
const { markdown, summary, result } = output;
const listed = [...result!.failing, ...result!.allowed.map((entry) => entry.finding)];
const findingsJsonBytes = Buffer.byteLength(JSON.stringify(listed.map(summarizeFinding)));
const summaryBytes = Buffer.byteLength(summary);
const sizeRatio = summaryBytes / findingsJsonBytes;
const verdict = (value: number, target: number) => `(target ≤ ${target}) — ${value <= target ? "met" : "MISSED"}`;

console.log(`report: ${findingCount} findings, ${mib(text.length)}; ${runs} runs (+1 warm-up)`);
console.log(`baseline: ${baselineFindings.length} findings, ${mib(baselineText.length)}, read once in ${ms(baselineMs)} (cold, not part of the gate's time)`);
console.log(`JSON.parse          median ${ms(median(timings.jsonParse))}`);
console.log(`gate (total)        median ${ms(median(timings.gate))}`);
for (const phase of phases) {
  const share = median(timings[phase]) / median(timings.jsonParse);
  console.log(`  ${phase.padEnd(17)} median ${ms(median(timings[phase])).padStart(10)}  (${share.toFixed(2)} × JSON.parse)`);
}
console.log(`ratio gate / JSON.parse: ${ratio.toFixed(2)} ${verdict(ratio, TARGET_RATIO)}`);
console.log(`markdown: ${(Buffer.byteLength(markdown) / 1024).toFixed(1)} KiB`);
console.log(
  `summary.json: ${mib(summaryBytes)} for ${listed.length} listed findings (${result!.failing.length} failing, ${result!.allowed.length} allowed), ` +
    `whose own JSON is ${mib(findingsJsonBytes)}: ${sizeRatio.toFixed(2)} × ${verdict(sizeRatio, TARGET_SIZE_RATIO)}`,
);
if (ratio > TARGET_RATIO || sizeRatio > TARGET_SIZE_RATIO) process.exitCode = 1;

/**
 * A container image report in realistic proportions: 90% vulnerabilities (OS and npm
 * packages, with a package listing), 5% secrets, 5% failed misconfiguration checks (plus the
 * passed ones Trivy also lists), and a few VEX-suppressed findings.
 */
function generateReport(total: number) {
  const secrets = Math.floor(total * 0.05);
  const misconfigs = Math.floor(total * 0.05);
  const vulns = total - secrets - misconfigs;
  const osVulns = Math.floor(vulns / 3);
  const severity = (i: number) => SEVERITIES[(i * 7) % SEVERITIES.length]!;
  const cve = (i: number) => `CVE-20${20 + (i % 5)}-${String(10_000 + (i % 40_000)).padStart(5, "0")}`;

  const osVulnerabilities = Array.from({ length: osVulns }, (_, i) =>
    vulnerability({
      VulnerabilityID: cve(i),
      PkgName: `lib${i % 800}`,
      InstalledVersion: `1.${i % 13}.${i % 7}-1+deb12u1`,
      PkgIdentifier: { PURL: `pkg:deb/debian/lib${i % 800}@1.${i % 13}.${i % 7}-1+deb12u1?arch=amd64&distro=debian-12.5`, UID: `${i}` },
      FixedVersion: i % 10 === 0 ? undefined : `1.${i % 13}.${(i % 7) + 1}-1+deb12u2`,
      Status: i % 10 === 0 ? "affected" : "fixed",
      Severity: severity(i),
      PrimaryURL: `https://avd.aquasec.com/nvd/${cve(i).toLowerCase()}`,
    }),
  );
  const npmVulnerabilities = Array.from({ length: vulns - osVulns }, (_, i) =>
    vulnerability({
      VulnerabilityID: i % 4 === 0 ? `GHSA-${(i % 9000).toString(36).padStart(4, "x")}-abcd-efgh` : cve(i + 7),
      PkgName: `pkg-${i % 2500}`,
      PkgPath: `app/node_modules/pkg-${i % 2500}/package.json`,
      InstalledVersion: `${i % 9}.${i % 17}.0`,
      PkgIdentifier: { PURL: `pkg:npm/pkg-${i % 2500}@${i % 9}.${i % 17}.0`, UID: `n${i}` },
      FixedVersion: i % 10 === 0 ? undefined : `${i % 9}.${(i % 17) + 1}.0`,
      Severity: severity(i + 3),
    }),
  );
  const packages = Array.from({ length: 2500 }, (_, i) => ({
    ID: `pkg-${i}@1.0.0`,
    Name: `pkg-${i}`,
    Identifier: { PURL: `pkg:npm/pkg-${i}@1.0.0`, UID: `p${i}` },
    Version: "1.0.0",
    Licenses: ["MIT"],
    FilePath: `app/node_modules/pkg-${i}/package.json`,
    Layer: { DiffID: "sha256:03901b4a2ea88eeaad62dbe59b072b28b6efa00491962b8741081c5df50c65e0" },
  }));
  const secretResults = Array.from({ length: Math.ceil(secrets / 10) }, (_, file) =>
    secretResult({
      Target: `app/config/file-${file}.env`,
      Secrets: Array.from({ length: Math.min(10, secrets - file * 10) }, (_, j) =>
        secret({ RuleID: ["aws-access-key-id", "github-pat", "private-key", "jwt-token"][j % 4], StartLine: j * 3 + 1, EndLine: j * 3 + 1, Severity: severity(j) }),
      ),
    }),
  );
  const configResults = Array.from({ length: Math.ceil(misconfigs / 20) }, (_, file) =>
    configResult({
      Target: `deploy/k8s/manifest-${file}.yaml`,
      Type: "kubernetes",
      Misconfigurations: [
        ...Array.from({ length: Math.min(20, misconfigs - file * 20) }, (_, j) =>
          misconfiguration({ ID: `KSV-${String(j + 1).padStart(4, "0")}`, Severity: severity(j + file), Title: `Check ${j + 1}` }),
        ),
        misconfiguration({ ID: "KSV-0099", Status: "PASS", Severity: "LOW" }),
      ],
    }),
  );
  return report([
    {
      Target: "drydock-backend.tar (debian 12.5)",
      Class: "os-pkgs",
      Type: "debian",
      Vulnerabilities: osVulnerabilities,
      ExperimentalModifiedFindings: Array.from({ length: 20 }, (_, i) => suppressedVulnerability({}, { VulnerabilityID: cve(90_000 + i) })),
    },
    { Target: "Node.js", Class: "lang-pkgs", Type: "node-pkg", Packages: packages, Vulnerabilities: npmVulnerabilities },
    ...secretResults,
    ...configResults,
  ]);
}
