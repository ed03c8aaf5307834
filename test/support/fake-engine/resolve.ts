/**
 * Walks a query's selection set against the schema's types: objects nest, leaves are answered,
 * and every step on the way is recorded as a chain. The response mirrors the query's nesting,
 * which is what the SDK unwraps.
 */
import {
  getNamedType,
  getNullableType,
  isListType,
  isObjectType,
  valueFromASTUntyped,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLSchema,
  type SelectionSetNode,
} from "graphql";
import { ObjectRef, REDACTED, SECRET_ARGUMENTS, type ArgValue, type Chain, type Step } from "./chain.js";
import { lookupId, UNKNOWN_TYPE } from "./ids.js";
import { answerLeaf, type LeafContext } from "./leaves.js";
import { QueryError } from "./query-error.js";
import { lastMatching } from "./rules.js";
import { expectedTypeOf } from "./schema.js";

/** A leaf the module asked for, on the object `chain` produces. */
export interface Evaluation {
  readonly chain: Chain;
  readonly leaf: Step;
  readonly ownerType: string | undefined;
}

export interface ResolveContext extends LeafContext {
  readonly schema: GraphQLSchema | undefined;
  record(evaluation: Evaluation): void;
}

export function resolveDocument(ctx: ResolveContext, document: DocumentNode): Record<string, unknown> {
  const operations = document.definitions.filter((d) => d.kind === "OperationDefinition");
  const operation = operations[0];
  if (operations.length !== 1 || operation?.operation !== "query") {
    throw new QueryError("the fake engine answers exactly one query operation per request", { violation: "invalid-query" });
  }
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === "FragmentDefinition") fragments.set(d.name.value, d);
  const walker = new Walker(ctx, fragments);
  return walker.select(ctx.schema?.getQueryType() ?? undefined, "Query", [], operation.selectionSet);
}

class Walker {
  constructor(
    private readonly ctx: ResolveContext,
    private readonly fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  ) {}

  select(type: GraphQLObjectType | undefined, typeName: string | undefined, chain: Chain, selectionSet: SelectionSetNode): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const selection of selectionSet.selections) {
      if (selection.kind === "Field") {
        out[selection.alias?.value ?? selection.name.value] = this.field(type, typeName, chain, selection);
        continue;
      }
      const fragment = selection.kind === "InlineFragment" ? selection : this.fragments.get(selection.name.value);
      if (!fragment) throw new QueryError(`unknown fragment ${selection.kind === "FragmentSpread" ? selection.name.value : ""}`, { violation: "invalid-query" });
      const condition = fragment.typeCondition?.name.value;
      if (condition !== undefined && typeName !== undefined && !this.implements(typeName, condition)) continue;
      const narrowed = condition ?? typeName;
      Object.assign(out, this.select(this.objectType(narrowed) ?? type, narrowed, chain, fragment.selectionSet));
    }
    return out;
  }

  private field(parent: GraphQLObjectType | undefined, parentName: string | undefined, chain: Chain, node: FieldNode): unknown {
    const name = node.name.value;
    if (name === "__typename") return parentName ?? null;
    const def = parent?.getFields()[name];
    const args = this.args(node, def);

    // node(id:) continues the chain the ID stands for; the lookup itself is no step of the plan.
    if (chain.length === 0 && name === "node") {
      const ref = args["id"];
      if (!(ref instanceof ObjectRef)) throw new QueryError("node(id:) needs an ID", { violation: "invalid-query" });
      if (!node.selectionSet) throw new QueryError("node(id:) needs a selection", { violation: "invalid-query" });
      // Without a schema the ID's type may be unknown: the inline fragment then says it.
      const typeName = ref.type === UNKNOWN_TYPE ? undefined : ref.type;
      return this.select(this.objectType(typeName), typeName, ref.chain, node.selectionSet);
    }

    const returned = def ? getNamedType(def.type) : undefined;
    const step: Step = returned ? { field: name, args, type: returned.name } : { field: name, args };
    if (!node.selectionSet) {
      const evaluation = { chain, leaf: step, ownerType: parentName };
      this.ctx.record(evaluation);
      return answerLeaf(this.ctx, { ownerChain: chain, ownerType: parentName, step, def });
    }
    const objectType = returned && isObjectType(returned) ? returned : undefined;
    if (def && isListType(getNullableType(def.type))) {
      const configured = lastMatching(this.ctx.rules, chain, (r) => r.leaves !== undefined && name in r.leaves);
      const count = Number(configured?.leaves?.[name] ?? 0);
      return Array.from({ length: count }, (_, index) => this.select(objectType, returned?.name, [...chain, { ...step, index }], node.selectionSet!));
    }
    return this.select(objectType, returned?.name, [...chain, step], node.selectionSet);
  }

  private args(node: FieldNode, def: GraphQLField<unknown, unknown> | undefined): Record<string, ArgValue> {
    const out: Record<string, ArgValue> = {};
    for (const arg of node.arguments ?? []) {
      const argName = arg.name.value;
      const argDef = def?.args.find((a) => a.name === argName);
      const raw = valueFromASTUntyped(arg.value) as ArgValue;
      out[argName] = SECRET_ARGUMENTS[node.name.value]?.includes(argName) ? REDACTED : this.resolveIds(raw, argDef, `${node.name.value}(${argName}:)`);
    }
    return out;
  }

  /** Turns the IDs in an argument into references to the chains they were handed out for. */
  private resolveIds(value: ArgValue, argDef: GraphQLArgument | undefined, where: string): ArgValue {
    const isIdArg = argDef ? getNamedType(argDef.type).name === "ID" : undefined;
    const toRef = (v: ArgValue): ArgValue => {
      if (Array.isArray(v)) return v.map(toRef);
      if (typeof v !== "string") return v;
      const issued = lookupId(v);
      if (!issued) {
        if (isIdArg) throw new QueryError(`${where}: unknown object ID ${JSON.stringify(v)} — the fake engine never handed it out`, { violation: "unknown-id" });
        return v;
      }
      const expected = expectedTypeOf(argDef);
      if (expected !== undefined && expected !== issued.type && !this.implements(issued.type, expected)) {
        throw new QueryError(`${where}: expected an ID of ${expected}, got one of ${issued.type}`, { violation: "unknown-id" });
      }
      return new ObjectRef(v, issued.type, issued.chain);
    };
    // Without a schema every string that is one of our IDs is taken for one.
    return isIdArg === false ? value : toRef(value);
  }

  private objectType(name: string | undefined): GraphQLObjectType | undefined {
    const t = name ? this.ctx.schema?.getType(name) : undefined;
    return t && isObjectType(t) ? t : undefined;
  }

  private implements(typeName: string, candidate: string): boolean {
    if (typeName === candidate) return true;
    const t = this.objectType(typeName);
    return t !== undefined && t.getInterfaces().some((i) => i.name === candidate);
  }
}
