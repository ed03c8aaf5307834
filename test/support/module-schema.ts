/**
 * The GraphQL types a Dagger module adds to the API its dependents see, written as SDL from what
 * the TypeScript SDK's own introspector reports (introspect.ts) and registered the way the SDK's
 * register step and the engine do it:
 *
 * - object names namespaced by the module (`Report` of module drydock is `DrydockReport`; the
 *   main object `Drydock` keeps its name), each implementing Node with an `id`;
 * - exposed fields and functions as fields, non-null unless they return Void; object arguments
 *   as `ID` with `@expectedType`; optional when `?`, a non-primitive default, a defaultPath or a
 *   defaultAddress; primitive defaults as GraphQL defaults;
 * - the main object's constructor as `Query.<module>(…)`;
 * - enums namespaced like objects, members in SCREAMING_SNAKE_CASE with `@enumValue`.
 *
 * A dependent module's queries can then be validated against the core schema extended with
 * this SDL (FakeEngineOptions.schemaExtension), as the engine would validate them.
 */
import type { IntrospectedModule } from "./introspect.js";

type ObjectDef = IntrospectedModule["objects"][string];
type FunctionDef = ObjectDef["methods"][string];
type ArgumentDef = FunctionDef["arguments"][string];
type TypeDef = NonNullable<ArgumentDef["type"]>;

const SCALARS: Record<string, string> = {
  STRING_KIND: "String",
  INTEGER_KIND: "Int",
  FLOAT_KIND: "Float",
  BOOLEAN_KIND: "Boolean",
  VOID_KIND: "Void",
};

/** `strcase.ToCamel`, as the engine's gqlObjectName. */
const camel = (name: string) =>
  name
    .split(/[-_\s]+/)
    .filter((part) => part !== "")
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join("");

/** The engine's namespaceObject (core/gqlformat.go at v0.21.8). */
export function namespacedName(objectName: string, moduleName: string): string {
  const object = camel(objectName);
  const prefix = camel(moduleName);
  if (object.startsWith(prefix)) {
    const rest = object.slice(prefix.length);
    if (rest === "") return prefix;
    if (/^[A-Z]/.test(rest)) return prefix + rest;
  }
  return camel(`${moduleName}_${objectName}`);
}

/** `strcase.ToLowerCamel`, as the engine's gqlFieldName. */
export const fieldName = (name: string) => {
  const c = camel(name);
  return c[0]!.toLowerCase() + c.slice(1);
};

/** The engine's gqlEnumMemberName: SCREAMING_SNAKE_CASE unless already conventional. */
export function enumMemberName(name: string): string {
  if (/^[A-Z][A-Z0-9_]*$/.test(name)) return name;
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/[-\s]+/g, "_")
    .toUpperCase();
}

const description = (doc: string | undefined, indent: string) => {
  const text = (doc ?? "").trim();
  if (text === "") return "";
  return `${indent}"""\n${text
    .replace(/"""/g, '\\"""')
    .split("\n")
    .map((line) => `${indent}${line.trim()}`.trimEnd())
    .join("\n")}\n${indent}"""\n`;
};

export interface ModuleSdl {
  /** The SDL: the module's types, and `extend type Query` with its constructor. */
  readonly sdl: string;
  /**
   * What the engine refuses when it loads the module (core/module.go validateObjectTypeDef), in
   * its words; the offending members are left out of `sdl`, so the rest can still be checked.
   */
  readonly problems: readonly string[];
  /** Module-local type names → the names in the schema, e.g. Report → DrydockReport. */
  readonly typeNames: Readonly<Record<string, string>>;
}

