/**
 * The Trivy command lines of drydock's plan, taken from what the module sent to the (fake) engine
 * and made runnable on this machine: the container's work folder becomes a host folder holding
 * what the engine would have mounted there, and nothing else in the argv is touched — so a flag
 * the real Trivy rejects fails the e2e, not only a plan test.
 */
import { existsSync } from "node:fs";
import { cp, mkdir, symlink } from "node:fs/promises";
import path from "node:path";
import { REPORT_JSON, WORK_DIR } from "../../../dagger/src/scan/trivy-args.ts";
import type { Chain, ExecRecord, FakeEngine, Mount } from "../fake-engine/index.js";
import { scannedImageTitle } from "../plan-helpers.js";

export type TrivyStepKind = "download-db" | "image" | "convert-sarif" | "convert-cyclonedx" | "config";

export interface TrivyStep {
  kind: TrivyStepKind;
  /** The argv exactly as recorded, `trivy` first. */
  args: readonly string[];
  /** What the plan mounts into the scanner container for this step. */
  mounts: Readonly<Record<string, Mount>>;
  env: Readonly<Record<string, string>>;
  /** For image scans and their conversions: the title label of the image scanned ("(no title)" without one). */
  imageTitle?: string;
  /**
   * For conversions: the plan wrote a report of its own over Trivy's at REPORT_JSON after the
   * scan (the published report, report/redact.ts), rather than converting Trivy's as it is.
   */
  readsPublishedReport?: boolean;
}

function kindOf(args: readonly string[]): TrivyStepKind | undefined {
  if (args[0] !== "trivy") return undefined;
  if (args[1] === "image") return args.includes("--download-db-only") ? "download-db" : "image";
  if (args[1] === "config") return "config";
  if (args[1] === "convert") {
    const format = args[args.indexOf("--format") + 1];
    if (format === "sarif") return "convert-sarif";
    if (format === "cyclonedx") return "convert-cyclonedx";
  }
  throw new Error(`the plan runs a Trivy command the e2e does not know: ${args.join(" ")} — teach test/support/trivy/plan-steps.ts what it is`);
}

/** Every Trivy step of the recorded plan, each once, in the order the engine first saw it. */
export function trivySteps(engine: FakeEngine): TrivyStep[] {
  return engine.execs().flatMap((exec: ExecRecord): TrivyStep[] => {
    const kind = kindOf(exec.args);
    if (kind === undefined) return [];
    return [{ kind, args: exec.args, mounts: exec.mounts, env: exec.env, imageTitle: scannedImageTitle(exec.chain), readsPublishedReport: writesReportAfterScan(exec.chain) }];
  });
}

/** Whether, between the last command before this exec and the exec, the chain writes a file at REPORT_JSON. */
function writesReportAfterScan(chain: Chain): boolean {
  const before = chain.slice(0, -1);
  const lastExec = before.map((s) => s.field).lastIndexOf("withExec");
  return before.slice(lastExec + 1).some((s) => ["withFile", "withNewFile"].includes(s.field) && s.args["path"] === REPORT_JSON);
}

/** The one step of `kind` (for the image titled `title`, if given); fails when there is not exactly one. */
export function onlyStep(steps: readonly TrivyStep[], kind: TrivyStepKind, title?: string): TrivyStep {
  const found = steps.filter((s) => s.kind === kind && (title === undefined || s.imageTitle === title));
  if (found.length !== 1) {
    const all = steps.map((s) => `${s.kind} ${s.imageTitle ?? ""}: ${s.args.join(" ")}`).join("\n");
    throw new Error(`expected one "${kind}" Trivy step${title ? ` for ${title}` : ""} in the plan, found ${found.length}:\n${all}`);
  }
  return found[0]!;
}

/**
 * A host folder standing in for the scanner container's work folder (WORK_DIR): what the plan
 * mounts under it is placed there, and what a step writes there the next step finds, as in the
 * container the engine would chain.
 */
export class HostWorkDir {
  private readonly placed = new Map<string, string>();

  constructor(readonly root: string) {}

  /** The host path of a container path under WORK_DIR; anything else is an error. */
  hostPath(containerPath: string): string {
    if (containerPath === WORK_DIR) return this.root;
    if (!containerPath.startsWith(`${WORK_DIR}/`)) {
      throw new Error(`${containerPath} is outside the scanner's work folder ${WORK_DIR}: the e2e has no host path for it`);
    }
    return path.join(this.root, containerPath.slice(WORK_DIR.length + 1));
  }

  /**
   * Put what the engine would mount for `step` in place: `provide` maps each mount path to a host
   * file or folder. A mount the e2e does not provide is an error naming what the plan mounts.
   * Files are linked (image tarballs are large); folders are copied, as each container gets its own.
   */
  async mount(step: TrivyStep, provide: Readonly<Record<string, string>>): Promise<void> {
    for (const [at, mount] of Object.entries(step.mounts)) {
      const source = provide[at];
      if (source === undefined) {
        throw new Error(`the plan mounts ${mount.kind} "${mount.source}" at ${at} for "${step.args.join(" ")}", and the e2e provides nothing for it`);
      }
      if (this.placed.get(at) === source) continue;
      if (!existsSync(source)) throw new Error(`the e2e provides ${source} for the mount at ${at}, and it does not exist`);
      const target = this.hostPath(at);
      await mkdir(path.dirname(target), { recursive: true });
      if (mount.kind === "file") await symlink(source, target);
      else await cp(source, target, { recursive: true });
      this.placed.set(at, source);
    }
  }

  /**
   * The step's argv for this machine: `trivy` becomes `binary` and every container path under
   * WORK_DIR its host path. Any other absolute path is an error, not a path on this machine.
   */
  argv(step: TrivyStep, binary: string): string[] {
    const [program, ...rest] = step.args;
    if (program !== "trivy") throw new Error(`not a Trivy step: ${step.args.join(" ")}`);
    return [binary, ...rest.map((arg) => (arg.startsWith("/") ? this.hostPath(arg) : arg))];
  }
}
