/** A failed gate: the message is the Markdown summary, so the CLI shows what failed and why. */
export class GateFailedError extends Error {
  override name = "GateFailedError";
}

/** Throw the summary when the gate failed; return it when it passed. */
export function enforce(passed: boolean, summary: string): string {
  if (!passed) throw new GateFailedError(summary);
  return summary;
}
