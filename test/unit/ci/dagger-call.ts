/**
 * Reads the `dagger … call …` command lines of the CI templates and checks each against the
 * module's API as the engine's introspector reads it (the API test/plan/api.test.ts pins): the
 * constructor's flags, then each function in the chain with its flags, into the objects they
 * return — so a template cannot call a function or pass an argument that does not exist.
 */
import type { IntrospectedModule } from "../../support/introspect.js";

type ObjectDef = IntrospectedModule["objects"][string];
type FunctionDef = ObjectDef["methods"][string];
type ArgumentDef = FunctionDef["arguments"][string];
type TypeDef = NonNullable<ArgumentDef["type"]>;

/** Shell words, quotes removed; stops at a pipe, list operator, redirection or comment. */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let current = "";
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
      else current += c;
      continue;
    }
    if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(current);
      current = "";
      inWord = false;
    } else if ("|&;>#".includes(c) && !inWord) {
      break;
    } else if ("|&;>".includes(c)) {
      words.push(current);
      return words;
    } else {
      current += c;
      inWord = true;
    }
  }
  if (quote !== undefined) throw new Error(`unterminated ${quote} in: ${line}`);
  if (inWord) words.push(current);
  return words;
}

/**
 * Every `dagger … call …` command in shell text: continuation lines joined, one per command. A
 * word that expands a bash array (`"${policy[@]}"`, or `${policy[@]+"${policy[@]}"}`) or the
 * positional parameters (`"$@"`) becomes, in turn, each value the script assigns it
 * (`policy=(…)`, `set -- …`): one command per value, so every form a template can run is checked.
 */
export function daggerCalls(script: string): string[][] {
  const values = expansions(script);
  const variants = (words: string[]): string[][] => {
    const at = words.findIndex((word) => values.has(word));
    if (at < 0) return [words];
    return values.get(words[at]!)!.flatMap((value) => variants([...words.slice(0, at), ...value, ...words.slice(at + 1)]));
  };
  return script
    .replace(/\\\n/g, " ")
    .split("\n")
    .flatMap((line) => {
      const words = shellWords(line.trim());
      const start = words.indexOf("dagger");
      return start >= 0 && words.slice(start).includes("call") ? variants(words.slice(start)) : [];
    });
}

/** The values a script assigns to its arrays and to its positional parameters, by the word (quotes removed) that expands them. */
function expansions(script: string): Map<string, string[][]> {
  const found = new Map<string, string[][]>();
  const add = (word: string, text: string) => {
    const known = found.get(word) ?? [];
    const words = shellWords(text.trim());
    if (!known.some((value) => value.join("\0") === words.join("\0"))) found.set(word, [...known, words]);
  };
  for (const [, name, text] of script.matchAll(/(?<![\w$])([A-Za-z_]\w*)=\(([^()]*)\)/g)) {
    add(`\${${name}[@]}`, text!);
    add(`\${${name}[@]+\${${name}[@]}}`, text!);
  }
  for (const [, text] of script.matchAll(/\bset --([^;\n]*)/g)) add("$@", text!);
  return found;
}

/** Flags of `dagger` and of `dagger call` themselves, with whether they take a value. */
const CLI_FLAGS: Readonly<Record<string, boolean>> = { "-m": true, "--mod": true, "--progress": true, "-q": false, "--quiet": false, "-s": false, "--silent": false, "--json": false, "-o": true, "--output": true };

/**
 * Functions of the core types the templates call on what drydock returns, with their arguments:
 * the core API is not drydock's to pin (its schema lives in ../shared), only these few uses.
 */
const CORE: Readonly<Record<string, Readonly<Record<string, { args: readonly string[]; required: readonly string[]; returns: string }>>>> = {
  Directory: { export: { args: ["path", "wipe"], required: ["path"], returns: "String" }, entries: { args: ["path"], required: [], returns: "String" } },
  File: { export: { args: ["path", "allowParentDirPath"], required: ["path"], returns: "String" }, contents: { args: [], required: [], returns: "String" } },
  Container: { publish: { args: ["address"], required: ["address"], returns: "String" } },
};

