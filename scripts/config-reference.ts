/**
 * Prints the security-config.yml reference as a Markdown table, for the README:
 * `npx tsx scripts/config-reference.ts`.
 */
import { configReferenceMarkdown } from "../dagger/src/config/reference.ts";

process.stdout.write(configReferenceMarkdown());
