/**
 * What the fake engine learned for the plan tests of the drydock functions: globbing and
 * filtered listings, file names, secret plaintexts, files copied from canned ones, and holds
 * that prove two branches are in flight at once. Each can fail.
 */
import { dag } from "@dagger.io/dagger";
import { describe, expect, it } from "vitest";
import { execStartsWith, fileAt, useFakeEngine, withEngine, type Chain } from "../support/fake-engine/index.js";
import { rejectionOf } from "../support/plan-helpers.js";

const engine = useFakeEngine();

describe("fake engine directories", () => {
  const tree = () =>
    dag
      .directory()
      .withNewFile("Dockerfile", "FROM alpine\n")
      .withNewFile("deploy/compose.yaml", "services: {}\n")
      .withNewFile("deploy/values.yaml", "x: 1\n")
      .withNewFile("docs/guide.md", "# guide\n")
      .withNewFile(".hidden/Dockerfile", "FROM alpine\n");

  it.each([
    { pattern: "**/*", paths: [".hidden/", ".hidden/Dockerfile", "Dockerfile", "deploy/", "deploy/compose.yaml", "deploy/values.yaml", "docs/", "docs/guide.md"] },
    { pattern: "**/Dockerfile", paths: [".hidden/Dockerfile", "Dockerfile"] },
    { pattern: "deploy/*.yaml", paths: ["deploy/compose.yaml", "deploy/values.yaml"] },
  ])("globs $pattern like Dagger: relative paths, directories with a trailing slash", async ({ pattern, paths }) => {
    expect(await withEngine(engine, () => tree().glob(pattern))).toEqual(paths);
  });

  it("keeps, under an include filter, only the directories that keep something", async () => {
    const kept = await withEngine(engine, () => tree().filter({ include: ["**/Dockerfile", "**/compose.yaml"] }).glob("**/*"));
    expect(kept).toEqual([".hidden/", ".hidden/Dockerfile", "Dockerfile", "deploy/", "deploy/compose.yaml"]);
  });

  it("lists a directory added with withDirectory as a directory", async () => {
    const entries = await withEngine(engine, () => dag.directory().withDirectory("backend", tree()).withNewFile("summary.md", "").entries());
    expect(entries).toEqual(["backend/", "summary.md"]);
  });

  it("names a file after the path it was taken from, or its withName", async () => {
    const names = await withEngine(engine, async () => [await tree().file("deploy/values.yaml").name(), await tree().file("Dockerfile").withName("Dockerfile.backend").name()]);
    expect(names).toEqual(["values.yaml", "Dockerfile.backend"]);
  });

  it("gives a file copied from a canned one the canned contents", async () => {
    engine.addRule({ when: fileAt("/out/report.json"), contents: '{"canned": true}' });
    const copied = await withEngine(engine, () =>
      dag.directory().withFile("report.json", dag.container().from("alpine").withExec(["scan"]).file("/out/report.json")).file("report.json").contents(),
    );
    expect(copied).toBe('{"canned": true}');
  });
});

describe("fake engine secrets", () => {
  it("answers plaintext as the real engine does, and still records it nowhere", async () => {
    const read = await withEngine(engine, () => dag.setSecret("harness-token", "s3cr3t-harness-canary").plaintext());
    expect(read).toBe("s3cr3t-harness-canary");
    expect(engine.leaks("s3cr3t-harness-canary")).toEqual([]);
  });

  it("shows a plaintext in the plan once module code passes it on", async () => {
    await withEngine(engine, async () => {
      const token = await dag.setSecret("harness-token-2", "s3cr3t-passed-on").plaintext();
      await dag.container().from("alpine").withEnvVariable("TOKEN", token).withExec(["env"]).sync();
    });
    expect(engine.leaks("s3cr3t-passed-on")).toHaveLength(1);
  });
});

describe("fake engine holds", () => {
  const stdoutOf = (word: string) => (chain: Chain) => chain.at(-1)?.field === "stdout" && chain.some((s) => s.field === "withExec" && JSON.stringify(s.args["args"]) === JSON.stringify(["echo", word]));
  const branch = (word: string) => dag.container().from("alpine").withExec(["echo", word]).stdout();

  it("releases a held answer once the awaited query arrives", async () => {
    engine.addRule({ when: execStartsWith("echo"), stdout: "ok\n" });
    engine.addHold({ hold: stdoutOf("backend"), until: stdoutOf("frontend"), timeoutMs: 2_000, description: "the backend until the frontend" });
    const outputs = await withEngine(engine, () => Promise.all([branch("backend"), branch("frontend")]));
    expect(outputs).toEqual(["ok\n", "ok\n"]);
  });

  it("answers at once when the awaited query came first", async () => {
    engine.addHold({ hold: stdoutOf("backend"), until: stdoutOf("frontend"), timeoutMs: 2_000, description: "the backend until the frontend" });
    const started = performance.now();
    await withEngine(engine, async () => {
      await branch("frontend");
      await branch("backend");
    });
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it("fails code that runs the two one after the other with a not-concurrent violation, instead of hanging", async () => {
    engine.addHold({ hold: stdoutOf("backend"), until: stdoutOf("frontend"), timeoutMs: 300, description: "the backend until the frontend" });
    const error = await rejectionOf(
      withEngine(engine, async () => {
        await branch("backend");
        await branch("frontend");
      }),
    );
    expect(error.message).toContain("[not-concurrent] held the backend until the frontend for 300 ms");
    engine.violations.length = 0;
  });
});
