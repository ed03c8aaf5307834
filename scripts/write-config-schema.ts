/**
 * Writes security-config.schema.json from the zod schema: `npm run schema`.
 * A unit test fails while the committed file differs from what this writes.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { JSON_SCHEMA_FILE, securityConfigJsonSchemaText } from "../dagger/src/config/json-schema.ts";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const target = path.join(repoRoot, JSON_SCHEMA_FILE);
writeFileSync(target, securityConfigJsonSchemaText());
console.log(`wrote ${path.relative(process.cwd(), target) || JSON_SCHEMA_FILE}`);
