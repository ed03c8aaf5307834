/**
 * Every error drydock raises on purpose, and the one way they are phrased:
 * `<where>: found <what>, expected <what> — <how to fix>`. The classes stay apart so callers and
 * tests can tell a bad argument from a bad config, report, source or scan with `instanceof`.
 */

/** What went wrong, in the parts every message names. */
export interface Problem {
  /** Where: an argument (`--build-image`), a file and key (`security-config.yml: policy.ignores[2]`), a report, a target. */
  readonly where: string;
  /** What was found, already quoted or described (`"node:24-alpine"`, `no file "ci/x.yml"`). */
  readonly found: string;
  /** What would have been right. */
  readonly expected: string;
  /** How to fix it: an imperative the reader can act on. */
  readonly fix: string;
}

/** `<where>: found <what>, expected <what> — <how to fix>`; `where` may be empty for a whole input. */
export function describeProblem({ where, found, expected, fix }: Problem): string {
  const body = `found ${found}, expected ${expected} — ${fix}`;
  return where === "" ? body : `${where}: ${body}`;
}

/** The base of drydock's errors: the message is one or more described problems. */
export abstract class DrydockError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

/** A function argument (a constructor input or a `with*` builder's) that its GraphQL type cannot refuse. */
export class ArgumentError extends DrydockError {
  override name = "ArgumentError";

  constructor(readonly problem: Problem) {
    super(describeProblem(problem));
  }
}

/** An image reference that is not pinned by digest, wherever it was given: an argument or the config. */
export class PinnedImageError extends ArgumentError {
  override name = "PinnedImageError";
}

/** Something the source lacks: the config file, an app's folder, manifest or lockfile, a baseline's report. */
export class SourceError extends DrydockError {
  override name = "SourceError";

  /**
   * A Problem; a plain message only for the app-folder checks, whose older phrasing
   * test/plan/build.test.ts still pins (to be moved to a Problem with it).
   */
  constructor(readonly problem: Problem | string) {
    super(typeof problem === "string" ? problem : describeProblem(problem));
  }
}

/** A scan that reached no verdict: the scanner crashed, or its vulnerability DB is missing or too old. */
export class ScanError extends DrydockError {
  override name = "ScanError";

  constructor(
    readonly problem: Problem,
    /** The scanner's own words (the end of its stderr), after the message. */
    readonly detail?: string,
  ) {
    super(detail === undefined ? describeProblem(problem) : `${describeProblem(problem)}\n${detail}`);
  }
}
