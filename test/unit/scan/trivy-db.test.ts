/**
 * The DB cache volume's name (one per scanner image and DB repository list, so no configuration
 * can poison another's DB) and the DB's build date (only an RFC 3339 timestamp, only ever
 * printed normalised).
 */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { DEFAULTS, type Scanner } from "../../../dagger/src/config/schema.ts";
import { dbBuiltAt, dbCacheVolume } from "../../../dagger/src/scan/trivy-db.ts";

const DEFAULT_SCANNER = { trivyImage: DEFAULTS.scanner.trivyImage, dbRepositories: [...DEFAULTS.scanner.dbRepositories] };
const FORK_IMAGE = `ghcr.io/someone/trivy:0.69.3@sha256:${"d".repeat(64)}`;

describe("dbCacheVolume", () => {
  it("names the default configuration's volume stably", () => {
    expect(dbCacheVolume(DEFAULT_SCANNER)).toBe("drydock-trivy-db-41ad1398ab7d1eac");
  });

  it("is the first 16 hex digits of the SHA-256 of [trivyImage, dbRepositories] as JSON", () => {
    const digest = createHash("sha256").update(JSON.stringify([DEFAULT_SCANNER.trivyImage, DEFAULT_SCANNER.dbRepositories])).digest("hex");
    expect(dbCacheVolume(DEFAULT_SCANNER)).toBe(`drydock-trivy-db-${digest.slice(0, 16)}`);
  });

  it.each([
    { name: "another DB repository", change: { dbRepositories: ["evil.example.com/trivy-db:2"] } },
    { name: "one more DB repository", change: { dbRepositories: [...DEFAULT_SCANNER.dbRepositories, "evil.example.com/trivy-db:2"] } },
    { name: "the same DB repositories in another order", change: { dbRepositories: [...DEFAULT_SCANNER.dbRepositories].reverse() } },
    { name: "another Trivy image", change: { trivyImage: FORK_IMAGE } },
    // A naive join could spell the same text from another image/repository split.
    { name: "the image's text moved into the repositories", change: { trivyImage: "", dbRepositories: [DEFAULT_SCANNER.trivyImage, ...DEFAULT_SCANNER.dbRepositories] } },
  ])("gives a configuration with $name a volume of its own", ({ change }) => {
    const volume = dbCacheVolume({ ...DEFAULT_SCANNER, ...change });
    expect(volume).toMatch(/^drydock-trivy-db-[0-9a-f]{16}$/);
    expect(volume).not.toBe(dbCacheVolume(DEFAULT_SCANNER));
  });

  it("ignores settings that do not change what the refresh writes", () => {
    const scanner: Scanner = { ...DEFAULT_SCANNER, timeout: "20m", maxDbAgeDays: 3 };
    expect(dbCacheVolume(scanner)).toBe(dbCacheVolume(DEFAULT_SCANNER));
  });
});

const metadata = (updatedAt: unknown) => JSON.stringify({ Version: 2, NextUpdate: "2026-11-28T00:00:00Z", UpdatedAt: updatedAt, DownloadedAt: "2026-11-27T07:00:00Z" });

describe("dbBuiltAt", () => {
  it.each([
    { name: "a UTC timestamp", value: "2026-11-27T06:00:00Z", built: "2026-11-27T06:00:00.000Z" },
    { name: "Go's nanoseconds", value: "2026-11-27T06:18:53.123456789Z", built: "2026-11-27T06:18:53.123Z" },
    { name: "an offset", value: "2026-11-27T08:00:00+02:00", built: "2026-11-27T06:00:00.000Z" },
  ])("reads $name as the normalised ISO instant", ({ value, built }) => {
    expect(dbBuiltAt(metadata(value))).toBe(built);
  });

  it.each([
    // Date.parse takes this (parenthesised text is a comment to it), and it would reach a PR comment.
    { name: "a date with a parenthesised HTML payload", value: "Jan 1 2026 (\n\n<img src=x onerror=alert(1)>)" },
    { name: "a date Date.parse takes but RFC 3339 does not", value: "Jan 1 2026" },
    { name: "a timestamp followed by text", value: "2026-11-27T06:00:00Z <img src=x>" },
    { name: "a timestamp without a zone", value: "2026-11-27T06:00:00" },
    { name: "a day alone", value: "2026-11-27" },
    { name: "February 30th", value: "2026-02-30T00:00:00Z" },
    { name: "hour 24", value: "2026-11-27T24:00:00Z" },
    { name: "an offset of 24 hours", value: "2026-11-27T06:00:00+24:00" },
    { name: "a word", value: "yesterday" },
    { name: "a number", value: 1795752000000 },
    { name: "null", value: null },
  ])("refuses $name", ({ value }) => {
    expect(dbBuiltAt(metadata(value))).toBeUndefined();
  });

  it.each([
    { name: "invalid JSON", text: "{not json" },
    { name: "JSON null", text: "null" },
    { name: "no UpdatedAt", text: '{"Version": 2}' },
    { name: "an empty file", text: "" },
  ])("reads $name as no DB", ({ text }) => {
    expect(dbBuiltAt(text)).toBeUndefined();
  });
});
