/**
 * The release e2e's images: tiny, real and distinct. One npm package the planted DB knows (pg 8.x)
 * and a marker file, labelled, built FROM scratch so no base is needed — and, with nothing to run,
 * for any platform without emulation: a real image of that platform (its config says so), not a
 * relabelled one.
 */
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import path from "node:path";
import { docker } from "../docker/cli.ts";
import { imageTag, RUN_LABEL } from "../docker/e2e-context.ts";
import type { AuthRegistry } from "./registry.ts";
import { digestOfTag } from "./registry.ts";

export interface TinyImage {
  /** A folder for the build context. */
  work: string;
  runId: string;
  name: string;
  /** What app/marker.txt says: makes each image's digest its own. */
  marker: string;
  labels: Record<string, string>;
  platform?: string;
}

/** Build the image; returns its local tag. */
export async function buildTinyImage(image: TinyImage): Promise<string> {
  const dir = await mkdtemp(path.join(image.work, `image-${image.name}-`));
  await mkdir(path.join(dir, "app/node_modules/pg"), { recursive: true });
  await writeFile(path.join(dir, "app/node_modules/pg/package.json"), JSON.stringify({ name: "pg", version: "8.11.0" }));
  await writeFile(path.join(dir, "app/marker.txt"), `${image.marker}\n`);
  await writeFile(path.join(dir, "Dockerfile"), "FROM scratch\nCOPY app /app\n");
  const tag = imageTag(image.runId, `release-${image.name}`);
  const labelArgs = Object.entries({ ...image.labels, [RUN_LABEL]: image.runId }).flatMap(([k, v]) => ["--label", `${k}=${v}`]);
  await docker(["build", "--quiet", ...(image.platform ? ["--platform", image.platform] : []), "--tag", tag, ...labelArgs, dir]);
  return tag;
}

/**
 * Push `local` as each tag of `repository` with the login in `dockerConfigDir`; every remote tag
 * is appended to `pushed` (for clean-up). Returns the digest the registry holds.
 */
export async function pushTiny(local: string, to: { registry: AuthRegistry; repository: string; tags: readonly string[]; dockerConfigDir: string; pushed: string[] }): Promise<string> {
  let digest = "";
  for (const tag of to.tags) {
    const remote = `${to.registry.host}/${to.repository}:${tag}`;
    await docker(["tag", local, remote]);
    to.pushed.push(remote);
    await docker(["--config", to.dockerConfigDir, "push", "--quiet", remote]);
    digest = await digestOfTag(to.registry, to.repository, tag);
  }
  return digest;
}
