/**
 * The performance facts of the plan (issue 4): the install is cached by the lockfile alone, the
 * backend's generated client and production dependencies by the lockfile and Prisma schema alone,
 * the two apps share nothing after the source, Trivy's DB is downloaded once per run while the
 * images build and copied out of its locked cache volume for the scans, and no branch of
 * build-and-scan waits for another — proven by holding one branch's answer until the other
 * branch's query arrives, which code that runs them one after the other never sends.
 */
import { readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { globDirectory } from "../support/fake-engine/filesystem.js";
import { useFakeEngine, withEngine, type Chain } from "../support/fake-engine/index.js";
import { repoRoot } from "../support/paths.js";
import { RUN_VARIABLE } from "../../dagger/src/smoke/run.ts";
import {
  answerTrivy,
  appFoldersOf,
  DB_COPY,
  dependsOn,
  drydock,
  EXAMPLE_APP,
  lintScan,
  mountedDirectory,
  refsOf,
  SCAN_DB,
  scanOf,
} from "../support/plan-helpers.js";

const engine = useFakeEngine();

/** Every path below a directory taken from the host, evaluated the way the fake engine reads the host; folders end in "/". */
function filesOf(chain: Chain): string[] {
  const listing = globDirectory({ rules: [], hostRoot: repoRoot }, chain, "**");
  if (listing.kind !== "paths") throw new Error(`cannot list ${JSON.stringify(chain)}: ${"reason" in listing ? listing.reason : listing.kind}`);
  return listing.paths;
}

/** Where a directory taken from the host lies in the source: the folders it descends into after the source itself ("" for the source). */
const folderInSource = (chain: Chain) =>
  chain
    .slice(2)
    .filter((s) => s.field === "directory")
    .map((s) => `${String(s.args["path"])}/`)
    .join("");

/** What a step sees of the source: the union of every host directory its chain refers to, at their paths in the repository. */
const sourceSeenBy = (chain: Chain) =>
  [...new Set(refsOf(chain).filter((ref) => ref.chain[0]?.field === "host").flatMap((ref) => filesOf(ref.chain).map((file) => folderInSource(ref.chain) + file)))].sort();

const execOf = (folder: string, start: string) =>
  engine.execs().find((e) => e.args.join(" ").startsWith(start) && appFoldersOf(e.chain).includes(folder));

/** The backend's prisma/ folder as on disk, at its path in the source: what Dockerfile.backend's `COPY prisma/ ./prisma/` copies. */
function prismaFolder(): string[] {
  const root = path.join(repoRoot, EXAMPLE_APP);
  return readdirSync(path.join(root, "backend", "prisma"), { recursive: true, withFileTypes: true })
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)) + (entry.isDirectory() ? "/" : ""))
    .concat("backend/prisma/");
}

/** The backend's Prisma config and TypeScript settings, at their paths in the source. */
const PRISMA_INPUTS = ["backend/prisma.config.ts", "backend/tsconfig.build.json", "backend/tsconfig.json"];

/** The backend's manifest, lockfile and pnpm settings (its pnpmfile among them), at their paths in the source. */
const BACKEND_INSTALL_INPUTS = ["backend/", "backend/.pnpmfile.mjs", "backend/package.json", "backend/pnpm-lock.yaml", "backend/pnpm-workspace.yaml"];

