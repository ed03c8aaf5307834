/** Helpers for config tests: the problems a config text is rejected with, one string per line. */
import { expect } from "vitest";
import { ConfigError } from "../../../dagger/src/config/errors.ts";
import { parseSecurityConfig } from "../../../dagger/src/config/load.ts";

export const FILE = "security-config.yml";

/** A digest-shaped value for pinned references in test configs. */
export const DIGEST = `sha256:${"0123456789abcdef".repeat(4)}`;

/** The YAML text of several lines, so that tables read like the file. */
export function yamlOf(...lines: string[]): string {
  return `${lines.join("\n")}\n`;
}

/** A schema problem's position, which formatIssue puts last: " (line 4, column 7)". */
const POSITION = / \(line \d+, column \d+\)$/;

/**
 * Parses `text` and returns the lines of the ConfigError it must throw, without the position
 * each schema problem ends with (positions.test.ts checks those): the tables here are about what
 * is found and expected.
 */
export function problemsOf(text: string): string[] {
  return problemsWithPositionsOf(text).map((line) => line.replace(POSITION, ""));
}

/** Parses `text` and returns the lines of the ConfigError it must throw, as they are. */
export function problemsWithPositionsOf(text: string): string[] {
  let thrown: unknown;
  try {
    parseSecurityConfig(text, FILE);
  } catch (error) {
    thrown = error;
  }
  expect(thrown, `expected this config to be rejected:\n${text}`).toBeInstanceOf(ConfigError);
  return (thrown as ConfigError).message.split("\n");
}
