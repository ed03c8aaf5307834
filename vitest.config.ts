import { defineConfig } from "vitest/config";
import { E2eSequencer } from "./test/support/e2e-sequencer.ts";

export default defineConfig({
  test: {
    // e2e files needing no built tool first, the engine tier last: see the file.
    sequence: { sequencer: E2eSequencer },
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts"],
          // Without ../shared: one notice of what is skipped; under CI=true, a failed run instead.
          globalSetup: ["test/support/shared-material.ts"],
        },
      },
      {
        extends: true,
        test: {
          name: "plan",
          include: ["test/plan/**/*.test.ts"],
          globalSetup: ["test/support/shared-material.ts"],
          setupFiles: ["test/support/plan-clock.ts"],
          // One fake engine per file, and plan tests in one file share it: the SDK caches
          // object IDs process-wide, so files run isolated and tests within a file in order.
          fileParallelism: false,
          server: { deps: { inline: ["@dagger.io/dagger"] } },
          env: { OTEL_SDK_DISABLED: "true" },
          // A whole build-and-scan plans three images (the backend, its migrations image, the
          // frontend), each query validated against the schema: 4-6 s on 2 cores, over vitest's 5 s.
          testTimeout: 20_000,
        },
      },
      {
        extends: true,
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          // Installs/starts Docker when needed, picks official or stand-in base images, plants the
          // canary copy of examples/app; its teardown removes what the run created.
          globalSetup: ["test/support/docker/global-setup.ts"],
          fileParallelism: false,
          // The Trivy suites record the module's plan with the fake engine, as plan tests do.
          server: { deps: { inline: ["@dagger.io/dagger"] } },
          env: { OTEL_SDK_DISABLED: "true" },
          testTimeout: 30 * 60_000,
          hookTimeout: 30 * 60_000,
        },
      },
    ],
  },
});