describe("the steps a source edit leaves cached", () => {
  it.each([
    { folder: "backend", step: "pnpm install --frozen-lockfile", sees: () => BACKEND_INSTALL_INPUTS },
    { folder: "frontend", step: "pnpm install --frozen-lockfile", sees: () => ["frontend/", "frontend/package.json", "frontend/pnpm-lock.yaml", "frontend/pnpm-workspace.yaml"] },
    // src/prisma/ is source, not schema: an unanchored `prisma` pattern would let it in. The TypeScript
    // settings decide the generated client's imports (prisma.ts, TSCONFIG_FILES): a source edit is no settings edit.
    { folder: "backend", step: "pnpm exec prisma generate", sees: () => [...BACKEND_INSTALL_INPUTS, ...PRISMA_INPUTS, ...prismaFolder()] },
    { folder: "backend", step: "/bin/sh -c pnpm deploy --filter '{.}' --prod", sees: () => [...BACKEND_INSTALL_INPUTS, ...PRISMA_INPUTS, ...prismaFolder()] },
    { folder: "backend", step: "/bin/sh -c used=$(find . -path ./node_modules -prune", sees: () => [...BACKEND_INSTALL_INPUTS, ...PRISMA_INPUTS, ...prismaFolder()] },
  ])("$step of the $folder sees only its inputs, in every step up to it", async ({ folder, step, sees }) => {
    await withEngine(engine, async () => (folder === "backend" ? drydock().backend() : drydock().frontend()).then((c) => c.sync()));
    const exec = execOf(folder, step);
    expect(exec, `${step} of ${folder}`).toBeDefined();
    expect(sourceSeenBy(exec!.chain)).toEqual(sees().sort());
  });

  it("builds the backend's compiled code on top of the whole source", async () => {
    await withEngine(engine, async () => (await drydock().backend()).sync());
    expect(sourceSeenBy(execOf("backend", "pnpm run build")!.chain)).toEqual(expect.arrayContaining(["backend/src/main.ts", "backend/src/prisma/prisma.service.ts", "backend/prisma/schema.prisma"]));
  });
});

