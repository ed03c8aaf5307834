/** A bound on every wait of the smoke stage: a promise settles, fails, or runs out of time — never hangs. */

export type Settled<T> = { kind: "done"; value: T; ms: number } | { kind: "failed"; error: unknown; ms: number } | { kind: "timeout"; ms: number };

/**
 * Waits for `promise` at most `ms`. A request still in flight at the timeout is left to the
 * engine, which ends it with the session; the caller goes on with "timeout".
 */
export async function within<T>(ms: number, promise: Promise<T>, now: () => number = Date.now): Promise<Settled<T>> {
  const start = now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), ms);
  });
  try {
    const outcome = await Promise.race([
      promise.then(
        (value) => ({ value }),
        (error: unknown) => ({ error }),
      ),
      timeout,
    ]);
    const elapsed = now() - start;
    if (outcome === "timeout") return { kind: "timeout", ms: elapsed };
    return "error" in outcome ? { kind: "failed", error: outcome.error, ms: elapsed } : { kind: "done", value: outcome.value, ms: elapsed };
  } finally {
    clearTimeout(timer);
  }
}
