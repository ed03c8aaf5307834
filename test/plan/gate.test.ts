/**
 * gate(report, baseline?) against the fake engine: the source's config decides, a failing gate
 * is an error whose message is the Markdown summary, and nothing unreadable ever passes.
 */
import { dag } from "@dagger.io/dagger";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../dagger/src/config/errors.ts";
import { SourceError } from "../../dagger/src/source.ts";
import { GateFailedError } from "../../dagger/src/objects/gate-error.ts";
import { ArgumentError } from "../../dagger/src/errors.ts";
import { ReportError } from "../../dagger/src/report/errors.ts";
import { useFakeEngine, withEngine } from "../support/fake-engine/index.js";
import { missingShared } from "../support/paths.js";
import { drydock, EXAMPLE_APP, golden, MINIMAL_APPS, rejectionOf, reportText, useTempSources } from "../support/plan-helpers.js";
import { debianZlibResult, langResult, vulnerability } from "../support/trivy-reports.js";

const engine = useFakeEngine();
const tempSource = useTempSources();

/** A report file as `--report=./<name>` hands it over. */
const fileOf = (name: string, text: string) => dag.directory().withNewFile(name, text).file(name);

const gate = (report: { name: string; text: string }, options: { source?: string; config?: string; baseline?: string; renamedFrom?: string[] } = {}) =>
  withEngine(engine, () =>
    drydock(options.source ?? EXAMPLE_APP, options.config ? { config: options.config } : {}).gate(
      fileOf(report.name, report.text),
      options.baseline === undefined ? undefined : fileOf("baseline.json", options.baseline),
      options.renamedFrom,
    ),
  );

const lodash = vulnerability();
const minimist = vulnerability({ VulnerabilityID: "CVE-2021-44906", PkgName: "minimist", InstalledVersion: "1.2.5", FixedVersion: "1.2.6", Title: "minimist: prototype pollution" });
const zlib = debianZlibResult();

