import { readFileSync } from "node:fs";
import { mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, inject, it, vi } from "vitest";
import { build, buildCaFile } from "../support/docker/app-images.ts";
import { resolveBaseImages } from "../support/docker/base-images.ts";
import { docker, run } from "../support/docker/cli.ts";
import { copyCommittableTree } from "../support/docker/canaries.ts";
import { REPO_ROOT } from "../support/docker/engine.ts";
import { translateCompose } from "../support/docker/compose-flags.ts";
import { readSavedImage, readTar } from "../support/docker/image-archive.ts";
import { fetchPinnedTarball } from "../support/docker/npm-tarball.ts";
import { aptCandidates } from "../support/docker/standin-common.ts";
import { Stack } from "../support/docker/stack.ts";

const ctx = inject("drydockE2e");

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("the e2e harness refuses bad settings with a message that says what to do", () => {
  it("rejects an unknown DRYDOCK_E2E_BASES before touching Docker", async () => {
    vi.stubEnv("DRYDOCK_E2E_BASES", "alpine");
    await expect(resolveBaseImages(() => {})).rejects.toThrow('DRYDOCK_E2E_BASES is "alpine"; expected "official", "stand-in" or unset');
  });

  it("rejects a DRYDOCK_E2E_CA that does not exist", () => {
    vi.stubEnv("DRYDOCK_E2E_CA", "/nonexistent/ca.pem");
    expect(() => buildCaFile()).toThrow('DRYDOCK_E2E_CA is "/nonexistent/ca.pem", which does not exist; expected a PEM file');
  });

  it("refuses a tarball whose integrity is not the pinned one", async () => {
    const dir = await mkdtemp(path.join(ctx.workDir, "tarball-"));
    const pin = { spec: "is-number@7.0.0", integrity: "sha512-AAAA" };
    await expect(fetchPinnedTarball(pin, dir)).rejects.toThrow(/is-number@7.0.0: tarball integrity is sha512-\S+, expected sha512-AAAA/);
  });

  it("refuses to tag a stand-in by a package apt does not know", async () => {
    await expect(aptCandidates(["drydock-no-such-package"])).rejects.toThrow("apt-cache policy drydock-no-such-package: no candidate version");
  });

  it("says which program could not be started", async () => {
    await expect(run("/nonexistent/drydock-tool", [])).rejects.toThrow("could not start /nonexistent/drydock-tool: spawn /nonexistent/drydock-tool ENOENT");
  });

  it("shows the command and Docker's own words when a docker command fails", async () => {
    await expect(docker(["image", "inspect", "drydock-no-such-image:none"])).rejects.toThrow(
      /docker image inspect drydock-no-such-image:none exited 1:\n.*No such image/,
    );
  });

  it("shows BuildKit's log when a build that must succeed fails", async () => {
    const missing = path.join(ctx.workDir, "no-such-context");
    await expect(build({ app: "backend", context: missing, tag: "drydock-e2e/never:built", bases: ctx.bases })).rejects.toThrow(
      /docker build backend \(drydock-e2e\/never:built\) exited 1:\n.*no-such-context/,
    );
  });

  it("refuses a pinned tarball version the registry does not have", async () => {
    const dir = await mkdtemp(path.join(ctx.workDir, "tarball-"));
    await expect(fetchPinnedTarball({ spec: "is-number@0.0.0-drydock-none", integrity: "sha512-AAAA" }, dir)).rejects.toThrow(
      "npm pack is-number@0.0.0-drydock-none exited",
    );
  });

  it("refuses to copy an application folder git knows no files in", async () => {
    const dest = await mkdtemp(path.join(ctx.workDir, "copy-"));
    await expect(copyCommittableTree(REPO_ROOT, "examples/no-such-app", dest)).rejects.toThrow(
      `${path.join(REPO_ROOT, "examples/no-such-app")}: git lists no files; expected the reference application`,
    );
  });

  it.each([
    { name: "a service the compose file lacks", yaml: "services: { api: { networks: [n] } }", start: { service: "web", image: "x", environment: {} }, error: 'compose.security.yaml: no service "web"; found api' },
    { name: "a service on no network", yaml: "services: { api: { networks: [] } }", start: { service: "api", image: "x", environment: {} }, error: "compose.security.yaml: services.api.networks is empty; expected at least one network" },
    { name: "a secret without a file", yaml: "services: { api: { networks: [n], secrets: [pw] } }", start: { service: "api", image: "x", environment: {} }, error: 'compose.security.yaml: services.api.secrets names "pw" but the test gave no file for it' },
  ])("refuses to start $name", async ({ yaml, start, error }) => {
    const stack = new Stack(ctx, translateCompose(yaml, "c.yaml"));
    await expect(stack.start(start)).rejects.toThrow(error);
  });

  it("refuses to start a service whose environment differs from the compose file's", async () => {
    const compose = translateCompose("services: { api: { environment: { DATABASE_URL: x, PORT: '1' }, networks: [n] } }\nnetworks: { n: {} }", "c.yaml");
    const stack = new Stack(ctx, compose);
    await expect(stack.start({ service: "api", image: "unused", environment: { PORT: "1" } })).rejects.toThrow(
      "compose.security.yaml: services.api.environment declares [DATABASE_URL,PORT] but the test supplies [PORT]",
    );
  });
});

