/**
 * Pins the public API of the drydock module as the engine sees it — objects, functions,
 * arguments, types, defaults, defaultPath/ignore, cache policies and doc summaries — read with
 * the TypeScript SDK's own introspector, so `dagger call` users are never surprised.
 *
 * Changing the API on purpose: replace PINNED_API with the text the failing test prints.
 */
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { describeApi, undocumented } from "../support/describe-api.js";
import { introspectModule, type IntrospectedModule } from "../support/introspect.js";

const PINNED_API = `
module Drydock  "Build, scan, gate, publish and sign the container images of a pnpm NestJS + Prisma backend and Next.js frontend — the same way on a laptop and in any CI."
object Drydock  (undocumented)
Drydock.constructor(source: Directory, config: String = "security-config.yml")
  source  defaultPath="/"  ignore=["**/node_modules","**/.git","**/dist","**/.next","**/coverage","**/.env","**/.env.*","**/.turbo","reports"]  "The application repository: holds the backend and frontend projects and security-config.yml. Default: the directory \`dagger\` is called from."
  config  "Path of the security config inside the source. Missing file: the defaults apply, and the summary says so."
`;

const INTROSPECTION_TIMEOUT_MS = 60_000;

const linesOf = (text: string) => text.split("\n").filter((line) => line.trim() !== "");

/** The lines as a template literal body, ready to paste over PINNED_API. */
const asTemplateBody = (lines: string[]) => lines.map((l) => l.replace(/\\/g, "\\\\").replace(/`/g, "\\`").replace(/\$\{/g, "\\${")).join("\n");

describe("the drydock module's public API", () => {
  let api: IntrospectedModule;
  beforeAll(async () => {
    api = await introspectModule();
  }, INTROSPECTION_TIMEOUT_MS);

  it("matches the pinned API", () => {
    const actual = describeApi(api);
    expect(actual, `the public API changed — if on purpose, set PINNED_API in test/plan/api.test.ts to:\n\n${asTemplateBody(actual)}\n`).toEqual(
      linesOf(PINNED_API),
    );
  });

  it("documents every object, function and argument (doc comments are the CLI help)", () => {
    expect(undocumented(api)).toEqual([]);
  });
});

describe("how the API is described", () => {
  let fixture: IntrospectedModule;
  beforeAll(async () => {
    fixture = await introspectModule(path.resolve(import.meta.dirname, "../support/fixtures/api-module"));
  }, INTROSPECTION_TIMEOUT_MS);

  it("shows every shape of argument and function the pin relies on", () => {
    expect(describeApi(fixture)).toEqual([
      'module FixtureModule  "A module that exists only to check how test/support/describe-api.ts renders an API: every shape of argument and function the pin has to show."',
      `object FixtureModule  "The fixture's main object."`,
      'FixtureModule.label: String  "Exposed on purpose."',
      'FixtureModule.constructor(source: Directory, label: String = "fixture")',
      '  source  defaultPath="/"  ignore=["**/node_modules"]  "Where to look."',
      "  label  (undocumented)",
      'FixtureModule.gate(report: File!, baseline: File) -> Void  cache=never  "Fail when the findings break the policy."',
      '  report  "The Trivy JSON report."',
      '  baseline  "An earlier report to compare with."',
      'FixtureModule.names(loudness: Loudness = "quiet", ...extra: [String]) -> [String]  cache=10m  (undocumented)',
      "  loudness  (undocumented)",
      "  extra  (undocumented)",
      'FixtureModule.first() -> Finding  cache=default  "The first finding."',
      'object Finding  "One finding: an object other than the main one, built by a function."',
      `Finding.id: String  "The finding's ID."`,
      "Finding.constructor(id: String!)",
      "  id  (undocumented)",
      'enum Loudness  "How loud the fixture is."',
      '  Quiet = "quiet"  "Say nothing."',
      "  Loud = \"loud\"  (undocumented)",
    ]);
  });

  it("names everything the CLI help would show without a doc comment (not other objects' constructors)", () => {
    expect(undocumented(fixture)).toEqual([
      "argument FixtureModule.constructor(label)",
      "function FixtureModule.names",
      "argument FixtureModule.names(loudness)",
      "argument FixtureModule.names(extra)",
      "enum value Loudness.Loud",
    ]);
  });

  it("prints a failing pin ready to paste into a template literal", () => {
    expect(asTemplateBody(["a `b` ${c} \\d"])).toBe("a \\`b\\` \\${c} \\\\d");
  });
});
