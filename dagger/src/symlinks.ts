/**
 * No input of an app's build is reached through a symbolic link, in either way of building. The
 * Dockerfiles' layout stage reads the build context through a bind mount, where a link resolves in
 * the build stage's own filesystem (`packages/evil -> /` reaches the build image's /etc); the engine
 * resolves the same link inside the source. Rather than two builds that disagree, both refuse a
 * link anywhere on the path of an input — the app folder, the install's files, the local packages,
 * what `prisma generate` reads — naming it and what it points to. A link inside an input folder
 * (the app's source, a local package, the schema folder) is copied as the link it is, by both:
 * nothing follows it while the inputs are gathered, and it resolves in the build container, where
 * both ways of building have the same tree. LAYOUT_PROGRAM's `noLink` (images/layout-program.ts)
 * is the Dockerfiles' half; test/unit/layout.test.ts runs both over the same trees.
 */
import path from "node:path/posix";

import { dag, ExistsType, type Directory } from "@dagger.io/dagger";

import { SourceError } from "./errors.js";

/** A path the build reads, and what to say when a link is on it. */
export interface BuildInput {
  /** Relative to the directory it is checked in. */
  readonly path: string;
  /** What the input itself is, for a link at its very path (a link further up stands for a folder). */
  readonly kind: "file" | "folder" | "file or folder";
  /** What the input is for: "the app folder", "an input of the install". */
  readonly what: string;
  /** Another way to fix it, after "replace the link with the <kind> it points to": ", or …". */
  readonly orElse?: string;
}

/** The paths from the top down to `input`, itself last: "a/b/c" → "a", "a/b", "a/b/c"; none for ".". */
export function pathPrefixes(input: string): string[] {
  const parts = input.split("/").filter((part) => part !== "" && part !== ".");
  return parts.map((_, i) => parts.slice(0, i + 1).join("/"));
}

/**
 * Refuses the first of `inputs` (in their order) that has a symlink on its path in `dir` — a folder
 * above it, or the input itself — with a SourceError naming the link, what it points to and the
 * input. `at` is where `dir` lies in the source, for the message. Every path is asked once, all at once.
 */
export async function refuseSymlinks(dir: Directory, inputs: readonly BuildInput[], at = "."): Promise<void> {
  const paths = [...new Set(inputs.flatMap((input) => pathPrefixes(input.path)))];
  const linked = await Promise.all(paths.map((p) => isSymlink(dir, p)));
  const links = new Set(paths.filter((_, i) => linked[i]));
  for (const input of inputs) {
    const prefixes = pathPrefixes(input.path);
    const link = prefixes.find((p) => links.has(p));
    if (link === undefined) continue;
    const is = link === prefixes.at(-1) ? input.kind : "folder";
    const target = await symlinkTarget(dir, link);
    throw new SourceError({
      where: path.join(at, link),
      found: target === undefined ? "a symlink" : `a symlink to ${JSON.stringify(target)}`,
      expected: `a ${is} inside the source, not a link (${path.join(at, input.path)}, ${input.what})`,
      fix: `replace the link with the ${is} it points to${input.orElse ?? ""}`,
    });
  }
}

/**
 * Answers by Directory object and path. A Directory never changes, and one call of the module
 * reads the same app's folder more than once (for its image, its migrations image, its smoke test).
 */
const answers = new WeakMap<Directory, Map<string, Promise<boolean>>>();

/** Whether `p` of `dir` is itself a symlink. The engine resolves the folders above it, so each is asked for itself. */
function isSymlink(dir: Directory, p: string): Promise<boolean> {
  const known = answers.get(dir) ?? new Map<string, Promise<boolean>>();
  answers.set(dir, known);
  const answer = known.get(p) ?? dir.exists(p, { expectedType: ExistsType.SymlinkType, doNotFollowSymlinks: true });
  known.set(p, answer);
  return answer;
}

/**
 * What the symlink `link` of `dir` points to. The Directory API has no readlink; the patch of a
 * directory holding the link alone against an empty one carries its target (Git writes a link as a
 * file whose text is the target), and the engine makes it itself, without an image.
 */
async function symlinkTarget(dir: Directory, link: string): Promise<string | undefined> {
  const alone = dir.filter({ include: [literalPattern(link)] });
  return symlinkTargetInPatch(await alone.changes(dag.directory()).asPatch().contents());
}

/** A path as an include pattern that matches it alone: the pattern syntax's special characters escaped. */
export function literalPattern(p: string): string {
  return p.replace(/[*?[\]\\!]/g, "\\$&");
}

/** The target of the symlink a Git patch adds (mode 120000): the added line of its hunk. */
export function symlinkTargetInPatch(patch: string): string | undefined {
  const lines = patch.split("\n");
  const added = lines.indexOf("new file mode 120000");
  if (added < 0) return undefined;
  const hunk = lines.findIndex((line, i) => i > added && line.startsWith("@@ "));
  const target = hunk < 0 ? undefined : lines[hunk + 1];
  return target?.startsWith("+") ? target.slice(1) : undefined;
}
