/**
 * Global setup of the unit and plan projects: the one notice of a run without the shared
 * reference material beside the checkout, and the guard that makes CI fail instead of skipping.
 *
 * What needs it: every plan test that runs on the fake engine needs the Dagger API schema (the
 * engine validates each query against it and learns from it what type each field returns), and
 * the conformance tests need Trivy's own golden reports. Those tests skip themselves
 * (useFakeEngine, describe.skipIf); this file only says so, once.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { DEFAULT_SCHEMA_PATH, SCHEMA_ENV, daggerSchemaPath } from "./fake-engine/schema.js";
import { daggerSourceTarball, haveTrivyGoldens, repoRoot, sharedDir, trivyGoldensDir } from "./paths.js";

/** Set in the main process once the notice is out, so that two projects print it once. */
const SAID = "DRYDOCK_SHARED_NOTICE_SAID";

const shown = (file: string) => path.relative(repoRoot, file);

/** What is missing, one entry per kind of test it skips; empty when everything is there. */
export function missingSharedMaterial(): string[] {
  const missing: string[] = [];
  if (daggerSchemaPath() === undefined) {
    missing.push(
      `plan tests on the fake Dagger engine (nearly all of test/plan): no Dagger API schema at ${shown(DEFAULT_SCHEMA_PATH)} and $${SCHEMA_ENV} unset.\n` +
        `    Provide it: ${SCHEMA_ENV}=/path/to/schema.graphqls npm test — with a Dagger engine at hand, \`npm run schema:dagger\` writes one (then re-run with ${SCHEMA_ENV}=dagger-schema.graphqls).`,
    );
  }
  if (!haveTrivyGoldens()) {
    missing.push(
      `Trivy golden-report tests (test/unit/report/goldens.test.ts, gate on goldens in test/plan/gate.test.ts): no ${shown(trivyGoldensDir)}.\n` +
        `    Provide it: put the shared folder beside the checkout with fixtures/trivy/*.json.golden (golden reports of Trivy's integration tests, github.com/aquasecurity/trivy integration/testdata).`,
    );
  }
  if (!existsSync(daggerSourceTarball)) {
    missing.push(
      `the check that the module imports only what a real engine's bundled SDK exports (test/unit/bundled-sdk.test.ts): no ${shown(daggerSourceTarball)}.\n` +
        "    Provide it: put the shared folder beside the checkout with dagger-engine/inputs/ (Dagger's source at the pinned engine version).",
    );
  }
  return missing;
}

/** CI=true or CI=1, as CI services set it. */
export function onCi(env: NodeJS.ProcessEnv = process.env): boolean {
  return env["CI"] !== undefined && !["", "0", "false"].includes(env["CI"].toLowerCase());
}

/** The one notice: what is skipped (or, on CI, would be) and how to provide it. */
export function sharedNotice(missing: readonly string[], ci: boolean): string {
  return [
    `drydock tests: ../shared is not beside this checkout (${sharedDir}), so these ${ci ? "would be skipped" : "were SKIPPED"}:`,
    ...missing.map((line) => `  • ${line}`),
    ci
      ? `CI=${process.env["CI"]}: refusing to skip on CI — check out the shared folder beside the repository (or set ${SCHEMA_ENV}) in the CI job.`
      : "  Everything else ran. CI runs them all: with CI=true a missing ../shared fails the run.",
  ].join("\n");
}

export default function setup(): void {
  const missing = missingSharedMaterial();
  if (missing.length === 0) return;
  if (onCi()) throw new Error(sharedNotice(missing, true));
  if (process.env[SAID] === undefined) {
    process.env[SAID] = "1";
    console.warn(`\n${sharedNotice(missing, false)}\n`);
  }
}
