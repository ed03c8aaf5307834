/**
 * Failing a service's start the way the real engine does: a process that exits before its port
 * listens makes `Service.start` (or the exec that binds the service) answer an error carrying the
 * process's output. The fake engine answers every start with an ID; this wraps its query handler
 * for one test so that matching starts answer that error instead.
 */
import type { Chain } from "./chain.js";
import type { FakeEngine } from "./engine.js";
import type { HttpAnswer } from "./server.js";

type Handler = (body: unknown) => HttpAnswer | Promise<HttpAnswer>;

/** Makes every `start` of a service whose chain matches `when` fail with `message`; returns the undo. */
export function failServiceStart(engine: FakeEngine, when: (chain: Chain) => boolean, message: string): () => void {
  const target = engine as unknown as { handle: Handler };
  const original = target.handle;
  target.handle = (body) => {
    const before = engine.evaluations.length;
    const answer = original.call(engine, body);
    const fresh = engine.evaluations.slice(before);
    if (!fresh.some((e) => e.leaf.field === "start" && when([...e.chain, e.leaf]))) return answer;
    return Promise.resolve(answer).then(() => ({ status: 200, body: { data: null, errors: [{ message }] } }));
  };
  return () => {
    target.handle = original;
  };
}
