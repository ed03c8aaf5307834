/**
 * The CI templates' shell, run for real on git repositories made here, with a stand-in `dagger`
 * (run-template.ts): a change is gated with its base's security-config.yml (the defaults when the
 * base has none, said so), reports of another run are never gated, and a smoke test that failed —
 * or left no verdict — fails the job though every scan's gate passed.
 */
import { readFileSync } from "node:fs";
import { mkdirSync, writeFileSync, existsSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { repoRoot } from "../../support/paths.js";
import { commit, git, repository, runScript, useWorkFolders, type Run } from "./run-template.ts";

const work = useWorkFolders();
const ciFile = (name: string) => path.join(repoRoot, "ci", name);

const OWN_POLICY = "version: 1\npolicy:\n  failOn:\n    vulnerabilities: []\n";
const BASE_POLICY = "version: 1\npolicy:\n  ignoreUnfixed: false\n";
const DEFAULTS_FILE = "# The base branch has no security-config.yml: the defaults apply.\nversion: 1\n";

const flagsOf = (call: readonly string[]) => call.filter((word) => /^--(base-)?config=/.test(word));
const callsOf = (run: Run, fn: string) => run.calls.filter((call) => call.includes(fn));
const reportsGated = (run: Run) => callsOf(run, "gate").map((call) => call.find((w) => w.startsWith("--report="))!.slice("--report=".length));

/** A stale reports folder, as a previous run (or a committed folder) leaves it. */
function staleReports(dir: string, folder = "reports"): void {
  mkdirSync(path.join(dir, folder, "old-app"), { recursive: true });
  writeFileSync(path.join(dir, folder, "old-app", "trivy.json"), "{}");
}

describe("ci/any-ci.sh", () => {
  const anyCi = (cwd: string, env: Record<string, string> = {}, options: { smoke?: "passed" | "failed" | "no summary.json"; gateExit?: number; reports?: string } = {}) =>
    runScript(["bash", ciFile("any-ci.sh"), ...(options.reports === undefined ? [] : [options.reports])], "", {
      cwd,
      work: work(),
      env: { DRYDOCK_MODULE: "github.com/acme/drydock@0123456789abcdef0123456789abcdef01234567", ...env },
      ...options,
    });

  it("checks the config, exports, gates each scan's report and passes, with the source's own policy", () => {
    const dir = repository(work(), { "security-config.yml": BASE_POLICY }, { "security-config.yml": OWN_POLICY }, "branch");
    const run = anyCi(dir);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.calls.map((call) => call.slice(3).join(" "))).toEqual([
      "--source=. check-config",
      `--source=. with-labels --revision=${git(dir, "rev-parse", "HEAD")} build-and-scan reports export --path=reports`,
      "--source=. gate --report=reports/backend/trivy.json",
      "--source=. gate --report=reports/frontend/trivy.json",
      "--source=. gate --report=reports/lint/trivy.json",
    ]);
    expect(run.calls.flatMap(flagsOf)).toEqual([]);
  });

  it("fails when the smoke test failed, though every gate passed, and says so", () => {
    const run = anyCi(repository(work(), {}, {}, "branch"), {}, { smoke: "failed" });
    expect(run.code).toBe(1);
    expect(reportsGated(run)).toHaveLength(3);
    expect(run.stderr).toContain("any-ci.sh: the smoke test failed, or left no verdict in reports/summary.json");
  });

  it("fails when the export left no summary.json: no verdict is no pass", () => {
    const run = anyCi(repository(work(), {}, {}, "branch"), {}, { smoke: "no summary.json" });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("left no verdict in reports/summary.json");
  });

  it("fails when a gate failed, after gating every report", () => {
    const run = anyCi(repository(work(), {}, {}, "branch"), {}, { gateExit: 1 });
    expect(run.code).toBe(1);
    expect(reportsGated(run)).toHaveLength(3);
  });

  it("empties the reports folder first: a stale report is never gated", () => {
    const dir = repository(work(), {}, {}, "branch");
    staleReports(dir, "out/reports");
    const run = anyCi(dir, {}, { reports: "out/reports" });
    expect(run.code).toBe(0);
    expect(reportsGated(run)).toEqual(["out/reports/backend/trivy.json", "out/reports/frontend/trivy.json", "out/reports/lint/trivy.json"]);
    expect(existsSync(path.join(dir, "out/reports/old-app"))).toBe(false);
  });

  it.each([".", "..", "../elsewhere", "/tmp/reports", "-rf", "a/../../b", "reports dir"])("refuses the reports folder %j before anything runs", (reports) => {
    const run = anyCi(repository(work(), {}, {}, "branch"), {}, { reports });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`any-ci.sh: reports-dir: found "${reports}", expected a relative folder like reports or out/reports`);
    expect(run.calls).toEqual([]);
  });

  it("with DRYDOCK_BASE_REF gates with that branch's security-config.yml and compares the change's with it", () => {
    const dir = repository(work(), { "security-config.yml": BASE_POLICY }, { "security-config.yml": OWN_POLICY }, "branch");
    const run = anyCi(dir, { DRYDOCK_BASE_REF: "main" });
    expect(run.code).toBe(0);
    expect(run.config).toBe(BASE_POLICY);
    const [checked, exported, ...gated] = run.calls;
    expect(flagsOf(checked!), "check-config reads the change's own config").toEqual([]);
    const [config, baseConfig] = flagsOf(exported!);
    expect(config).toMatch(/^--config=.*\/base-security-config\.yml$/);
    expect(baseConfig).toBe(`--base-config=${config!.slice("--config=".length)}`);
    expect(gated.map(flagsOf)).toEqual(gated.map(() => [config, baseConfig]));
  });

  it("with DRYDOCK_BASE_REF on a branch without security-config.yml gates with the defaults, and says so", () => {
    const dir = repository(work(), {}, { "security-config.yml": OWN_POLICY }, "branch");
    const run = anyCi(dir, { DRYDOCK_BASE_REF: "main" });
    expect(run.code).toBe(0);
    expect(run.config).toBe(DEFAULTS_FILE);
    expect(run.stderr).toContain("any-ci.sh: main has no security-config.yml, so this change is gated with the defaults, not with a security-config.yml of its own");
  });

  it.each(["origin/main", "--output=/tmp/x"])("refuses a DRYDOCK_BASE_REF that is no commit here (%s), before anything runs", (ref) => {
    const run = anyCi(repository(work(), {}, {}, "branch"), { DRYDOCK_BASE_REF: ref });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`any-ci.sh: DRYDOCK_BASE_REF: found "${ref}", expected a commit of the branch the change merges into — fetch it first`);
    expect(run.calls).toEqual([]);
  });
});

