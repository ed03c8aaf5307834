/**
 * Which pnpm installs each app: the one its package.json's packageManager names (checked against
 * the version its lockfile records), unless with-pnpm-version overrides it — and the error a
 * manifest without a usable packageManager gets, before anything runs.
 */
import { describe, expect, it } from "vitest";
import { SourceError } from "../../dagger/src/source.ts";
import { useFakeEngine, withEngine } from "../support/fake-engine/index.js";
import { drydock, MINIMAL_APPS, rejectionOf, useTempSources } from "../support/plan-helpers.js";

const engine = useFakeEngine();
const tempSource = useTempSources();

const manifest = (packageManager?: string) => `${JSON.stringify({ name: "backend", ...(packageManager === undefined ? {} : { packageManager }) })}\n`;
const lockfileRecording = (pnpm: string) =>
  ["lockfileVersion: '9.0'", "", "importers:", "", "  .:", "    packageManagerDependencies:", "      pnpm:", `        specifier: ${pnpm}`, `        version: ${pnpm}`, ""].join("\n");
const backendWith = (files: Record<string, string>) => tempSource({ ...MINIMAL_APPS, ...files });

/** The argv of every npm install of pnpm the plan ran. */
const pnpmInstalls = () => engine.execs().filter((e) => e.args[0] === "npm" && e.args[2] === "--global").map((e) => e.args[3]);

describe("the pnpm of each app", () => {
  it("is the one its package.json's packageManager names", async () => {
    const dir = backendWith({ "backend/package.json": manifest("pnpm@12.3.0") });
    await withEngine(engine, async () => (await drydock(dir).backend()).sync());
    expect(pnpmInstalls()).toEqual(["pnpm@12.3.0"]);
  });

  it("is read per app: the frontend keeps its own", async () => {
    const dir = backendWith({ "backend/package.json": manifest("pnpm@12.3.0") });
    await withEngine(engine, async () => (await drydock(dir).frontend()).sync());
    expect(pnpmInstalls()).toEqual(["pnpm@12.4.2"]);
  });

  it("is accepted when the lockfile records the same version", async () => {
    const dir = backendWith({ "backend/package.json": manifest("pnpm@12.3.0"), "backend/pnpm-lock.yaml": lockfileRecording("12.3.0") });
    await withEngine(engine, async () => (await drydock(dir).backend()).sync());
    expect(pnpmInstalls()).toEqual(["pnpm@12.3.0"]);
  });

  it("is with-pnpm-version's when given, whatever packageManager says or lacks", async () => {
    const dir = backendWith({ "backend/package.json": manifest() });
    await withEngine(engine, async () => (await drydock(dir, { pnpmVersion: "12.5.0" }).backend()).sync());
    expect(pnpmInstalls()).toEqual(["pnpm@12.5.0"]);
  });
});

describe("a manifest or lockfile that names no usable pnpm", () => {
  const FIX = 'set "packageManager": "pnpm@<version>" in backend/package.json to the pnpm the lockfile was written with (e.g. `pnpm --version`), or pass --pnpm-version';
  it.each<{ name: string; files: Record<string, string>; message: string }>([
    { name: "no packageManager", files: { "backend/package.json": manifest() }, message: `backend/package.json: packageManager: found no such field, expected "pnpm@MAJOR.MINOR.PATCH", the pnpm that installs the app — ${FIX}` },
    { name: "yarn", files: { "backend/package.json": manifest("yarn@4.1.0") }, message: `backend/package.json: packageManager: found "yarn@4.1.0", expected "pnpm@MAJOR.MINOR.PATCH": drydock installs apps with pnpm — ${FIX}` },
    { name: "an npm alias", files: { "backend/package.json": manifest("pnpm@npm:evil-pnpm@1.0.0") }, message: `backend/package.json: packageManager: found "pnpm@npm:evil-pnpm@1.0.0", expected "pnpm@MAJOR.MINOR.PATCH" like "pnpm@12.4.2" — ${FIX}` },
    {
      name: "the integrity form, which npm cannot verify",
      files: { "backend/package.json": manifest(`pnpm@12.4.2+sha512.${"ab".repeat(64)}`) },
      message: `backend/package.json: packageManager: found "pnpm@12.4.2+sha512.${"ab".repeat(64)}", expected "pnpm@12.4.2" — drop the "+sha512…" suffix: drydock installs pnpm with npm, which checks the registry's integrity but cannot verify packageManager's hash`,
    },
    {
      name: "a lockfile written by another pnpm",
      files: { "backend/package.json": manifest("pnpm@12.4.2"), "backend/pnpm-lock.yaml": lockfileRecording("12.3.0") },
      message:
        'backend/pnpm-lock.yaml: found pnpm "12.3.0" recorded (importers → . → packageManagerDependencies), expected the pnpm backend/package.json names in packageManager, 12.4.2 — run `pnpm install` with pnpm 12.4.2 in backend and commit the lockfile, or set packageManager to "pnpm@12.3.0"',
    },
  ])("fails on $name with a SourceError naming the file, before any command", async ({ files, message }) => {
    const error = await rejectionOf(withEngine(engine, async () => (await drydock(backendWith(files)).backend()).sync()));
    expect(error).toBeInstanceOf(SourceError);
    expect(error.message).toBe(message);
    expect(engine.queries.filter((q) => q.includes("withExec"))).toEqual([]);
  });
});
