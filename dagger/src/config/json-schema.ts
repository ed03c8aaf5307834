/**
 * The JSON Schema of `security-config.yml`, generated from the zod schema so that editors
 * (YAML language server, IDEs) check the file as the module does.
 */
import { z } from "zod";
import { SecurityConfig } from "./schema.js";

/** Where the committed schema lives in this repository, and the name `npm run schema` writes. */
export const JSON_SCHEMA_FILE = "security-config.schema.json";

/** A name, not a download location: the schema is committed and referenced by path. */
export const JSON_SCHEMA_ID = "urn:drydock:security-config:1";

/** The schema of what a user writes (`io: "input"`: fields with defaults are optional). */
export function securityConfigJsonSchema(): Record<string, unknown> {
  const { $schema, title, description, ...rest } = z.toJSONSchema(SecurityConfig, { io: "input" });
  return { $schema, $id: JSON_SCHEMA_ID, title, description, ...rest };
}

/** The exact text committed as security-config.schema.json. */
export function securityConfigJsonSchemaText(): string {
  return `${JSON.stringify(securityConfigJsonSchema(), null, 2)}\n`;
}
