/**
 * Writes summary.schema.json, the JSON Schema of summary.json, from the zod schema: `npm run schema`.
 * A unit test fails while the committed file differs from what this writes.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { SUMMARY_SCHEMA_FILE, summaryJsonSchemaText } from "../dagger/src/report/summary-schema.ts";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const target = path.join(repoRoot, SUMMARY_SCHEMA_FILE);
writeFileSync(target, summaryJsonSchemaText());
console.log(`wrote ${path.relative(process.cwd(), target) || SUMMARY_SCHEMA_FILE}`);
