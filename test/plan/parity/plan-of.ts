/**
 * The Dagger plan of one app as the parity model: the build stage and the image are synced on the
 * fake engine, and every command, step and argument it recorded is read back (plan-model.ts).
 */
import { dag } from "@dagger.io/dagger";
import type { BuildModel } from "../../support/dockerfile.js";
import { withEngine, type FakeEngine } from "../../support/fake-engine/index.js";
import { drydock, EXAMPLE_APP, type DrydockArgs } from "../../support/plan-helpers.js";
import { stampTime } from "../../support/shipped-folder.js";
import { runtimeOf, stagesOf } from "./plan-model.js";

/** The model of `app`'s plan from `source` with Drydock's `args`; the engine is reset first, so only this app's build is read. */
export async function planOf(engine: FakeEngine, app: "backend" | "frontend", args: Partial<DrydockArgs>, source: string = EXAMPLE_APP): Promise<BuildModel> {
  engine.reset();
  await withEngine(engine, async () => {
    const d = drydock(source, {
      ...args,
      // As `docker build --secret id=npmrc,… --secret id=ca,…`: the install steps then mount both.
      npmrc: dag.setSecret("parity-npmrc", "//registry.example/:_authToken=parity"),
      caCertificates: dag.setSecret("parity-ca", "-----BEGIN CERTIFICATE-----"),
    });
    await (app === "backend" ? await d.backendBuild() : await d.frontendBuild()).sync();
    await (app === "backend" ? await d.backend() : await d.frontend()).sync();
  });
  const synced = engine.evaluations.filter((e) => e.leaf.field === "sync").map((e) => e.chain);
  const [buildChain, imageChain, ...more] = synced;
  if (!buildChain || !imageChain || more.length > 0) throw new Error(`expected two synced containers (the ${app} build stage, then the image), got ${synced.length}`);
  // The stamps that set the image's file times run on the folders the image gets, outside the build chain: runtimeOf reads them with those folders.
  const stages = stagesOf(buildChain, engine.execs().filter((exec) => stampTime(exec.args) === undefined));
  return { ...stages.aspects, ...runtimeOf(imageChain, stages.stageOf) };
}
