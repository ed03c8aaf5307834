/**
 * Every folder an image gets from the build or the source carries the image's SOURCE_DATE_EPOCH
 * (dagger/src/images/file-times.ts): it reaches the image as a stamped tree copied to `/`, whose
 * `touch --date=@<epoch>` must be the created label's epoch. The Dockerfiles get the same from the
 * build command (`docker buildx build --build-arg SOURCE_DATE_EPOCH=… --output
 * type=…,rewrite-timestamp=true`), not from their text, so the parity model checks the plan's times
 * here and compares the folder itself with the Dockerfile's COPY.
 */
import { renderStep, type Step } from "../../support/fake-engine/index.js";
import { shippedFolderOf, type ShippedFolder } from "../../support/shipped-folder.js";

export class FileTimes {
  private readonly times: { time: number; at: string }[] = [];

  /** The folder `step` (the image's withDirectory) adds, its time kept for check(); throws when it is no stamped tree. */
  unwrap(step: Step): ShippedFolder {
    const folder = shippedFolderOf(step);
    this.times.push({ time: folder.time, at: renderStep(step).slice(0, 200) });
    return folder;
  }

  /** Throws unless every kept time is the Unix time of `created` (the org.opencontainers.image.created label). */
  check(created: string | undefined): void {
    const epoch = created === undefined ? Number.NaN : Math.floor(Date.parse(created) / 1000);
    const other = this.times.find(({ time }) => time !== epoch);
    if (other) throw new Error(`expected every file time to be the created label's (${String(created)}: ${epoch}), got ${String(other.time)} at ${other.at}`);
  }
}
