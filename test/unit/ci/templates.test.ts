/**
 * The CI templates under ci/: each parses, calls only what the module has (every `dagger call`
 * line is checked against the introspected API that test/plan/api.test.ts pins), pins its
 * actions by commit, and the shell recipe is valid bash.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { introspectModule, type IntrospectedModule } from "../../support/introspect.js";
import { repoRoot } from "../../support/paths.js";
import { checkCall, daggerCalls, shellWords } from "./dagger-call.ts";

const ciFile = (name: string) => path.join(repoRoot, "ci", name);
const text = (name: string) => readFileSync(ciFile(name), "utf8");

function yamlOf(name: string): unknown {
  const doc = parseDocument(text(name), { prettyErrors: false });
  expect([...doc.errors, ...doc.warnings].map((e) => e.message), name).toEqual([]);
  return doc.toJS() as unknown;
}

interface GithubWorkflow {
  permissions: Record<string, string>;
  jobs: Record<string, { steps: { uses?: string; run?: string; with?: Record<string, string> }[] }>;
}
interface GitlabJob {
  before_script?: string[];
  script: string[];
}

const github = () => yamlOf("github/drydock.yml") as GithubWorkflow;
const githubRelease = () => yamlOf("github/drydock-release.yml") as GithubWorkflow;
const runsOf = (workflow: GithubWorkflow) => Object.values(workflow.jobs).flatMap((job) => job.steps.flatMap((step) => (step.run === undefined ? [] : [step.run]))).join("\n");
const gitlab = () => yamlOf("gitlab/drydock.gitlab-ci.yml") as Record<string, GitlabJob>;

/** Each template's shell text, as the CI would run it. */
const TEMPLATES: { name: string; script: () => string }[] = [
  { name: "github/drydock.yml", script: () => Object.values(github().jobs).flatMap((job) => job.steps.flatMap((step) => (step.run === undefined ? [] : [step.run]))).join("\n") },
  { name: "gitlab/drydock.gitlab-ci.yml", script: () => Object.values(gitlab()).flatMap((job) => (typeof job === "object" && job !== null && "script" in job ? [...(job.before_script ?? []), ...job.script] : [])).join("\n") },
  { name: "any-ci.sh", script: () => text("any-ci.sh") },
];

let module: IntrospectedModule;
beforeAll(async () => {
  module = await introspectModule();
}, 60_000);

describe.each(TEMPLATES)("ci/$name", ({ script }) => {
  it("calls build-and-scan and exports its reports before it gates them", () => {
    const calls = daggerCalls(script()).map((words) => words.join(" "));
    const exported = calls.findIndex((c) => / build-and-scan reports export --path=/.test(c));
    const gated = calls.findIndex((c) => / gate --report=/.test(c));
    expect(exported, calls.join("\n")).toBeGreaterThanOrEqual(0);
    expect(gated).toBeGreaterThan(exported);
    expect(calls.some((c) => / check-config$/.test(c))).toBe(true);
  });

  it("calls only functions and arguments the module has", () => {
    const calls = daggerCalls(script());
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.flatMap((words) => checkCall(module, words).map((p) => `${words.join(" ")}\n  ${p}`))).toEqual([]);
  });
});

