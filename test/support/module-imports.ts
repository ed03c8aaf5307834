/** The import graph of dagger/src, read from the sources: for tests of the module's structure. */
import { readFileSync } from "node:fs";
import path from "node:path";

const IMPORT = /^\s*(?:import|export)\b[^;]*?from\s+"([^"]+)"/gms;

/** The modules `file` imports directly: relative ones as absolute .ts paths, packages by name. */
export function directImports(file: string): string[] {
  return [...readFileSync(file, "utf8").matchAll(IMPORT)].map(([, spec]) =>
    spec!.startsWith(".") ? path.resolve(path.dirname(file), spec!.replace(/\.js$/, ".ts")) : spec!,
  );
}

/** Every module `file` imports, transitively. */
export function importsOf(file: string, seen = new Set<string>()): Set<string> {
  for (const target of directImports(file)) {
    if (seen.has(target)) continue;
    seen.add(target);
    if (target.endsWith(".ts")) importsOf(target, seen);
  }
  return seen;
}
