import { describe, expect, it } from "vitest";
import { daysBetween, utcDay } from "../../../dagger/src/policy/dates.ts";

describe("utcDay", () => {
  it.each([
    { instant: "2026-11-27T00:00:00Z", day: "2026-11-27" },
    { instant: "2026-11-27T23:59:59.999Z", day: "2026-11-27" },
    { instant: "2026-11-27T23:30:00-05:00", day: "2026-11-28" },
    { instant: "2026-11-28T00:30:00+02:00", day: "2026-11-27" },
  ])("puts $instant on $day", ({ instant, day }) => {
    expect(utcDay(new Date(instant))).toBe(day);
  });
});

describe("daysBetween", () => {
  it.each([
    { from: "2026-11-27", to: "2026-11-27", days: 0 },
    { from: "2026-11-27", to: "2026-11-28", days: 1 },
    { from: "2026-11-27", to: "2026-11-26", days: -1 },
    { from: "2026-02-27", to: "2026-03-01", days: 2 },
    { from: "2028-02-27", to: "2028-03-01", days: 3 },
    { from: "2026-03-28", to: "2026-03-30", days: 2 },
    { from: "2026-11-27", to: "2027-02-25", days: 90 },
  ])("counts $days days from $from to $to", ({ from, to, days }) => {
    expect(daysBetween(from, to)).toBe(days);
  });

  it.each(["27.11.2026", "2026-11-27T00:00:00Z", ""])("gives NaN for %j", (notADay) => {
    expect(daysBetween("2026-11-27", notADay)).toBeNaN();
  });
});
