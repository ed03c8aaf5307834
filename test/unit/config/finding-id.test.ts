import { describe, expect, it } from "vitest";
import { canonicalFindingId } from "../../../dagger/src/config/finding-id.ts";

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
