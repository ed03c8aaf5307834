/**
 * Running module code against a fake engine. Module code talks to the global `dag`, which
 * only works inside the SDK's `connection(fn)`.
 */
import { connection } from "@dagger.io/dagger";
import { afterAll, afterEach, beforeAll } from "vitest";
import { skipSuiteBeingCollected } from "../skip.js";
import { describeViolations, FakeEngine, type FakeEngineOptions } from "./engine.js";
import { daggerSchemaPath } from "./schema.js";

/**
 * Runs `fn` connected to `engine` and returns its result. If the engine saw a bad query while
 * `fn` ran, that is thrown instead of whatever `fn` did with the error, since module code that
 * fails closed may well have caught it.
 */
export async function withEngine<T>(engine: FakeEngine, fn: () => Promise<T>): Promise<T> {
  const before = engine.violations.length;
  engine.exportSession();
  let result: { value: T } | undefined;
  let failure: unknown;
  try {
    await connection(async () => {
      result = { value: await fn() };
    });
  } catch (error) {
    failure = error;
  }
  const fresh = engine.violations.slice(before);
  if (fresh.length > 0) throw new Error(describeViolations(fresh), { cause: failure });
  if (!result) throw failure;
  return result.value;
}

/**
 * One engine for the test file: started before the first test, checked for violations and reset
 * after each, stopped after the last.
 *
 * Without the Dagger API schema (no ../shared, no $DRYDOCK_DAGGER_SCHEMA) the suite that calls
 * this — the whole file when called at its top level — is skipped rather than run unvalidated:
 * validating every query is what these tests are for, and the engine needs the schema to know
 * what type each field returns. The run's one notice (shared-material.ts) says so.
 */
export function useFakeEngine(options: FakeEngineOptions = {}): FakeEngine {
  if (options.schemaPath === undefined && daggerSchemaPath() === undefined) {
    skipSuiteBeingCollected();
    // Never started (a skipped suite runs no hooks); there only for what the file does while collecting.
    return new FakeEngine({ ...options, schemaPath: null });
  }
  const engine = new FakeEngine(options);
  beforeAll(async () => {
    await engine.start();
  });
  afterEach(() => {
    try {
      engine.assertNoViolations();
    } finally {
      engine.reset();
    }
  });
  afterAll(async () => {
    await engine.stop();
  });
  return engine;
}
