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

const cache = new Map<string, GraphQLSchema>();

/**
 * The schema file the fake engine validates against: $DRYDOCK_DAGGER_SCHEMA when set (it must
 * exist: a path someone named that is not there is a mistake, never a reason to skip), else the
 * shared default, else undefined — and then every test that runs on the fake engine is skipped
 * (see useFakeEngine), since without the schema the engine can neither validate a query nor tell
 * what type a field returns.
 */
export function daggerSchemaPath(): string | undefined {
  const named = process.env[SCHEMA_ENV];
  if (named !== undefined && named !== "") {
    if (!existsSync(named)) throw new Error(`$${SCHEMA_ENV}: ${named} does not exist — expected the Dagger API schema (schema-v0.21.8.graphqls); \`npm run schema:dagger\` writes it from a running engine`);
    return named;
  }
  return existsSync(DEFAULT_SCHEMA_PATH) ? DEFAULT_SCHEMA_PATH : undefined;
}

/**
 * `explicit` (a path, or null for "run unvalidated" on purpose) wins over $DRYDOCK_DAGGER_SCHEMA,
 * which wins over the shared default. No schema at all is an error here: tests that need one are
 * skipped before they construct an engine.
 */
export function loadSchema(explicit?: string | null): LoadedSchema {
  if (explicit === null) return { schema: undefined, path: undefined };
  if (explicit !== undefined) {
    if (!existsSync(explicit)) throw new Error(`FakeEngine option schemaPath: ${explicit} does not exist — expected the Dagger API schema (schema-v0.21.8.graphqls)`);
    return { schema: build(explicit), path: explicit };
  }
  const found = daggerSchemaPath();
  if (found === undefined) {
    throw new Error(
      `fake Dagger engine: no schema at ${DEFAULT_SCHEMA_PATH} and $${SCHEMA_ENV} unset — set $${SCHEMA_ENV} (\`npm run schema:dagger\` writes one from a running engine), or pass schemaPath: null to run unvalidated on purpose`,
    );
  }
  return { schema: build(found), path: found };
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