describe("the check itself", () => {
  it.each([
    { name: "an unknown function", line: "dagger call --source=. build-and-scn", says: "Drydock has no function or field build-and-scn" },
    { name: "an unknown constructor flag", line: "dagger call --sauce=. check-config", says: "Drydock.constructor has no argument --sauce" },
    { name: "an unknown argument", line: "dagger call gate --reprt=a.json", says: "Drydock.gate has no argument --reprt" },
    { name: "a missing required argument", line: "dagger call gate", says: "Drydock.gate: required --report not given" },
    { name: "a builder's unknown argument", line: "dagger call with-labels --version=1 backend", says: "Drydock.withLabels has no argument --version" },
    { name: "a sub-call the returned object lacks", line: "dagger call build-and-scan reports upload --path=x", says: "Directory has no function or field upload" },
    { name: "a core function's unknown argument", line: "dagger call build-and-scan reports export --dir=x", says: "Directory.export has no argument --dir" },
    { name: "an unknown dagger flag", line: "dagger --modd=x call check-config", says: "unknown dagger flag --modd=x" },
  ])("finds $name", ({ line, says }) => {
    expect(checkCall(module, shellWords(line)).join("\n")).toContain(says);
  });

  it("accepts a chain through a field and its object's function", () => {
    expect(checkCall(module, shellWords('dagger -m "$M" call --source=. build-and-scan backend-scan gate'))).toEqual([]);
  });

  it("joins continuation lines and ignores what follows a pipe", () => {
    expect(daggerCalls('x\n  dagger call \\\n  --source=. check-config | tee out\n')).toEqual([["dagger", "call", "--source=.", "check-config"]]);
  });
});

describe("ci/github/drydock.yml", () => {
  it.each(["github/drydock.yml", "github/drydock-release.yml"])("%s pins every action by a full commit SHA, with the version in a comment", (file) => {
    const raw = text(file);
    const uses = [...raw.matchAll(/uses:\s*(\S+)(.*)/g)];
    expect(uses.length).toBeGreaterThan(0);
    for (const [, ref, rest] of uses) {
      expect(ref, ref).toMatch(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/);
      expect(rest, ref).toMatch(/# v\d+\.\d+\.\d+/);
    }
    expect(raw).toMatch(/uses: dagger\/dagger-for-github@[0-9a-f]{40}/);
  });

  it("uploads one SARIF per category, each only when the file is there, and even after a failure", () => {
    const steps = Object.values(github().jobs).flatMap((job) => job.steps).filter((s) => s.uses?.startsWith("github/codeql-action/upload-sarif@"));
    const categories = steps.map((s) => s.with?.["category"]);
    expect(new Set(categories).size).toBe(steps.length);
    expect(steps.map((s) => s.with?.["sarif_file"])).toEqual(["reports/backend/trivy.sarif", "reports/frontend/trivy.sarif", "reports/lint/trivy.sarif"]);
    expect(github().permissions["security-events"]).toBe("write");
  });

  it("appends summary.md to the job summary", () => {
    expect(TEMPLATES[0]!.script()).toContain('cat reports/summary.md >> "$GITHUB_STEP_SUMMARY"');
  });

  it("runs no release: releases have their own workflow, on tags", () => {
    expect(daggerCalls(TEMPLATES[0]!.script()).some((w) => w.includes("release"))).toBe(false);
  });
});

describe("ci/github/drydock-release.yml", () => {
  it("releases keyless on version tags, with the OIDC token permission", () => {
    const workflow = githubRelease();
    expect(workflow.permissions).toMatchObject({ "id-token": "write", packages: "write", contents: "read" });
    expect(text("github/drydock-release.yml")).toMatch(/tags: \["v\*"\]/);
  });

  it("calls release with only functions and arguments the module has, and secrets only as env: references", () => {
    const calls = daggerCalls(runsOf(githubRelease()));
    expect(calls.map((words) => words.join(" ")).filter((c) => / release /.test(c))).toHaveLength(1);
    expect(calls.flatMap((words) => checkCall(module, words).map((p) => `${words.join(" ")}\n  ${p}`))).toEqual([]);
    const release = calls.find((words) => words.includes("release"))!;
    for (const secret of ["--password", "--identity-token"]) expect(release.find((w) => w.startsWith(`${secret}=`))).toMatch(/=env:[A-Z_]+$/);
  });
});

it("ci/any-ci.sh is valid bash", () => {
  expect(() => execFileSync("bash", ["-n", ciFile("any-ci.sh")], { stdio: "pipe" })).not.toThrow();
});
