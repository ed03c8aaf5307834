/**
 * Where the tests find the repository and the shared reference material. `../shared` sits beside
 * the checkout and is never copied into it, so every test that reads it must skip when it is absent
 * (test/support/shared-material.ts says so once per run, and fails the run under CI).
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root: two levels above this file (test/support/paths.ts). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** The shared reference folder (schemas, golden fixtures) beside the checkout. */
export const sharedDir = path.resolve(repoRoot, "../shared");

/** Trivy's own golden reports (from its integration tests), for conformance tests. */
export const trivyGoldensDir = path.join(sharedDir, "fixtures", "trivy");

/** A path inside the shared folder, or undefined when it does not exist on this machine. */
export function sharedPath(...segments: string[]): string | undefined {
  const candidate = path.join(sharedDir, ...segments);
  return existsSync(candidate) ? candidate : undefined;
}

/** True when Trivy's golden reports are on this machine. */
export function haveTrivyGoldens(): boolean {
  return existsSync(trivyGoldensDir);
}

/**
 * The title of a suite skipped because shared material is missing. Only a title: the one notice
 * of the run (shared-material.ts) says what was skipped and how to provide it.
 */
export function missingShared(...segments: string[]): string {
  return `skipped: ${path.join(sharedDir, ...segments)} is absent`;
}

/** Dagger's source at the engine version the module pins, beside the engine kit. */
export const daggerSourceTarball = path.join(sharedDir, "dagger-engine", "inputs", "dagger-v0.21.8-src.tar.xz");
