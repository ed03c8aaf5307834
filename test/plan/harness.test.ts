/**
 * The fake engine itself: that it rejects what the real engine would reject, records what the
 * module asked for, and answers the way the SDK expects. If these pass against a broken fake,
 * every plan test is worthless — so each one here can fail.
 */
import { CacheSharingMode, dag, ExecError, ExistsType, ReturnType } from "@dagger.io/dagger";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Drydock } from "../../dagger/src/index.ts";
import { execStartsWith, FakeEngine, fileAt, ObjectRef, SCHEMA_ENV, useFakeEngine, withEngine } from "../support/fake-engine/index.js";
import { daggerSchemaPath, DEFAULT_SCHEMA_PATH } from "../support/fake-engine/schema.js";
import { missingShared, repoRoot } from "../support/paths.js";

const hasSchema = daggerSchemaPath() !== undefined;

async function post(engine: FakeEngine, body: unknown, token: string = engine.token) {
  const res = await fetch(`http://127.0.0.1:${engine.port}/query`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Basic ${Buffer.from(`${token}:`).toString("base64")}` },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] } };
}

describe("fake engine session protocol", () => {
  const engine = useFakeEngine();

  it.each([
    { name: "a wrong token", token: "not-the-token" },
    { name: "an empty token", token: "" },
  ])("answers 401 to $name", async ({ token }) => {
    const { status } = await post(engine, { query: "{ version }" }, token);
    expect(status).toBe(401);
    expect(engine.queries).toEqual([]);
  });

  it("sets the session variables the SDK reads", () => {
    expect(process.env["DAGGER_SESSION_PORT"]).toBe(String(engine.port));
    expect(process.env["DAGGER_SESSION_TOKEN"]).toBe(engine.token);
    expect(process.env["OTEL_SDK_DISABLED"]).toBe("true");
  });
});

describe.skipIf(!hasSchema)(hasSchema ? "fake engine validation against the Dagger schema" : missingShared("dagger", "schema-v0.21.8.graphqls"), () => {
  const engine = useFakeEngine();

  it.each([
    { name: "a misspelt field", query: '{ container { form(address: "alpine") { id } } }', says: 'Cannot query field "form" on type "Container"' },
    { name: "a misspelt argument", query: '{ container { from(adress: "alpine") { id } } }', says: 'Unknown argument "adress"' },
    { name: "a wrong argument type", query: '{ container { from(address: 3) { id } } }', says: "String cannot represent a non string value: 3" },
    { name: "a quoted enum value", query: '{ container { withExec(args: ["ls"], expect: "ANY") { exitCode } } }', says: 'Enum "ReturnType" cannot represent non-enum value' },
    { name: "a selection on a leaf", query: "{ container { stdout { id } } }", says: 'Field "stdout" must not have a selection' },
    { name: "a field that does not exist in v0.21", query: '{ loadContainerFromID(id: "x") { id } }', says: 'Cannot query field "loadContainerFromID"' },
    { name: "a query that does not parse", query: "{ container { from(address: ", says: "does not parse" },
  ])("rejects $name and records a violation", async ({ query, says }) => {
    const { json } = await post(engine, { query });
    expect(json.errors?.[0]?.message).toContain(says);
    expect(engine.violations.map((v) => v.kind)).toEqual(["invalid-query"]);
    expect(() => engine.assertNoViolations()).toThrow(says);
    engine.violations.length = 0;
  });

  it("accepts a valid query and records no violation", async () => {
    const { json } = await post(engine, { query: '{ container { from(address: "alpine") { withExec(args: ["ls"], expect: ANY) { exitCode } } } }' });
    expect(json).toEqual({ data: { container: { from: { withExec: { exitCode: 0 } } } } });
    expect(engine.violations).toEqual([]);
  });

  it("answers an unknown leaf with an error at once", async () => {
    const started = performance.now();
    const { json } = await post(engine, { query: "{ container { frobnicate } }" });
    expect(json.errors?.[0]?.message).toContain('Cannot query field "frobnicate"');
    expect(performance.now() - started).toBeLessThan(1000);
    engine.violations.length = 0;
  });

  it("rejects an ID it never handed out", async () => {
    const { json } = await post(engine, { query: '{ container { withDirectory(path: "/src", source: "fake-id:Directory:999999") { id } } }' });
    expect(json.errors?.[0]?.message).toContain("unknown object ID");
    expect(engine.violations.map((v) => v.kind)).toEqual(["unknown-id"]);
    engine.violations.length = 0;
  });

  it("rejects an ID of the wrong type", async () => {
    const made = await post(engine, { query: '{ directory { withNewFile(path: "a", contents: "b") { id } } }' });
    const dirId = (made.json.data as { directory: { withNewFile: { id: string } } }).directory.withNewFile.id;
    const { json } = await post(engine, { query: `{ container { withFile(path: "/a", source: "${dirId}") { id } } }` });
    expect(json.errors?.[0]?.message).toContain("expected an ID of File, got one of Directory");
    engine.violations.length = 0;
  });
});

describe("fake engine without a schema", () => {
  const engine = useFakeEngine({ schemaPath: null });

  it("answers a leaf it has no answer for with an error, not a hang", async () => {
    const { json } = await post(engine, { query: '{ container { from(address: "alpine") { frobnicate } } }' });
    expect(json.errors?.[0]?.message).toContain("no answer for frobnicate");
    expect(engine.violations.map((v) => v.kind)).toEqual(["unanswerable"]);
    engine.violations.length = 0;
  });

  it("still runs SDK pipelines", async () => {
    const out = await withEngine(engine, () => dag.container().from("alpine").withExec(["echo", "hi"]).stdout());
    expect(out).toBe("");
    expect(engine.froms()).toEqual(["alpine"]);
  });
});

describe("fake engine schema location", () => {
  it(`fails with a clear message when $${SCHEMA_ENV} names a missing file`, () => {
    const saved = process.env[SCHEMA_ENV];
    process.env[SCHEMA_ENV] = "/nonexistent/schema.graphqls";
    try {
      expect(() => new FakeEngine()).toThrow(`$${SCHEMA_ENV}: /nonexistent/schema.graphqls does not exist — expected the Dagger API schema`);
    } finally {
      if (saved === undefined) delete process.env[SCHEMA_ENV];
      else process.env[SCHEMA_ENV] = saved;
    }
  });

  it("uses the shared v0.21.8 schema when present, and otherwise refuses to run unvalidated unless told to", () => {
    const saved = process.env[SCHEMA_ENV];
    delete process.env[SCHEMA_ENV];
    try {
      if (existsSync(DEFAULT_SCHEMA_PATH)) expect(new FakeEngine().schemaPath).toBe(DEFAULT_SCHEMA_PATH);
      else expect(() => new FakeEngine()).toThrow(`pass schemaPath: null to run unvalidated on purpose`);
      expect(new FakeEngine({ schemaPath: null }).schemaPath).toBeUndefined();
    } finally {
      if (saved !== undefined) process.env[SCHEMA_ENV] = saved;
    }
  });
});

describe("fake engine recording SDK pipelines", () => {
  const engine = useFakeEngine();

  it("records a chain step by step, with what is in force at each exec", async () => {
    await withEngine(engine, () =>
      dag
        .container()
        .from("node:24")
        .withWorkdir("/app")
        .withEnvVariable("CI", "true")
        .withMountedCache("/root/.pnpm-store", dag.cacheVolume("pnpm-store"), { sharing: CacheSharingMode.Locked })
        .withUser("1000")
        .withExec(["pnpm", "install", "--frozen-lockfile"])
        .stdout(),
    );
    expect(engine.stepsOf("withExec").map((s) => s.chain.map((step) => step.field))).toEqual([
      ["container", "from", "withWorkdir", "withEnvVariable", "withMountedCache", "withUser", "withExec"],
    ]);
    expect(engine.execs()).toMatchObject([
      {
        args: ["pnpm", "install", "--frozen-lockfile"],
        image: "node:24",
        user: "1000",
        workdir: "/app",
        env: { CI: "true" },
        mounts: { "/root/.pnpm-store": { kind: "cache", source: "pnpm-store", options: { sharing: "LOCKED" } } },
      },
    ]);
    expect(engine.plan()).toContain('.withMountedCache(path: "/root/.pnpm-store", cache: <CacheVolume cacheVolume(key: "pnpm-store")>, sharing: "LOCKED")');
  });

  it("resolves an object argument's ID back to the chain that made it", async () => {
    const config = dag.directory().withNewFile("security-config.yml", "policy: {}\n");
    await withEngine(engine, () => dag.container().from("alpine").withDirectory("/src", config).withExec(["ls", "/src"]).sync());
    const [withDirectory] = engine.stepsOf("withDirectory");
    const source = withDirectory?.args["source"];
    expect(source).toBeInstanceOf(ObjectRef);
    expect((source as ObjectRef).type).toBe("Directory");
    expect((source as ObjectRef).chain).toMatchObject([
      { field: "directory", args: {} },
      { field: "withNewFile", args: { path: "security-config.yml", contents: "policy: {}\n" } },
    ]);
  });

  it("continues a synced object's chain through node(id:)", async () => {
    await withEngine(engine, async () => {
      const built = await dag.container().from("alpine").withExec(["make"]).sync();
      await built.withExec(["make", "test"]).stdout();
    });
    expect(engine.queries.some((q) => /node\s*\(id:/.test(q))).toBe(true);
    expect(engine.execs().map((e) => e.chain.map((s) => s.field).join("."))).toEqual([
      "container.from.withExec",
      "container.from.withExec.withExec",
    ]);
  });

  it("answers stdout, stderr and exit code from a rule", async () => {
    engine.addRule({ when: execStartsWith("node", "--version"), stdout: "v24.13.1\n", stderr: "warn\n", exitCode: 0 });
    const out = await withEngine(engine, async () => {
      const ran = dag.container().from("node:24").withExec(["node", "--version"]);
      return [await ran.stdout(), await ran.stderr(), await ran.exitCode()];
    });
    expect(out).toEqual(["v24.13.1\n", "warn\n", 0]);
  });

  it("raises ExecError with exit code, stdout and stderr when a command fails", async () => {
    engine.addRule({ when: execStartsWith("pnpm", "install"), exitCode: 1, stdout: "Progress\n", stderr: "ERR_PNPM_OUTDATED_LOCKFILE\n" });
    const error = await withEngine(engine, () =>
      dag.container().from("node:24").withExec(["pnpm", "install", "--frozen-lockfile"]).withExec(["pnpm", "build"]).stdout(),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExecError);
    expect(error).toMatchObject({ cmd: ["pnpm", "install", "--frozen-lockfile"], exitCode: 1, stdout: "Progress\n", stderr: "ERR_PNPM_OUTDATED_LOCKFILE\n" });
  });

  it("lets an exec with expect: ANY return its exit code without an error", async () => {
    engine.addRule({ when: execStartsWith("trivy"), exitCode: 10, stdout: "{}" });
    const code = await withEngine(engine, () =>
      dag.container().from("aquasec/trivy").withExec(["trivy", "image", "--exit-code", "10"], { expect: ReturnType.Any }).exitCode(),
    );
    expect(code).toBe(10);
  });

  it("does not run commands for a lazy id lookup", async () => {
    engine.addRule({ when: execStartsWith("false"), exitCode: 1 });
    const id = await withEngine(engine, () => dag.container().from("alpine").withExec(["false"]).id());
    expect(id).toMatch(/^fake-id:Container:/);
  });

  it.each([
    { name: "a redirected stdout file", path: "/out.json", expected: '{"ok":true}' },
    { name: "a canned file by suffix", path: "/work/report.json", expected: "canned report" },
  ])("reads $name", async ({ path: at, expected }) => {
    engine.addRule({ when: execStartsWith("scan"), stdout: '{"ok":true}' });
    engine.files.set("report.json", "canned report");
    const text = await withEngine(engine, () =>
      dag.container().from("alpine").withExec(["scan"], { redirectStdout: "/out.json" }).file(at).contents(),
    );
    expect(text).toBe(expected);
  });

  it("prefers a contents rule over canned files", async () => {
    engine.files.set("report.json", "from files");
    engine.addRule({ when: fileAt("report.json"), contents: "from rule" });
    const text = await withEngine(engine, () => dag.container().from("alpine").withExec(["scan"]).file("/report.json").contents());
    expect(text).toBe("from rule");
  });

  it("reads host directories from disk, like the real engine reads the caller's files", async () => {
    const text = await withEngine(engine, () => dag.host().directory("test/support").file("paths.ts").contents());
    expect(text).toBe(readFileSync(path.join(repoRoot, "test/support/paths.ts"), "utf8"));
  });

  it.each([
    { name: "exists on disk", file: "paths.ts", exists: true },
    { name: "is absent on disk", file: "no-such-file.yml", exists: false },
    { name: "was written with withNewFile", file: "security-config.yml", exists: true },
    { name: "was removed with withoutFile", file: "fake-engine/engine.ts", exists: false },
  ])("answers exists for a file that $name", async ({ file, exists }) => {
    const answer = await withEngine(engine, () =>
      dag.host().directory("test/support").withNewFile("security-config.yml", "x").withoutFile("fake-engine/engine.ts").exists(file),
    );
    expect(answer).toBe(exists);
  });

  describe("a symlink in a host directory, as Directory.exists sees it", () => {
    // Made when the tests run, not when they are collected: a skipped suite then leaves nothing behind.
    let dir = "";
    beforeAll(() => {
      dir = mkdtempSync(path.join(os.tmpdir(), "drydock-harness-links-"));
      mkdirSync(path.join(dir, "real"));
      writeFileSync(path.join(dir, "real/file.txt"), "x");
      symlinkSync("real", path.join(dir, "to-folder"));
      symlinkSync("real/file.txt", path.join(dir, "to-file"));
      symlinkSync("gone", path.join(dir, "dangling"));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it.each([
      { path: "to-folder", opts: { expectedType: ExistsType.DirectoryType }, answer: true },
      { path: "to-folder", opts: { expectedType: ExistsType.DirectoryType, doNotFollowSymlinks: true }, answer: false },
      { path: "to-folder", opts: { expectedType: ExistsType.SymlinkType }, answer: true },
      { path: "to-file", opts: { expectedType: ExistsType.RegularType }, answer: true },
      { path: "to-file", opts: { expectedType: ExistsType.SymlinkType, doNotFollowSymlinks: true }, answer: true },
      { path: "dangling", opts: {}, answer: false },
      { path: "dangling", opts: { doNotFollowSymlinks: true }, answer: true },
      { path: "real", opts: { expectedType: ExistsType.SymlinkType, doNotFollowSymlinks: true }, answer: false },
      { path: "to-folder/file.txt", opts: { expectedType: ExistsType.SymlinkType, doNotFollowSymlinks: true }, answer: false },
      { path: "absent", opts: { expectedType: ExistsType.SymlinkType }, answer: false },
    ])("exists($path, $opts) is $answer", async ({ path: p, opts, answer }) => {
      expect(await withEngine(engine, () => dag.host().directory(dir).exists(p, opts))).toBe(answer);
    });
  });

  it.each([
    { name: "a file copied into a container", read: () => dag.container().from("alpine").withWorkdir("/app").withDirectory("src", dag.host().directory("test")).file("src/support/paths.ts") },
    { name: "a file in a subdirectory", read: () => dag.host().directory("test").directory("support").file("paths.ts") },
    { name: "a file mounted into a container", read: () => dag.container().from("alpine").withMountedFile("/cfg.ts", dag.host().file("test/support/paths.ts")).file("/cfg.ts") },
  ])("follows $name back to the host", async ({ read }) => {
    const text = await withEngine(engine, () => read().contents());
    expect(text).toBe(readFileSync(path.join(repoRoot, "test/support/paths.ts"), "utf8"));
  });

  it("lists a host directory with directories marked by a trailing slash", async () => {
    const entries = await withEngine(engine, () => dag.host().directory("test/support").withNewFile("extra.txt", "").entries());
    expect(entries).toEqual(expect.arrayContaining(["extra.txt", "fake-engine/", "paths.ts"]));
  });

  it("answers a missing file with an engine error, not a violation", async () => {
    const error = await withEngine(engine, () => dag.host().directory("test/support").file("missing.yml").contents()).catch((e: unknown) => e);
    expect(String(error)).toContain("no such file or directory");
    expect(engine.violations).toEqual([]);
  });

  it("fails the test when module code swallows a query the fake cannot answer", async () => {
    const attempt = withEngine(engine, async () => {
      try {
        return await dag.container().from("alpine").withExec(["scan"]).file("/unconfigured.json").contents();
      } catch {
        return "fell back";
      }
    });
    await expect(attempt).rejects.toThrow("cannot tell the contents of");
    engine.violations.length = 0;
  });

  it("records secrets by name only", async () => {
    await withEngine(engine, () =>
      dag
        .container()
        .from("alpine")
        .withSecretVariable("TOKEN", dag.setSecret("registry-token", "hunter2-plaintext"))
        .withExec(["login"])
        .sync(),
    );
    expect(engine.leaks("hunter2-plaintext")).toEqual([]);
    expect(engine.execs()[0]?.secretEnv).toEqual({ TOKEN: 'setSecret(name: "registry-token", plaintext: "***")' });
  });

  it("publishes to a digest-pinned reference", async () => {
    const ref = await withEngine(engine, () => dag.container().from("alpine").publish("127.0.0.1:5000/drydock-backend:1.0.0"));
    expect(ref).toMatch(/^127\.0\.0\.1:5000\/drydock-backend:1\.0\.0@sha256:[0-9a-f]{64}$/);
  });

  it("runs module code that holds the source Directory from the host", async () => {
    const entries = await withEngine(engine, () => new Drydock(dag.host().directory("test")).source.entries());
    expect(entries).toEqual(expect.arrayContaining(["plan/", "support/"]));
    expect(engine.plan()).toBe('host\n  .directory(path: "test")\n  .entries');
  });
});
