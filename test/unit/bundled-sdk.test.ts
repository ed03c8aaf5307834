/**
 * Inside a real engine `@dagger.io/dagger` is not the npm package the harness uses: it is the
 * TypeScript runtime's bundled SDK, whose index re-exports a fixed list of names plus the generated
 * client. A value import outside that list (`ExecError` was one) is a load-time SyntaxError that
 * stops the whole module before any function runs — and the harness, with the full npm SDK, cannot
 * see it. So every value the module imports is checked against the list in Dagger's own source at
 * the pinned engine version (sdk/typescript/runtime/tsutils/module/index.ts).
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { beforeAll, describe, expect, it } from "vitest";
import { daggerSourceTarball, missingShared, repoRoot } from "../support/paths.js";

const BUNDLED_INDEX = "sdk/typescript/runtime/tsutils/module/index.ts";
const NPM_CLIENT = path.join(repoRoot, "node_modules/@dagger.io/dagger/dist/src/api/client.gen.js");

/** The names the bundled index re-exports by name, and whether it re-exports the generated client. */
function bundledExports(indexText: string): { named: Set<string>; reexportsClient: boolean } {
  const file = ts.createSourceFile("index.ts", indexText, ts.ScriptTarget.Latest);
  const named = new Set<string>();
  let reexportsClient = false;
  for (const statement of file.statements) {
    if (!ts.isExportDeclaration(statement) || statement.isTypeOnly) continue;
    const from = statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier) ? statement.moduleSpecifier.text : "";
    if (statement.exportClause === undefined) reexportsClient ||= from === "./client.gen.js";
    else if (ts.isNamedExports(statement.exportClause)) statement.exportClause.elements.forEach((e) => named.add(e.name.text));
  }
  return { named, reexportsClient };
}

/** The values the generated client exports (`dag`, the enums, the object classes), from the npm SDK of the same version. */
function clientValueExports(): Set<string> {
  const text = readFileSync(NPM_CLIENT, "utf8");
  return new Set([...text.matchAll(/^export (?:class|const|let|var|function|enum) (\w+)/gm)].map((m) => m[1]!));
}

interface ValueImport {
  file: string;
  name: string;
}

/** Every non-type import from @dagger.io/dagger in the module's sources. */
function moduleValueImports(): ValueImport[] {
  const root = path.join(repoRoot, "dagger/src");
  const files = readdirSync(root, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts"));
  return files.flatMap((relative) => {
    const source = ts.createSourceFile(relative, readFileSync(path.join(root, relative), "utf8"), ts.ScriptTarget.Latest);
    return source.statements.flatMap((statement) => {
      if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) return [];
      if (statement.moduleSpecifier.text !== "@dagger.io/dagger") return [];
      const clause = statement.importClause;
      if (clause === undefined || clause.isTypeOnly) return [];
      const bindings = clause.namedBindings;
      if (bindings === undefined || !ts.isNamedImports(bindings)) return [{ file: relative, name: "<default or namespace import>" }];
      return bindings.elements.filter((e) => !e.isTypeOnly).map((e) => ({ file: `dagger/src/${relative}`, name: (e.propertyName ?? e.name).text }));
    });
  });
}

describe.skipIf(!existsSync(daggerSourceTarball))("the module's imports from the engine's bundled SDK", () => {
  // Read when the tests run, not while vitest collects them: a skipped suite is still collected, and
  // on a bare clone there is no tarball to read.
  let bundled: ReturnType<typeof bundledExports>;
  let client: Set<string>;
  let imports: ValueImport[];
  beforeAll(() => {
    bundled = bundledExports(execFileSync("tar", ["-xJOf", daggerSourceTarball, BUNDLED_INDEX], { encoding: "utf8" }));
    client = clientValueExports();
    imports = moduleValueImports();
  });

  it("reads the bundled index: the decorators by name and the generated client as a whole", () => {
    expect([...bundled.named]).toEqual(expect.arrayContaining(["connection", "func", "object", "argument", "check"]));
    expect(bundled.reexportsClient).toBe(true);
    expect(client.has("dag")).toBe(true);
  });

  it("finds the module's value imports (the check would pass vacuously otherwise)", () => {
    expect(imports.map((i) => i.name)).toEqual(expect.arrayContaining(["dag", "func", "object"]));
  });

  it("imports no value the bundled SDK lacks", () => {
    const missing = imports.filter(({ name }) => !bundled.named.has(name) && !client.has(name));
    expect(missing.map(({ file, name }) => `${file}: ${name}`)).toEqual([]);
  });

  it("would refuse ExecError, the import that stopped the module loading on a real engine", () => {
    expect(bundled.named.has("ExecError") || client.has("ExecError")).toBe(false);
  });
});

describe.skipIf(existsSync(daggerSourceTarball))(missingShared("dagger-engine", "inputs"), () => {
  it.skip("the bundled SDK's exports", () => {});
});
