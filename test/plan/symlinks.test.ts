/**
 * No input of the build is reached through a symlink (dagger/src/symlinks.ts): the engine resolves
 * a link inside the source, where the Dockerfiles' layout stage resolves it in the build image
 * (`packages/evil -> /` reaches its /etc), so both refuse one, naming it and what it points to —
 * read from the patch the engine writes of the link alone — before any command runs. A link inside
 * an input folder stays a link. Run on a small workspace written per test: the backend (the
 * default apps.backend.path), with Prisma's default schema, links the local package packages/a.
 */
import { mkdirSync, renameSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

import { SourceError } from "../../dagger/src/source.ts";
import { hasStep, useFakeEngine, withEngine } from "../support/fake-engine/index.js";
import { drydock, rejectionOf, useTempSources } from "../support/plan-helpers.js";
import { symlinkPatch } from "../support/symlink-patch.js";

const engine = useFakeEngine();
const tempSource = useTempSources();

const lockfile = (link: string) =>
  `lockfileVersion: '9.0'\n\nimporters:\n\n  .: {}\n\n  backend:\n    dependencies:\n      a:\n        specifier: link:${link}\n        version: link:${link}\n\n  packages/a: {}\n`;

const WORKSPACE: Readonly<Record<string, string>> = {
  "package.json": '{ "name": "root", "private": true, "packageManager": "pnpm@12.4.2" }\n',
  "pnpm-workspace.yaml": "packages:\n  - backend\n  - packages/*\n",
  "pnpm-lock.yaml": lockfile("../packages/a"),
  "backend/package.json": '{ "name": "backend", "packageManager": "pnpm@12.4.2", "dependencies": { "a": "link:../packages/a" } }\n',
  "backend/prisma/schema.prisma": "model User {\n  id Int @id\n}\n",
  "packages/a/package.json": '{ "name": "a", "version": "1.0.0" }\n',
  "packages/a/index.js": "",
};

/** The workspace with `edit` applied (paths relative to its root); the engine answers the patch of `link` as it would write it. */
function linkedWorkspace(link: string | undefined, edit: (at: (file: string) => string) => void): string {
  const dir = tempSource(WORKSPACE);
  edit((file) => path.join(dir, file));
  if (link !== undefined) engine.addRule({ when: hasStep("asPatch"), contents: symlinkPatch(dir, link) });
  return dir;
}

/** Moves `from` to `to` and leaves at `from` a link to it, written as `target`. */
const moveBehindLink = (at: (file: string) => string, from: string, to: string, target: string) => {
  mkdirSync(path.dirname(at(to)), { recursive: true });
  renameSync(at(from), at(to));
  symlinkSync(target, at(from));
};

describe("a symlink on the path of an input", () => {
  it.each<{ name: string; link: string; edit: (at: (file: string) => string) => void; message: string }>([
    {
      name: "a folder linked to / with a local package in it (packages/evil -> /)",
      link: "packages/evil",
      edit: (at) => {
        symlinkSync("/", at("packages/evil"));
        writeFileSync(at("pnpm-lock.yaml"), lockfile("../packages/evil/etc"));
      },
      message:
        'packages/evil: found a symlink to "/", expected a folder inside the source, not a link (packages/evil/etc, a local package the app links to) — replace the link with the folder it points to, or drop the package from pnpm-workspace.yaml and the dependencies, and run `pnpm install`',
    },
    {
      name: "a workspace package, a link to a folder inside the repository",
      link: "packages/a",
      edit: (at) => moveBehindLink(at, "packages/a", "libs/a", "../libs/a"),
      message:
        'packages/a: found a symlink to "../libs/a", expected a folder inside the source, not a link (packages/a/package.json, an input of the install) — replace the link with the folder it points to, or drop the project from pnpm-workspace.yaml and run `pnpm install`',
    },
    {
      name: "the app folder, a link",
      link: "backend",
      edit: (at) => moveBehindLink(at, "backend", "apps/backend", "apps/backend"),
      message:
        'backend: found a symlink to "apps/backend", expected a folder inside the source, not a link (backend, the app folder) — replace the link with the folder it points to, or set apps.backend.path in security-config.yml to the folder it points to',
    },
    {
      name: "the workspace's lockfile, a link",
      link: "pnpm-lock.yaml",
      edit: (at) => moveBehindLink(at, "pnpm-lock.yaml", "locks/pnpm-lock.yaml", "locks/pnpm-lock.yaml"),
      message:
        'pnpm-lock.yaml: found a symlink to "locks/pnpm-lock.yaml", expected a file inside the source, not a link (pnpm-lock.yaml, an input of the install) — replace the link with the file it points to',
    },
    {
      name: "the Prisma schema's folder, a link",
      link: "backend/prisma",
      edit: (at) => moveBehindLink(at, "backend/prisma", "db", "../db"),
      message:
        'backend/prisma: found a symlink to "../db", expected a folder inside the source, not a link (backend/prisma/schema.prisma, an input of prisma generate) — replace the link with the folder it points to',
    },
  ])("refuses $name with a SourceError naming it and its target, before any command", async ({ link, edit, message }) => {
    const dir = linkedWorkspace(link, edit);
    const error = await rejectionOf(withEngine(engine, async () => (await drydock(dir).backend()).sync()));
    expect(error).toBeInstanceOf(SourceError);
    expect(error.message).toBe(message);
    expect(engine.queries.filter((q) => q.includes("withExec"))).toEqual([]);
  });

  it("asks, for every path on the way to each input, whether it is itself a link, and reads no link's target", async () => {
    await withEngine(engine, async () => (await drydock(tempSource(WORKSPACE)).backend()).sync());
    const asked = engine.evaluations
      .filter((e) => e.leaf.field === "exists" && e.leaf.args["doNotFollowSymlinks"] === true)
      .map((e) => {
        expect(e.leaf.args["expectedType"]).toBe("SYMLINK_TYPE");
        // The source is host → directory(<root>); Prisma's paths are asked of the app's folder below it.
        const below = e.chain.slice(2).filter((s) => s.field === "directory").map((s) => `${String(s.args["path"])}/`);
        return `${below.join("")}${String(e.leaf.args["path"])}`;
      });
    expect([...new Set(asked)].sort()).toEqual(
      [
        "backend",
        "pnpm-lock.yaml",
        "package.json",
        "pnpm-workspace.yaml",
        "backend/package.json",
        "packages",
        "packages/a",
        "packages/a/package.json",
        "backend/prisma",
        "backend/prisma/schema.prisma",
      ].sort(),
    );
    expect(engine.stepsOf("asPatch")).toEqual([]);
  });

  it("leaves a link inside a local package to the build, as the link it is", async () => {
    const dir = linkedWorkspace(undefined, (at) => {
      symlinkSync("index.js", at("packages/a/alias.js"));
      symlinkSync("/", at("packages/a/root"));
    });
    await withEngine(engine, async () => (await drydock(dir).backend()).sync());
    expect(engine.execs().some((e) => e.args.join(" ") === "pnpm run build")).toBe(true);
    expect(engine.stepsOf("asPatch")).toEqual([]);
  });
});
