/** The e2e harness quotes host paths it writes into shell text (mmdebstrap hooks, compose health commands). */
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { shellQuote } from "../../support/docker/shell-quote.ts";

const HOSTILE = [
  "/tmp/plain/path",
  "/tmp/with space/node",
  "/tmp/$(touch /tmp/drydock-pwned)/x",
  "/tmp/`id`/x",
  "/tmp/it's/x",
  "/tmp/semi;colon && rm -rf x",
  "/tmp/new\nline",
  "-rf",
  "$HOME",
];

describe("shellQuote", () => {
  it.each(HOSTILE)("a POSIX shell reads %j back as one word, unchanged", (word) => {
    const echoed = execFileSync("/bin/sh", ["-c", `printf '%s|' ${shellQuote(word)}`], { encoding: "utf8" });
    expect(echoed).toBe(`${word}|`);
  });
});
