/**
 * The one schema of `security-config.yml`. Types are inferred from it, every field carries
 * its description (the committed JSON Schema is generated from it), and every default lives
 * in DEFAULTS below.
 *
 * Error messages written here start with "expected …": the loader prefixes them with what it
 * found (see issues.ts), so each reads `path: found X, expected Y`.
 */
import { z } from "zod";

import { parsePurl } from "../purl.js";
import type { AppName } from "./app-names.js";
import { ALWAYS, rejectDuplicateIgnores, requireAnApp, requireDistinctApps } from "./cross-checks.js";
import { DbRepository, Duration, FindingId, ImageName, IsoDate, PinnedTrivyImage, RelativePath } from "./formats.js";
import { BackendUrlVariables, BUILD_TIME_PREFIX, DRYDOCK_PREFIX, RESERVED_VARIABLES } from "./variables.js";

export { APP_NAMES, type AppName } from "./app-names.js";

export const SEVERITIES = ["UNKNOWN", "LOW", "MEDIUM", "HIGH", "CRITICAL"] as const;
export const Severity = z.enum(SEVERITIES).meta({ description: "A Trivy severity." });
export type Severity = z.infer<typeof Severity>;

/** Every default of the config, in one place. */
export const DEFAULTS = {
  apps: {
    backend: { path: "backend", image: "drydock-backend", port: 3000, healthPath: "/health", entrypoint: "dist/main.js" },
    // BACKEND_URL: what examples/app's frontend reads (lib/backend.ts).
    frontend: { path: "frontend", image: "drydock-frontend", port: 3000, healthPath: "/api/health", entrypoint: "server.js", backendUrlVariables: ["BACKEND_URL"] },
  },
  policy: {
    failOn: {
      vulnerabilities: ["HIGH", "CRITICAL"] as Severity[],
      // A leaked credential is a leak whatever its rule's severity.
      secrets: [...SEVERITIES] as Severity[],
      misconfigurations: ["HIGH", "CRITICAL"] as Severity[],
    },
    ignoreUnfixed: false,
    maxExceptionDays: 90,
    expiryWarningDays: 14,
  },
  scanner: {
    // 0.69.3 predates the compromised 0.69.4–0.69.6 releases (CVE-2026-33634).
    trivyImage:
      "docker.io/aquasec/trivy:0.69.3@sha256:bcc376de8d77cfe086a917230e818dc9f8528e3c852f7b1aff648949b6258d1c",
    dbRepositories: [
      "mirror.gcr.io/aquasec/trivy-db:2",
      "public.ecr.aws/aquasecurity/trivy-db:2",
      "ghcr.io/aquasecurity/trivy-db:2",
    ],
    timeout: "10m",
    // Trivy publishes a DB every 6 hours; a week without one means the refresh is broken.
    maxDbAgeDays: 7,
  },
  smoke: { enabled: true, backend: true, frontend: true, timeout: "60s" },
} as const;

const SeverityList = z.array(Severity);

/**
 * An app's folder: also the Dockerfiles' APP_DIR build argument and part of every path a build
 * names, so only plain path characters ("." for the repository root), no segment starting with "." or "-".
 */
const APP_FOLDER = /^(?:\.|[A-Za-z0-9_~][A-Za-z0-9._~-]*(?:\/[A-Za-z0-9_~][A-Za-z0-9._~-]*)*\/?)$/;
/** What RelativePath refuses itself, so a path gets one message. */
const NOT_RELATIVE = (p: string) => p === "" || /^(?:\/|~|[A-Za-z]:)/.test(p) || p.includes("\\") || p.split("/").includes("..");
const AppFolder = RelativePath.refine((p) => NOT_RELATIVE(p) || APP_FOLDER.test(p), {
  error: 'expected a folder like services/api: letters, digits and . _ ~ - in "/"-separated names, none starting with "." or "-" — rename the folder or fix the path',
});

/**
 * The path the healthcheck and the smoke test probe: it becomes an argument of the probe program
 * and a Dockerfile build argument, so plain URL path characters only, and no ".." segment.
 */
const HealthPath = z
  .string()
  .regex(/^\/[A-Za-z0-9._~/-]*$/, { error: 'expected an absolute URL path like /health: letters, digits and . _ ~ / - only (no query, no "%")', abort: true })
  .refine((p) => !p.split("/").includes(".."), { error: 'expected no ".." segment — give the path the app serves its health answer on' });

/**
 * The file `node` starts, relative to the app's folder in the image: the image's entrypoint, the
 * build-time check's argument and a Dockerfile build argument, so only plain path characters.
 */
const ENTRYPOINT_FILE = /^[A-Za-z0-9_~][A-Za-z0-9._~-]*(?:\/[A-Za-z0-9_~][A-Za-z0-9._~-]*)*$/;
const Entrypoint = z.string().regex(ENTRYPOINT_FILE, {
  error: 'expected a file path relative to the app like dist/main.js: letters, digits and . _ ~ - in "/"-separated names, none starting with "." or "-"',
});

