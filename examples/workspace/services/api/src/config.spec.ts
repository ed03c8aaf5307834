import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { readConfig } from "./config.ts";

const URL = "postgresql://app:s3cret@db:5432/app";

describe("readConfig", () => {
  it("reads DATABASE_URL and defaults PORT to 3000", () => {
    assert.deepEqual(readConfig({ DATABASE_URL: URL }), { databaseUrl: URL, port: 3000 });
  });

  it("accepts the postgres: scheme and an explicit PORT", () => {
    assert.deepEqual(readConfig({ DATABASE_URL: "postgres://db/app", PORT: "8080" }), {
      databaseUrl: "postgres://db/app",
      port: 8080,
    });
  });

  const rejected: Array<{ name: string; env: Record<string, string>; message: RegExp }> = [
    { name: "a missing DATABASE_URL", env: {}, message: /^DATABASE_URL is not set: expected a PostgreSQL URL/ },
    { name: "a blank DATABASE_URL", env: { DATABASE_URL: "  " }, message: /^DATABASE_URL is not set/ },
    { name: "a DATABASE_URL that is no URL", env: { DATABASE_URL: "db:5432" }, message: /^DATABASE_URL uses the scheme 'db:'/ },
    { name: "an unparsable DATABASE_URL", env: { DATABASE_URL: "not a url" }, message: /^DATABASE_URL is not a valid URL/ },
    { name: "another database's URL", env: { DATABASE_URL: "mysql://app:s3cret@db/app" }, message: /^DATABASE_URL uses the scheme 'mysql:': expected postgresql: or postgres:$/ },
    { name: "a PORT that is not a number", env: { DATABASE_URL: URL, PORT: "http" }, message: /^PORT is 'http': expected an integer from 1 to 65535$/ },
    { name: "a PORT out of range", env: { DATABASE_URL: URL, PORT: "70000" }, message: /^PORT is '70000'/ },
    { name: "a PORT of zero", env: { DATABASE_URL: URL, PORT: "0" }, message: /^PORT is '0'/ },
    { name: "a fractional PORT", env: { DATABASE_URL: URL, PORT: "3000.5" }, message: /^PORT is '3000.5'/ },
  ];
  for (const { name, env, message } of rejected) {
    it(`rejects ${name}`, () => {
      assert.throws(() => readConfig(env), { message });
    });
  }

  it("never echoes the password of a rejected DATABASE_URL", () => {
    assert.throws(
      () => readConfig({ DATABASE_URL: "mysql://app:s3cret@db/app" }),
      (error: Error) => !error.message.includes("s3cret"),
    );
  });
});
