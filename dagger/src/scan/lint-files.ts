/** Which files of the source `lint` hands to `trivy config`. */
import type { Directory } from "@dagger.io/dagger";

import { code } from "../report/markdown-text.js";

/**
 * Dockerfiles by the names Docker looks for. Not compose files: Trivy has no checks for them, so
 * handing them over would only make the summary claim a lint that did not happen.
 */
export const LINT_PATTERNS = ["**/Dockerfile", "**/Dockerfile.*", "**/*.Dockerfile", "**/*.dockerfile"] as const;

/** The lintable files, and a note for the summary naming them (or saying there were none). */
export async function lintFiles(source: Directory): Promise<{ files: Directory; notes: string[] }> {
  const files = source.filter({ include: [...LINT_PATTERNS] });
  const found = (await files.glob("**/*")).filter((path) => !path.endsWith("/"));
  const notes =
    found.length === 0
      ? ["no Dockerfile was found in the source, so the lint checked nothing."]
      : [`linted ${found.length} Dockerfile(s): ${found.map(code).join(", ")}.`];
  return { files, notes };
}
