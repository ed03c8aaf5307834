/**
 * A failed gate: the message is the Markdown summary, so the CLI shows what failed, what was let
 * through, and why. Config paths in it are code spans (`policy.ignores[0]`), never backslash-escaped,
 * so they read the same in a terminal as in the rendered summary.
 */
import { DrydockError } from "../errors.js";

export class GateFailedError extends DrydockError {
  override name = "GateFailedError";
}

/** Throw the summary when the gate failed; return it when it passed. */
export function enforce(passed: boolean, summary: string): string {
  if (!passed) throw new GateFailedError(summary);
  return summary;
}
