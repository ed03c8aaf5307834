/**
 * Holding an answer back until another query arrives: how a plan test proves that two branches
 * run concurrently. Code that finishes one branch before it starts the other never sends the
 * releasing query while the first answer is held, so the hold times out and the test fails with
 * a violation instead of hanging. With a list of releases, an answer waits until every one of
 * them has arrived: how a test proves that three or more branches are in flight at once.
 */
import type { Chain } from "./chain.js";
import type { Evaluation } from "./resolve.js";

export interface Hold {
  /** Which answers to hold: those of queries that evaluate a leaf whose chain (ending in the leaf) matches. */
  readonly hold: (chain: Chain) => boolean;
  /**
   * What releases them: any query, earlier or later, that evaluates a leaf whose chain matches;
   * for a list, one such query for each predicate of the list.
   */
  readonly until: ((chain: Chain) => boolean) | readonly ((chain: Chain) => boolean)[];
  /** How long a held answer waits before the engine answers with an error and records a violation. */
  readonly timeoutMs: number;
  /** What is held and what it waits for, for the violation message. */
  readonly description: string;
}

/** How a held answer ended. */
export type HoldOutcome = { readonly kind: "released" } | { readonly kind: "timed-out"; readonly hold: Hold } | { readonly kind: "abandoned" };

interface Waiting {
  readonly hold: Hold;
  readonly settle: (outcome: HoldOutcome) => void;
  readonly timer: NodeJS.Timeout;
}

const leafChain = (e: Evaluation): Chain => [...e.chain, e.leaf];

/** True when every release of `hold` has arrived among `evaluations`. */
function released(hold: Hold, evaluations: readonly Evaluation[]): boolean {
  const untils = typeof hold.until === "function" ? [hold.until] : hold.until;
  return untils.every((until) => evaluations.some((e) => until(leafChain(e))));
}

export class Holds {
  private readonly holds: Hold[] = [];
  private readonly waiting = new Set<Waiting>();

  add(hold: Hold): void {
    this.holds.push(hold);
  }

  /**
   * Called with the evaluations of one query (`fresh`) and of all queries so far (`all`, fresh
   * included): releases answers waiting for what just arrived, and returns a promise when this
   * query's own answer must wait; undefined when it may go out at once.
   */
  admit(fresh: readonly Evaluation[], all: readonly Evaluation[]): Promise<HoldOutcome> | undefined {
    for (const waiting of [...this.waiting]) {
      if (released(waiting.hold, all)) this.finish(waiting, { kind: "released" });
    }
    const hold = this.holds.find((h) => fresh.some((e) => h.hold(leafChain(e))) && !released(h, all));
    if (!hold) return undefined;
    return new Promise<HoldOutcome>((settle) => {
      const waiting: Waiting = {
        hold,
        settle,
        timer: setTimeout(() => this.finish(waiting, { kind: "timed-out", hold }), hold.timeoutMs),
      };
      this.waiting.add(waiting);
    });
  }

  /** Forgets every hold; answers still waiting go out at once, without a violation. */
  reset(): void {
    for (const waiting of [...this.waiting]) this.finish(waiting, { kind: "abandoned" });
    this.holds.length = 0;
  }

  private finish(waiting: Waiting, outcome: HoldOutcome): void {
    clearTimeout(waiting.timer);
    this.waiting.delete(waiting);
    waiting.settle(outcome);
  }
}
