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

interface GithubStep {
  name?: string;
  if?: string;
  uses?: string;
  run?: string;
  with?: Record<string, string | number | boolean>;
  env?: Record<string, string>;
}
interface GithubWorkflow {
  permissions: Record<string, string>;
  env: Record<string, string>;
  jobs: Record<string, { environment?: string; steps: GithubStep[] }>;
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

  it("can build, scan and gate with the base's policy, naming what the change makes to its own", () => {
    const calls = daggerCalls(script());
    const withBase = (call: string[]) => {
      const config = call.find((w) => w.startsWith("--config="))?.slice("--config=".length);
      return config !== undefined && call.includes(`--base-config=${config}`);
    };
    const exports = calls.filter((call) => call.includes("build-and-scan"));
    const gates = calls.filter((call) => call.includes("gate"));
    expect(exports.filter(withBase), exports.map((c) => c.join(" ")).join("\n")).toHaveLength(1);
    expect(gates.filter(withBase)).toHaveLength(1);
    // Without a base (the default branch's own run), no --config at all: the source's file, or the defaults.
    expect([...exports, ...gates].filter((call) => !withBase(call)).every((call) => !call.some((w) => /^--(base-)?config=/.test(w)))).toBe(true);
    // check-config reads the change's own config: its author learns what is wrong with it.
    expect(calls.filter((call) => call.includes("check-config")).every((call) => !call.some((w) => w.startsWith("--config=")))).toBe(true);
  });

  it("empties the reports folder before the export, and fails on the smoke verdict after the gate", () => {
    const lines = script().split("\n");
    const at = (pattern: RegExp) => lines.findIndex((line) => pattern.test(line));
    const emptied = at(/^\s*rm -rf (-- )?"?\$?\{?reports\b/);
    const exported = at(/build-and-scan reports export --path=/);
    const gated = at(/ gate --report=/);
    const smoke = at(/jq -e '\.smoke\.passed == true' "?\$?\{?reports\}?"?\/summary\.json/);
    expect(emptied, "rm -rf of the reports folder").toBeGreaterThanOrEqual(0);
    expect(exported).toBeGreaterThan(emptied);
    expect(smoke, "jq -e '.smoke.passed == true' <reports>/summary.json").toBeGreaterThan(gated);
  });
});

