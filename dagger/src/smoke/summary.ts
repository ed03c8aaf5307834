/**
 * The smoke stage's verdict and its Markdown: which app started, which did not, what was probed,
 * the status or timeout, and the last lines of the app's log. Pure: run.ts gathers the facts.
 */
import type { AppName } from "../config/app-names.js";
import { code, text } from "../report/markdown-text.js";

/** One check of an app: a start, a migration, a probe, or the exit after SIGTERM. */
export interface SmokeCheck {
  /** What was checked, e.g. "GET http://backend:3000/health". */
  what: string;
  passed: boolean;
  /** The status, the timeout, or how long it took. */
  detail: string;
}

/** The backend's URL as the frontend got it: the value, and every variable set to it. */
export interface BackendUrl {
  url: string;
  /** apps.frontend.backendUrlVariables, in the config's order. */
  variables: string[];
}

export interface AppSmoke {
  app: AppName;
  /** "off": `smoke.enabled` or `smoke.<app>` is false. */
  state: "passed" | "failed" | "off";
  checks: SmokeCheck[];
  /** The last lines of the app's log, when it failed. */
  log?: string;
  /** Said once under the app, e.g. that the frontend ran without a backend. */
  note?: string;
  /** The frontend's: set when the config lists a backend, whether it started or not. */
  backendUrl?: BackendUrl;
}

export interface SmokeVerdict {
  passed: boolean;
  apps: AppSmoke[];
}

export function smokeVerdict(apps: AppSmoke[]): SmokeVerdict {
  return { passed: apps.every((app) => app.state !== "failed"), apps };
}

/** An app whose checks all passed passed; one failed check fails it. */
export function appSmoke(app: AppName, checks: SmokeCheck[], extra: { log?: string; note?: string; backendUrl?: BackendUrl } = {}): AppSmoke {
  const failed = checks.some((check) => !check.passed);
  return {
    app,
    state: failed ? "failed" : "passed",
    checks,
    ...(failed && extra.log ? { log: extra.log } : {}),
    ...(extra.note ? { note: extra.note } : {}),
    ...(extra.backendUrl ? { backendUrl: extra.backendUrl } : {}),
  };
}

export function smokeOff(app: AppName, why: string): AppSmoke {
  return { app, state: "off", checks: [], note: why };
}

/**
 * The "Smoke" section of the report, or "" when every app started: the summary lists what needs
 * attention, and a smoke stage that was turned off needs it as much as one that failed.
 */
export function smokeMarkdown(verdict: SmokeVerdict): string {
  if (verdict.apps.every((app) => app.state === "passed")) return "";
  const failed = verdict.apps.filter((app) => app.state === "failed").map((app) => app.app);
  const off = verdict.apps.filter((app) => app.state === "off").map((app) => app.app);
  const title = failed.length > 0 ? `## ❌ Smoke test failed: ${failed.join(", ")}` : `## ⚠️ Smoke test off: ${off.join(", ")}`;
  const sections = verdict.apps.map(appSection);
  return [title, "", "Each image ran as a Dagger service (its own user, entrypoint and environment); drydock probed it, then sent SIGTERM.", "", ...sections].join("\n").trimEnd() + "\n";
}

function appSection(app: AppSmoke): string {
  const heading = { passed: `### ✅ ${app.app}: started`, failed: `### ❌ ${app.app}: did not pass`, off: `### ⚠️ ${app.app}: not started` }[app.state];
  const lines = [heading, ""];
  if (app.note) lines.push(prose(app.note), "");
  if (app.backendUrl) lines.push(backendUrlLine(app.backendUrl), "");
  for (const check of app.checks) lines.push(`- ${check.passed ? "✅" : "❌"} ${code(check.what)}: ${prose(check.detail)}`);
  if (app.checks.length > 0) lines.push("");
  if (app.log !== undefined) {
    lines.push(`Last lines of ${app.app}'s log:`, "", fenced(app.log), "");
  }
  return lines.join("\n");
}

/** Which variables the frontend got the backend's URL in: the first thing to check when its page fails. */
export function backendUrlLine({ url, variables }: BackendUrl): string {
  const names = variables.map(code);
  const list = names.length === 1 ? names[0] : `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
  return `The frontend got the backend's URL, ${code(url)}, in ${list}.`;
}

/** Escaped text whose `…` spans stay code spans. */
function prose(value: string): string {
  return value
    .split(/(`[^`]+`)/)
    .map((part) => (part.startsWith("`") && part.endsWith("`") && part.length > 1 ? code(part.slice(1, -1)) : spaced(part)))
    .join("");
}

/** Escaped text that keeps a space at either end, where it meets a code span. */
function spaced(part: string): string {
  return `${/^\s/.test(part) ? " " : ""}${text(part, 400)}${/\S\s+$/.test(part) ? " " : ""}`;
}

/** A fenced block no line of `body` can close. */
function fenced(body: string): string {
  const longest = Math.max(2, ...[...body.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = "`".repeat(longest + 1);
  return `${fence}text\n${body}\n${fence}`;
}