describe("reading docker save archives", () => {
  it.each(["gnu", "pax", "ustar"])("reads every file of a %s tar, long names included", async (format) => {
    const dir = await mkdtemp(path.join(ctx.workDir, `tar-${format}-`));
    const long = `${"d".repeat(60)}/${"e".repeat(60)}/file.txt`;
    await mkdir(path.join(dir, "in", path.dirname(long)), { recursive: true });
    await writeFile(path.join(dir, "in", long), "long");
    await writeFile(path.join(dir, "in", "short.txt"), "short");
    const archive = path.join(dir, "a.tar");
    const made = await run("tar", [`--format=${format}`, "-C", path.join(dir, "in"), "-cf", archive, "short.txt", long]);
    expect(made.code).toBe(0);
    const files = readTar(await readFile(archive));
    expect(Object.fromEntries([...files].map(([n, b]) => [n, b.toString()]))).toEqual({ "short.txt": "short", [long]: "long" });
  });
});

describe("reading a docker save archive that is not one", () => {
  it.each([
    { name: "no manifest.json", files: { "layer.tar": "x" }, error: "a.tar: no manifest.json; found layer.tar" },
    { name: "a manifest listing no image", files: { "manifest.json": "[]" }, error: "a.tar: manifest.json lists no image; expected one" },
    {
      name: "a manifest listing a layer the archive lacks",
      files: { "manifest.json": '[{"Config":"c.json","Layers":["l1/layer.tar"]}]', "c.json": "{}" },
      error: "a.tar: manifest.json lists layer l1/layer.tar, which the archive does not hold",
    },
    {
      name: "a manifest naming a config the archive lacks",
      files: { "manifest.json": '[{"Config":"c.json","Layers":["l1.tar"]}]', "l1.tar": "x" },
      error: "a.tar: manifest.json names config c.json, which the archive does not hold",
    },
  ])("rejects $name", async ({ files, error }) => {
    const dir = await mkdtemp(path.join(ctx.workDir, "save-"));
    for (const [name, content] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(dir, "in", name)), { recursive: true });
      await writeFile(path.join(dir, "in", name), content);
    }
    expect((await run("tar", ["-C", path.join(dir, "in"), "-cf", path.join(dir, "a.tar"), ...Object.keys(files)])).code).toBe(0);
    expect(() => readSavedImage(readFileSync(path.join(dir, "a.tar")), "a.tar")).toThrow(error);
  });
});
