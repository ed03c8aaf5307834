/**
 * Checks that span several entries of the config. They run even when an entry is malformed
 * (`ALWAYS`), so every problem of a file is reported in one go — hence they read their input
 * as `unknown`.
 */
import type { z } from "zod";
import { APP_NAMES } from "./app-names.js";
import { canonicalFindingId } from "./finding-id.js";

export const ALWAYS = { when: () => true };

function fieldOf(value: unknown, key: string): unknown {
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

/**
 * A listed `apps` names at least one app: `apps: {}` builds nothing, which is never what was meant
 * (leave `apps` out for both apps with their defaults). A mapping that holds only unknown keys is
 * left to their own "did you mean" error, the more precise one.
 */
export function requireAnApp(apps: unknown, ctx: z.RefinementCtx): void {
  if (typeof apps !== "object" || apps === null || Array.isArray(apps) || Object.keys(apps).length > 0) return;
  // The parsed mapping holds known keys only: an unknown one (`fronted`) has its own issue already.
  if (ctx.issues.some((issue) => issue.code === "unrecognized_keys" && (issue.path ?? []).length === 0)) return;
  ctx.addIssue({
    code: "custom",
    path: [],
    input: apps,
    params: { found: "no app" },
    message: `expected at least one of ${APP_NAMES.join(", ")} — list the apps the repository has (e.g. \`backend: {}\` for a backend with every default), or leave \`apps\` out to build both with their defaults`,
  });
}

const SHARED_APP_FIELD = {
  path: "two apps cannot be built from one folder",
  image: "the two images would overwrite each other",
} as const;

/** Two apps in one folder, or under one image name, would silently overwrite each other; one app alone cannot. */
export function requireDistinctApps(apps: unknown, ctx: z.RefinementCtx): void {
  for (const field of ["path", "image"] as const) {
    const backend = fieldOf(fieldOf(apps, "backend"), field);
    const frontend = fieldOf(fieldOf(apps, "frontend"), field);
    if (typeof backend === "string" && backend === frontend) {
      ctx.addIssue({
        code: "custom",
        path: ["frontend", field],
        input: frontend,
        message: `expected a different ${field} from apps.backend.${field} — ${SHARED_APP_FIELD[field]}`,
      });
    }
  }
}

/** The identity of an exception: its finding and its scope, order of globs and purls aside. */
function exceptionKey(ignore: unknown): string | undefined {
  const id = fieldOf(ignore, "id");
  if (typeof id !== "string") return undefined;
  const scope = (list: unknown) => (Array.isArray(list) ? [...new Set(list.map(String))].sort() : null);
  return JSON.stringify([canonicalFindingId(id), scope(fieldOf(ignore, "paths")), scope(fieldOf(ignore, "purls"))]);
}

/** Two entries for one finding and scope would leave the reader unsure which reason and expiry apply. */
export function rejectDuplicateIgnores(ignores: unknown, ctx: z.RefinementCtx): void {
  if (!Array.isArray(ignores)) return;
  const firstIndex = new Map<string, number>();
  ignores.forEach((entry: unknown, index) => {
    const key = exceptionKey(entry);
    if (key === undefined) return;
    const first = firstIndex.get(key);
    if (first === undefined) {
      firstIndex.set(key, index);
      return;
    }
    ctx.addIssue({
      code: "custom",
      path: [index],
      input: entry,
      params: { found: `a second exception for ${String(fieldOf(entry, "id"))} with the same scope as policy.ignores[${first}]` },
      message: "expected each finding and scope once — merge the two entries or remove one",
    });
  });
}
