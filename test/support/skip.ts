/**
 * Skipping a whole suite from a helper it calls while being collected, so that its beforeAll
 * hooks (which may record a plan on the fake engine) never run: `describe.skipIf` would need every
 * file to know what its helpers need.
 */
import { TestRunner, type RunnerTask } from "vitest";

function skipAll(task: RunnerTask): void {
  task.mode = "skip";
  if (task.type === "suite") task.tasks.forEach(skipAll);
}

/**
 * Marks the suite being collected as skipped: a `describe` block, or the whole file when called
 * at the top level. Vitest skips a suite's hooks and tests when its mode is "skip"; at the top
 * level the file's tasks are only gathered after the file is imported, so each is marked as it
 * is added.
 */
export function skipSuiteBeingCollected(): void {
  const collector = TestRunner.getCurrentSuite();
  if (collector.suite !== undefined && collector.suite.name !== "") {
    collector.suite.mode = "skip";
    return;
  }
  const file = collector.file;
  if (file === undefined) throw new Error("skipSuiteBeingCollected: call it while a test file is being collected");
  file.mode = "skip";
  const tasks = file.tasks;
  const push = tasks.push.bind(tasks);
  // Not enumerable: the file's tasks are sent to the main process by structured clone, which
  // copies an array's enumerable properties and cannot copy a function.
  Object.defineProperty(tasks, "push", {
    configurable: true,
    writable: true,
    enumerable: false,
    value: (...added: RunnerTask[]) => {
      added.forEach(skipAll);
      return push(...added);
    },
  });
}
