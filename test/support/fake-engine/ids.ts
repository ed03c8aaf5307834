/**
 * The object IDs the fake engine hands out, and the chains they stand for.
 *
 * Process-wide on purpose: once the SDK has resolved an object argument to an ID it keeps
 * sending that ID (it rewrites the argument in place), so an object built in one test, or
 * against an earlier engine in the same file, must still resolve in the next one.
 */
import type { Chain } from "./chain.js";

export interface IssuedObject {
  readonly type: string;
  readonly chain: Chain;
}

/** The type of an ID handed out without a schema to tell it. */
export const UNKNOWN_TYPE = "Unknown";

const issued = new Map<string, IssuedObject>();

/** A fresh ID for the object of `type` that `chain` produces. */
export function issueId(type: string, chain: Chain): string {
  const id = `fake-id:${type}:${issued.size + 1}`;
  issued.set(id, { type, chain });
  return id;
}

export function lookupId(id: string): IssuedObject | undefined {
  return issued.get(id);
}
