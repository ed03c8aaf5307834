/**
 * Plan tests run on a fixed day. The module reads the clock for exception expiry and the DB's
 * age, and examples/app/security-config.yml holds dated exceptions: on the real clock these tests
 * would start failing the day that exception expires. Only Date is faked; timers stay real, so
 * the fake engine's timeouts still fire. Time spans in tests use performance.now().
 */
import { afterEach, beforeEach, vi } from "vitest";

/** The day examples/app/security-config.yml was written for. */
export const PLAN_NOW = new Date("2026-11-27T12:00:00Z");

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(PLAN_NOW);
});

afterEach(() => {
  vi.useRealTimers();
});
