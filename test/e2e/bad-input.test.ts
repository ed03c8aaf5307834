import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, inject, it } from "vitest";
import { tryBuild, type App } from "../support/docker/app-images.ts";
import { copyCommittableTree } from "../support/docker/canaries.ts";
import { imageTag } from "../support/docker/e2e-context.ts";
import { REPO_ROOT } from "../support/docker/engine.ts";

const ctx = inject("drydockE2e");

/** A fresh copy of the application repository with one thing broken. */
async function brokenCopy(name: string, breakIt: (root: string) => Promise<void>): Promise<string> {
  const root = await mkdtemp(path.join(ctx.workDir, `${name}-`));
  await copyCommittableTree(REPO_ROOT, "examples/app", root);
  await breakIt(root);
  return root;
}

const removeLockfile = (app: App) => (root: string) => rm(path.join(root, app, "pnpm-lock.yaml"));

/** A dependency added to package.json without updating the lockfile. */
const addDependencyWithoutLocking = (app: App) => async (root: string) => {
  const file = path.join(root, app, "package.json");
  const manifest = JSON.parse(await readFile(file, "utf8")) as { dependencies: Record<string, string> };
  manifest.dependencies["left-pad"] = "1.3.0";
  await writeFile(file, JSON.stringify(manifest, null, 2));
};

/** A Next.js app that builds, but without the standalone server the image ships. */
const withoutStandaloneOutput = async (root: string) => {
  const file = path.join(root, "frontend", "next.config.ts");
  const config = await readFile(file, "utf8");
  if (!config.includes('output: "standalone",')) throw new Error(`${file}: expected an output: "standalone" line to remove`);
  await writeFile(file, config.replace('output: "standalone",', ""));
};

/** Steps that must never start when the dependencies cannot be installed. */
const LATER_STEPS = /\[(build|prune) \d+\/\d+\] RUN/;
/** The step that must never start when there is nothing to ship (BuildKit runs other runtime steps in parallel). */
const RUNTIME_STEPS = /\[runtime \d+\/\d+\] COPY --from=prune/;

describe("a build from bad input fails early, naming the file", () => {
  it.each([
    {
      name: "the backend without a lockfile",
      app: "backend",
      breakIt: removeLockfile("backend"),
      messages: ["APP_DIR: found no pnpm-lock.yaml in backend, nor a pnpm workspace at the repository root", "run pnpm install in the app folder"],
      neverStarts: LATER_STEPS,
    },
    {
      name: "the frontend without a lockfile, in a repository whose root is a workspace without one",
      app: "frontend",
      breakIt: async (root: string) => {
        await removeLockfile("frontend")(root);
        await writeFile(path.join(root, "pnpm-workspace.yaml"), "packages:\n  - backend\n  - frontend\n");
      },
      messages: ["APP_DIR: found no pnpm-lock.yaml in frontend, and none at the repository root beside pnpm-workspace.yaml", "run pnpm install at the repository root"],
      neverStarts: LATER_STEPS,
    },
    {
      name: "the backend without Prisma while PRISMA is on (the default)",
      app: "backend",
      breakIt: (root: string) => rm(path.join(root, "backend/prisma"), { recursive: true }).then(() => rm(path.join(root, "backend/prisma.config.ts"))),
      messages: ["PRISMA: found no Prisma schema in backend", "pass --build-arg PRISMA=off"],
      neverStarts: LATER_STEPS,
    },
    {
      name: "a Prisma config naming a schema that is not there",
      app: "backend",
      breakIt: async (root: string) => {
        const file = path.join(root, "backend/prisma.config.ts");
        await writeFile(file, (await readFile(file, "utf8")).replace('schema: "prisma/schema.prisma"', 'schema: "db/schema.prisma"'));
      },
      messages: ['PRISMA: backend/prisma.config.ts: schema: found "db/schema.prisma", which is not in the build context'],
      neverStarts: LATER_STEPS,
    },
    {
      name: "the backend with a lockfile that disagrees with package.json",
      app: "backend",
      breakIt: addDependencyWithoutLocking("backend"),
      messages: ["ERR_PNPM_OUTDATED_LOCKFILE", "pnpm-lock.yaml", "package.json"],
      neverStarts: LATER_STEPS,
    },
    {
      name: "the frontend with a lockfile that disagrees with package.json",
      app: "frontend",
      breakIt: addDependencyWithoutLocking("frontend"),
      messages: ["ERR_PNPM_OUTDATED_LOCKFILE", "pnpm-lock.yaml", "package.json"],
      neverStarts: LATER_STEPS,
    },
    {
      name: "the frontend without output: \"standalone\" in next.config",
      app: "frontend",
      breakIt: withoutStandaloneOutput,
      messages: [".next/standalone not found after next build", 'set output: "standalone" in next.config'],
      neverStarts: RUNTIME_STEPS,
    },
  ] satisfies { name: string; app: App; breakIt: (root: string) => Promise<void>; messages: string[]; neverStarts: RegExp }[])("$name", async ({ app, breakIt, messages, neverStarts }) => {
    const context = await brokenCopy(`bad-${app}`, breakIt);
    const outcome = await tryBuild({ app, context, tag: imageTag(ctx.runId, `bad-${app}`), bases: ctx.bases });
    const output = outcome.stderr + outcome.stdout;
    expect(outcome.code).not.toBe(0);
    for (const message of messages) expect(output).toContain(message);
    expect(output).not.toMatch(neverStarts);
  });
});

