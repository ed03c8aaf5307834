/**
 * A Trivy report that cannot be read. The gate treats it as a failed scan, never as a clean
 * one: a crashed or truncated scan must not pass for "no findings".
 */
import { DrydockError } from "../errors.js";

export class ReportError extends DrydockError {
  override readonly name = "ReportError";

  constructor(
    /** Which report, as the caller names it (e.g. `backend image report (trivy-backend.json)`). */
    readonly label: string,
    /** What is wrong with it, and how to fix it where we know. */
    readonly problem: string,
  ) {
    super(`${label}: ${problem}`);
  }
}
