/**
 * The program that takes pnpm's timestamps and hash order out of a deployed folder, run by the real
 * node on folders shaped as pnpm 12's deploy writes them. That two cold builds then give the same
 * files is the e2e's (test/e2e/reproducible.test.ts).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DEPLOY_STATE, DEPLOY_STATE_LINES } from "../../../dagger/src/images/deploy-state.ts";

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

/** A deployed folder with `manifest` as its package.json text and pnpm's two state files. */
function deployed(manifest: string, withState = true): string {
  const root = mkdtempSync(path.join(os.tmpdir(), "deploy-state-"));
  roots.push(root);
  writeFileSync(path.join(root, "package.json"), manifest);
  mkdirSync(path.join(root, "node_modules/.pnpm/lodash@4.17.21/node_modules/lodash"), { recursive: true });
  writeFileSync(path.join(root, "node_modules/.pnpm/lock.yaml"), "lockfileVersion: '9.0'\n");
  if (withState) {
    writeFileSync(path.join(root, "node_modules/.modules.yaml"), `{\n  "prunedAt": "${new Date().toUTCString()}"\n}\n`);
    writeFileSync(path.join(root, "node_modules/.pnpm-workspace-state-v1.json"), `{\n  "lastValidatedTimestamp": ${Date.now()}\n}\n`);
  }
  return root;
}

function normalise(root: string) {
  const run = spawnSync(process.execPath, ["-e", DEPLOY_STATE, root], { encoding: "utf8" });
  return { status: run.status, stderr: run.stderr };
}

/** What pnpm 12's deploy wrote for the reference backend, dependencies in hash order. */
const AS_DEPLOYED = JSON.stringify(
  {
    name: "drydock-example-backend",
    version: "1.0.0",
    type: "module",
    scripts: { build: "nest build", start: "node dist/main.js" },
    dependencies: { "@nestjs/platform-express": "12.5.1", rxjs: "7.8.2", "@prisma/client": "7.10.0", "@nestjs/common": "12.5.1", pg: "8.23.1" },
    devDependencies: {},
    optionalDependencies: {},
  },
  null,
  2,
);

describe("DEPLOY_STATE", () => {
  it("removes pnpm's two state files, which hold the time of the deploy, and keeps the rest of node_modules", () => {
    const root = deployed(AS_DEPLOYED);
    expect(normalise(root)).toEqual({ status: 0, stderr: "" });
    expect(existsSync(path.join(root, "node_modules/.modules.yaml"))).toBe(false);
    expect(existsSync(path.join(root, "node_modules/.pnpm-workspace-state-v1.json"))).toBe(false);
    expect(existsSync(path.join(root, "node_modules/.pnpm/lock.yaml"))).toBe(true);
    expect(existsSync(path.join(root, "node_modules/.pnpm/lodash@4.17.21/node_modules/lodash"))).toBe(true);
  });

  it("writes the dependencies in name order and every other field as it was, in its place", () => {
    const root = deployed(AS_DEPLOYED);
    normalise(root);
    const text = readFileSync(path.join(root, "package.json"), "utf8");
    expect(text.endsWith("}\n")).toBe(true);
    const written = JSON.parse(text);
    expect(Object.keys(written)).toEqual(["name", "version", "type", "scripts", "dependencies", "devDependencies", "optionalDependencies"]);
    expect(Object.keys(written.dependencies)).toEqual(["@nestjs/common", "@nestjs/platform-express", "@prisma/client", "pg", "rxjs"]);
    expect(written).toEqual(JSON.parse(AS_DEPLOYED));
  });

  it("gives the same bytes for the same dependencies in any order (what two deploys of one lockfile write)", () => {
    const shuffled = JSON.stringify({ ...JSON.parse(AS_DEPLOYED), dependencies: { pg: "8.23.1", "@nestjs/common": "12.5.1", rxjs: "7.8.2", "@prisma/client": "7.10.0", "@nestjs/platform-express": "12.5.1" } });
    const [first, second] = [deployed(AS_DEPLOYED), deployed(shuffled)];
    normalise(first);
    normalise(second);
    expect(readFileSync(path.join(first, "package.json"), "utf8")).toBe(readFileSync(path.join(second, "package.json"), "utf8"));
  });

  it("is idempotent, and needs neither state file nor any dependency map", () => {
    const root = deployed(JSON.stringify({ name: "app", version: "1.0.0" }), false);
    expect(normalise(root)).toEqual({ status: 0, stderr: "" });
    const once = readFileSync(path.join(root, "package.json"), "utf8");
    expect(normalise(root)).toEqual({ status: 0, stderr: "" });
    expect(readFileSync(path.join(root, "package.json"), "utf8")).toBe(once);
  });

  it("fails the step, naming the file, when the deployed package.json is missing or not JSON: no image from a broken deploy", () => {
    const root = deployed("{ not json");
    const broken = normalise(root);
    const file = path.join(root, "package.json");
    expect(broken).toEqual({ status: 1, stderr: expect.stringMatching(new RegExp(`^deploy: found no readable JSON in ${file} \\(.*JSON.*\\), expected the package.json pnpm deploy writes\n$`)) });
    rmSync(file);
    expect(normalise(root)).toEqual({ status: 1, stderr: expect.stringMatching(new RegExp(`^deploy: found no readable JSON in ${file} \\(ENOENT.*\\), expected the package.json pnpm deploy writes\n$`)) });
  });

  it("is text a Dockerfile can hold in single quotes, one line of it a line: no quote, $ or backslash", () => {
    for (const line of DEPLOY_STATE_LINES) expect(line).not.toMatch(/['$\\]/);
    expect(DEPLOY_STATE).toBe(DEPLOY_STATE_LINES.join(""));
  });
});