interface Step {
  name?: string;
  run?: string;
}
const githubSteps = () => Object.values((parse(readFileSync(ciFile("github/drydock.yml"), "utf8")) as { jobs: Record<string, { steps: Step[] }> }).jobs).flatMap((job) => job.steps);
const githubStep = (name: string) => githubSteps().find((step) => step.name === name)!.run!;
/** How GitHub runs a `run:` step on Linux: bash --noprofile --norc -eo pipefail {0}. */
const GITHUB_BASH = ["bash", "--noprofile", "--norc", "-eo", "pipefail"];

describe("ci/github/drydock.yml, run as GitHub runs its steps", () => {
  const takeBase = (cwd: string) => {
    const temp = work();
    const githubEnv = path.join(temp, "github-env");
    writeFileSync(githubEnv, "");
    const run = runScript(GITHUB_BASH, githubStep("Take the base branch's policy (pull requests)"), { cwd, work: temp, env: { RUNNER_TEMP: temp, GITHUB_ENV: githubEnv } });
    return { run, githubEnv: readFileSync(githubEnv, "utf8"), temp };
  };

  it("takes a pull request's policy from its base, the merge commit's first parent", () => {
    const dir = repository(work(), { "security-config.yml": BASE_POLICY }, { "security-config.yml": OWN_POLICY }, "merged");
    const { run, githubEnv, temp } = takeBase(dir);
    expect(run.code).toBe(0);
    expect(githubEnv).toBe(`DRYDOCK_BASE_CONFIG=${temp}/base-security-config.yml\n`);
    expect(readFileSync(path.join(temp, "base-security-config.yml"), "utf8")).toBe(BASE_POLICY);
  });

  it("gates with the defaults when the base has no security-config.yml, and says so", () => {
    const dir = repository(work(), {}, { "security-config.yml": OWN_POLICY }, "merged");
    const { run, temp } = takeBase(dir);
    expect(run.code).toBe(0);
    expect(readFileSync(path.join(temp, "base-security-config.yml"), "utf8")).toBe(DEFAULTS_FILE);
    expect(run.stdout).toContain("::notice title=drydock::The base branch has no security-config.yml, so this pull request is gated with the defaults");
  });

  it("fails rather than guess when HEAD is no merge commit", () => {
    const dir = repository(work(), { "security-config.yml": BASE_POLICY }, { "security-config.yml": OWN_POLICY }, "branch");
    const { run, githubEnv } = takeBase(dir);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("::error title=drydock::found no merge commit with its base at HEAD^1");
    expect(githubEnv).toBe("");
  });

  it("fails rather than guess when the checkout holds the merge commit without its parents", () => {
    const origin = repository(work(), { "security-config.yml": BASE_POLICY }, { "security-config.yml": OWN_POLICY }, "merged");
    const shallow = work();
    git(shallow, "clone", "-q", "--depth=1", `file://${origin}`, ".");
    const { run } = takeBase(shallow);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("::error title=drydock::found no merge commit with its base at HEAD^1");
  });

  it.each([
    { event: "a pull request", base: true },
    { event: "a push to main", base: false },
  ])("builds, scans and gates $event with its policy, never a stale report", ({ base }) => {
    const dir = repository(work(), {}, {}, "branch");
    const baseConfig = path.join(work(), "base-security-config.yml");
    writeFileSync(baseConfig, BASE_POLICY);
    const env: Record<string, string> = base ? { DRYDOCK_BASE_CONFIG: baseConfig } : {};
    const flags = base ? [`--config=${baseConfig}`, `--base-config=${baseConfig}`] : [];
    staleReports(dir);
    const ciEnv = { DRYDOCK_MODULE: "github.com/acme/drydock@COMMIT", GITHUB_SHA: "0123456789abcdef0123456789abcdef01234567", GITHUB_SERVER_URL: "https://github.com", GITHUB_REPOSITORY: "acme/shop", ...env };
    const exported = runScript(GITHUB_BASH, githubStep("Build, scan and export the reports"), { cwd: dir, work: work(), env: ciEnv });
    expect(exported.code).toBe(0);
    expect(exported.calls.map(flagsOf)).toEqual([flags]);
    expect(existsSync(path.join(dir, "reports/old-app"))).toBe(false);
    const gated = runScript(GITHUB_BASH, githubStep("Gate"), { cwd: dir, work: work(), env: ciEnv });
    expect(gated.code).toBe(0);
    expect(reportsGated(gated)).toEqual(["reports/backend/trivy.json", "reports/frontend/trivy.json", "reports/lint/trivy.json"]);
    expect(gated.calls.map(flagsOf)).toEqual(gated.calls.map(() => flags));
  });

  it.each(["failed", "no summary.json"] as const)("fails the Gate step when the smoke verdict is %s, though every report passed", (smoke) => {
    const dir = repository(work(), {}, {}, "branch");
    const env = { DRYDOCK_MODULE: "m", GITHUB_SHA: "0123456", GITHUB_SERVER_URL: "https://github.com", GITHUB_REPOSITORY: "acme/shop" };
    expect(runScript(GITHUB_BASH, githubStep("Build, scan and export the reports"), { cwd: dir, work: work(), env, smoke }).code).toBe(0);
    const gated = runScript(GITHUB_BASH, githubStep("Gate"), { cwd: dir, work: work(), env });
    expect(gated.code).toBe(1);
    expect(reportsGated(gated)).toHaveLength(3);
    expect(gated.stdout).toContain("::error title=drydock::The smoke test failed, or left no verdict in reports/summary.json");
  });

  it("has every run step valid bash", () => {
    for (const step of githubSteps().filter((s) => s.run !== undefined)) {
      expect(runScript(["bash", "-n"], step.run!, { cwd: work(), work: work() }).code, step.name).toBe(0);
    }
  });
});