describe("gate", () => {
  it("passes a clean report and returns its Markdown summary", async () => {
    const summary = await gate({ name: "backend.json", text: reportText([langResult({ Vulnerabilities: [] })]) });
    expect(summary).toMatch(/^## ✅ Security gate passed: backend\.json\n/);
    expect(summary).toContain("No finding fails the policy.");
  });

  it("fails with a GateFailedError whose message is the Markdown summary", async () => {
    const error = await rejectionOf(gate({ name: "backend.json", text: reportText([langResult()]) }));
    expect(error).toBeInstanceOf(GateFailedError);
    expect(error.message).toMatch(/^## ❌ Security gate failed: backend\.json\n/);
    expect(error.message).toContain("| CRITICAL | [CVE-2019-10744](https://avd.aquasec.com/nvd/cve-2019-10744) | `lodash` | `4.17.4` → `4.17.12` |");
  });

  it("accepts a finding the source's config excepts, and lists the exception", async () => {
    const summary = await gate({ name: "backend.json", text: reportText([zlib]) });
    expect(summary).toContain("### Exceptions used (1 finding accepted)");
    expect(summary).toContain("`policy.ignores[0]`");
    // The finding let through is named, not only counted.
    expect(summary.split("### Allowed by exceptions (1)")[1]).toMatch(/^\n\n.*\n.*\n\| CRITICAL \| \[CVE-2023-45853\]\(.*\) \| `zlib1g` \| `1:1\.2\.13\.dfsg-1` \|/);
  });

  it("fails the same finding in a source without that exception", async () => {
    const error = await rejectionOf(gate({ name: "backend.json", text: reportText([zlib]) }, { source: tempSource(MINIMAL_APPS) }));
    expect(error).toBeInstanceOf(GateFailedError);
    expect(error.message).toContain("CVE-2023-45853");
  });

  it("applies the defaults when the source has no config, and says so", async () => {
    const error = await rejectionOf(gate({ name: "backend.json", text: reportText([langResult()]) }, { source: tempSource(MINIMAL_APPS) }));
    expect(error.message).toContain("> ℹ️ No `security-config.yml` was found, so the default policy applied.");
  });

  it.each(["ci/security.yml", "security-config.yaml", "backend"])("refuses a --config of %s that names no file, rather than falling back to the defaults", async (config) => {
    const error = await rejectionOf(gate({ name: "backend.json", text: reportText() }, { source: tempSource(MINIMAL_APPS), config }));
    expect(error).toBeInstanceOf(SourceError);
    expect(error.message).toBe(
      `--config-path: found no file "${config}" in the source, expected the security config — fix the path, or leave --config-path out to use security-config.yml (the defaults apply when that is absent too)`,
    );
  });

  it.each([
    {
      name: "an unknown severity",
      config: "security-config.yml",
      text: "policy:\n  failOn:\n    vulnerabilities: [SEVERE]\n",
      says: 'security-config.yml: policy.failOn.vulnerabilities[0]: found "SEVERE", expected one of UNKNOWN, LOW, MEDIUM, HIGH, CRITICAL',
    },
    {
      name: "a config at another path with an expired exception date format",
      config: "ci/security.yml",
      text: "policy:\n  ignores:\n    - id: CVE-2019-10744\n      reason: accepted for the demo only\n      expires: 31/01/2027\n",
      says: "ci/security.yml: policy.ignores[0].expires:",
    },
  ])("fails with the ConfigError of $name, naming the file and the dotted path", async ({ config, text, says }) => {
    const source = tempSource({ ...MINIMAL_APPS, [config]: text });
    const error = await rejectionOf(gate({ name: "backend.json", text: reportText() }, { source, config }));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toContain(says);
  });

  it.each([
    { name: "an empty file", text: "", says: "--report: is empty" },
    { name: "a truncated report", text: reportText([langResult()]).slice(0, 200), says: "--report: is not valid JSON" },
    { name: "a JSON document that is no Trivy report", text: '{"results": []}', says: "--report: found no SchemaVersion, ArtifactName or ArtifactType, expected a Trivy JSON report" },
    { name: "an empty JSON object", text: "{}", says: "--report: found no SchemaVersion, ArtifactName or ArtifactType" },
  ])("never passes $name", async ({ text, says }) => {
    const error = await rejectionOf(gate({ name: "backend.json", text }));
    expect(error).toBeInstanceOf(ReportError);
    expect(error.message).toContain(says);
  });

  it("judges only findings new since the baseline", async () => {
    const error = await rejectionOf(
      gate({ name: "backend.json", text: reportText([langResult({ Vulnerabilities: [lodash, minimist] })]) }, { baseline: reportText([langResult({ Vulnerabilities: [lodash] })]) }),
    );
    expect(error).toBeInstanceOf(GateFailedError);
    expect(error.message).toContain("1 finding fails the policy");
    expect(error.message).toContain("1 pre-existing (in the baseline)");
    expect(error.message).toContain("CVE-2021-44906");
    const [failing, preExisting] = ["### ❌ Failing findings", "### Allowed as pre-existing"].map((heading) => error.message.split(heading)[1]?.split("\n### ")[0] ?? "");
    expect(failing).not.toContain("| CRITICAL | [CVE-2019-10744]");
    expect(preExisting).toContain("| CRITICAL | [CVE-2019-10744]");
  });

  it("passes when every failing finding is in the baseline", async () => {
    const text = reportText([langResult({ Vulnerabilities: [lodash, minimist] })]);
    expect(await gate({ name: "backend.json", text }, { baseline: text })).toContain("2 pre-existing (in the baseline)");
  });

  it("never passes on an unreadable baseline", async () => {
    const error = await rejectionOf(gate({ name: "backend.json", text: reportText([langResult()]) }, { baseline: "{" }));
    expect(error).toBeInstanceOf(ReportError);
    expect(error.message).toContain("--baseline: is not valid JSON");
  });
});

describe("gate with a baseline of another image", () => {
  /** A report of a registry image, as `trivy image <reference>` names it. */
  const of = (reference: string) => reportText([langResult({ Vulnerabilities: [lodash] })], { ArtifactName: reference, Metadata: {} });
  const backend = { name: "backend.json", text: of("ghcr.io/acme/drydock-backend:pr-12") };

  it("refuses the frontend's report as the backend's baseline, naming both images and the argument", async () => {
    const error = await rejectionOf(gate(backend, { baseline: of("ghcr.io/acme/drydock-frontend:main") }));
    expect(error).toBeInstanceOf(ArgumentError);
    expect(error.message).toBe(
      '--baseline: found a report of the image "drydock-frontend" (named by ArtifactName "ghcr.io/acme/drydock-frontend:main"), ' +
        'expected a report of what --report reports on, the image "drydock-backend" (named by ArtifactName "ghcr.io/acme/drydock-backend:pr-12"); images are compared by name, never by registry, tag or digest — ' +
        'pass an earlier report of "drydock-backend" as --baseline; if the image was renamed from "drydock-frontend" on purpose, add --baseline-renamed-from=drydock-frontend',
    );
  });

  it("applies a baseline of the same image made under another tag and registry", async () => {
    expect(await gate(backend, { baseline: of("drydock-backend:dev") })).toContain("1 pre-existing (in the baseline)");
  });

  it("applies a renamed image's baseline when --baseline-renamed-from names the old name, and the summary says so", async () => {
    const summary = await gate(backend, { baseline: of("ghcr.io/acme/drydock-api:main"), renamedFrom: ["drydock-api"] });
    expect(summary).toContain("1 pre-existing (in the baseline)");
    expect(summary).toContain(
      "> **Note:** The baseline (`--baseline`) reports on the image `drydock-api`, this report on `drydock-backend`: applied as the same image renamed, as `--baseline-renamed-from=drydock-api` says.",
    );
  });

  it.each([
    {
      name: "--baseline-renamed-from without --baseline",
      options: { renamedFrom: ["drydock-api"] },
      says: '--baseline-renamed-from: found "drydock-api" without --baseline, expected a baseline it applies to: it names the image an earlier report was made of — pass that earlier report as --baseline too, or drop --baseline-renamed-from',
    },
    {
      name: "an empty name in --baseline-renamed-from",
      options: { baseline: of("drydock-backend:dev"), renamedFrom: ["drydock-api", " "] },
      says: '--baseline-renamed-from: found "drydock-api, ", expected names, none empty, like drydock-api — pass the name the refusal of --baseline printed, e.g. --baseline-renamed-from=drydock-api',
    },
  ])("refuses $name before reading any report", async ({ options, says }) => {
    const error = await rejectionOf(gate({ name: "backend.json", text: "{" }, options));
    expect(error).toBeInstanceOf(ArgumentError);
    expect(error.message).toBe(says);
  });
});

const goldens = [
  { file: "alpine-310.json.golden", passes: true, shows: "No finding fails the policy" },
  { file: "npm.json.golden", passes: true, shows: "1 finding below the fail-on severities" },
  { file: "alpine-39-high-critical.json.golden", passes: false, shows: "CVE-2019-14697" },
  { file: "pnpm.json.golden", passes: false, shows: "CVE-2019-10744" },
  { file: "secrets.json.golden", passes: false, shows: "aws-access-key-id" },
  { file: "dockerfile.json.golden", passes: false, shows: "DS-0002" },
  { file: "dockerfile-v0.68.json.golden", passes: false, shows: "DS-0002" },
];
const haveGoldens = goldens.every((g) => golden(g.file) !== undefined);

describe.skipIf(!haveGoldens)(haveGoldens ? "gate on Trivy's own golden reports" : missingShared("fixtures", "trivy"), () => {
  it.each(goldens)("$file: passes=$passes", async ({ file, passes, shows }) => {
    const outcome = gate({ name: file, text: golden(file)! });
    const text = passes ? await outcome : (await rejectionOf(outcome)).message;
    expect(text).toContain(passes ? "## ✅ Security gate passed" : "## ❌ Security gate failed");
    expect(text).toContain(shows);
  });

  it.each([
    { file: "alpine-310.sarif.golden", says: "--report: is a SARIF log, not a Trivy JSON report" },
    { file: "npm-cyclonedx.json.golden", says: "--report: is a CycloneDX SBOM, not a Trivy JSON report" },
  ])("refuses $file, which is no Trivy JSON report", async ({ file, says }) => {
    const error = await rejectionOf(gate({ name: file, text: golden(file)! }));
    expect(error).toBeInstanceOf(ReportError);
    expect(error.message).toContain(says);
  });
});