describe("the PRISMA build argument", () => {
  it("is refused as off for a backend that has a Prisma schema: the client would not be generated", async () => {
    const outcome = await tryBuild({ app: "backend", context: ctx.appCopy, tag: imageTag(ctx.runId, "prisma-off-probe"), bases: ctx.bases, buildArgs: { PRISMA: "off" }, target: "build" });
    expect(outcome.code).not.toBe(0);
    expect(outcome.stderr + outcome.stdout).toContain("PRISMA: found the Prisma schema backend/prisma/schema.prisma, expected none with PRISMA=off");
  });
});

describe("the npmrc build secret", () => {
  it("is the configuration npm and pnpm install with (a registry it names is the one they ask)", async () => {
    const npmrc = path.join(ctx.workDir, "unreachable.npmrc");
    await writeFile(npmrc, "registry=https://npm.invalid/\nfetch-retries=0\n", { mode: 0o600 });
    // Secrets are not part of BuildKit's cache key: --no-cache makes the install steps really run.
    const outcome = await tryBuild({
      app: "backend",
      context: ctx.appCopy,
      tag: imageTag(ctx.runId, "npmrc-probe"),
      bases: ctx.bases,
      secrets: { npmrc },
      target: "deps",
      noCache: true,
    });
    expect(outcome.code).not.toBe(0);
    expect(outcome.stderr + outcome.stdout).toContain("npm.invalid");
  });
});

describe("the PNPM_VERSION build argument", () => {
  // Each fails in the version check, before npm runs: an npm spec would install any package as
  // pnpm with the npmrc mounted, and a blank would hand npm another flag.
  it.each([
    { name: "an npm alias", value: "npm:evil-pnpm@1.0.0" },
    { name: "a tarball URL", value: "https://npm.invalid/pnpm-12.4.2.tgz" },
    { name: "an injected flag", value: "12.4.2 --registry=http://npm.invalid/" },
    { name: "a command substitution", value: "12.4.2$(touch /tmp/pwned)" },
    { name: "a newline", value: "12.4.2\n--registry=http://npm.invalid/" },
  ])("is refused when it is $name, before npm runs", async ({ value }) => {
    const outcome = await tryBuild({
      app: "frontend",
      context: ctx.appCopy,
      tag: imageTag(ctx.runId, "pnpm-version-probe"),
      bases: ctx.bases,
      buildArgs: { PNPM_VERSION: value },
      target: "deps",
    });
    const output = outcome.stderr + outcome.stdout;
    expect(outcome.code).not.toBe(0);
    expect(output).toContain(`PNPM_VERSION: found ${JSON.stringify(value)}, expected MAJOR.MINOR.PATCH like 12.4.2`);
    expect(output).not.toMatch(/\[deps \d+\/\d+\] RUN [^\n]*npm install --global/);
  });
});