describe("ci/gitlab/drydock.gitlab-ci.yml, run with sh as a GitLab runner runs it", () => {
  const job = () => (parse(readFileSync(ciFile("gitlab/drydock.gitlab-ci.yml"), "utf8")) as { drydock: { before_script: string[]; script: string[] } }).drydock;
  const SH = ["sh", "-e"];
  const DIGEST = `sha256:${"a".repeat(64)}`;

  it.each<{ variable: string; value: string; pins: Record<string, string> }>([
    { variable: "DAGGER_SHA256", value: "", pins: { DOCKER_CLI_DIGEST: DIGEST, DOCKER_DIND_DIGEST: DIGEST } },
    { variable: "DOCKER_CLI_DIGEST", value: "latest", pins: { DAGGER_SHA256: "b".repeat(64), DOCKER_DIND_DIGEST: DIGEST } },
    { variable: "DOCKER_DIND_DIGEST", value: "", pins: { DAGGER_SHA256: "b".repeat(64), DOCKER_CLI_DIGEST: DIGEST } },
  ])("stops before anything runs when $variable is not set to a pin", ({ variable, value, pins }) => {
    const run = runScript(SH, job().before_script[0]!, { cwd: work(), work: work(), env: { DAGGER_VERSION: "0.21.8", ...pins, [variable]: value } });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(new RegExp(`^drydock: ${variable}: found "${value}", expected .+ — set the variable ${variable} \\(see the top of the drydock template\\)\\n$`));
  });

  it("goes on when every pin is set", () => {
    const run = runScript(SH, job().before_script[0]!, { cwd: work(), work: work(), env: { DAGGER_VERSION: "0.21.8", DAGGER_SHA256: "b".repeat(64), DOCKER_CLI_DIGEST: DIGEST, DOCKER_DIND_DIGEST: DIGEST } });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
  });

  const RELEASE_POLICY = "version: 1\npolicy:\n  maxExceptionDays: 30\n";

  /**
   * A clone of an origin with `main` (holding `base`), a maintenance branch `release-1` (its own
   * security-config.yml when main has one), and the branch `change`, checked out on the change.
   */
  function clone(base: Record<string, string>): string {
    const origin = repository(work(), base, { "security-config.yml": OWN_POLICY }, "branch");
    git(origin, "checkout", "-q", "-b", "release-1", "main");
    commit(origin, "security-config.yml" in base ? { "security-config.yml": RELEASE_POLICY } : {}, "release 1");
    git(origin, "checkout", "-q", "change");
    const dir = work();
    git(dir, "clone", "-q", "--depth=1", "--branch", "change", `file://${origin}`, ".");
    return dir;
  }
  const runJob = (dir: string, env: Record<string, string>, smoke: "passed" | "failed" = "passed") =>
    runScript(SH, job().script.join("\n"), {
      cwd: dir,
      work: work(),
      smoke,
      env: { DRYDOCK_MODULE: "m", CI_DEFAULT_BRANCH: "main", CI_COMMIT_SHA: "0123456", CI_PROJECT_URL: "https://gitlab.com/acme/shop", ...env },
    });

  it.each<{ pipeline: string; env: Record<string, string>; policy: string }>([
    { pipeline: "a merge request into release-1", env: { CI_MERGE_REQUEST_TARGET_BRANCH_NAME: "release-1" }, policy: RELEASE_POLICY },
    { pipeline: "a branch pipeline", env: { CI_COMMIT_BRANCH: "change" }, policy: BASE_POLICY },
    { pipeline: "a tag pipeline", env: { CI_COMMIT_TAG: "v1.2.3" }, policy: BASE_POLICY },
  ])("gates $pipeline with a policy the change did not write, compared with the change's", ({ env, policy }) => {
    const run = runJob(clone({ "security-config.yml": BASE_POLICY }), env);
    expect(run.stderr).not.toContain("drydock:");
    expect(run.code).toBe(0);
    expect(run.config).toBe(policy);
    const [checked, exported, ...gated] = run.calls;
    expect(flagsOf(checked!)).toEqual([]);
    expect(flagsOf(exported!)).toEqual([expect.stringMatching(/^--config=.*\/base-security-config\.yml$/), expect.stringMatching(/^--base-config=.*\/base-security-config\.yml$/)]);
    expect(gated.map(flagsOf)).toEqual(gated.map(() => flagsOf(exported!)));
  });

  it("gates the default branch's own pipeline with its own config", () => {
    const dir = clone({ "security-config.yml": BASE_POLICY });
    const run = runJob(dir, { CI_COMMIT_BRANCH: "main" });
    expect(run.code).toBe(0);
    expect(run.calls.flatMap(flagsOf)).toEqual([]);
  });

  it("gates with the defaults when the target has no security-config.yml, and says so", () => {
    const run = runJob(clone({}), { CI_MERGE_REQUEST_TARGET_BRANCH_NAME: "main" });
    expect(run.code).toBe(0);
    expect(run.config).toBe(DEFAULTS_FILE);
    expect(run.stdout).toContain("drydock: main has no security-config.yml, so this pipeline is gated with the defaults");
  });

  it("fails when the smoke test failed, and never gates a stale report", () => {
    const dir = clone({});
    staleReports(dir);
    const run = runJob(dir, { CI_COMMIT_BRANCH: "main" }, "failed");
    expect(run.code).toBe(1);
    expect(reportsGated(run)).toEqual(["reports/backend/trivy.json", "reports/frontend/trivy.json", "reports/lint/trivy.json"]);
    expect(run.stderr).toContain("drydock: the smoke test failed, or left no verdict in reports/summary.json");
  });
});
