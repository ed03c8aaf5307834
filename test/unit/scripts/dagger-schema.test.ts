/**
 * `npm run schema:dagger` cannot run here (it needs an engine), so its conversion is tested on
 * what an engine would answer for a small schema of the same shape: the standard introspection
 * result, and Dagger's directive applications.
 */
import { buildSchema, introspectionFromSchema, Kind, parse, print, printSchema, type ConstDirectiveNode, type DefinitionNode } from "graphql";
import { describe, expect, it } from "vitest";
import { schemaSdl, type AppliedType, type DirectiveApplication } from "../../../scripts/dagger-schema.ts";
import { expectedTypeOf } from "../../support/fake-engine/schema.ts";

const SDL = `
"""Indicates the expected object or interface type for an ID value."""
directive @expectedType(name: String!) on ARGUMENT_DEFINITION | FIELD_DEFINITION | INPUT_FIELD_DEFINITION
directive @enumValue(value: String!) on ENUM_VALUE

scalar ContainerID

enum ReturnType {
  SUCCESS @enumValue(value: "SUCCESS")
  ANY @enumValue(value: "ANY")
}

input PipelineLabel {
  name: String!
  value: String!
}

"""An OCI-compatible container."""
type Container {
  id: ContainerID!
  sync: ID! @expectedType(name: "Container")
  withExec(args: [String!]!, expect: ReturnType = SUCCESS): Container!
  withMountedCache(path: String!, cache: ID! @expectedType(name: "CacheVolume")): Container!
  oldField: String @deprecated(reason: "use id")
}

type CacheVolume {
  id: ID!
}

type Query {
  container: Container!
}
`;

const applied = (directives: readonly ConstDirectiveNode[] | undefined): DirectiveApplication[] =>
  (directives ?? []).map((d) => ({ name: d.name.value, args: (d.arguments ?? []).map((a) => ({ name: a.name.value, value: print(a.value) })) }));

/** What the engine's directive-application extension answers for SDL. */
function applicationsOf(sdl: string): { __schema: { types: AppliedType[] } } {
  const types = parse(sdl).definitions.flatMap((def: DefinitionNode): AppliedType[] => {
    switch (def.kind) {
      case Kind.OBJECT_TYPE_DEFINITION:
        return [{ name: def.name.value, directives: applied(def.directives), fields: def.fields?.map((f) => ({ name: f.name.value, directives: applied(f.directives), args: f.arguments?.map((a) => ({ name: a.name.value, directives: applied(a.directives) })) })) }];
      case Kind.ENUM_TYPE_DEFINITION:
        return [{ name: def.name.value, directives: applied(def.directives), enumValues: def.values?.map((v) => ({ name: v.name.value, directives: applied(v.directives) })) }];
      case Kind.INPUT_OBJECT_TYPE_DEFINITION:
        return [{ name: def.name.value, inputFields: def.fields?.map((f) => ({ name: f.name.value, directives: applied(f.directives) })) }];
      default:
        return [];
    }
  });
  return { __schema: { types } };
}

describe("npm run schema:dagger turns the engine's introspection into the schema the fake engine reads", () => {
  const original = buildSchema(SDL);
  const written = schemaSdl(introspectionFromSchema(original), applicationsOf(SDL));
  const rebuilt = buildSchema(written);

  it("keeps every type, field, argument, default and description", () => {
    expect(printSchema(rebuilt)).toBe(printSchema(original));
  });

  it("keeps @expectedType on ID fields and arguments, which standard introspection drops", () => {
    const container = rebuilt.getType("Container") as import("graphql").GraphQLObjectType;
    expect(expectedTypeOf(container.getFields()["sync"])).toBe("Container");
    expect(expectedTypeOf(container.getFields()["withMountedCache"]?.args.find((a) => a.name === "cache"))).toBe("CacheVolume");
    expect(expectedTypeOf(container.getFields()["id"])).toBeUndefined();
  });

  it("keeps enum value directives, and states @deprecated once", () => {
    expect(written).toContain('SUCCESS @enumValue(value: "SUCCESS")');
    expect(written.match(/@deprecated/g)).toHaveLength(1);
  });
});