const camel = (kebab: string) => kebab.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());

function typeName(type: TypeDef | undefined): string {
  if (type === undefined) return "<unresolved>";
  if ("typeDef" in type) return `[${typeName(type.typeDef)}]`;
  if ("name" in type) return type.name;
  return type.kind;
}

function isOptional(arg: ArgumentDef): boolean {
  return arg.isOptional || arg.isNullable || arg.defaultValue !== undefined || arg.defaultPath !== undefined || arg.defaultAddress !== undefined;
}

interface Callable {
  readonly label: string;
  readonly args: readonly string[];
  readonly required: readonly string[];
  readonly returns: string;
}

function fromModule(owner: string, name: string, args: Record<string, ArgumentDef>, returns: string): Callable {
  const defs = Object.values(args);
  return { label: `${owner}.${name}`, args: defs.map((a) => a.name), required: defs.filter((a) => !isOptional(a)).map((a) => a.name), returns };
}

/** What `name` (kebab-case, as typed) is on `type`: a function, a field, or nothing. */
function member(module: IntrospectedModule, type: string, name: string): Callable | undefined {
  const wanted = camel(name);
  const object = Object.values(module.objects).find((o) => o.name === type);
  if (object !== undefined) {
    const fn = Object.values(object.methods).find((m) => (m.alias ?? m.name) === wanted);
    if (fn) return fromModule(type, wanted, fn.arguments, typeName(fn.returnType));
    const field = Object.values(object.properties).find((p) => p.isExposed && (p.alias ?? p.name) === wanted);
    if (field) return { label: `${type}.${wanted}`, args: [], required: [], returns: typeName(field.type) };
    return undefined;
  }
  const core = CORE[type]?.[wanted];
  return core === undefined ? undefined : { label: `${type}.${wanted}`, ...core };
}

/**
 * The problems of one command (empty when it fits the API): unknown functions, unknown or
 * missing arguments, and flags of `dagger` itself that this reader does not know.
 */
export function checkCall(module: IntrospectedModule, words: readonly string[]): string[] {
  const problems: string[] = [];
  const callAt = words.indexOf("call");
  for (let i = 1; i < callAt; i++) {
    const [flag] = words[i]!.split("=", 1);
    if (!(flag! in CLI_FLAGS)) problems.push(`unknown dagger flag ${words[i]}`);
    else if (CLI_FLAGS[flag!] && !words[i]!.includes("=")) i++;
  }
  const main = Object.values(module.objects).find((o) => o.name === module.name);
  if (main === undefined) return [`no main object ${module.name}`];
  let current: Callable = fromModule(module.name, "constructor", main._constructor?.arguments ?? {}, module.name);
  let given = new Set<string>();
  const finish = () => {
    for (const arg of current.required) if (!given.has(arg)) problems.push(`${current.label}: required --${arg.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} not given`);
  };
  for (let i = callAt + 1; i < words.length; i++) {
    const word = words[i]!;
    if (word.startsWith("-")) {
      const [flag] = word.split("=", 1);
      if (flag! in CLI_FLAGS) {
        if (CLI_FLAGS[flag!] && !word.includes("=")) i++;
        continue;
      }
      const arg = camel(flag!.replace(/^--/, ""));
      if (!current.args.includes(arg)) problems.push(`${current.label} has no argument ${flag}`);
      given.add(arg);
      // Every value in the templates is written --flag=value; a bare flag takes the next word.
      if (!word.includes("=") && i + 1 < words.length && !words[i + 1]!.startsWith("-")) i++;
      continue;
    }
    finish();
    const next = member(module, current.returns, word);
    if (next === undefined) {
      problems.push(`${current.returns} has no function or field ${word} (after ${current.label})`);
      return problems;
    }
    current = next;
    given = new Set();
  }
  finish();
  return problems;
}
