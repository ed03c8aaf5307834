import { describe, expect, it } from "vitest";
import { canonicalFindingId, idEnding, UNKNOWN_ENDING } from "../../../dagger/src/config/finding-id.ts";

describe("canonicalFindingId writes each finding ID one way", () => {
  it.each([
    { id: "DS002", canonical: "DS-0002" },
    { id: "DS-0002", canonical: "DS-0002" },
    { id: "AVD-DS-0002", canonical: "DS-0002" },
    { id: "ds-0002", canonical: "DS-0002" },
    { id: "KSV001", canonical: "KSV-0001" },
    { id: "DS-00026", canonical: "DS-0026" },
    { id: "CVE-2024-21538", canonical: "CVE-2024-21538" },
    { id: "cve-2024-21538", canonical: "CVE-2024-21538" },
    { id: "GHSA-3xgq-45jj-v275", canonical: "GHSA-3XGQ-45JJ-V275" },
    { id: "private-key", canonical: "PRIVATE-KEY" },
    { id: "aws-access-key-id", canonical: "AWS-ACCESS-KEY-ID" },
  ])("$id → $canonical", ({ id, canonical }) => {
    expect(canonicalFindingId(id)).toBe(canonical);
  });

  it.each([
    { a: "DS002", b: "DS003" },
    { a: "CVE-2024-21538", b: "CVE-2024-21539" },
    { a: "DS-0002", b: "KSV-0002" },
  ])("keeps $a and $b apart", ({ a, b }) => {
    expect(canonicalFindingId(a)).not.toBe(canonicalFindingId(b));
  });
});

describe("idEnding: how an ID ends, which canonicalFindingId never changes", () => {
  it.each([
    { id: "DS002", ending: 2 },
    { id: "ds-2", ending: 2 },
    { id: "AVD-DS-0002", ending: 2 },
    { id: "CVE-2024-21538", ending: 21538 },
    { id: "GHSA-3xgq-45jj-v275", ending: 275 },
    { id: "aws-access-key-id", ending: -1 },
    { id: "CVE-2024-1 ", ending: UNKNOWN_ENDING },
    { id: "", ending: UNKNOWN_ENDING },
    { id: "règle-é", ending: UNKNOWN_ENDING },
  ])("$id ends in $ending", ({ id, ending }) => {
    expect(idEnding(id)).toBe(ending);
  });

  // The exception index skips a finding whose ID ends unlike every exception's canonical ID, so an
  // ID must end like its canonical spelling, or the index would miss an exception that applies.
  it("is the same for 20,000 generated IDs and their canonical spellings, unless unknown", () => {
    const pieces = ["DS", "ds", "AVD-", "avd-", "KSV", "CVE-", "cve-", "GHSA-", "-", "0", "00", "2", "0002", "17", "2024-", "x", "ß", "é", "İ", " ", "\t", "\u00a0", "\u0001", "ﬀ", "1".repeat(30)];
    let state = 19;
    const next = () => ((state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0) / 2 ** 32);
    const mismatches: string[] = [];
    for (let n = 0; n < 20_000; n++) {
      const id = Array.from({ length: 1 + Math.floor(next() * 5) }, () => pieces[Math.floor(next() * pieces.length)]).join("");
      const ending = idEnding(id);
      if (ending !== UNKNOWN_ENDING && ending !== idEnding(canonicalFindingId(id))) mismatches.push(JSON.stringify(id));
    }
    expect(mismatches).toEqual([]);
  });
});