describe("a PNPM_VERSION other than the one packageManager names", () => {
  it("fails the build in the layout stage, naming both, before pnpm fetches anything", async () => {
    const outcome = await tryBuild({ app: "frontend", context: ctx.appCopy, tag: imageTag(ctx.runId, "pnpm-mismatch-probe"), bases: ctx.bases, buildArgs: { PNPM_VERSION: "12.5.0" }, target: "deps" });
    const output = outcome.stderr + outcome.stdout;
    expect(outcome.code).not.toBe(0);
    expect(output).toContain('PNPM_VERSION: found packageManager "pnpm@12.4.2" in frontend/package.json, expected "pnpm@12.5.0" (PNPM_VERSION)');
    expect(output).not.toMatch(/\[deps \d+\/\d+\] RUN [^\n]*pnpm fetch/);
  });
});

describe("the ENTRYPOINT build argument", () => {
  // The check runs right after the step that writes the app's files: a missing entrypoint fails the
  // build there, naming the file, the config key and the build argument, and what the build wrote.
  it.each([
    {
      app: "backend",
      target: "build",
      value: "dist/src/main.js",
      messages: ['apps.backend.entrypoint: found no file "dist/src/main.js" after the build (dist/ holds dist/', "dist/main.js", "--build-arg ENTRYPOINT=", ", e.g. dist/main.js"],
    },
    {
      app: "frontend",
      target: "prune",
      value: "apps/web/server.js",
      messages: ['apps.frontend.entrypoint: found no file "apps/web/server.js" after the build (apps/ holds no .js file)', "--build-arg ENTRYPOINT="],
    },
  ] as const)("fails the $app build when the build wrote no $value, saying what it did write", async ({ app, target, value, messages }) => {
    const outcome = await tryBuild({ app, context: ctx.appCopy, tag: imageTag(ctx.runId, `entrypoint-${app}`), bases: ctx.bases, buildArgs: { ENTRYPOINT: value }, target });
    const output = outcome.stderr + outcome.stdout;
    expect(outcome.code).not.toBe(0);
    for (const message of messages) expect(output).toContain(message);
  });
});

/**
 * A workspace whose TypeScript package, which both apps link to, does not compile: the build of the
 * local packages fails before the app's own build starts, and says which package and what to run.
 */
describe("a local package whose build script fails", () => {
  const apps: { app: App; buildArgs: Record<string, string> }[] = [
    { app: "backend", buildArgs: { APP_DIR: "services/api", TITLE: "workspace-api", HEALTH_PATH: "/healthz" } },
    { app: "frontend", buildArgs: { APP_DIR: "services/web", TITLE: "workspace-web", ENTRYPOINT: "services/web/server.js" } },
  ];
  it.each(apps)("fails the $app's build, naming the package's folder and script", async ({ app, buildArgs }) => {
    const root = await mkdtemp(path.join(ctx.workDir, `bad-package-${app}-`));
    await copyCommittableTree(REPO_ROOT, "examples/workspace", root);
    const source = path.join(root, "packages/shared/src/index.ts");
    await writeFile(source, `${await readFile(source, "utf8")}\nexport const broken: number = "not a number";\n`);
    const outcome = await tryBuild({ app, context: root, tag: imageTag(ctx.runId, `bad-package-${app}`), bases: ctx.bases, buildArgs });
    const output = outcome.stderr + outcome.stdout;
    expect(outcome.code).not.toBe(0);
    expect(output).toContain("packages/shared");
    expect(output).toContain("$ tsc -p tsconfig.json");
    expect(output).toContain("error TS2322");
    expect(output).toContain("build: a local package the app links to failed its build script - pnpm names its folder above");
    expect(output).not.toMatch(/\[build \d+\/\d+\] RUN pnpm run build/);
  });
});
