/**
 * The performance facts of the plan (issue 4): the install is cached by the lockfile alone, the
 * two apps share nothing after the source, Trivy's DB is downloaded once per run while the images
 * build, and no branch of build-and-scan waits for another — proven by holding one branch's
 * answer until the other branch's query arrives, which code that runs them one after the other
 * never sends.
 */
import { describe, expect, it } from "vitest";
import { listDirectory } from "../support/fake-engine/filesystem.js";
import { useFakeEngine, withEngine, type Chain } from "../support/fake-engine/index.js";
import { repoRoot } from "../support/paths.js";
import { answerTrivy, appFoldersOf, dependsOn, drydock, lintScan, refsOf, scanOf } from "../support/plan-helpers.js";

const engine = useFakeEngine();

/** What a directory taken from the host holds, evaluated the way the fake engine reads the host. */
function filesOf(chain: Chain): string[] {
  const listing = listDirectory({ rules: [], hostRoot: repoRoot }, chain, ".");
  if (listing.kind !== "list") throw new Error(`cannot list ${JSON.stringify(chain)}: ${listing.reason}`);
  return [...listing.names].sort();
}

const installOf = (folder: string) =>
  engine.execs().find((e) => e.args.join(" ").startsWith("pnpm install") && appFoldersOf(e.chain).includes(folder));

describe("the frozen install", () => {
  it.each([
    { folder: "backend", sees: [".pnpmfile.mjs", "package.json", "pnpm-lock.yaml", "pnpm-workspace.yaml"] },
    { folder: "frontend", sees: ["package.json", "pnpm-lock.yaml", "pnpm-workspace.yaml"] },
  ])("sees only the manifest, lockfile and pnpm settings of the $folder, in every step up to it", async ({ folder, sees }) => {
    await withEngine(engine, async () => (folder === "backend" ? drydock().backend() : drydock().frontend()).then((c) => c.sync()));
    const install = installOf(folder);
    expect(install, `a pnpm install of ${folder}`).toBeDefined();
    const fromHost = refsOf(install!.chain).filter((ref) => ref.chain[0]?.field === "host");
    expect(fromHost.length).toBeGreaterThan(0);
    for (const ref of fromHost) expect(filesOf(ref.chain)).toEqual(sees);
  });
});

describe("build-and-scan", () => {
  it("gives the backend and frontend branches no step in common after the source", async () => {
    answerTrivy(engine);
    await withEngine(engine, () => drydock().buildAndScan());
    const execs = engine.execs();
    const byApp = (folder: string) => execs.filter((e) => appFoldersOf(e.chain).includes(folder));
    expect(byApp("backend").length).toBeGreaterThan(0);
    expect(byApp("frontend").length).toBeGreaterThan(0);
    for (const exec of execs) expect(appFoldersOf(exec.chain), exec.args.join(" ")).not.toEqual(["backend", "frontend"]);
    const [backendInstall, frontendInstall] = [installOf("backend")!, installOf("frontend")!];
    let shared = 0;
    while (JSON.stringify(backendInstall.chain[shared]) === JSON.stringify(frontendInstall.chain[shared])) shared++;
    expect(dependsOn(backendInstall.chain.slice(0, shared), "host"), "the shared prefix holds no source").toBe(false);
  });

  it("downloads Trivy's DB exactly once, and both image scans use that download while the lint needs none", async () => {
    answerTrivy(engine);
    await withEngine(engine, () => drydock().buildAndScan());
    const downloads = engine.stepsOf("withExec").filter((s) => (s.args["args"] as string[]).includes("--download-db-only"));
    expect(downloads).toHaveLength(1);
    const download = JSON.stringify(downloads[0]!.chain);
    const prefixOf = (chain: Chain) => JSON.stringify(chain.slice(0, downloads[0]!.chain.length));
    const scans = engine.execs().filter((e) => e.args[0] === "trivy" && !e.args.includes("--download-db-only"));
    expect(scans.map((s) => s.args[1]).sort()).toEqual(["config", "image", "image"]);
    for (const scan of scans.filter((s) => s.args[1] === "image")) expect(prefixOf(scan.chain)).toBe(download);
    expect(scans.find((s) => s.args[1] === "config")?.chain.some((s) => s.field === "withExec" && (s.args["args"] as string[]).includes("--download-db-only"))).toBe(false);
    const downloadEvaluations = engine.evaluations.filter((e) => JSON.stringify(e.chain) === download && e.leaf.field !== "id");
    expect(downloadEvaluations.map((e) => e.leaf.field)).toEqual(["sync"]);
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
  ])("keeps $until going while $held is held", async ({ held, until, hold, release }) => {
    answerTrivy(engine);
    engine.addHold({ hold, until: release, timeoutMs: 2_000, description: `${held} until ${until} arrived` });
    const report = await withEngine(engine, () => drydock().buildAndScan());
    expect(report.passed).toBe(true);
  });
});