describe.each([
  { file: "github/drydock.yml", address: () => github().env["DRYDOCK_MODULE"] },
  { file: "github/drydock-release.yml", address: () => githubRelease().env["DRYDOCK_MODULE"] },
  { file: "gitlab/drydock.gitlab-ci.yml", address: () => (yamlOf("gitlab/drydock.gitlab-ci.yml") as { variables: Record<string, string> }).variables["DRYDOCK_MODULE"] },
  { file: "any-ci.sh", address: () => /^#\s+DRYDOCK_MODULE=(\S+)/m.exec(text("any-ci.sh"))?.[1] },
])("ci/$file", ({ file, address }) => {
  it("pins the module by a commit, never a tag, and says how to update it", () => {
    expect(address()).toMatch(/^github\.com\/(OWNER|<owner>)\/drydock@(COMMIT|<commit>|[0-9a-f]{40})$/);
    expect(text(file)).toMatch(/git ls-remote https:\/\/github\.com\/(OWNER|<owner>)\/drydock 'refs\/tags\/v1\.4\.0\^\{\}'/);
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
  it.each(["github/drydock.yml", "github/drydock-release.yml"])("%s checks out without leaving the token in .git/config", (file) => {
    const workflow = yamlOf(file) as GithubWorkflow;
    const checkouts = Object.values(workflow.jobs).flatMap((job) => job.steps).filter((step) => step.uses?.startsWith("actions/checkout@"));
    expect(checkouts.length).toBeGreaterThan(0);
    expect(checkouts.map((step) => step.with?.["persist-credentials"])).toEqual(checkouts.map(() => false));
  });

  it("takes a pull request's policy from its base: the merge commit's first parent, fetched with it", () => {
    const steps = Object.values(github().jobs).flatMap((job) => job.steps);
    expect(steps.find((step) => step.uses?.startsWith("actions/checkout@"))?.with?.["fetch-depth"]).toBe(2);
    const base = steps.find((step) => step.run?.includes("DRYDOCK_BASE_CONFIG="))!;
    expect(base.if).toBe("github.event_name == 'pull_request'");
    expect(base.run).toContain("git show 'HEAD^1:security-config.yml'");
    expect(steps.indexOf(base)).toBeLessThan(steps.findIndex((step) => step.run?.includes("build-and-scan")));
  });

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
    // Every scan build-and-scan exports: the backend, its migrations image, the frontend, the lint.
    expect(steps.map((s) => s.with?.["sarif_file"])).toEqual(["reports/backend/trivy.sarif", "reports/backend-migrations/trivy.sarif", "reports/frontend/trivy.sarif", "reports/lint/trivy.sarif"]);
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
    const releases = calls.filter((words) => words.includes("release"));
    // One command, run with and without --branch (see below).
    expect(new Set(releases.map((words) => words.filter((w) => !w.startsWith("--branch=")).join(" "))).size).toBe(1);
    expect(calls.flatMap((words) => checkCall(module, words).map((p) => `${words.join(" ")}\n  ${p}`))).toEqual([]);
    for (const release of releases) {
      for (const secret of ["--password", "--identity-token"]) expect(release.find((w) => w.startsWith(`${secret}=`))).toMatch(/=env:[A-Z_]+$/);
    }
  });

  it("moves latest only for a tag on the default branch: no branch is written in, both come from the event", () => {
    const workflow = githubRelease();
    const step = Object.values(workflow.jobs).flatMap((job) => job.steps).find((s) => s.run?.includes(" release "))!;
    expect(step.env).toMatchObject({ DEFAULT_BRANCH: "${{ github.event.repository.default_branch }}", TAG_BRANCH: "${{ github.event.base_ref }}" });
    const releases = daggerCalls(step.run!).filter((words) => words.includes("release"));
    expect(releases.map((words) => words.filter((w) => /^--(default-)?branch=/.test(w)))).toEqual([
      ["--default-branch=$DEFAULT_BRANCH"],
      ["--default-branch=$DEFAULT_BRANCH", "--branch=$TAG_BRANCH"],
    ]);
    expect(text("github/drydock-release.yml")).not.toMatch(/--branch=main|--default-branch=main/);
  });

  it("signs in a protected environment", () => {
    const jobs = Object.values(githubRelease().jobs);
    expect(jobs.map((job) => job.environment)).toEqual(["release"]);
  });
});

describe("ci/gitlab/drydock.gitlab-ci.yml", () => {
  const raw = () => text("gitlab/drydock.gitlab-ci.yml");
  const job = () => (yamlOf("gitlab/drydock.gitlab-ci.yml") as { drydock: GitlabJob & { image: string; services: { name: string; alias: string }[] } }).drydock;

  it("runs no downloaded script and pins both images by a digest the user must set", () => {
    expect(raw()).not.toMatch(/\|\s*(ba)?sh\b/);
    expect(job().image).toBe("docker:28-cli@$DOCKER_CLI_DIGEST");
    expect(job().services).toEqual([{ name: "docker:28-dind@$DOCKER_DIND_DIGEST", alias: "docker" }]);
  });

  it("installs the dagger CLI only after checking it against the checksum the user set", () => {
    const steps = job().before_script!;
    const download = steps.findIndex((s) => s.startsWith("curl ") && s.includes("dagger_v${DAGGER_VERSION}_linux_amd64.tar.gz"));
    const verify = steps.findIndex((s) => s === 'echo "${DAGGER_SHA256}  /tmp/dagger.tar.gz" | sha256sum -c -');
    const unpack = steps.findIndex((s) => s.startsWith("tar -xzf /tmp/dagger.tar.gz"));
    expect([download, verify, unpack].every((i) => i >= 0)).toBe(true);
    expect(download).toBeLessThan(verify);
    expect(verify).toBeLessThan(unpack);
  });

  it("is POSIX sh: a GitLab runner starts the script before bash is installed", () => {
    const script = [...(job().before_script ?? []), ...job().script].join("\n");
    expect(() => execFileSync("dash", ["-n"], { input: script, stdio: "pipe" })).not.toThrow();
    expect(script).not.toMatch(/\[\[|\w+=\(/);
  });
});

it("ci/any-ci.sh is valid bash", () => {
  expect(() => execFileSync("bash", ["-n", ciFile("any-ci.sh")], { stdio: "pipe" })).not.toThrow();
});
