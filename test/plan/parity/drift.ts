/**
 * The comparison of two build models, aspect by aspect, and its report: one line diff per aspect
 * in which the Dockerfile and the Dagger plan differ.
 */
import { isDeepStrictEqual } from "node:util";
import type { BuildModel } from "../../support/dockerfile.js";

/** What each compared field is, as a drift report names it. Typed by the model, so no field goes uncompared. */
export const ASPECTS: Record<keyof BuildModel, string> = {
  appFolder: "app folder in the repository",
  buildImage: "base image of the build stages",
  runtimeImage: "base image of the runtime",
  stageParents: "stage each build stage starts FROM",
  installInputs: "files the install step sees, and where",
  install: "install commands",
  generateInputs: "files the generate stage sees, and where",
  generate: "generate commands",
  buildInputs: "files the build stage adds, and where",
  build: "build commands",
  pruneInputs: "files the prune stage adds, and where",
  prune: "prune commands",
  removedFromRuntimeRoot: "package-manager paths removed from the runtime root",
  appFiles: "folders of the build stages copied into the runtime",
  user: "runtime user",
  workdir: "runtime working directory",
  env: "runtime environment",
  exposedPorts: "exposed ports",
  healthcheck: "healthcheck command and timing",
  entrypoint: "entrypoint",
  cmd: "default arguments (CMD)",
  labels: "OCI labels",
};

export interface Drift {
  aspect: keyof BuildModel;
  dockerfile: unknown;
  dagger: unknown;
}

/** The aspects in which the two builds differ, in the order of ASPECTS. */
export function compareBuilds(dockerfile: BuildModel, dagger: BuildModel): Drift[] {
  return (Object.keys(ASPECTS) as (keyof BuildModel)[])
    .filter((aspect) => !isDeepStrictEqual(dockerfile[aspect], dagger[aspect]))
    .map((aspect) => ({ aspect, dockerfile: dockerfile[aspect], dagger: dagger[aspect] }));
}

/** One block per drift: a line diff, `-` the Dockerfile's line, `+` the Dagger plan's. */
export function describeDrifts(app: string, drifts: readonly Drift[]): string {
  return drifts
    .map((d) => [`${ASPECTS[d.aspect]} (- Dockerfile.${app}, + Dagger plan):`, ...lineDiff(linesOf(d.dockerfile), linesOf(d.dagger))].join("\n"))
    .join("\n\n");
}

function linesOf(value: unknown): string[] {
  const one = (v: unknown) => (v === undefined ? "(none)" : JSON.stringify(v));
  if (Array.isArray(value)) return value.map(one);
  if (value !== null && typeof value === "object") {
    return Object.entries(value)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => `${k}: ${one(v)}`);
  }
  return [one(value)];
}

/** A longest-common-subsequence diff: enough for lists of a few dozen lines. */
function lineDiff(before: string[], after: string[]): string[] {
  const common: number[][] = Array.from({ length: before.length + 1 }, () => new Array<number>(after.length + 1).fill(0));
  for (let i = before.length - 1; i >= 0; i--) {
    for (let j = after.length - 1; j >= 0; j--) {
      common[i]![j] = before[i] === after[j] ? common[i + 1]![j + 1]! + 1 : Math.max(common[i + 1]![j]!, common[i]![j + 1]!);
    }
  }
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < before.length || j < after.length) {
    if (i < before.length && j < after.length && before[i] === after[j]) {
      out.push(`    ${before[i++]}`);
      j++;
    } else if (i < before.length && (j === after.length || common[i + 1]![j]! >= common[i]![j + 1]!)) out.push(`  - ${before[i++]}`);
    else out.push(`  + ${after[j++]}`);
  }
  return out;
}
