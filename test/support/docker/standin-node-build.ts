/**
 * Stand-in for node:24-alpine in the Dockerfiles' build stages: Debian minbase with libstdc++,
 * node and npm, user node 1000:1000, and a shell. For another platform (arm64) the chroot's
 * maintainer scripts and groupadd/useradd run under QEMU user emulation.
 */
import path from "node:path";
import { shellQuote } from "./shell-quote.ts";
import { APT_SOURCES, DROP_HOST_FILES, NPM, SUITE, mmdebstrap, unpackTarball } from "./standin-common.ts";
import { AMD64, architectureFlags, importNodeRootfs, type StandInPlatform } from "./standin-platform.ts";

export const PACKAGES = ["libstdc++6"];

export async function build(tag: string, workDir: string, platform: StandInPlatform = AMD64): Promise<void> {
  const node = await unpackTarball(platform.node, workDir, "node");
  const npm = await unpackTarball(NPM, workDir, "npm");
  const tarball = path.join(workDir, "rootfs.tar");
  await mmdebstrap(workDir, [
    ...architectureFlags(platform),
    "--variant=minbase",
    `--include=${PACKAGES.join(",")}`,
    // Without it usrmerge drags in Perl (about 70 MB more).
    "--hook-dir=/usr/share/mmdebstrap/hooks/merged-usr",
    // Host paths are quoted: mmdebstrap runs each hook as shell text.
    `--customize-hook=install -D -m 0755 ${shellQuote(`${node}/bin/node`)} "$1/usr/local/bin/node"`,
    `--customize-hook=mkdir -p "$1/usr/local/lib/node_modules" && cp -a ${shellQuote(npm)} "$1/usr/local/lib/node_modules/npm"`,
    '--customize-hook=ln -s ../lib/node_modules/npm/bin/npm-cli.js "$1/usr/local/bin/npm" && ln -s ../lib/node_modules/npm/bin/npx-cli.js "$1/usr/local/bin/npx"',
    '--customize-hook=chroot "$1" groupadd --gid 1000 node && chroot "$1" useradd --uid 1000 --gid node --create-home --shell /bin/sh node',
    DROP_HOST_FILES,
    SUITE,
    tarball,
    ...APT_SOURCES,
  ]);
  await importNodeRootfs(tarball, tag, platform, workDir);
}
