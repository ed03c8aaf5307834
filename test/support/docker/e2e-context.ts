/**
 * What the e2e global setup hands to every test file: the run's id (it names every image,
 * container, network and volume the run creates), the chosen base images, and the canary copy of
 * the application the images are built from.
 */
import type { App, BuildRequest } from "./app-images.ts";
import type { BaseImages } from "./base-images.ts";
import type { Canary } from "./canaries.ts";

export interface E2eContext {
  runId: string;
  /** Scratch directory of this run (deleted at the end). */
  workDir: string;
  /** The application repository copy with canaries planted: the build context. */
  appCopy: string;
  canaries: Canary[];
  /** An npmrc handed to every build as the `npmrc` secret; its token is a canary too. */
  npmrc: { file: string; marker: string };
  bases: BaseImages;
}

declare module "vitest" {
  export interface ProvidedContext {
    drydockE2e: E2eContext;
  }
}

/** Label on every Docker object a run creates, so teardown finds them all. */
export const RUN_LABEL = "dev.drydock.e2e.run";

/** Every image a run builds is tagged drydock-e2e/<name>:<run id>, so teardown can find them. */
export function imageTag(runId: string, name: string): string {
  return `drydock-e2e/${name}:${runId}`;
}

/** The build every test of this run shares: canary context, npmrc canary secret, run-unique tag. */
export function appBuild(ctx: E2eContext, app: App): BuildRequest {
  return {
    app,
    context: ctx.appCopy,
    tag: imageTag(ctx.runId, app),
    bases: ctx.bases,
    secrets: { npmrc: ctx.npmrc.file },
  };
}
