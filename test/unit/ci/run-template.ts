/**
 * Running the CI templates' shell for real, with git repositories made for the test and a
 * stand-in `dagger` on PATH: it records each command line and, on `reports export`, writes a
 * reports folder shaped like build-and-scan's, with the smoke verdict the test chooses. So the
 * templates' own logic — which policy they pass, what they delete, when they fail — runs as CI
 * runs it, without an engine (the engine tier runs their dagger lines against the real module).
 */
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll } from "vitest";

/** What the stand-in writes as summary.json: the smoke verdict, or no file at all. */
export type SmokeAnswer = "passed" | "failed" | "no summary.json";

// A template literal: "\${" is bash's "${", "\\x1f" and "\\n" are printf's escapes.
const FAKE_DAGGER = `#!/usr/bin/env bash
set -euo pipefail
{ printf '%s\\x1f' "$@"; printf '\\n'; } >> "$FAKE_DAGGER_LOG"
path=""
for arg in "$@"; do
  case "$arg" in
    --path=*) path="\${arg#--path=}" ;;
    --config=*) cp -- "\${arg#--config=}" "$FAKE_DAGGER_LOG.config" ;;
  esac
done
if [[ " $* " == *" export "* ]]; then
  for scan in backend frontend lint; do mkdir -p "$path/$scan" && echo '{}' > "$path/$scan/trivy.json"; done
  echo '## Security gate passed: backend' > "$path/summary.md"
  case "$FAKE_SMOKE" in
    passed) echo '{"schema":"drydock.report-summary","version":1,"passed":true,"scans":[],"smoke":{"passed":true,"apps":[]}}' > "$path/summary.json" ;;
    failed) echo '{"schema":"drydock.report-summary","version":1,"passed":false,"scans":[],"smoke":{"passed":false,"apps":[]}}' > "$path/summary.json" ;;
  esac
fi
if [[ " $* " == *" gate "* ]]; then exit "\${FAKE_GATE_EXIT:-0}"; fi
`;

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
  /** Each `dagger` command line, as argv after `dagger`. */
  calls: string[][];
  /** The text of the last file passed as --config, when one was. */
  config?: string;
}

/** Folders for one test file, removed after it. */
export function useWorkFolders(): () => string {
  const made: string[] = [];
  afterAll(() => {
    for (const dir of made) rmSync(dir, { recursive: true, force: true });
  });
  return () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "drydock-ci-"));
    made.push(dir);
    return dir;
  };
}

/** git with no user or system config of this machine, and a fixed author. */
export const GIT_ENV: Readonly<Record<string, string>> = {
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_AUTHOR_NAME: "drydock test",
  GIT_AUTHOR_EMAIL: "test@example.com",
  GIT_COMMITTER_NAME: "drydock test",
  GIT_COMMITTER_EMAIL: "test@example.com",
};

export function git(cwd: string, ...args: string[]): string {
  const result = spawnSync("git", args, { cwd, env: { ...process.env, ...GIT_ENV }, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`git ${args.join(" ")}: ${result.stderr}`);
  return result.stdout.trim();
}

/** Write `files` (path → text; undefined deletes) into `dir` and commit them. */
export function commit(dir: string, files: Readonly<Record<string, string | undefined>>, message: string): void {
  for (const [file, text] of Object.entries(files)) {
    if (text === undefined) rmSync(path.join(dir, file), { force: true });
    else {
      mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      writeFileSync(path.join(dir, file), text);
    }
  }
  git(dir, "add", "-A");
  git(dir, "commit", "--allow-empty", "-q", "-m", message);
}

/**
 * A repository on branch `main` holding `base`, and a branch `change` that adds `change` to it.
 * `merged`: checked out as GitHub checks out a pull request, a merge commit whose first parent is
 * main; otherwise on the branch.
 */
export function repository(dir: string, base: Readonly<Record<string, string>>, change: Readonly<Record<string, string | undefined>>, checkout: "merged" | "branch"): string {
  git(dir, "init", "-q", "-b", "main");
  commit(dir, { "README.md": "app\n", ...base }, "base");
  git(dir, "checkout", "-q", "-b", "change");
  commit(dir, change, "change");
  if (checkout === "merged") {
    git(dir, "checkout", "-q", "main");
    git(dir, "merge", "-q", "--no-ff", "-m", "merge change", "change");
  }
  return dir;
}

/** Run `script` with `shell` in `cwd`, the stand-in dagger first on PATH. */
export function runScript(
  shell: readonly string[],
  script: string,
  options: { cwd: string; work: string; env?: Readonly<Record<string, string>>; smoke?: SmokeAnswer; gateExit?: number },
): Run {
  const bin = path.join(options.work, "bin");
  mkdirSync(bin, { recursive: true });
  writeFileSync(path.join(bin, "dagger"), FAKE_DAGGER);
  chmodSync(path.join(bin, "dagger"), 0o755);
  const log = path.join(options.work, "dagger.log");
  writeFileSync(log, "");
  rmSync(`${log}.config`, { force: true });
  const env = {
    PATH: `${bin}:${process.env["PATH"]}`,
    HOME: options.work,
    TMPDIR: options.work,
    ...GIT_ENV,
    FAKE_DAGGER_LOG: log,
    FAKE_SMOKE: options.smoke ?? "passed",
    FAKE_GATE_EXIT: String(options.gateExit ?? 0),
    ...options.env,
  };
  const result = spawnSync(shell[0]!, [...shell.slice(1)], { cwd: options.cwd, env, input: script, encoding: "utf8" });
  const calls = readFileSync(log, "utf8")
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => line.split("\x1f").slice(0, -1));
  let config: string | undefined;
  try {
    config = readFileSync(`${log}.config`, "utf8");
  } catch {
    config = undefined;
  }
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr, calls, config };
}
