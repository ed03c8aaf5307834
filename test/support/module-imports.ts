/** The import graph of our TypeScript sources, read from them: for tests of the module's structure and the e2e order. */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

/** `import … from "x"`, `export … from "x"`, `import "x"` and `import("x")`. */
const IMPORT = /^\s*(?:import|export)\b[^;]*?from\s+"([^"]+)"|^\s*import\s+"([^"]+)"|\bimport\(\s*"([^"]+)"\s*\)/gms;

/** The modules `file` imports directly: relative ones as absolute .ts paths, packages by name. */
export function directImports(file: string): string[] {
  return [...readFileSync(file, "utf8").matchAll(IMPORT)].map(([, from, bare, dynamic]) => {
    const spec = (from ?? bare ?? dynamic)!;
    return spec.startsWith(".") ? path.resolve(path.dirname(file), spec.replace(/\.js$/, ".ts")) : spec;
  });
}

/** Every module `file` imports, transitively. */
export function importsOf(file: string, seen = new Set<string>()): Set<string> {
  for (const target of directImports(file)) {
    if (seen.has(target)) continue;
    seen.add(target);
    // Our sources only: a relative path into node_modules names a compiled .js file, not followed.
    if (target.endsWith(".ts") && !target.includes(`${path.sep}node_modules${path.sep}`) && existsSync(target)) importsOf(target, seen);
  }
  return seen;
}
