/**
 * `npm run schema:dagger [-- <out-file>]`: writes the Dagger API schema from a running engine, for
 * plan tests on a machine without ../shared (then DRYDOCK_DAGGER_SCHEMA=<out-file> npm test).
 *
 * Run it inside a session (`dagger run npm run schema:dagger`), or with a `dagger` CLI on PATH and
 * the SDK starts one. It sends the standard GraphQL introspection query, builds the schema with
 * graphql's `buildClientSchema`, and prints it with `printSchema`. Standard introspection does not
 * carry directive *applications*, and the fake engine reads one: `@expectedType(name: "Container")`
 * on ID fields and arguments. The engine exposes them through its own introspection extension
 * (`directives { name args { name value } }` on types, fields, arguments, input fields and enum
 * values, as Dagger's codegen asks for them), so a second query fetches those and they are put
 * back into the printed schema.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  buildClientSchema,
  getIntrospectionQuery,
  Kind,
  parse,
  parseConstValue,
  print,
  printSchema,
  visit,
  type ConstDirectiveNode,
  type IntrospectionQuery,
} from "graphql";

export const DEFAULT_OUT = "dagger-schema.graphqls";

/** A directive as applied somewhere in the schema; `value` is a GraphQL literal, e.g. `"Container"`. */
export interface DirectiveApplication {
  readonly name: string;
  readonly args: readonly { readonly name: string; readonly value: string | null }[];
}

interface Applied {
  readonly name: string;
  readonly directives?: readonly DirectiveApplication[] | null;
}
interface AppliedField extends Applied {
  readonly args?: readonly Applied[] | null;
}
export interface AppliedType extends Applied {
  readonly fields?: readonly AppliedField[] | null;
  readonly inputFields?: readonly Applied[] | null;
  readonly enumValues?: readonly Applied[] | null;
}
export interface DirectiveApplications {
  readonly __schema: { readonly types: readonly AppliedType[] };
}

const APPLIED = "directives { name args { name value } }";

/** Dagger's introspection extension: where each directive is applied. */
export const DIRECTIVE_APPLICATIONS_QUERY = `{
  __schema {
    types {
      name
      ${APPLIED}
      fields(includeDeprecated: true) { name ${APPLIED} args(includeDeprecated: true) { name ${APPLIED} } }
      inputFields(includeDeprecated: true) { name ${APPLIED} }
      enumValues(includeDeprecated: true) { name ${APPLIED} }
    }
  }
}`;

/** The standard query, with what the engine answers beyond the defaults (deprecated arguments). */
export const INTROSPECTION_QUERY = getIntrospectionQuery({ descriptions: true, inputValueDeprecation: true });

/** Directives the printed schema states by itself; applying them again would double them. */
const PRINTED_ANYWAY = new Set(["deprecated", "specifiedBy", "oneOf"]);

function directiveNodes(applied: readonly DirectiveApplication[] | null | undefined): ConstDirectiveNode[] {
  return (applied ?? [])
    .filter(({ name }) => !PRINTED_ANYWAY.has(name))
    .map(({ name, args }) => ({
      kind: Kind.DIRECTIVE,
      name: { kind: Kind.NAME, value: name },
      arguments: args.map((arg) => ({
        kind: Kind.ARGUMENT,
        name: { kind: Kind.NAME, value: arg.name },
        value: parseConstValue(arg.value ?? "null"),
      })),
    }));
}

/** The SDL of the schema the engine described, with its directive applications. */
export function schemaSdl(introspection: IntrospectionQuery, applications: DirectiveApplications): string {
  const document = parse(printSchema(buildClientSchema(introspection)));
  const types = new Map(applications.__schema.types.map((type) => [type.name, type]));
  const withApplied = <N extends { readonly directives?: readonly ConstDirectiveNode[] }>(node: N, applied: Applied | undefined): N => {
    const added = directiveNodes(applied?.directives);
    return added.length === 0 ? node : { ...node, directives: [...(node.directives ?? []), ...added] };
  };
  const named = <T extends Applied>(list: readonly T[] | null | undefined, name: string) => list?.find((entry) => entry.name === name);
  const edited = visit(document, {
    enter(node) {
      switch (node.kind) {
        case Kind.OBJECT_TYPE_DEFINITION:
        case Kind.INTERFACE_TYPE_DEFINITION: {
          const type = types.get(node.name.value);
          return withApplied(
            {
              ...node,
              fields: node.fields?.map((field) => {
                const appliedField = named(type?.fields, field.name.value);
                return withApplied({ ...field, arguments: field.arguments?.map((arg) => withApplied(arg, named(appliedField?.args, arg.name.value))) }, appliedField);
              }),
            },
            type,
          );
        }
        case Kind.INPUT_OBJECT_TYPE_DEFINITION: {
          const type = types.get(node.name.value);
          return withApplied({ ...node, fields: node.fields?.map((field) => withApplied(field, named(type?.inputFields, field.name.value))) }, type);
        }
        case Kind.ENUM_TYPE_DEFINITION: {
          const type = types.get(node.name.value);
          return withApplied({ ...node, values: node.values?.map((value) => withApplied(value, named(type?.enumValues, value.name.value))) }, type);
        }
        case Kind.SCALAR_TYPE_DEFINITION:
        case Kind.UNION_TYPE_DEFINITION:
          return withApplied(node, types.get(node.name.value));
        default:
          return undefined;
      }
    },
  });
  return `${print(edited)}\n`;
}

async function main(out: string): Promise<void> {
  // Imported here so that tests of schemaSdl need no engine and no SDK connection.
  const { connection, Context } = await import("@dagger.io/dagger");
  await connection(async () => {
    const client = new Context().getGQLClient();
    const introspection = await client.request<IntrospectionQuery>(INTROSPECTION_QUERY);
    const applications = await client.request<DirectiveApplications>(DIRECTIVE_APPLICATIONS_QUERY);
    const sdl = schemaSdl(introspection, applications);
    writeFileSync(out, sdl);
    const types = introspection.__schema.types.length;
    console.log(`wrote ${out}: ${types} types — run the plan tests against it with DRYDOCK_DAGGER_SCHEMA=${path.resolve(out)} npm test`);
  });
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv[2] ?? DEFAULT_OUT).catch((error: unknown) => {
    console.error(`schema:dagger: ${error instanceof Error ? error.message : String(error)}`);
    console.error("It needs a Dagger engine: run it as `dagger run npm run schema:dagger`, or with the dagger CLI on PATH.");
    process.exitCode = 1;
  });
}
