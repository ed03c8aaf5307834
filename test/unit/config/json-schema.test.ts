import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  JSON_SCHEMA_FILE,
  JSON_SCHEMA_ID,
  securityConfigJsonSchema,
  securityConfigJsonSchemaText,
} from "../../../dagger/src/config/json-schema.ts";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const committedFile = path.join(repoRoot, JSON_SCHEMA_FILE);

interface Node {
  type?: string;
  description?: string;
  properties?: Record<string, Node>;
  items?: Node;
  additionalProperties?: unknown;
}

/** Every property of the schema with its dotted path, items of lists as `[]`. */
function propertiesOf(node: Node, prefix = ""): Array<{ path: string; node: Node }> {
  const own = Object.entries(node.properties ?? {}).flatMap(([key, child]) => {
    const childPath = prefix === "" ? key : `${prefix}.${key}`;
    return [{ path: childPath, node: child }, ...propertiesOf(child, childPath)];
  });
  return node.items === undefined ? own : [...own, ...propertiesOf(node.items, `${prefix}[]`)];
}

/** Every object of the schema, the root included. */
function objectsOf(node: Node, at = "(root)"): Array<{ path: string; node: Node }> {
  return [{ path: at, node }, ...propertiesOf(node).map(({ path: p, node: n }) => ({ path: p, node: n }))].filter(
    ({ node: n }) => n.type === "object",
  );
}

describe(`the committed ${JSON_SCHEMA_FILE}`, () => {
  it("is what `npm run schema` writes from the zod schema", () => {
    const committed = existsSync(committedFile) ? readFileSync(committedFile, "utf8") : "(missing)";
    expect(committed, `${JSON_SCHEMA_FILE} is stale: run \`npm run schema\` and commit the result`).toBe(
      securityConfigJsonSchemaText(),
    );
  });

  it("names itself and its draft", () => {
    expect(securityConfigJsonSchema()).toMatchObject({
      $schema: "https://json-schema.org/draft/2020-12/schema",
      $id: JSON_SCHEMA_ID,
      title: "drydock security-config.yml",
    });
  });

  it.each(objectsOf(securityConfigJsonSchema() as Node))("$path forbids unknown keys, as the loader does", ({ node }) => {
    expect(node.additionalProperties).toBe(false);
  });

  it.each(propertiesOf(securityConfigJsonSchema() as Node))("$path has a description for editors to show", ({ node }) => {
    expect(node.description ?? "").not.toBe("");
  });
});
