/**
 * A folder an image gets, as the plan records it (dagger/src/images/file-times.ts): the image's
 * `withDirectory(path: "/", source: <tree>)`, where the tree is
 * `container.from(<build image>).withUser("0:0").withMountedDirectory("/stamp", directory.withDirectory(<to>, <folder>)).withExec(<stamp>).directory("/stamp")`.
 * Read back here into the folder's own chain, where it goes, and the time the stamp gives it, so
 * plan tests and the parity models compare folders as the Dockerfiles' COPY lines would.
 */
import { STAMP_DIR, stampCommand } from "../../dagger/src/images/file-times.js";
import { ObjectRef, renderChain, renderStep, type Chain, type Step } from "./fake-engine/index.js";

export interface ShippedFolder {
  /** The folder's own chain, e.g. `container…directory(path: "/out")`. */
  source: Chain;
  /** Where the image gets it, e.g. "/app/dist". */
  to: string;
  /** The owner the copy gives it. */
  owner: string | undefined;
  /** The seconds every entry of it is set to. */
  time: number;
}

/** The folder `step` (an image's withDirectory) adds; throws, naming the step, when it is no stamped tree copied to "/". */
export function shippedFolderOf(step: Step): ShippedFolder {
  const fail = (what: string): never => {
    throw new Error(`expected the image's files as withDirectory(path: "/", source: <a stamped tree>) (file-times.ts), ${what}: ${renderStep(step)}`);
  };
  if (step.field !== "withDirectory" || step.args["path"] !== "/") fail("got another step");
  const tree = chainOf(step.args["source"]) ?? fail("its source is no object");
  const [root, from, user, mount, exec, out, ...rest] = tree;
  if (root?.field !== "container" || from?.field !== "from" || user?.field !== "withUser" || mount?.field !== "withMountedDirectory" || exec?.field !== "withExec" || out?.field !== "directory" || rest.length > 0) {
    fail(`its source is ${renderChain(tree)}`);
  }
  if (user!.args["name"] !== "0:0" || mount!.args["path"] !== STAMP_DIR || out!.args["path"] !== STAMP_DIR) fail(`the stamp is not root's at ${STAMP_DIR}`);
  const args = exec!.args["args"];
  const time = stampTime(Array.isArray(args) ? args.map(String) : []) ?? fail(`the stamp runs ${JSON.stringify(args)}`);
  const placed = chainOf(mount!.args["source"]) ?? [];
  const [empty, placement, ...more] = placed;
  if (empty?.field !== "directory" || placement?.field !== "withDirectory" || more.length > 0 || typeof placement.args["path"] !== "string") {
    fail(`the stamped tree is ${renderChain(placed)}`);
  }
  const owner = step.args["owner"];
  return {
    source: chainOf(placement!.args["source"]) ?? fail("the folder is no object"),
    to: `/${String(placement!.args["path"])}`,
    owner: typeof owner === "string" ? owner : undefined,
    time,
  };
}

/** The time `args` sets when it is file-times.ts's stamp command, exactly; otherwise undefined. */
export function stampTime(args: readonly string[]): number | undefined {
  const time = /^\d+$/.test(args[4] ?? "") ? Number(args[4]) : Number.NaN;
  return Number.isSafeInteger(time) && JSON.stringify(args) === JSON.stringify(stampCommand(time)) ? time : undefined;
}

function chainOf(value: unknown): Chain | undefined {
  return value instanceof ObjectRef ? value.chain : undefined;
}
