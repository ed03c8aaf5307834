/**
 * The fake Dagger engine for plan tests. Typical use:
 *
 *   const engine = useFakeEngine(); // one per file: started, checked and reset around each test
 *
 *   it("runs trivy as root against the tarball", async () => {
 *     engine.addRule({ when: execStartsWith("trivy", "image"), exitCode: 0 });
 *     engine.files.set("report.json", goldenReport);
 *     await withEngine(engine, () => new Drydock(dag.host().directory("examples/app")).gate(…));
 *     expect(engine.execs().find((e) => e.args[0] === "trivy")).toMatchObject({ user: undefined, mounts: {…} });
 *   });
 *
 * To prove two branches run at once, hold one's answer until the other's query arrives:
 *
 *   engine.addHold({ hold: scanOf("drydock-backend"), until: scanOf("drydock-frontend"), timeoutMs: 2_000, description: "…" });
 */
export { ObjectRef, REDACTED, renderChain, renderChainMultiline, renderStep, type ArgValue, type Chain, type Step } from "./chain.js";
export type { ContainerState, ExecRecord, Mount } from "./container-state.js";
export { FakeEngine, describeViolations, type FakeEngineOptions, type LocatedStep } from "./engine.js";
export type { Hold } from "./holds.js";
export type { Violation, ViolationKind } from "./query-error.js";
export type { Evaluation } from "./resolve.js";
export { execArgs, execIncludes, execStartsWith, fileAt, hasStep, type Rule } from "./rules.js";
export { DEFAULT_SCHEMA_PATH, SCHEMA_ENV } from "./schema.js";
export { useFakeEngine, withEngine } from "./with-engine.js";