/** Only what the runtime image gets can be started: the backend ships dist/ alone. */
const entrypointUnder = (folder: string) =>
  Entrypoint.refine((p) => p.startsWith(`${folder}/`), { error: `expected a file under ${folder}/ like ${folder}/main.js — only ${folder}/ of the build reaches the image` });

/** One app's settings; `own` holds the fields only that app has. */
const App = <Own extends z.ZodRawShape>(name: AppName, which: string, entrypoint: { meaning: string; under?: string }, own: Own) => {
  const defaults = DEFAULTS.apps[name];
  return z
    .strictObject({
      path: AppFolder.default(defaults.path).meta({
        description: `Folder of the ${which} project (its package.json, and its own pnpm-lock.yaml or the one of the pnpm workspace at the repository root that lists it), relative to the repository root.`,
      }),
      image: ImageName.default(defaults.image).meta({
        description: `Image name of the ${which}, without registry or tag: its org.opencontainers.image.title label.`,
      }),
      port: z
        .int()
        .min(1)
        .max(65535)
        .default(defaults.port)
        .meta({ description: `Port the ${which} listens on inside the container.` }),
      healthPath: HealthPath.default(defaults.healthPath).meta({
        description: `Path of the ${which} that answers 2xx when it is healthy: probed by the image's healthcheck and by the smoke test.`,
      }),
      entrypoint: (entrypoint.under ? entrypointUnder(entrypoint.under) : Entrypoint).default(defaults.entrypoint).meta({
        description: `File \`node\` starts, ${entrypoint.meaning}; the image build fails when the app's build does not produce it.`,
      }),
      ...own,
    }, {
      // `backend:` with nothing after it reads as null in YAML: say how to list an app with every default.
      error: (issue) => (issue.code === "invalid_type" && issue.input === null ? "expected a mapping — write {} to list the app with every default" : undefined),
    })
    .optional()
    .meta({
      description: `The ${which}. Listed (\`${name}: {}\` for every default), it is built, scanned, smoke-tested and released; left out of a listed \`apps\`, the repository has no ${name}, and every function of the ${name} is an error. Without \`apps\`, it is listed with its defaults.`,
    });
};

const PURL_EXPECTED = "expected a package URL like pkg:npm/lodash or pkg:deb/debian/zlib1g@1.2.13 (pkg:type/[namespace/]name[@version])";

export const Ignore = z
  .strictObject({
    id: FindingId.meta({
      description:
        "Finding ID to accept: a CVE/GHSA ID, a secret rule ID or a misconfiguration ID (DS-0002 and DS002 both match).",
    }),
    reason: z
      .string({ error: "expected a justification of at least 10 characters" })
      .trim()
      .min(10, { error: "expected a justification of at least 10 characters" })
      .meta({ description: "Why this finding is accepted. Shown in every summary that uses the exception." }),
    expires: IsoDate.meta({
      description:
        "Last day (YYYY-MM-DD, UTC) the exception holds. After it, the finding fails the gate again and the gate names this exception.",
    }),
    paths: z.array(z.string().min(1)).min(1).optional().meta({
      description: "Only accept the finding in these targets or file paths (globs with * and **). Default: anywhere.",
    }),
    purls: z
      .array(
        // Checked as the gate reads it: a purl it cannot parse would never match, so the exception
        // would sit there "unused" instead of saying what is wrong with it.
        z
          .string()
          // The pattern is for editors (it reaches the JSON Schema); the parse is what counts.
          .regex(/^pkg:[A-Za-z][A-Za-z0-9.+-]*\/[^/]/, { error: PURL_EXPECTED, abort: true })
          .refine((purl) => parsePurl(purl) !== undefined, { error: PURL_EXPECTED }),
      )
      .min(1)
      .optional()
      .meta({
        description:
          "Only accept the vulnerability in these packages (package URLs; a purl without @version matches every version).",
      }),
  })
  .meta({ description: "A justified, expiring exception for one finding." });
export type Ignore = z.infer<typeof Ignore>;

export const Policy = z
  .strictObject({
    failOn: z
      .strictObject({
        vulnerabilities: SeverityList.default(DEFAULTS.policy.failOn.vulnerabilities).meta({
          description: "Vulnerability severities that fail the gate.",
        }),
        secrets: SeverityList.default(DEFAULTS.policy.failOn.secrets).meta({
          description: "Secret severities that fail the gate.",
        }),
        misconfigurations: SeverityList.default(DEFAULTS.policy.failOn.misconfigurations).meta({
          description: "Misconfiguration severities that fail the gate (only failed checks count).",
        }),
      })
      .prefault({})
      .meta({ description: "Which severities fail the gate, per kind of finding. An empty list never fails for that kind." }),
    ignoreUnfixed: z.boolean().default(DEFAULTS.policy.ignoreUnfixed).meta({
      description: "Do not fail on vulnerabilities that have no fixed version yet (they are still reported).",
    }),
    maxExceptionDays: z.int().min(1).default(DEFAULTS.policy.maxExceptionDays).meta({
      description: "Longest an exception may run: an ignore that expires further ahead than this many days fails the gate.",
    }),
    expiryWarningDays: z.int().min(0).default(DEFAULTS.policy.expiryWarningDays).meta({
      description: "Warn about exceptions that expire within this many days.",
    }),
    ignores: z
      .array(Ignore)
      .superRefine(rejectDuplicateIgnores, ALWAYS)
      .default([])
      .meta({ description: "Accepted findings, each justified and expiring." }),
    vex: z.array(RelativePath).default([]).meta({
      description:
        "OpenVEX documents (paths relative to the repository root) passed to Trivy; findings they mark not_affected are reported as suppressed.",
    }),
  })
  .prefault({})
  .meta({ description: "The security gate." });
