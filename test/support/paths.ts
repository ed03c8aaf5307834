/**
 * Where the tests find the repository and the shared reference material. `../shared` sits beside
 * the checkout and is never copied into it, so every test that reads it must skip when it is absent.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root: two levels above this file (test/support/paths.ts). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** The shared reference folder (schemas, golden fixtures) beside the checkout. */
export const sharedDir = path.resolve(repoRoot, "../shared");

/** A path inside the shared folder, or undefined when it does not exist on this machine. */
export function sharedPath(...segments: string[]): string | undefined {
  const candidate = path.join(sharedDir, ...segments);
  return existsSync(candidate) ? candidate : undefined;
}

/** The message a suite prints when it skips because shared material is missing. */
export function missingShared(...segments: string[]): string {
  return `skipped: ${path.join(sharedDir, ...segments)} is absent (the shared folder beside the checkout holds it)`;
}
