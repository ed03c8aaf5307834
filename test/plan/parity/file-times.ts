/**
 * Every folder an image gets from the build or the source carries the image's SOURCE_DATE_EPOCH
 * (runtime.ts asShipped): its source chain ends in `withTimestamps(timestamp: <epoch of the created
 * label>)`. The Dockerfiles get the same from the build command (`docker buildx build --build-arg
 * SOURCE_DATE_EPOCH=… --output type=…,rewrite-timestamp=true`), not from their text, so the parity
 * model checks the plan's times here and compares the rest of the chain with the Dockerfile.
 */
import { renderChain, renderStep, type Chain, type Step } from "../../support/fake-engine/index.js";

export class FileTimes {
  private readonly times: { time: unknown; at: string }[] = [];

  /** `source` without its final withTimestamps, whose time is kept for check(); throws when it has none. */
  strip(source: Chain, step: Step): Chain {
    const last = source.at(-1);
    if (last?.field !== "withTimestamps") {
      throw new Error(`expected the files an image gets to end in withTimestamps (the image's SOURCE_DATE_EPOCH), got ${renderStep(step)}`);
    }
    this.times.push({ time: last.args["timestamp"], at: renderChain(source.slice(-2)) });
    return source.slice(0, -1);
  }

  /** Throws unless every kept time is the Unix time of `created` (the org.opencontainers.image.created label). */
  check(created: string | undefined): void {
    const epoch = created === undefined ? Number.NaN : Math.floor(Date.parse(created) / 1000);
    const other = this.times.find(({ time }) => time !== epoch);
    if (other) throw new Error(`expected every file time to be the created label's (${String(created)}: ${epoch}), got ${String(other.time)} at ${other.at}`);
  }
}
