/**
 * The public API of an introspected module as lines a reviewer can read and a test can pin:
 *
 *   Drydock.gate(report: File!, baseline: File) -> Void  cache=never  "Fail when findings break the policy."
 *     report  "The Trivy JSON report."
 *
 * A `!` marks an argument the caller must give; one with a default, a defaultPath or a `?` is
 * optional, exactly as the SDK registers it with the engine. Docs are pinned by their first
 * paragraph (the summary the CLI lists); `undocumented()` checks every doc is there at all.
 */
import type { IntrospectedModule } from "./introspect.js";

type ObjectDef = IntrospectedModule["objects"][string];
type FunctionDef = ObjectDef["methods"][string];
type ArgumentDef = FunctionDef["arguments"][string];
type TypeDef = NonNullable<ArgumentDef["type"]>;

const SCALAR_NAMES: Record<string, string> = {
  STRING_KIND: "String",
  INTEGER_KIND: "Int",
  FLOAT_KIND: "Float",
  BOOLEAN_KIND: "Boolean",
  VOID_KIND: "Void",
};

function renderType(type: TypeDef | undefined): string {
  if (type === undefined) return "<unresolved>";
  if ("typeDef" in type) return `[${renderType(type.typeDef)}]`;
  if ("name" in type) return type.name;
  return SCALAR_NAMES[type.kind] ?? type.kind;
}

/** The first paragraph of a doc comment, on one line: the summary the CLI lists. */
const summary = (doc: string | undefined) =>
  ((doc ?? "").trim().split(/\n\s*\n/)[0] ?? "")
    .split("\n")
    .map((line) => line.trim())
    .join(" ");
const quoted = (doc: string | undefined) => (summary(doc) === "" ? "(undocumented)" : JSON.stringify(summary(doc)));

/** Optional as the SDK's register step decides it: `?`, null, a default, a defaultPath or a defaultAddress. */
function isOptional(arg: ArgumentDef): boolean {
  return arg.isOptional || arg.isNullable || arg.defaultValue !== undefined || arg.defaultPath !== undefined || arg.defaultAddress !== undefined;
}

function signatureArg(arg: ArgumentDef): string {
  const name = arg.isVariadic ? `...${arg.name}` : arg.name;
  const base = `${name}: ${renderType(arg.type)}${isOptional(arg) ? "" : "!"}`;
  return arg.defaultValue === undefined ? base : `${base} = ${JSON.stringify(arg.defaultValue)}`;
}

function argumentLine(arg: ArgumentDef): string {
  const details = [
    arg.defaultPath !== undefined ? `defaultPath=${JSON.stringify(arg.defaultPath)}` : undefined,
    arg.defaultAddress !== undefined ? `defaultAddress=${JSON.stringify(arg.defaultAddress)}` : undefined,
    arg.ignore !== undefined ? `ignore=${JSON.stringify(arg.ignore)}` : undefined,
    arg.deprecated !== undefined ? `deprecated=${JSON.stringify(arg.deprecated)}` : undefined,
  ].filter((d) => d !== undefined);
  return ["  " + arg.name, ...details, quoted(arg.description)].join("  ");
}

function functionLines(owner: string, name: string, args: Record<string, ArgumentDef>, returns: TypeDef | undefined | null, tail: string[]): string[] {
  const signature = `${owner}.${name}(${Object.values(args).map(signatureArg).join(", ")})`;
  const typed = returns === null ? signature : `${signature} -> ${renderType(returns)}`;
  return [[typed, ...tail].join("  "), ...Object.values(args).map(argumentLine)];
}

function methodTail(fn: FunctionDef): string[] {
  return [
    `cache=${fn.cache === undefined || fn.cache === "" ? "default" : fn.cache}`,
    ...(fn.isCheck ? ["check"] : []),
    ...(fn.isGenerator ? ["generate"] : []),
    ...(fn.isUp ? ["up"] : []),
    ...(fn.deprecated !== undefined ? [`deprecated=${JSON.stringify(fn.deprecated)}`] : []),
    quoted(fn.description),
  ];
}

export function describeApi(module: IntrospectedModule): string[] {
  const lines = [`module ${module.name}  ${quoted(module.description)}`];
  for (const object of Object.values(module.objects)) {
    lines.push(`object ${object.name}  ${quoted(object.description)}`);
    for (const field of Object.values(object.properties).filter((p) => p.isExposed)) {
      lines.push(`${object.name}.${field.alias ?? field.name}: ${renderType(field.type)}  ${quoted(field.description)}`);
    }
    if (object._constructor) lines.push(...functionLines(object.name, "constructor", object._constructor.arguments, null, []));
    for (const fn of Object.values(object.methods)) lines.push(...functionLines(object.name, fn.alias ?? fn.name, fn.arguments, fn.returnType, methodTail(fn)));
  }
  for (const e of Object.values(module.enums)) {
    lines.push(`enum ${e.name}  ${quoted(e.description)}`);
    for (const v of Object.values(e.values)) lines.push(`  ${v.name} = ${JSON.stringify(v.value)}  ${quoted(v.description)}`);
  }
  for (const i of Object.values(module.interfaces)) {
    lines.push(`interface ${i.name}  ${quoted(i.description)}`);
    for (const fn of Object.values(i.functions)) lines.push(...functionLines(i.name, fn.name, fn.arguments, fn.returnType, [quoted(fn.description)]));
  }
  return lines;
}

/** Everything the CLI help would show without a description. */
export function undocumented(module: IntrospectedModule): string[] {
  const missing: string[] = [];
  const check = (what: string, doc: string | undefined) => {
    if (summary(doc) === "") missing.push(what);
  };
  check(`module ${module.name} (top-of-file comment of the entry file)`, module.description);
  for (const object of Object.values(module.objects)) {
    check(`object ${object.name}`, object.description);
    for (const field of Object.values(object.properties).filter((p) => p.isExposed)) check(`field ${object.name}.${field.name}`, field.description);
    // Only the main object's constructor reaches the CLI (`dagger call --source=…`); the engine
    // builds other objects through the functions that return them (dagger/dagger#6135, #8437).
    const constructorArgs = object.name === module.name ? Object.values(object._constructor?.arguments ?? {}) : [];
    for (const arg of constructorArgs) check(`argument ${object.name}.constructor(${arg.name})`, arg.description);
    for (const fn of Object.values(object.methods)) {
      check(`function ${object.name}.${fn.name}`, fn.description);
      for (const arg of Object.values(fn.arguments)) check(`argument ${object.name}.${fn.name}(${arg.name})`, arg.description);
    }
  }
  for (const e of Object.values(module.enums)) {
    check(`enum ${e.name}`, e.description);
    for (const v of Object.values(e.values)) check(`enum value ${e.name}.${v.name}`, v.description);
  }
  return missing;
}
