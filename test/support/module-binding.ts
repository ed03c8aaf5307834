/**
 * What `dagger develop` generates for a module that depends on another — `dag.drydock(…)` and the
 * dependency's object classes — made here from the schema, since no engine runs codegen on this
 * machine. It follows the TypeScript generator's rules (cmd/codegen/generator/typescript at
 * v0.21.8): required arguments positional, optional ones in one trailing `opts` object; a field
 * that returns an object selects it and returns that object (core types as the SDK's own classes);
 * a field that returns a scalar, an enum or a list of them executes the query and resolves to it.
 *
 * - `installModuleBinding(schema, "drydock")` puts the constructor on the SDK's global `dag`
 *   for a plan test, so a dependent module's code runs unchanged against the fake engine.
 * - `moduleBindingDeclarations(…)` writes the matching TypeScript declarations (a module
 *   augmentation of "@dagger.io/dagger"), so the root type check sees `dag.drydock` as the
 *   dependent module's own tsconfig does after `dagger develop`.
 */
import * as sdk from "@dagger.io/dagger";
import { Context, dag } from "@dagger.io/dagger";
import {
  getNamedType,
  getNullableType,
  isEnumType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
} from "graphql";
import { expectedTypeOf } from "./fake-engine/schema.js";

type Args = Record<string, unknown>;

/** Required as the generator sees it: non-null and without a default. */
const isRequired = (arg: GraphQLArgument) => isNonNullType(arg.type) && arg.defaultValue === undefined;

/** The arguments of a call, by name, from positional values and a trailing opts object. */
function namedArguments(field: GraphQLField<unknown, unknown>, where: string, given: unknown[]): Args {
  const required = field.args.filter(isRequired);
  const optional = field.args.filter((a) => !isRequired(a));
  if (given.length < required.length) throw new Error(`${where}: expected ${required.map((a) => a.name).join(", ")}, got ${given.length} argument(s)`);
  if (given.length > required.length + (optional.length > 0 ? 1 : 0)) throw new Error(`${where}: too many arguments (${given.length})`);
  const named: Args = Object.fromEntries(required.map((a, i) => [a.name, given[i]]));
  const opts = (given[required.length] ?? {}) as Args;
  for (const key of Object.keys(opts)) {
    if (!optional.some((a) => a.name === key)) throw new Error(`${where}: no optional argument ${JSON.stringify(key)} (has ${optional.map((a) => a.name).join(", ") || "none"})`);
  }
  return { ...named, ...opts };
}

/** An object of the dependency's schema: each field a method, as the generated class has. */
function moduleObject(schema: GraphQLSchema, type: GraphQLObjectType, ctx: Context, moduleTypes: ReadonlySet<string>): object {
  // `_ctx` lets the SDK resolve the object to its ID when it is passed as an argument.
  const target = { _ctx: ctx };
  return new Proxy(target, {
    get(_, key) {
      if (key === "_ctx") return ctx;
      // Never a thenable: `await` on the object must not call a field.
      if (typeof key !== "string" || key === "then") return undefined;
      const field = type.getFields()[key];
      if (!field) return undefined;
      return (...given: unknown[]) => select(schema, ctx, field, `${type.name}.${key}`, given, moduleTypes);
    },
  });
}

function select(schema: GraphQLSchema, ctx: Context, field: GraphQLField<unknown, unknown>, where: string, given: unknown[], moduleTypes: ReadonlySet<string>): unknown {
  const next = ctx.select(field.name, namedArguments(field, where, given));
  const returned = getNullableType(field.type);
  const named = getNamedType(returned);
  if (isLeafType(named)) return next.execute();
  if (isListType(returned)) throw new Error(`${where}: lists of objects are not bound here (the generated binding loads each by ID); use a named accessor`);
  if (!isObjectType(named)) throw new Error(`${where}: returns ${named.name}, which is neither a scalar nor an object`);
  if (moduleTypes.has(named.name)) return moduleObject(schema, named, next, moduleTypes);
  const CoreClass = (sdk as unknown as Record<string, new (ctx: Context) => object>)[named.name];
  if (typeof CoreClass !== "function") throw new Error(`${where}: the SDK exports no class ${named.name}`);
  return new CoreClass(next);
}

/**
 * Puts `dag.<module>(…)` on the SDK's global client, bound to `schema`'s `Query.<module>` and the
 * dependency's `typeNames` (as module-schema.ts names them). Returns a function that removes it.
 */
export function installModuleBinding(schema: GraphQLSchema, moduleField: string, typeNames: Iterable<string>): () => void {
  const moduleTypes = new Set(typeNames);
  const root = schema.getQueryType()?.getFields()[moduleField];
  if (!root) throw new Error(`the schema has no Query.${moduleField}: extend it with the module's SDL first`);
  const type = getNamedType(root.type);
  if (!isObjectType(type)) throw new Error(`Query.${moduleField} returns ${type.name}, not an object`);
  const construct = (...given: unknown[]) => moduleObject(schema, type, new Context().select(root.name, namedArguments(root, `Query.${moduleField}`, given)), moduleTypes);
  Object.defineProperty(dag, moduleField, { value: construct, configurable: true, writable: true });
  return () => {
    delete (dag as unknown as Record<string, unknown>)[moduleField];
  };
}