export type Policy = z.infer<typeof Policy>;

export const Scanner = z
  .strictObject({
    trivyImage: PinnedTrivyImage.default(DEFAULTS.scanner.trivyImage).meta({
      description: "Trivy image, pinned by digest; releases 0.69.4–0.69.6 are refused.",
    }),
    dbRepositories: z
      .array(DbRepository)
      .min(1)
      .default([...DEFAULTS.scanner.dbRepositories])
      .meta({ description: "Trivy vulnerability DB repositories, tried in order (a mirror first, then fallbacks)." }),
    timeout: Duration.default(DEFAULTS.scanner.timeout).meta({ description: "Trivy's --timeout for one scan." }),
    maxDbAgeDays: z.int().min(1).default(DEFAULTS.scanner.maxDbAgeDays).meta({
      description:
        "Oldest vulnerability DB a scan may use, in days. When the DB cannot be refreshed, scans go on with the cached one up to this age, then fail: an old DB misses everything published since.",
    }),
  })
  .prefault({})
  .meta({ description: "How Trivy runs." });
export type Scanner = z.infer<typeof Scanner>;

export const Smoke = z
  .strictObject({
    enabled: z.boolean().default(DEFAULTS.smoke.enabled).meta({
      description: "false: no image is started before it is reported; every summary says the smoke test is off.",
    }),
    backend: z.boolean().default(DEFAULTS.smoke.backend).meta({
      description: "false: the backend is not started (nor its Postgres and migrations); the frontend then runs without a backend. No effect when `apps` lists no backend.",
    }),
    frontend: z.boolean().default(DEFAULTS.smoke.frontend).meta({ description: "false: the frontend is not started. No effect when `apps` lists no frontend." }),
    timeout: Duration.default(DEFAULTS.smoke.timeout).meta({
      description:
        "How long a started app (or Postgres) may take to listen and to answer its health path. Migrations get 5 minutes; the exit after SIGTERM always gets 10 s (docker stop's grace period).",
    }),
  })
  .prefault({})
  .meta({ description: "The smoke test: each image runs as a service and is probed before it is reported or published." });
export type Smoke = z.infer<typeof Smoke>;

export const SecurityConfig = z
  .strictObject({
    $schema: z.string().optional().meta({ description: "JSON Schema reference, for editors." }),
    version: z
      .literal(1, { error: "expected 1, the only format version this drydock reads" })
      .default(1)
      .meta({ description: "Config format version; 1 is the only one." }),
    apps: z
      .strictObject({
        backend: App("backend", "NestJS + Prisma backend", { meaning: "relative to the backend's folder: a file under dist/, the only folder of the build the image gets", under: "dist" }, {}),
        frontend: App("frontend", "Next.js frontend", { meaning: "relative to Next's standalone output (.next/standalone), the image's /app" }, {
          backendUrlVariables: BackendUrlVariables.default([...DEFAULTS.apps.frontend.backendUrlVariables]).meta({
            description:
              "Environment variables the smoke test sets to the backend's URL (http://backend:3000, on apps.backend.port) when it starts the frontend: the names the frontend's server reads at run time, e.g. [API_URL, SERVER_URL]. " +
              `Refused: \`${BUILD_TIME_PREFIX}*\` (Next.js inlines them at build time; drydock bakes no test URL into an image), \`${DRYDOCK_PREFIX}*\`, and names the image or Node reads (${Object.keys(RESERVED_VARIABLES).join(", ")}). ` +
              "No effect when `apps` lists no backend.",
            uniqueItems: true,
          }),
        }),
      })
      .superRefine(requireAnApp, ALWAYS)
      .superRefine(requireDistinctApps, ALWAYS)
      // Without `apps`, both apps with every default: what a repository of the two conventional folders needs.
      .prefault({ backend: {}, frontend: {} })
      .meta({
        description:
          "The applications of the repository, where they live and their image names: exactly the apps listed are built, scanned, smoke-tested and released — one alone is valid, none is an error. Without `apps`, both, with their defaults.",
        // For editors: `apps: {}` is refused (requireAnApp says why).
        minProperties: 1,
      }),
    policy: Policy,
    scanner: Scanner,
    smoke: Smoke,
  })
  .meta({
    title: "drydock security-config.yml",
    description: "Configuration of drydock: the applications to build, the security gate and the scanner.",
  });
export type SecurityConfig = z.infer<typeof SecurityConfig>;
/** One app's settings, every default filled in. */
export type AppConfig = NonNullable<SecurityConfig["apps"][AppName]>;
