/**
 * Fetch a pinned package tarball from the npm registry with the ordinary npm client and check
 * it against the integrity the recipe pins, so a re-published or tampered tarball is refused.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { run, failureMessage } from "./cli.ts";

export interface PinnedTarball {
  /** `name@exact-version`, as `npm pack` takes it. */
  spec: string;
  /** The registry's `dist.integrity` (sha512) of that version. */
  integrity: string;
}

/** Download `pin` into `dir` and return the tarball's path; a wrong integrity throws. */
export async function fetchPinnedTarball(pin: PinnedTarball, dir: string): Promise<string> {
  const result = await run("npm", ["pack", pin.spec, "--pack-destination", dir, "--json", "--silent"], {
    timeoutMs: 5 * 60_000,
  });
  if (result.code !== 0) throw new Error(failureMessage(`npm pack ${pin.spec}`, result));
  const packed = JSON.parse(result.stdout) as Array<{ filename: string }>;
  const filename = packed[0]?.filename;
  if (!filename) throw new Error(`npm pack ${pin.spec} printed no filename; output: ${result.stdout.slice(0, 500)}`);
  const file = path.join(dir, filename);
  const actual = `sha512-${createHash("sha512").update(await readFile(file)).digest("base64")}`;
  if (actual !== pin.integrity) {
    throw new Error(`${pin.spec}: tarball integrity is ${actual}, expected ${pin.integrity} — the registry served other bytes than the recipe pins`);
  }
  return file;
}
