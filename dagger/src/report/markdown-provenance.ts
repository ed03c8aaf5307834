/**
 * What judged the run, near the top of the summary: a scanner or DB that is not drydock's
 * default, and whether the source's config changed from the base branch's. A reviewer reads
 * these before the counts, because they decide what the counts are worth.
 */
import { ALLOW_DB_REPOSITORIES, ALLOW_TRIVY_IMAGE } from "../config/scanner.js";
import { DEFAULTS } from "../config/schema.js";
import type { GateReportMeta } from "./meta.js";
import { plural } from "./markdown-lists.js";
import { code } from "./markdown-text.js";

/** Most entries of a config-controlled list shown in one line; the rest are counted. */
const MAX_LISTED = 5;

/** The notices as one blockquote, or "" when there is nothing to say. */
export function provenanceNotice(meta: GateReportMeta): string {
  return [...scannerLines(meta), ...configChangeLines(meta)].join("\n>\n");
}

function scannerLines({ scanner }: GateReportMeta): string[] {
  if (scanner === undefined) return [];
  const lines: string[] = [];
  if (!scanner.defaultTrivyImage) {
    lines.push(
      `> ⚠️ **Not drydock's scanner:** Trivy image ${code(scanner.trivyImage)}, allowed by the caller (${code(ALLOW_TRIVY_IMAGE)}); drydock's default is ${code(DEFAULTS.scanner.trivyImage)}.`,
    );
  }
  if (!scanner.defaultDbRepositories) {
    lines.push(
      `> ⚠️ **Not drydock's vulnerability DB:** ${listed(scanner.dbRepositories)}, allowed by the caller (${code(ALLOW_DB_REPOSITORIES)}); drydock's defaults are ${listed(DEFAULTS.scanner.dbRepositories)}.`,
    );
  }
  return lines;
}

function configChangeLines({ configChange: change, configFile }: GateReportMeta): string[] {
  if (change === undefined) return [];
  const gated = `This run was gated with ${code(configFile)}.`;
  if (change.changed.length === 0) return [`> Policy: ${code(change.file)} is unchanged from the base's (${code(change.base)}). ${gated}`];
  const ours = change.sourceHasFile ? code(change.file) : `The source has no ${code(change.file)} (drydock's defaults), which`;
  const keys = `${change.changed.map(code).join(", ")} (${plural(change.changed.length, "key")})`;
  return [`> ⚠️ **Policy changed:** ${ours} differs from the base's (${code(change.base)}) in ${keys}. ${gated}`];
}

function listed(items: readonly string[]): string {
  const shown = items.slice(0, MAX_LISTED).map(code).join(", ");
  return items.length > MAX_LISTED ? `${shown} …and ${items.length - MAX_LISTED} more` : shown;
}