// The declarations.

const SCALAR_TS: Record<string, string> = { String: "string", Int: "number", Float: "number", Boolean: "boolean", Void: "void", JSON: "string", Platform: "string", ID: "string" };

function tsType(type: GraphQLOutputType | GraphQLInputType, moduleTypes: ReadonlySet<string>, expected?: string): string {
  const inner = getNullableType(type);
  if (isListType(inner)) return `${tsType(inner.ofType, moduleTypes, expected)}[]`;
  const named = getNamedType(inner);
  if (named.name === "ID" && expected !== undefined) return expected;
  if (isEnumType(named)) return named.name;
  return SCALAR_TS[named.name] ?? named.name;
}

function parameters(field: GraphQLField<unknown, unknown>, optsType: string, moduleTypes: ReadonlySet<string>): string {
  const argType = (a: GraphQLArgument) => tsType(a.type, moduleTypes, expectedTypeOf(a));
  const required = field.args.filter(isRequired).map((a) => `${a.name}: ${argType(a)}`);
  const optional = field.args.filter((a) => !isRequired(a));
  return [...required, ...(optional.length > 0 ? [`opts?: ${optsType}`] : [])].join(", ");
}

function optsDeclaration(name: string, field: GraphQLField<unknown, unknown>, moduleTypes: ReadonlySet<string>): string | undefined {
  const optional = field.args.filter((a) => !isRequired(a));
  if (optional.length === 0) return undefined;
  const members = optional.map((a) => `    ${a.name}?: ${tsType(a.type, moduleTypes, expectedTypeOf(a))};`);
  return `  export type ${name} = {\n${members.join("\n")}\n  };`;
}

function method(owner: string, field: GraphQLField<unknown, unknown>, moduleTypes: ReadonlySet<string>, opts: string[]): string {
  const optsName = `${owner}${field.name[0]!.toUpperCase()}${field.name.slice(1)}Opts`;
  const declared = optsDeclaration(optsName, field, moduleTypes);
  if (declared) opts.push(declared);
  const returned = tsType(field.type, moduleTypes);
  const named = getNamedType(field.type);
  const result = isLeafType(named) ? `Promise<${returned}>` : isListType(getNullableType(field.type)) ? `Promise<${returned}>` : returned;
  return `    ${field.name}(${parameters(field, optsName, moduleTypes)}): ${result};`;
}

/**
 * TypeScript declarations of the binding: `Client.<module>(…)` and one class per module type, as a
 * module augmentation of "@dagger.io/dagger". Signatures only, no doc comments: a committed copy
 * changes when drydock's API does, not its wording. Deterministic, so a test keeps that copy equal.
 */
export function moduleBindingDeclarations(schema: GraphQLSchema, moduleField: string, typeNames: Iterable<string>, header: string): string {
  const moduleTypes = new Set(typeNames);
  const root = schema.getQueryType()?.getFields()[moduleField];
  if (!root) throw new Error(`the schema has no Query.${moduleField}`);
  const opts: string[] = [];
  const client = `  interface Client {\n${method("Client", root, moduleTypes, opts)}\n  }`;
  const declarations: string[] = [];
  const coreTypes = new Set<string>();
  for (const name of [...moduleTypes].sort()) {
    const type = schema.getType(name);
    if (isEnumType(type)) {
      declarations.push(`  export type ${name} = ${type.getValues().map((v) => JSON.stringify(v.name)).join(" | ")};`);
      continue;
    }
    if (!isObjectType(type)) continue;
    const methods = Object.values(type.getFields())
      .filter((f) => f.name !== "id")
      .map((f) => {
        for (const t of [getNamedType(f.type), ...f.args.map((a) => ({ name: expectedTypeOf(a) ?? getNamedType(a.type).name }))]) {
          if (!moduleTypes.has(t.name) && !(t.name in SCALAR_TS) && schema.getType(t.name) && isObjectType(schema.getType(t.name))) coreTypes.add(t.name);
        }
        return method(name, f, moduleTypes, opts);
      });
    declarations.push(`  export class ${name} {\n    private constructor();\n${methods.join("\n")}\n  }`);
  }
  for (const a of root.args) {
    const expected = expectedTypeOf(a);
    if (expected && !moduleTypes.has(expected)) coreTypes.add(expected);
  }
  const imports = [...coreTypes].sort();
  return [
    header.trimEnd(),
    imports.length > 0 ? `import type { ${imports.join(", ")} } from "@dagger.io/dagger";` : `export {};`,
    "",
    `declare module "@dagger.io/dagger" {`,
    client,
    "",
    [...opts, ...declarations].join("\n\n"),
    "}",
    "",
  ].join("\n");
}
