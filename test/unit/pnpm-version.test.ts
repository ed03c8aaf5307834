import { describe, expect, it } from "vitest";
import { SourceError } from "../../dagger/src/errors.ts";
import { readFileSync } from "node:fs";
import path from "node:path";
import { repoRoot } from "../support/paths.ts";
import { appPnpmVersion, pnpmFromLockfile, pnpmFromManifest } from "../../dagger/src/pnpm-version.ts";

const FILE = "api/package.json";
const manifest = (packageManager?: unknown) => JSON.stringify({ name: "api", ...(packageManager === undefined ? {} : { packageManager }) });
const lockfile = (pnpm?: string) =>
  ["lockfileVersion: '9.0'", "", "importers:", "", "  .:", ...(pnpm ? ["    packageManagerDependencies:", "      pnpm:", `        specifier: ${pnpm}`, `        version: ${pnpm}`] : ["    dependencies: {}"]), ""].join("\n");
const FIX_FIELD = `set "packageManager": "pnpm@<version>" in ${FILE} to the pnpm the lockfile was written with (e.g. \`pnpm --version\`), or pass --pnpm-version`;

describe("the pnpm of an app's package.json", () => {
  it.each([
    { name: "an exact version", field: "pnpm@12.4.2", version: "12.4.2" },
    { name: "an older major", field: "pnpm@9.15.0", version: "9.15.0" },
  ])("is read from $name", ({ field, version }) => {
    expect(pnpmFromManifest(manifest(field), FILE)).toBe(version);
  });

  it.each([
    { name: "no packageManager", text: manifest(), problem: `api/package.json: packageManager: found no such field, expected "pnpm@MAJOR.MINOR.PATCH", the pnpm that installs the app — ${FIX_FIELD}` },
    { name: "yarn", text: manifest("yarn@4.1.0"), problem: `api/package.json: packageManager: found "yarn@4.1.0", expected "pnpm@MAJOR.MINOR.PATCH": drydock installs apps with pnpm — ${FIX_FIELD}` },
    { name: "npm", text: manifest("npm@10.9.0"), problem: `api/package.json: packageManager: found "npm@10.9.0", expected "pnpm@MAJOR.MINOR.PATCH": drydock installs apps with pnpm — ${FIX_FIELD}` },
    { name: "a packageManager that is not a string", text: manifest(12), problem: `api/package.json: packageManager: found 12, expected "pnpm@MAJOR.MINOR.PATCH": drydock installs apps with pnpm — ${FIX_FIELD}` },
    { name: "a range", text: manifest("pnpm@^12.4.2"), problem: `api/package.json: packageManager: found "pnpm@^12.4.2", expected "pnpm@MAJOR.MINOR.PATCH" like "pnpm@12.4.2" — ${FIX_FIELD}` },
    { name: "an npm alias", text: manifest("pnpm@npm:evil-pnpm@1.0.0"), problem: `api/package.json: packageManager: found "pnpm@npm:evil-pnpm@1.0.0", expected "pnpm@MAJOR.MINOR.PATCH" like "pnpm@12.4.2" — ${FIX_FIELD}` },
    { name: "a tarball URL", text: manifest("pnpm@https://evil.example/pnpm.tgz"), problem: `api/package.json: packageManager: found "pnpm@https://evil.example/pnpm.tgz", expected "pnpm@MAJOR.MINOR.PATCH" like "pnpm@12.4.2" — ${FIX_FIELD}` },
    { name: "a version with a blank", text: manifest("pnpm@12.4.2 --registry=http://evil.example/"), problem: `api/package.json: packageManager: found "pnpm@12.4.2 --registry=http://evil.example/", expected "pnpm@MAJOR.MINOR.PATCH" like "pnpm@12.4.2" — ${FIX_FIELD}` },
    {
      name: "the integrity form, which npm cannot verify",
      text: manifest(`pnpm@12.4.2+sha512.${"ab".repeat(64)}`),
      problem: `api/package.json: packageManager: found "pnpm@12.4.2+sha512.${"ab".repeat(64)}", expected "pnpm@12.4.2" — drop the "+sha512…" suffix: drydock installs pnpm with npm, which checks the registry's integrity but cannot verify packageManager's hash`,
    },
    { name: "a manifest that is not JSON", text: "{ name: api }", problem: "api/package.json: found text that is not JSON (" },
  ])("is refused for $name, naming the file", ({ text, problem }) => {
    const error = (() => {
      try {
        pnpmFromManifest(text, FILE);
      } catch (e) {
        return e as Error;
      }
      throw new Error("not refused");
    })();
    expect(error).toBeInstanceOf(SourceError);
    expect(error.message.startsWith(problem), error.message).toBe(true);
  });
});

describe("the pnpm a lockfile records", () => {
  it.each([
    { name: "pnpm 11+'s packageManagerDependencies", text: lockfile("12.4.2"), version: "12.4.2" },
    { name: "nothing, in an older lockfile", text: lockfile(), version: undefined },
    { name: "nothing, in a lockfile that is not YAML", text: "importers: [", version: undefined },
  ])("is $name", ({ text, version }) => {
    expect(pnpmFromLockfile(text)).toBe(version);
  });

  // pnpm 12 writes two YAML documents (its own install, then the projects'): reading only one
  // document made every real lockfile look like it recorded nothing, so no mismatch was caught.
  it.each(["examples/app/backend/pnpm-lock.yaml", "examples/app/frontend/pnpm-lock.yaml", "examples/workspace/pnpm-lock.yaml"])("is read from the committed %s", (file) => {
    expect(pnpmFromLockfile(readFileSync(path.join(repoRoot, file), "utf8"))).toBe("12.4.2");
  });
});

describe("an app's pnpm", () => {
  it("is packageManager's when the lockfile records the same or nothing", () => {
    expect([appPnpmVersion({ manifest: manifest("pnpm@12.4.2"), lockfile: lockfile("12.4.2") }, "api"), appPnpmVersion({ manifest: manifest("pnpm@12.4.2"), lockfile: lockfile() }, "api")]).toEqual(["12.4.2", "12.4.2"]);
  });

  it("is refused when the lockfile records another, naming both files", () => {
    expect(() => appPnpmVersion({ manifest: manifest("pnpm@12.4.2"), lockfile: lockfile("12.3.0") }, "api")).toThrow(
      'api/pnpm-lock.yaml: found pnpm "12.3.0" recorded (importers → . → packageManagerDependencies), expected the pnpm api/package.json names in packageManager, 12.4.2 — run `pnpm install` with pnpm 12.4.2 in api and commit the lockfile, or set packageManager to "pnpm@12.3.0"',
    );
  });
});
