/**
 * Stand-in for node:24-alpine as the runtime base: only the files of libc6, libstdc++6, libgcc-s1,
 * base-files and netbase, plus node — no shell, no package manager, no npm. The harder case for
 * the Dockerfiles, whose runtime stage can then run nothing. Built by unpacking only, so another
 * platform's (arm64) needs no emulation to be built.
 */
import { chmod, mkdir, readdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { APT_SOURCES, SUITE, mmdebstrap, must, removePackageFiles, unpackTarball } from "./standin-common.ts";
import { AMD64, architectureFlags, importNodeRootfs, type StandInPlatform } from "./standin-platform.ts";

export const PACKAGES = ["libc6", "libstdc++6", "libgcc-s1", "base-files", "netbase"];
/** Dragged in by base-files (it pre-depends on awk); an interpreter the runtime base must not carry. */
const EXCLUDED_PACKAGES = ["mawk"];
/** Written by hand: no shadow tools here, and a numeric user needs a name for os.userInfo(). */
const PASSWD = "root:x:0:0:root:/root:/usr/sbin/nologin\nnode:x:1000:1000::/home/node:/usr/sbin/nologin\n";
const GROUP = "root:x:0:\nnode:x:1000:\n";

export async function build(tag: string, workDir: string, platform: StandInPlatform = AMD64): Promise<void> {
  const node = await unpackTarball(platform.node, workDir, "node");
  const root = path.join(workDir, "rootfs");
  // extract: unpack the packages' files only — no maintainer scripts, hence no shell needed and none installed.
  await mmdebstrap(workDir, [
    ...architectureFlags(platform),
    "--variant=extract",
    "--skip=cleanup/apt/cache",
    `--include=${PACKAGES.join(",")}`,
    SUITE,
    root,
    ...APT_SOURCES,
  ]);
  const archives = path.join(root, "var/cache/apt/archives");
  const debs = (await readdir(archives)).filter((f) => f.endsWith(".deb")).map((f) => path.join(archives, f));
  const status: string[] = [];
  for (const deb of debs) {
    const fields = await must("dpkg-deb", ["--field", deb]);
    const pkg = /^Package: (.+)$/m.exec(fields)?.[1];
    if (EXCLUDED_PACKAGES.includes(pkg ?? "")) {
      await removePackageFiles(root, deb);
      continue;
    }
    // extract registers nothing with dpkg; write the status scanners (Trivy) read to list OS packages.
    status.push(fields.replace(/^(Package: .+)$/m, "$1\nStatus: install ok installed").trimEnd());
  }
  await writeFile(path.join(root, "var/lib/dpkg/status"), `${status.join("\n\n")}\n`);
  await rm(archives, { recursive: true, force: true });
  await rm(path.join(root, "var/cache/apt/pkgcache.bin"), { force: true });
  await rm(path.join(root, "var/cache/apt/srcpkgcache.bin"), { force: true });
  await rm(path.join(root, "etc/hostname"), { force: true });
  await rm(path.join(root, "etc/resolv.conf"), { force: true });
  await writeFile(path.join(root, "etc/passwd"), PASSWD);
  await writeFile(path.join(root, "etc/group"), GROUP);
  await mkdir(path.join(root, "usr/local/bin"), { recursive: true });
  await must("install", ["-m", "0755", path.join(node, "bin/node"), path.join(root, "usr/local/bin/node")]);
  await mkdir(path.join(root, "home/node"), { recursive: true });
  await must("chown", ["1000:1000", path.join(root, "home/node")]);
  await chmod(path.join(root, "tmp"), 0o1777);
  const tarball = path.join(workDir, "rootfs.tar");
  await must("tar", ["--numeric-owner", "-C", root, "-cf", tarball, "."]);
  await importNodeRootfs(tarball, tag, platform, workDir);
}

