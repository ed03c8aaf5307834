/** An error of the release half (publish, sign, attest, verify) whose message says what, where and how to fix. */
export class ReleaseError extends Error {
  override name = "ReleaseError";
}
