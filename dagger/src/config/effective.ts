/**
 * The effective config as YAML, for `check-config`: what the module will use, every default
 * filled in, so an author sees what an omitted key means.
 */
import { stringify } from "yaml";
import type { RepositoryConfig } from "./load.js";

export function effectiveConfigYaml({ config, usedDefaults, file }: RepositoryConfig): string {
  const header = usedDefaults
    ? `# ${file}: not in the source, so the defaults apply — the effective config:`
    : `# ${file}: valid — the effective config, every default filled in:`;
  // No line folding, and every string that could read as another type quoted, so the output
  // can be saved as the config and reads back the same.
  const body = stringify(config, { lineWidth: 0, version: "1.2" });
  return `${header}\n${body}`;
}
