/**
 * Finds and loads the real Dagger API schema the fake engine validates every query against.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { buildSchema, type ConstDirectiveNode, type GraphQLSchema } from "graphql";
import { sharedDir } from "../paths.js";

/** Environment variable that points the fake engine at another schema file. */
export const SCHEMA_ENV = "DRYDOCK_DAGGER_SCHEMA";

export const DEFAULT_SCHEMA_PATH = path.join(sharedDir, "dagger", "schema-v0.21.8.graphqls");

export interface LoadedSchema {
  readonly schema: GraphQLSchema | undefined;
  readonly path: string | undefined;
}

let warnedUnvalidated = false;
const cache = new Map<string, GraphQLSchema>();

/**
 * `explicit` (a path, or null for "run unvalidated") wins over $DRYDOCK_DAGGER_SCHEMA, which wins
 * over the shared default. A path someone named that does not exist is an error; a missing
 * default only downgrades the engine to unvalidated, said once, so machines without the shared
 * folder can still run plan tests.
 */
export function loadSchema(explicit?: string | null): LoadedSchema {
  if (explicit === null) return { schema: undefined, path: undefined };
  const named = explicit ?? process.env[SCHEMA_ENV];
  if (named !== undefined && named !== "") {
    if (!existsSync(named)) {
      const source = explicit === undefined ? `$${SCHEMA_ENV}` : "FakeEngine option schemaPath";
      throw new Error(`${source}: ${named} does not exist — expected the Dagger API schema (schema-v0.21.8.graphqls)`);
    }
    return { schema: build(named), path: named };
  }
  if (existsSync(DEFAULT_SCHEMA_PATH)) return { schema: build(DEFAULT_SCHEMA_PATH), path: DEFAULT_SCHEMA_PATH };
  if (!warnedUnvalidated) {
    warnedUnvalidated = true;
    console.warn(
      `fake Dagger engine: no schema at ${DEFAULT_SCHEMA_PATH} and $${SCHEMA_ENV} unset — queries are NOT validated against the Dagger API`,
    );
  }
  return { schema: undefined, path: undefined };
}

function build(file: string): GraphQLSchema {
  const cached = cache.get(file);
  if (cached) return cached;
  const schema = buildSchema(readFileSync(file, "utf8"));
  cache.set(file, schema);
  return schema;
}

/**
 * The object type an ID field returns or an ID argument expects, from the schema's
 * `@expectedType(name: "Container")` directive.
 */
export function expectedTypeOf(def: { readonly astNode?: { readonly directives?: readonly ConstDirectiveNode[] } | null } | undefined): string | undefined {
  const directive = def?.astNode?.directives?.find((d) => d.name.value === "expectedType");
  const arg = directive?.arguments?.find((x) => x.name.value === "name");
  return arg?.value.kind === "StringValue" ? arg.value.value : undefined;
}
