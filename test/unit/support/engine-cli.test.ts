import { describe, expect, it } from "vitest";
import { run } from "../../support/docker/cli.ts";
import { sourceLost } from "../../support/engine/cli.ts";

/** What dagger v0.21.8 printed when it lost the synced source (engine tier, 2026-12-06). */
const LOST = [
  "10  : ┆ ┆ Host.directory ERROR [0.0s]",
  "10  : ┆ ┆ ! jlj3c75s2rafdbwafpo29g2s1: not found",
  "7   : parsing command line arguments ERROR [0.0s]",
  'Error: failed to get value for argument "source": jlj3c75s2rafdbwafpo29g2s1: not found [traceparent:6db6f99b]',
].join("\n");

/** The same loss under a file argument and under the module's own source (engine tier, 2026-12-06), with the CLI's colours. */
const LOST_FILE = [
  "\x1b[95m13  : \x1b[0m┆ ┆ ┆ Host.directory ERROR [0.0s]",
  "\x1b[95m13  : \x1b[0m┆ ┆ ┆ ! 3xxomy3btjgae9gr5m37tf1y4: not found",
  "12  : ┆ ┆ Host.file ERROR [0.0s]",
  "7   : parsing command line arguments ERROR [0.0s]",
  'Error: failed to get value for argument "trusted-root": 3xxomy3btjgae9gr5m37tf1y4: not found [traceparent:32f576199d4d]',
].join("\n");
const LOST_MODULE = [
  "9   : ┆ ┆ ┆ ┆ Host.directory ERROR [0.0s]",
  "9   : ┆ ┆ ┆ ┆ ! yxc1eubqelrib7xsi57kws41u: not found",
  "8   : ┆ ┆ ┆ moduleSource ERROR [0.0s]",
  'Error: query module objects: loading modules: loading module "/tmp/m/drydock": resolving module source "/tmp/m/drydock": failed to load local module source context: yxc1eubqelrib7xsi57kws41u: not found [traceparent:3717a5a3]',
].join("\n");

describe("sourceLost: the one engine failure the tier runs again", () => {
  it("recognises the engine losing what it just synced: a folder argument, a file argument, the module", () => {
    expect(sourceLost({ code: 1, stderr: LOST })).toBe(true);
    expect(sourceLost({ code: 1, stderr: LOST_FILE })).toBe(true);
    expect(sourceLost({ code: 1, stderr: LOST_MODULE })).toBe(true);
  });

  it("leaves a not-found error alone when it is not the synced folder that was lost", () => {
    const otherId = LOST.replace('argument "source": jlj3c75s2rafdbwafpo29g2s1', 'argument "source": aaaabbbbccccddddeeeeffff0');
    expect(sourceLost({ code: 1, stderr: otherId })).toBe(false);
    expect(sourceLost({ code: 1, stderr: 'Error: failed to load local module source context: lstat /tmp/m/drydock: no such file or directory' })).toBe(false);
  });

  it("leaves every other failure alone: a missing source folder, a failed function, a success", () => {
    expect(sourceLost({ code: 1, stderr: 'Error: failed to get value for argument "source": lstat /nope: no such file or directory' })).toBe(false);
    expect(sourceLost({ code: 1, stderr: "Error: gate failed: 3 findings\nHost.directory ERROR" })).toBe(false);
    expect(sourceLost({ code: 0, stderr: LOST })).toBe(false);
  });
});

describe("run() with an AbortSignal", () => {
  it("kills the command when the signal aborts, and reports exit 130", async () => {
    const stop = new AbortController();
    const started = Date.now();
    const running = run("sleep", ["30"], { signal: stop.signal });
    setTimeout(() => stop.abort(), 100);
    const result = await running;
    expect(result.code).toBe(130);
    expect(result.stderr).toContain("(killed: the run was stopping)");
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("does not start work for a signal already aborted", async () => {
    const result = await run("sleep", ["30"], { signal: AbortSignal.abort() });
    expect(result.code).toBe(130);
  });
});
