import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { endBuildLeftovers } from "../../support/engine/kit.ts";

const made: string[] = [];
afterAll(() => Promise.all(made.map((dir) => rm(dir, { recursive: true, force: true }))));

/** A long-running process whose command line reads like kit.sh's temporary registry of `work`. */
function fakeRegistry(work: string) {
  return spawn(process.execPath, ["-e", "setTimeout(() => {}, 300000)", "registry", "serve", "--address", "127.0.0.1:5001", "--disk", path.join(work, "registry-tmp")], { stdio: "ignore" });
}

describe("endBuildLeftovers: the temporary registry an interrupted kit build leaves running", () => {
  it("ends the registry of this work folder, and only that one", async () => {
    const work = await mkdtemp(path.join(os.tmpdir(), "drydock-kit-"));
    const other = await mkdtemp(path.join(os.tmpdir(), "drydock-kit-"));
    made.push(work, other);
    const ours = fakeRegistry(work);
    const theirs = fakeRegistry(other);
    const oursExit = new Promise((resolve) => ours.on("exit", (_code, signal) => resolve(signal)));
    try {
      await new Promise((resolve) => setTimeout(resolve, 300));
      const ended = await endBuildLeftovers(work);
      expect(ended).toEqual([expect.stringMatching(new RegExp(`^pid ${ours.pid} \\(.* registry serve --address 127\\.0\\.0\\.1:5001 --disk ${path.join(work, "registry-tmp")}\\)$`))]);
      expect(await oursExit).toBe("SIGTERM");
      expect(theirs.exitCode).toBeNull();
      expect(theirs.signalCode).toBeNull();
    } finally {
      ours.kill("SIGKILL");
      theirs.kill("SIGKILL");
    }
  });

  it("ends nothing when nothing was left", async () => {
    const work = await mkdtemp(path.join(os.tmpdir(), "drydock-kit-"));
    made.push(work);
    expect(await endBuildLeftovers(work)).toEqual([]);
  });
});