/** The SDL a module's dependents see, from the introspected module. */
export function moduleSdl(module: IntrospectedModule): ModuleSdl {
  const moduleName = fieldName(module.name);
  const local = new Set([...Object.keys(module.objects), ...Object.keys(module.enums)]);
  const typeNames = Object.fromEntries([...local].map((name) => [name, namespacedName(name, moduleName)]));
  const isPrimitive = (type: TypeDef | undefined) => type !== undefined && (type.kind in SCALARS || type.kind === "ENUM_KIND");

  const named = (type: TypeDef): string => {
    if ("typeDef" in type) return `[${named(type.typeDef)}!]`;
    if ("name" in type) return typeNames[type.name] ?? type.name;
    const scalar = SCALARS[type.kind];
    if (scalar === undefined) throw new Error(`module ${module.name}: no GraphQL type for ${type.kind}`);
    return scalar;
  };
  const isObject = (type: TypeDef) => "name" in type && type.kind === "OBJECT_KIND";
  const isObjectList = (type: TypeDef): boolean => ("typeDef" in type ? isObjectList(type.typeDef) : isObject(type));
  const output = (type: TypeDef | undefined, where: string) => {
    if (type === undefined) throw new Error(`${where}: the introspector resolved no type`);
    return type.kind === "VOID_KIND" ? "Void" : `${named(type)}!`;
  };

  const argument = (arg: ArgumentDef, where: string): string => {
    if (arg.type === undefined) throw new Error(`${where}(${arg.name}): the introspector resolved no type`);
    // Objects travel as IDs; the directive says which type the engine expects.
    const objectName = "typeDef" in arg.type ? undefined : "name" in arg.type && arg.type.kind === "OBJECT_KIND" ? typeNames[arg.type.name] ?? arg.type.name : undefined;
    const listOfObjects = "typeDef" in arg.type && isObjectList(arg.type);
    const base = objectName ? "ID" : listOfObjects ? "[ID!]" : named(arg.type);
    const primitiveDefault = arg.defaultValue !== undefined && isPrimitive(arg.type);
    const optional = arg.isOptional || arg.defaultValue !== undefined || arg.defaultPath !== undefined || arg.defaultAddress !== undefined;
    const directives = [
      arg.defaultPath !== undefined ? `@defaultPath(path: ${JSON.stringify(arg.defaultPath)})` : "",
      arg.defaultAddress !== undefined ? `@defaultAddress(address: ${JSON.stringify(arg.defaultAddress)})` : "",
      arg.ignore !== undefined ? `@ignorePatterns(patterns: ${JSON.stringify(arg.ignore)})` : "",
      objectName ? `@expectedType(name: ${JSON.stringify(objectName)})` : "",
    ].filter((d) => d !== "");
    const value = primitiveDefault ? ` = ${defaultLiteral(module, arg.defaultValue, arg.type)}` : "";
    return `${description(arg.description, "    ")}    ${arg.name}: ${base}${optional ? "" : "!"}${value}${directives.length ? " " + directives.join(" ") : ""}`;
  };
  const args = (list: ArgumentDef[], where: string) => (list.length === 0 ? "" : `(\n${list.map((a) => argument(a, where)).join("\n")}\n  )`);

  const blocks: string[] = [];
  const problems: string[] = [];
  // Every object has the engine's `id`: a field or function of that name stops the module loading.
  const reserved = (kind: "field" | "function", name: string, object: string) => {
    if (fieldName(name) !== "id") return false;
    problems.push(`cannot define ${kind} with reserved name ${JSON.stringify(name)} on object ${JSON.stringify(object)}`);
    return true;
  };
  for (const object of Object.values(module.objects)) {
    const name = typeNames[object.name]!;
    const lines = [`  """A unique identifier for this ${name}."""`, `  id: ID!`];
    for (const field of Object.values(object.properties).filter((p) => p.isExposed)) {
      if (reserved("field", field.alias ?? field.name, object.name)) continue;
      lines.push(`${description(field.description, "  ")}  ${field.alias ?? field.name}: ${output(field.type, `${object.name}.${field.name}`)}`);
    }
    for (const fn of Object.values(object.methods)) {
      if (reserved("function", fn.alias ?? fn.name, object.name)) continue;
      const where = `${object.name}.${fn.name}`;
      lines.push(`${description(fn.description, "  ")}  ${fn.alias ?? fn.name}${args(Object.values(fn.arguments), where)}: ${output(fn.returnType, where)}${fn.isCheck ? " @check" : ""}`);
    }
    blocks.push(`${description(object.description, "")}type ${name} implements Node {\n${lines.join("\n")}\n}`);
  }
  for (const e of Object.values(module.enums)) {
    const members = Object.values(e.values).map((v) => `${description(v.description, "  ")}  ${enumMemberName(v.name)} @enumValue(value: ${JSON.stringify(v.value)})`);
    blocks.push(`${description(e.description, "")}enum ${typeNames[e.name]} {\n${members.join("\n")}\n}`);
  }
  const main = Object.values(module.objects).find((o) => typeNames[o.name] === camel(moduleName));
  if (!main) throw new Error(`module ${module.name}: no main object ${camel(moduleName)}`);
  const constructorArgs = Object.values(main._constructor?.arguments ?? {});
  blocks.push(`extend type Query {\n${description(main.description, "  ")}  ${moduleName}${args(constructorArgs, `${main.name}.constructor`)}: ${typeNames[main.name]}!\n}`);
  return { sdl: blocks.join("\n\n") + "\n", problems, typeNames };
}

/** A primitive default as GraphQL text; an enum's is the name of the member with that value, as the SDK registers it. */
function defaultLiteral(module: IntrospectedModule, value: unknown, type: TypeDef): string {
  if (type.kind !== "ENUM_KIND" || !("name" in type)) return JSON.stringify(value);
  const member = Object.values(module.enums[type.name]?.values ?? {}).find((v) => v.value === value);
  return enumMemberName(member?.name ?? String(value));
}
