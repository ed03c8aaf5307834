/** Which files of the source `lint` hands to `trivy config`. */
import type { Directory } from "@dagger.io/dagger";

/** Dockerfiles and compose files by the names Docker and Compose look for. */
export const LINT_PATTERNS = [
  "**/Dockerfile",
  "**/Dockerfile.*",
  "**/*.Dockerfile",
  "**/*.dockerfile",
  "**/compose.yaml",
  "**/compose.yml",
  "**/compose.*.yaml",
  "**/compose.*.yml",
  "**/docker-compose.yaml",
  "**/docker-compose.yml",
  "**/docker-compose.*.yaml",
  "**/docker-compose.*.yml",
] as const;

/** The lintable files, and a note for the summary naming them (or saying there were none). */
export async function lintFiles(source: Directory): Promise<{ files: Directory; notes: string[] }> {
  const files = source.filter({ include: [...LINT_PATTERNS] });
  const found = (await files.glob("**/*")).filter((path) => !path.endsWith("/"));
  const notes =
    found.length === 0
      ? ["no Dockerfile or compose file was found in the source, so the lint checked nothing."]
      : [`linted ${found.length} file(s): ${found.map((path) => `\`${path}\``).join(", ")}.`];
  return { files, notes };
}
