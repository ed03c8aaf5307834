/**
 * Reads the module the way the Dagger engine does: the TypeScript SDK's own introspector over
 * every .ts file of the module source, yielding the objects, functions, arguments and doc
 * comments that `dagger functions` and `dagger call --help` show.
 */
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { scan } from "../../node_modules/@dagger.io/dagger/dist/src/module/introspector/index.js";
import { repoRoot } from "./paths.js";

export type IntrospectedModule = Awaited<ReturnType<typeof scan>>;

/** The Dagger API types as TypeScript source: the introspector resolves `Directory`, `File`… from a file with this name. */
const CLIENT_GEN_FILE = "client.gen.ts";

function daggerJson(root: string): { name: string; source: string } {
  const file = path.join(root, "dagger.json");
  const parsed = JSON.parse(readFileSync(file, "utf8")) as { name?: unknown; source?: unknown };
  if (typeof parsed.name !== "string" || typeof parsed.source !== "string") {
    throw new Error(`${file}: expected string fields "name" and "source", found ${JSON.stringify({ name: parsed.name, source: parsed.source })}`);
  }
  return { name: parsed.name, source: parsed.source };
}

function typeScriptFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(".ts") && !e.name.endsWith(".d.ts"))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}

/** Introspects `<source>/src` of the module named in `root/dagger.json`, as the engine would. */
export async function introspectModule(root: string = repoRoot): Promise<IntrospectedModule> {
  const { name, source } = daggerJson(root);
  const sdkEntry = createRequire(import.meta.url).resolve("@dagger.io/dagger");
  const clientGen = path.join(path.dirname(sdkEntry), "api", "client.gen.d.ts");
  const scratch = mkdtempSync(path.join(os.tmpdir(), "drydock-introspect-"));
  try {
    copyFileSync(clientGen, path.join(scratch, CLIENT_GEN_FILE));
    const files = typeScriptFiles(path.join(root, source, "src"));
    // loadModule=false: read the sources only, never execute module code.
    return await scan([path.join(scratch, CLIENT_GEN_FILE), ...files], name, false);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
