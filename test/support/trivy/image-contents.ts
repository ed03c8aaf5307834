/**
 * What an e2e image really holds, read with Docker rather than with Trivy, so the scan's findings
 * can be checked against it.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { docker } from "../docker/cli.ts";

/** `docker save` the image into a fresh folder under `dir`; returns the archive's path. */
export async function saveTarball(image: string, dir: string): Promise<string> {
  const file = path.join(await mkdtemp(path.join(dir, "image-")), "image.tar");
  await docker(["save", "--output", file, image]);
  return file;
}

/** Binary package → version, from the image's var/lib/dpkg/status. */
export async function dpkgVersions(image: string): Promise<Map<string, string>> {
  const container = (await docker(["create", image])).trim();
  const scratch = await mkdtemp(path.join(os.tmpdir(), "drydock-dpkg-"));
  const copy = path.join(scratch, "status");
  let status: string;
  try {
    await docker(["cp", `${container}:/var/lib/dpkg/status`, copy]);
    status = await readFile(copy, "utf8");
  } finally {
    await docker(["rm", "-f", container]);
    await rm(scratch, { recursive: true, force: true });
  }
  const versions = new Map<string, string>();
  for (const stanza of status.split(/\n\n+/)) {
    const name = /^Package: (.+)$/m.exec(stanza)?.[1];
    const version = /^Version: (.+)$/m.exec(stanza)?.[1];
    if (name && version) versions.set(name, version);
  }
  return versions;
}