describe("build-and-scan", () => {
  it("gives the backend and frontend branches no step in common after the source", async () => {
    answerTrivy(engine);
    await withEngine(engine, () => drydock().buildAndScan());
    // The smoke stage runs the frontend against the backend on purpose; the builds share nothing.
    const execs = engine.execs().filter((e) => !(RUN_VARIABLE in e.env));
    const byApp = (folder: string) => execs.filter((e) => appFoldersOf(e.chain).includes(folder));
    expect(byApp("backend").length).toBeGreaterThan(0);
    expect(byApp("frontend").length).toBeGreaterThan(0);
    for (const exec of execs) expect(appFoldersOf(exec.chain), exec.args.join(" ")).not.toEqual(["backend", "frontend"]);
    const [backendInstall, frontendInstall] = [execOf("backend", "pnpm install")!, execOf("frontend", "pnpm install")!];
    let shared = 0;
    while (JSON.stringify(backendInstall.chain[shared]) === JSON.stringify(frontendInstall.chain[shared])) shared++;
    expect(dependsOn(backendInstall.chain.slice(0, shared), "host"), "the shared prefix holds no source").toBe(false);
  });

  it("downloads Trivy's DB exactly once, and every image scan (backend, its migrations image, frontend) mounts a copy of that download while the lint needs none", async () => {
    answerTrivy(engine);
    await withEngine(engine, () => drydock().buildAndScan());
    const downloads = engine.stepsOf("withExec").filter((s) => (s.args["args"] as string[]).includes("--download-db-only"));
    expect(downloads).toHaveLength(1);
    const download = JSON.stringify(downloads[0]!.chain);
    const scans = engine.execs().filter((e) => e.args[0] === "trivy" && !e.args.includes("--download-db-only"));
    expect(scans.map((s) => s.args[1]).sort()).toEqual(["config", "image", "image", "image"]);
    for (const scan of scans.filter((s) => s.args[1] === "image")) {
      const db = mountedDirectory(scan.chain, SCAN_DB);
      expect(db?.chain.at(-1), "the scan mounts the refresh container's DB copy").toMatchObject({ field: "directory", args: { path: DB_COPY } });
      expect(JSON.stringify(db?.chain.slice(0, downloads[0]!.chain.length))).toBe(download);
    }
    expect(dependsOn(scans.find((s) => s.args[1] === "config")!.chain, "withExec", { args: downloads[0]!.args["args"] })).toBe(false);
    const downloadEvaluations = engine.evaluations.filter((e) => JSON.stringify(e.chain) === download && e.leaf.field !== "id");
    expect(downloadEvaluations.map((e) => e.leaf.field)).toEqual(["sync"]);
  });

  it("mounts the DB cache volume only in the refresh, so no scan waits on its lock", async () => {
    answerTrivy(engine);
    await withEngine(engine, () => drydock().buildAndScan());
    const volumeUsers = engine.execs().filter((e) => Object.values(e.mounts).some((m) => m.kind === "cache" && m.source.startsWith("drydock-trivy-db-")));
    expect(volumeUsers.map((e) => e.args[0]), "the download and the copy out of the volume").toEqual(["trivy", "cp"]);
    expect(volumeUsers[0]!.args).toContain("--download-db-only");
    const scans = engine.execs().filter((e) => e.args[0] === "trivy" && !e.args.includes("--download-db-only"));
    expect(scans.length).toBeGreaterThanOrEqual(3);
    for (const scan of scans) expect(Object.values(scan.mounts).filter((m) => m.kind === "cache"), scan.args.join(" ")).toEqual([]);
  });

  const backendScan = scanOf("drydock-backend");
  const frontendScan = scanOf("drydock-frontend");
  const isAppCheck = (folder: string) => (chain: Chain) =>
    chain.at(-1)?.field === "exists" && chain.at(-1)?.args["path"] === "pnpm-lock.yaml" && chain.some((s) => s.field === "directory" && s.args["path"] === folder);

  const downloadSync = (chain: Chain) =>
    chain.at(-1)?.field === "sync" && chain.some((s) => s.field === "withExec" && (s.args["args"] as string[]).includes("--download-db-only"));
  const imageSync = (title: string) => (chain: Chain) =>
    chain.at(-1)?.field === "sync" && chain.some((s) => s.field === "withLabel" && s.args["value"] === title);

  it.each([
    { held: "the DB download", until: "the backend's build", hold: downloadSync, release: imageSync("drydock-backend") },
    { held: "the DB download", until: "the frontend's build", hold: downloadSync, release: imageSync("drydock-frontend") },
    { held: "the backend's scan", until: "the frontend's scan", hold: backendScan, release: frontendScan },
    { held: "the frontend's scan", until: "the backend's scan", hold: frontendScan, release: backendScan },
    { held: "the backend's scan", until: "the lint", hold: backendScan, release: lintScan },
    { held: "the lint", until: "the frontend's scan", hold: lintScan, release: frontendScan },
    { held: "the backend's source check", until: "the frontend's", hold: isAppCheck("backend"), release: isAppCheck("frontend") },
    // The reverse of each pair above: a hold is skipped when its release already arrived, so one
    // direction alone passes code that runs the pair one after the other in the other order.
    { held: "the backend's build", until: "the DB download", hold: imageSync("drydock-backend"), release: downloadSync },
    { held: "the frontend's build", until: "the DB download", hold: imageSync("drydock-frontend"), release: downloadSync },
    { held: "the lint", until: "the backend's scan", hold: lintScan, release: backendScan },
    { held: "the frontend's scan", until: "the lint", hold: frontendScan, release: lintScan },
    { held: "the frontend's source check", until: "the backend's", hold: isAppCheck("frontend"), release: isAppCheck("backend") },
  ])("keeps $until going while $held is held", async ({ held, until, hold, release }) => {
    answerTrivy(engine);
    engine.addHold({ hold, until: release, timeoutMs: 2_000, description: `${held} until ${until} arrived` });
    const report = await withEngine(engine, () => drydock().buildAndScan());
    expect(report.passed).toBe(true);
  });

  it("has the backend's scan, the frontend's scan and the lint in flight all at once", async () => {
    answerTrivy(engine);
    // Each answer waits until both others have asked: the last to ask releases the other two, so
    // the run finishes only when all three were asked before any of them was answered.
    const branches = [
      { name: "the backend's scan", is: backendScan },
      { name: "the frontend's scan", is: frontendScan },
      { name: "the lint", is: lintScan },
    ];
    for (const branch of branches) {
      const others = branches.filter((other) => other !== branch);
      engine.addHold({
        hold: branch.is,
        until: others.map((other) => other.is),
        timeoutMs: 2_000,
        description: `${branch.name} until ${others.map((other) => other.name).join(" and ")} arrived`,
      });
    }
    const report = await withEngine(engine, () => drydock().buildAndScan());
    expect(report.passed).toBe(true);
  });
});
