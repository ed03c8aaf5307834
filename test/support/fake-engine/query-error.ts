/**
 * An error the fake engine answers a query with. Some mirror what the real engine would say
 * (a failed command, a missing file); others are violations — a query the real engine would
 * reject, or one the fake cannot answer honestly — and those fail the test even when the
 * module code catches the error.
 */

export type ViolationKind =
  /** The query does not parse or does not validate against the Dagger API schema. */
  | "invalid-query"
  /** An object ID the engine never handed out, or of another type than the argument expects. */
  | "unknown-id"
  /** A leaf the fake engine has no honest answer for: configure it with a rule or `engine.files`. */
  | "unanswerable"
  /** A held answer whose releasing query never arrived: the module ran in sequence what should run concurrently. */
  | "not-concurrent";

export class QueryError extends Error {
  constructor(
    message: string,
    readonly options: { readonly extensions?: Record<string, unknown>; readonly violation?: ViolationKind } = {},
  ) {
    super(message);
    this.name = "QueryError";
  }
}

export interface Violation {
  readonly kind: ViolationKind;
  readonly message: string;
  /** The query as received (secret plaintexts redacted). */
  readonly query: string;
}
