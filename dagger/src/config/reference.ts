/**
 * The config reference as a Markdown table (field, type, default, meaning), read off the
 * generated JSON Schema so that the README cannot describe a field the schema does not have.
 */
import { securityConfigJsonSchema } from "./json-schema.js";

interface JsonSchemaNode {
  type?: string;
  const?: unknown;
  enum?: unknown[];
  default?: unknown;
  description?: string;
  properties?: Record<string, JsonSchemaNode>;
  required?: string[];
  items?: JsonSchemaNode;
  minimum?: number;
  maximum?: number;
}

export interface ReferenceRow {
  readonly field: string;
  readonly type: string;
  readonly default: string;
  readonly meaning: string;
}

function plural(type: string): string {
  return type === "mapping" || type === "string" ? `${type}s` : type;
}

function typeOf(node: JsonSchemaNode): string {
  if (node.const !== undefined) return `\`${JSON.stringify(node.const)}\``;
  if (node.enum !== undefined) return node.enum.map(String).join(" \\| ");
  if (node.type === "array") return `list of ${node.items === undefined ? "values" : plural(typeOf(node.items))}`;
  if (node.type === "object") return "mapping";
  if (node.type === "integer" && node.minimum !== undefined) {
    // zod writes the largest safe integer as the maximum of every z.int(): no limit a reader needs.
    const bounded = node.maximum !== undefined && node.maximum < Number.MAX_SAFE_INTEGER;
    return bounded ? `integer ${node.minimum}–${node.maximum}` : `integer ≥ ${node.minimum}`;
  }
  return node.type ?? "any";
}

function defaultOf(node: JsonSchemaNode, required: boolean): string {
  if (node.default !== undefined) {
    const isEmptySection = node.type === "object" && JSON.stringify(node.default) === "{}";
    return isEmptySection ? "see fields" : `\`${JSON.stringify(node.default)}\``;
  }
  return required ? "**required**" : "none";
}

function rowsOf(node: JsonSchemaNode, prefix: string, required: boolean): ReferenceRow[] {
  const own: ReferenceRow[] =
    prefix === ""
      ? []
      : [{ field: `\`${prefix}\``, type: typeOf(node), default: defaultOf(node, required), meaning: node.description ?? "" }];
  if (node.properties !== undefined) {
    return own.concat(
      Object.entries(node.properties).flatMap(([key, child]) =>
        rowsOf(child, prefix === "" ? key : `${prefix}.${key}`, node.required?.includes(key) ?? false),
      ),
    );
  }
  if (node.type === "array" && node.items?.properties !== undefined) {
    return own.concat(rowsOf({ ...node.items, description: undefined }, `${prefix}[]`, false).slice(1));
  }
  return own;
}

export function configReferenceRows(): ReferenceRow[] {
  return rowsOf(securityConfigJsonSchema() as JsonSchemaNode, "", false);
}

export function configReferenceMarkdown(): string {
  const escape = (cell: string) => cell.replace(/\n/g, " ");
  const lines = configReferenceRows().map((row) => `| ${[row.field, row.type, row.default, row.meaning].map(escape).join(" | ")} |`);
  return ["| Field | Type | Default | Meaning |", "| --- | --- | --- | --- |", ...lines].join("\n") + "\n";
}
