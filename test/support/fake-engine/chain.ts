/**
 * The recorded shape of a Dagger pipeline: every value the module asks for is a chain of steps
 * from the query root, e.g. `container.from(address: "node:24").withExec(args: ["pnpm", "i"]).stdout`.
 * Object arguments (IDs) are expanded back into the chain that produced them, so a plan reads
 * the same whether the SDK sent one query or ten.
 */

/** An argument value as the module sent it; object IDs become references to their chain. */
export type ArgValue =
  | null
  | string
  | number
  | boolean
  | ObjectRef
  | readonly ArgValue[]
  | { readonly [key: string]: ArgValue };

/** One field selected on the way to a value: `withExec(args: ["ls"])`. */
export interface Step {
  /** The GraphQL field name, e.g. `withMountedCache`. */
  readonly field: string;
  /** The arguments sent, without the ones left to their schema defaults. */
  readonly args: Readonly<Record<string, ArgValue>>;
  /** The named type the field returns, when a schema is loaded (e.g. `Container`). */
  readonly type?: string;
  /** Position in a list of objects, for fields such as `envVariables`. */
  readonly index?: number;
}

export type Chain = readonly Step[];

/** An object passed by ID, resolved to the chain the engine handed that ID out for. */
export class ObjectRef {
  constructor(
    readonly id: string,
    readonly type: string,
    readonly chain: Chain,
  ) {}
}

/** Shown instead of a secret's plaintext wherever the harness records or prints it. */
export const REDACTED = "***";

/** Arguments that carry a secret's plaintext, by field: recorded and printed only as REDACTED. */
export const SECRET_ARGUMENTS: Readonly<Record<string, readonly string[]>> = { setSecret: ["plaintext"] };

export function renderValue(value: ArgValue): string {
  if (value instanceof ObjectRef) return `<${value.type} ${renderChain(value.chain)}>`;
  if (Array.isArray(value)) return `[${value.map(renderValue).join(", ")}]`;
  if (value !== null && typeof value === "object") {
    const fields = Object.entries(value as Record<string, ArgValue>).map(([k, v]) => `${k}: ${renderValue(v)}`);
    return `{${fields.join(", ")}}`;
  }
  return JSON.stringify(value);
}

export function renderStep(step: Step): string {
  const args = Object.entries(step.args).map(([name, value]) => `${name}: ${renderValue(value)}`);
  const index = step.index === undefined ? "" : `[${step.index}]`;
  return args.length === 0 ? `${step.field}${index}` : `${step.field}(${args.join(", ")})${index}`;
}

/** One line: `container.from(address: "alpine").withExec(args: ["ls"])`. */
export function renderChain(chain: Chain): string {
  return chain.map(renderStep).join(".");
}

/** One step a line, continuation lines indented, as a reviewer reads a pipeline. */
export function renderChainMultiline(chain: Chain): string {
  const [first, ...rest] = chain.map(renderStep);
  return [first ?? "", ...rest.map((s) => `  .${s}`)].join("\n");
}

/** Every chain referenced by the steps' arguments, depth first, each once. */
export function referencedChains(chain: Chain): ObjectRef[] {
  const found: ObjectRef[] = [];
  const visit = (value: ArgValue): void => {
    if (value instanceof ObjectRef) {
      if (found.some((r) => r.id === value.id)) return;
      value.chain.forEach((step) => Object.values(step.args).forEach(visit));
      found.push(value);
    } else if (Array.isArray(value)) value.forEach(visit);
    else if (value !== null && typeof value === "object") Object.values(value as Record<string, ArgValue>).forEach(visit);
  };
  chain.forEach((step) => Object.values(step.args).forEach(visit));
  return found;
}
