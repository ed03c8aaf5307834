/**
 * The command lines a user copies: the README's `dagger …` lines (from its sh blocks, with their
 * continuation lines) and the steps of the CI templates that call dagger, as shell text.
 */
import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { parse } from "yaml";
import { repoRoot } from "../paths.ts";

/** Every `<command> …` line of the README's sh blocks (`dagger` unless told), one string per command (continuations joined). */
export function readmeCommandLines(readme = readFileSync(path.join(repoRoot, "README.md"), "utf8"), command = "dagger"): string[] {
  const blocks = [...readme.matchAll(/```(?:sh|bash|shell)\n([\s\S]*?)```/g)].map((m) => m[1]!);
  return blocks.flatMap((block) =>
    block
      .replaceAll(/\\\n\s*/g, " ")
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line.startsWith(`${command} `)),
  );
}

/** The one README `dagger …` line (or `<command> …` line) `matches` picks; anything but exactly one is an error naming what matched. */
export function oneReadmeLine(matches: (line: string) => boolean, command = "dagger"): string {
  const found = readmeCommandLines(undefined, command).filter(matches);
  if (found.length !== 1) throw new Error(`expected one README line to match, found ${found.length}: ${found.join(" | ")}`);
  return found[0]!;
}

/** The shell text of every CI step that calls dagger: GitHub Actions `run:` and GitLab `script:` items. */
export async function templateCommandLines(file: string): Promise<string[]> {
  const doc = parse(await readFile(file, "utf8")) as Record<string, unknown>;
  const scripts: string[] = [];
  const jobs = (doc["jobs"] ?? doc) as Record<string, unknown>;
  for (const job of Object.values(jobs)) {
    if (typeof job !== "object" || job === null) continue;
    const { steps, script } = job as { steps?: { run?: unknown }[]; script?: unknown };
    for (const step of steps ?? []) if (typeof step.run === "string") scripts.push(step.run);
    if (Array.isArray(script)) scripts.push(...script.filter((s): s is string => typeof s === "string"));
  }
  const calls = scripts.filter((s) => /\bdagger\s/.test(s));
  if (calls.length === 0) throw new Error(`${file}: no step calls dagger; expected the template's dagger steps`);
  return calls;
}
