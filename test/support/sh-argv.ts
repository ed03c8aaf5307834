/**
 * Run a printed command line with a real POSIX shell, a stand-in `docker` first on PATH, and read
 * back the argv and environment that `docker` got: what the shell made of the text, nothing assumed.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

/** What the stand-in docker received, and what the run left in its working folder besides that. */
export interface ShellRun {
  /** DOCKER_BUILDKIT as docker saw it. */
  buildkit: string | undefined;
  /** docker's arguments (without "docker"). */
  argv: string[];
  /** Files the run created in its working folder: nothing, unless the text ran more than docker. */
  created: string[];
}

/** Run `text` with `shell -c` in an empty folder; the stand-in docker writes its argv NUL-separated, so any byte but NUL survives. */
export function runWithFakeDocker(text: string, shell = "/bin/sh"): ShellRun {
  const work = mkdtempSync(path.join(os.tmpdir(), "drydock-sh-argv-"));
  try {
    const bin = path.join(work, "bin");
    const cwd = path.join(work, "cwd");
    const out = path.join(work, "argv");
    for (const dir of [bin, cwd]) mkdirSync(dir);
    writeFileSync(path.join(bin, "docker"), `#!/bin/sh\nprintf '%s\\0' "\${DOCKER_BUILDKIT-<unset>}" "$@" > "$DRYDOCK_ARGV_OUT"\n`);
    chmodSync(path.join(bin, "docker"), 0o755);
    const run = spawnSync(shell, ["-c", text], { cwd, encoding: "utf8", env: { PATH: `${bin}:/usr/bin:/bin`, DRYDOCK_ARGV_OUT: out, HOME: cwd } });
    if (run.status !== 0) throw new Error(`${shell} -c exited ${run.status}: ${run.stderr}`);
    const [buildkit, ...argv] = readFileSync(out, "utf8").split("\0").slice(0, -1);
    return { buildkit: buildkit === "<unset>" ? undefined : buildkit, argv, created: readdirSync(cwd) };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The `--build-arg NAME=value` pairs of a docker build argv, in order; an error for a repeated name. */
export function buildArgsOf(argv: readonly string[]): Record<string, string> {
  const found: Record<string, string> = {};
  argv.forEach((word, i) => {
    if (word !== "--build-arg") return;
    const pair = argv[i + 1] ?? "";
    const at = pair.indexOf("=");
    if (at < 1) throw new Error(`--build-arg ${JSON.stringify(pair)}: expected NAME=value`);
    const name = pair.slice(0, at);
    if (name in found) throw new Error(`--build-arg ${name} given twice`);
    found[name] = pair.slice(at + 1);
  });
  return found;
}
