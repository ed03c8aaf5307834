import { describe, expect, it } from "vitest";
import { parseSecurityConfig } from "../../../dagger/src/config/load.ts";
import { DIGEST, FILE, problemsOf, yamlOf } from "./problems.ts";

const TRIVY_PREFIX = "scanner:\n  trivyImage:";

type Config = ReturnType<typeof parseSecurityConfig>["config"];

describe("every field rejects a bad value, naming the field, what was found and what was expected", () => {
  it.each([
    { name: "$schema that is not a string", yaml: "$schema: 5", problem: "$schema: found 5, expected a string" },
    { name: "version other than 1", yaml: "version: 2", problem: "version: found 2, expected 1, the only format version this drydock reads" },
    { name: "version written as a string", yaml: 'version: "1"', problem: 'version: found "1", expected 1, the only format version this drydock reads' },
    { name: "apps that is not a mapping", yaml: "apps: backend", problem: 'apps: found "backend", expected a mapping' },
    { name: "an app that is a list", yaml: "apps:\n  backend: []", problem: "apps.backend: found a list of 0 entries, expected a mapping" },
    {
      name: "an absolute app path",
      yaml: "apps:\n  backend:\n    path: /srv/backend",
      problem: 'apps.backend.path: found "/srv/backend", expected a path relative to the repository root (forward slashes, no leading "/", no "..")',
    },
    {
      name: "an app path that climbs out of the repository",
      yaml: "apps:\n  frontend:\n    path: web/../../secrets",
      problem: 'apps.frontend.path: found "web/../../secrets", expected a path relative to the repository root (forward slashes, no leading "/", no "..")',
    },
    {
      name: "a Windows app path",
      yaml: "apps:\n  backend:\n    path: 'C:\\app'",
      problem: 'apps.backend.path: found "C:\\\\app", expected a path relative to the repository root (forward slashes, no leading "/", no "..")',
    },
    {
      name: "a home-relative app path",
      yaml: "apps:\n  backend:\n    path: ~/backend",
      problem: 'apps.backend.path: found "~/backend", expected a path relative to the repository root (forward slashes, no leading "/", no "..")',
    },
    { name: "an empty app path", yaml: 'apps:\n  backend:\n    path: ""', problem: 'apps.backend.path: found "", expected at least 1 character' },
    {
      name: "an image name with capitals",
      yaml: "apps:\n  backend:\n    image: Acme-Backend",
      problem: 'apps.backend.image: found "Acme-Backend", expected a lowercase image name without registry, tag or digest, like acme/backend',
    },
    {
      name: "an image name with a tag",
      yaml: "apps:\n  frontend:\n    image: acme/web:1.0",
      problem: 'apps.frontend.image: found "acme/web:1.0", expected a lowercase image name without registry, tag or digest, like acme/backend',
    },
    { name: "port 0", yaml: "apps:\n  backend:\n    port: 0", problem: "apps.backend.port: found 0, expected 1 or more" },
    { name: "a port above 65535", yaml: "apps:\n  backend:\n    port: 70000", problem: "apps.backend.port: found 70000, expected 65535 or less" },
    { name: "a port written as a string", yaml: "apps:\n  backend:\n    port: '80'", problem: 'apps.backend.port: found "80", expected a whole number' },
    { name: "a fractional port", yaml: "apps:\n  frontend:\n    port: 80.5", problem: "apps.frontend.port: found 80.5, expected a whole number" },
    { name: "a relative health path", yaml: "apps:\n  backend:\n    healthPath: health", problem: 'apps.backend.healthPath: found "health", expected an absolute URL path like /health: letters, digits and . _ ~ / - only (no query, no \"%\")' },
    { name: "a health path with a query", yaml: "apps:\n  frontend:\n    healthPath: /api/health?full=1", problem: 'apps.frontend.healthPath: found "/api/health?full=1", expected an absolute URL path like /health: letters, digits and . _ ~ / - only (no query, no \"%\")' },
    { name: "a health path with a quote", yaml: "apps:\n  backend:\n    healthPath: \"/health\\\"\"", problem: 'apps.backend.healthPath: found "/health\\"", expected an absolute URL path like /health: letters, digits and . _ ~ / - only (no query, no \"%\")' },
    { name: "a health path with a command substitution", yaml: "apps:\n  backend:\n    healthPath: /$(id)", problem: 'apps.backend.healthPath: found "/$(id)", expected an absolute URL path like /health: letters, digits and . _ ~ / - only (no query, no \"%\")' },
    { name: "a health path with a blank", yaml: "apps:\n  backend:\n    healthPath: /health --x", problem: 'apps.backend.healthPath: found "/health --x", expected an absolute URL path like /health: letters, digits and . _ ~ / - only (no query, no \"%\")' },
    { name: "a health path with a parent segment", yaml: "apps:\n  backend:\n    healthPath: /a/../health", problem: 'apps.backend.healthPath: found "/a/../health", expected no ".." segment — give the path the app serves its health answer on' },
    { name: "a health path that is a URL", yaml: "apps:\n  backend:\n    healthPath: http://evil.example/", problem: 'apps.backend.healthPath: found "http://evil.example/", expected an absolute URL path like /health: letters, digits and . _ ~ / - only (no query, no \"%\")' },
    { name: "an absolute entrypoint", yaml: "apps:\n  frontend:\n    entrypoint: /app/server.js", problem: 'apps.frontend.entrypoint: found "/app/server.js", expected a file path relative to the app like dist/main.js: letters, digits and . _ ~ - in \"/\"-separated names, none starting with \".\" or \"-\"' },
    { name: "an entrypoint with a parent segment", yaml: "apps:\n  frontend:\n    entrypoint: ../server.js", problem: 'apps.frontend.entrypoint: found "../server.js", expected a file path relative to the app like dist/main.js: letters, digits and . _ ~ - in \"/\"-separated names, none starting with \".\" or \"-\"' },
    { name: "an entrypoint that is a flag", yaml: "apps:\n  frontend:\n    entrypoint: --inspect=0.0.0.0", problem: 'apps.frontend.entrypoint: found "--inspect=0.0.0.0", expected a file path relative to the app like dist/main.js: letters, digits and . _ ~ - in \"/\"-separated names, none starting with \".\" or \"-\"' },
    { name: "an entrypoint with a blank", yaml: "apps:\n  frontend:\n    entrypoint: server.js --inspect", problem: 'apps.frontend.entrypoint: found "server.js --inspect", expected a file path relative to the app like dist/main.js: letters, digits and . _ ~ - in \"/\"-separated names, none starting with \".\" or \"-\"' },
    { name: "an entrypoint with a quote", yaml: "apps:\n  frontend:\n    entrypoint: server.js'", problem: 'apps.frontend.entrypoint: found "server.js\'", expected a file path relative to the app like dist/main.js: letters, digits and . _ ~ - in \"/\"-separated names, none starting with \".\" or \"-\"' },
    { name: "a backend entrypoint outside dist/", yaml: "apps:\n  backend:\n    entrypoint: build/main.js", problem: 'apps.backend.entrypoint: found "build/main.js", expected a file under dist/ like dist/main.js — only dist/ of the build reaches the image' },
    { name: "policy that is not a mapping", yaml: "policy: strict", problem: 'policy: found "strict", expected a mapping' },
    { name: "policy left empty", yaml: "policy:", problem: "policy: found an empty value, expected a mapping" },
    { name: "failOn that is a list", yaml: "policy:\n  failOn: [HIGH]", problem: "policy.failOn: found a list of 1 entry, expected a mapping" },
    {
      name: "a severity list written as one value",
      yaml: "policy:\n  failOn:\n    vulnerabilities: HIGH",
      problem: 'policy.failOn.vulnerabilities: found "HIGH", expected a list',
    },
    {
      name: "an unknown severity",
      yaml: "policy:\n  failOn:\n    secrets: [SEVERE]",
      problem: 'policy.failOn.secrets[0]: found "SEVERE", expected one of UNKNOWN, LOW, MEDIUM, HIGH, CRITICAL',
    },
    {
      name: "a lowercase severity, with the intended one suggested",
      yaml: "policy:\n  failOn:\n    misconfigurations: [CRITICAL, medium]",
      problem:
        'policy.failOn.misconfigurations[1]: found "medium", expected one of UNKNOWN, LOW, MEDIUM, HIGH, CRITICAL — did you mean "MEDIUM"?',
    },
    { name: "ignoreUnfixed written yes (YAML 1.2: a string)", yaml: "policy:\n  ignoreUnfixed: yes", problem: 'policy.ignoreUnfixed: found "yes", expected true or false' },
    { name: "maxExceptionDays 0", yaml: "policy:\n  maxExceptionDays: 0", problem: "policy.maxExceptionDays: found 0, expected 1 or more" },
    { name: "a fractional maxExceptionDays", yaml: "policy:\n  maxExceptionDays: 30.5", problem: "policy.maxExceptionDays: found 30.5, expected a whole number" },
    { name: "a negative expiryWarningDays", yaml: "policy:\n  expiryWarningDays: -1", problem: "policy.expiryWarningDays: found -1, expected 0 or more" },
    { name: "ignores that is a mapping", yaml: "policy:\n  ignores:\n    id: CVE-2024-1", problem: "policy.ignores: found a mapping, expected a list" },
    { name: "an ignore that is a bare ID", yaml: "policy:\n  ignores: [CVE-2024-1]", problem: 'policy.ignores[0]: found "CVE-2024-1", expected a mapping' },
    { name: "vex that is one path", yaml: "policy:\n  vex: security/vex.json", problem: 'policy.vex: found "security/vex.json", expected a list' },
    {
      name: "an absolute vex path",
      yaml: "policy:\n  vex: [/etc/vex.json]",
      problem: 'policy.vex[0]: found "/etc/vex.json", expected a path relative to the repository root (forward slashes, no leading "/", no "..")',
    },
    {
      name: "a vex path with backslashes",
      yaml: "policy:\n  vex: ['security\\vex.json']",
      problem: 'policy.vex[0]: found "security\\\\vex.json", expected a path relative to the repository root (forward slashes, no leading "/", no "..")',
    },
    { name: "scanner that is a string", yaml: "scanner: trivy", problem: 'scanner: found "trivy", expected a mapping' },
    {
      name: "a Trivy image pinned by tag only",
      yaml: `${TRIVY_PREFIX} aquasec/trivy:0.69.3`,
      problem: 'scanner.trivyImage: found "aquasec/trivy:0.69.3", expected an image pinned by digest, like aquasec/trivy:0.69.3@sha256:<64 hex>',
    },
    {
      name: "a Trivy image on latest",
      yaml: `${TRIVY_PREFIX} aquasec/trivy`,
      problem: 'scanner.trivyImage: found "aquasec/trivy", expected an image pinned by digest, like aquasec/trivy:0.69.3@sha256:<64 hex>',
    },
    {
      name: "a Trivy image with a truncated digest",
      yaml: `${TRIVY_PREFIX} aquasec/trivy:0.69.3@sha256:bcc376de`,
      problem: 'scanner.trivyImage: found "aquasec/trivy:0.69.3@sha256:bcc376de", expected an image pinned by digest, like aquasec/trivy:0.69.3@sha256:<64 hex>',
    },
    {
      name: "a pinned but compromised Trivy release",
      yaml: `${TRIVY_PREFIX} docker.io/aquasec/trivy:0.69.5@${DIGEST}`,
      problem:
        'scanner.trivyImage: found "docker.io/aquasec/trivy:0.69.5@sha256:0123456789abcdef0123…def0123456789abcdef", expected a Trivy release other than 0.69.4–0.69.6, which were malicious (CVE-2026-33634)',
    },
    { name: "an empty dbRepositories", yaml: "scanner:\n  dbRepositories: []", problem: "scanner.dbRepositories: found a list of 0 entries, expected at least 1 entry" },
    {
      name: "a DB repository written as a URL",
      yaml: "scanner:\n  dbRepositories: ['https://ghcr.io/aquasecurity/trivy-db:2']",
      problem:
        'scanner.dbRepositories[0]: found "https://ghcr.io/aquasecurity/trivy-db:2", expected an OCI repository reference without a URL scheme, like mirror.gcr.io/aquasec/trivy-db:2',
    },
    { name: "a timeout in words", yaml: "scanner:\n  timeout: 5 minutes", problem: 'scanner.timeout: found "5 minutes", expected a duration like 300s, 10m or 1h30m' },
    { name: "a timeout without unit", yaml: "scanner:\n  timeout: 300", problem: "scanner.timeout: found 300, expected a string" },
    { name: "maxDbAgeDays 0", yaml: "scanner:\n  maxDbAgeDays: 0", problem: "scanner.maxDbAgeDays: found 0, expected 1 or more" },
    { name: "a fractional maxDbAgeDays", yaml: "scanner:\n  maxDbAgeDays: 1.5", problem: "scanner.maxDbAgeDays: found 1.5, expected a whole number" },
  ])("$name", ({ yaml, problem }) => {
    expect(problemsOf(`${yaml}\n`)).toEqual([`${FILE}: ${problem}`]);
  });
});

/** One valid exception, to which each case below adds or changes a field. */
const ignoreWith = (...fields: string[]) =>
  yamlOf("policy:", "  ignores:", "    - id: CVE-2024-21538", ...fields.map((field) => `      ${field}`));
const VALID_REASON = "reason: Not reachable from the runtime image.";
const VALID_EXPIRY = "expires: 2027-01-31";

describe("an exception needs a finding ID, a real reason and a real calendar date", () => {
  it.each([
    {
      name: "a missing reason",
      yaml: ignoreWith(VALID_EXPIRY),
      problem: "policy.ignores[0].reason: missing, expected a justification of at least 10 characters",
    },
    {
      name: "a reason that is too short",
      yaml: ignoreWith("reason: accepted", VALID_EXPIRY),
      problem: 'policy.ignores[0].reason: found "accepted", expected a justification of at least 10 characters',
    },
    {
      name: "a reason that is only long with its padding",
      yaml: ignoreWith("reason: '   ok    ok   '", VALID_EXPIRY),
      problem: 'policy.ignores[0].reason: found "ok    ok", expected a justification of at least 10 characters',
    },
    { name: "a missing expiry", yaml: ignoreWith(VALID_REASON), problem: "policy.ignores[0].expires: missing, expected a date written YYYY-MM-DD" },
    {
      name: "30 February",
      yaml: ignoreWith(VALID_REASON, "expires: 2025-02-30"),
      problem: 'policy.ignores[0].expires: found "2025-02-30", expected a real calendar date (YYYY-MM-DD)',
    },
    {
      name: "29 February of a common year",
      yaml: ignoreWith(VALID_REASON, "expires: 2027-02-29"),
      problem: 'policy.ignores[0].expires: found "2027-02-29", expected a real calendar date (YYYY-MM-DD)',
    },
    {
      name: "month 13, day 40",
      yaml: ignoreWith(VALID_REASON, "expires: 2025-13-40"),
      problem: 'policy.ignores[0].expires: found "2025-13-40", expected a real calendar date (YYYY-MM-DD)',
    },
    {
      name: "a day-first date",
      yaml: ignoreWith(VALID_REASON, "expires: 31/01/2027"),
      problem: 'policy.ignores[0].expires: found "31/01/2027", expected a date written YYYY-MM-DD',
    },
    {
      name: "a date without leading zeros",
      yaml: ignoreWith(VALID_REASON, "expires: 2027-1-5"),
      problem: 'policy.ignores[0].expires: found "2027-1-5", expected a date written YYYY-MM-DD',
    },
    {
      name: "a date written as a number",
      yaml: ignoreWith(VALID_REASON, "expires: 20270131"),
      problem: "policy.ignores[0].expires: found 20270131, expected a date written YYYY-MM-DD",
    },
    {
      name: "a date and time",
      yaml: ignoreWith(VALID_REASON, "expires: 2027-01-31T00:00:00Z"),
      problem: 'policy.ignores[0].expires: found "2027-01-31T00:00:00Z", expected a date written YYYY-MM-DD',
    },
    {
      name: "a missing ID",
      yaml: yamlOf("policy:", "  ignores:", `    - ${VALID_REASON}`, `      ${VALID_EXPIRY}`),
      problem: "policy.ignores[0].id: missing, expected a finding ID such as CVE-2024-12345, GHSA-…, DS-0002 or a secret rule ID",
    },
    {
      name: "an ID with a space",
      yaml: yamlOf("policy:", "  ignores:", "    - id: CVE 2024-21538", `      ${VALID_REASON}`, `      ${VALID_EXPIRY}`),
      problem: 'policy.ignores[0].id: found "CVE 2024-21538", expected a finding ID without spaces, such as CVE-2024-12345',
    },
    {
      name: "an empty paths list",
      yaml: ignoreWith(VALID_REASON, VALID_EXPIRY, "paths: []"),
      problem: "policy.ignores[0].paths: found a list of 0 entries, expected at least 1 entry",
    },
    {
      name: "an empty path glob",
      yaml: ignoreWith(VALID_REASON, VALID_EXPIRY, "paths: ['']"),
      problem: 'policy.ignores[0].paths[0]: found "", expected at least 1 character',
    },
    ...["npm/cross-spawn@7.0.3", "pkg:npm", "pkg:debug", "pkg:/lodash"].map((purl) => ({
      name: `a purl the gate cannot read: ${purl}`,
      yaml: ignoreWith(VALID_REASON, VALID_EXPIRY, `purls: ["${purl}"]`),
      problem: `policy.ignores[0].purls[0]: found "${purl}", expected a package URL like pkg:npm/lodash or pkg:deb/debian/zlib1g@1.2.13 (pkg:type/[namespace/]name[@version])`,
    })),
  ])("$name", ({ yaml, problem }) => {
    expect(problemsOf(yaml)).toEqual([`${FILE}: ${problem}`]);
  });
});

describe("accepted values", () => {
  it.each([
    { name: "the repository root as an app path", yaml: "apps:\n  backend:\n    path: .", read: (c: Config) => c.apps.backend?.path, value: "." },
    { name: "a nested app path", yaml: "apps:\n  frontend:\n    path: apps/web/", read: (c: Config) => c.apps.frontend?.path, value: "apps/web/" },
    { name: "an image name with a namespace", yaml: "apps:\n  backend:\n    image: acme/shop-api", read: (c: Config) => c.apps.backend?.image, value: "acme/shop-api" },
    { name: "port 1", yaml: "apps:\n  backend:\n    port: 1", read: (c: Config) => c.apps.backend?.port, value: 1 },
    { name: "port 65535", yaml: "apps:\n  frontend:\n    port: 65535", read: (c: Config) => c.apps.frontend?.port, value: 65535 },
    { name: "the default health paths and entrypoints", yaml: "version: 1", read: (c: Config) => [c.apps.backend?.healthPath, c.apps.backend?.entrypoint, c.apps.frontend?.healthPath, c.apps.frontend?.entrypoint], value: ["/health", "dist/main.js", "/api/health", "server.js"] },
    { name: "a nested health path", yaml: "apps:\n  frontend:\n    healthPath: /_internal/health-check.v2", read: (c: Config) => c.apps.frontend?.healthPath, value: "/_internal/health-check.v2" },
    { name: "a backend entrypoint below dist/", yaml: "apps:\n  backend:\n    entrypoint: dist/src/main.js", read: (c: Config) => c.apps.backend?.entrypoint, value: "dist/src/main.js" },
    { name: "a frontend entrypoint in a subfolder", yaml: "apps:\n  frontend:\n    entrypoint: apps/web/server.js", read: (c: Config) => c.apps.frontend?.entrypoint, value: "apps/web/server.js" },
    { name: "a leap day", yaml: ignoreWith(VALID_REASON, "expires: 2028-02-29"), read: (c: Config) => c.policy.ignores[0]?.expires, value: "2028-02-29" },
    { name: "a quoted date", yaml: ignoreWith(VALID_REASON, "expires: '2027-01-31'"), read: (c: Config) => c.policy.ignores[0]?.expires, value: "2027-01-31" },
    { name: "a reason, trimmed", yaml: ignoreWith("reason: '  Not reachable at run time.  '", VALID_EXPIRY), read: (c: Config) => c.policy.ignores[0]?.reason, value: "Not reachable at run time." },
    { name: "an empty severity list", yaml: "policy:\n  failOn:\n    misconfigurations: []", read: (c: Config) => c.policy.failOn.misconfigurations, value: [] },
    { name: "no exceptions lasting long", yaml: "policy:\n  maxExceptionDays: 1", read: (c: Config) => c.policy.maxExceptionDays, value: 1 },
    { name: "no expiry warnings", yaml: "policy:\n  expiryWarningDays: 0", read: (c: Config) => c.policy.expiryWarningDays, value: 0 },
    {
      name: "a Trivy image from a registry with a port",
      yaml: `${TRIVY_PREFIX} localhost:5000/trivy:0.70.0@${DIGEST}`,
      read: (c: Config) => c.scanner.trivyImage,
      value: `localhost:5000/trivy:0.70.0@${DIGEST}`,
    },
    { name: "a Trivy image pinned by digest alone", yaml: `${TRIVY_PREFIX} aquasec/trivy@${DIGEST}`, read: (c: Config) => c.scanner.trivyImage, value: `aquasec/trivy@${DIGEST}` },
    { name: "a Trivy release after the compromised ones", yaml: `${TRIVY_PREFIX} aquasec/trivy:0.69.7@${DIGEST}`, read: (c: Config) => c.scanner.trivyImage, value: `aquasec/trivy:0.69.7@${DIGEST}` },
    { name: "a DB mirror on a private registry", yaml: "scanner:\n  dbRepositories: [registry.internal:5000/mirror/trivy-db:2]", read: (c: Config) => c.scanner.dbRepositories, value: ["registry.internal:5000/mirror/trivy-db:2"] },
    { name: "a compound timeout", yaml: "scanner:\n  timeout: 1h30m", read: (c: Config) => c.scanner.timeout, value: "1h30m" },
  ])("$name", ({ yaml, read, value }) => {
    expect(read(parseSecurityConfig(`${yaml}\n`, FILE).config)).toEqual(value);
  });
});

const exception = (id: string, ...scope: string[]) => [`  - id: ${id}`, `    ${VALID_REASON}`, `    ${VALID_EXPIRY}`, ...scope.map((line) => `    ${line}`)];

describe("each finding and scope is accepted once", () => {
  it.each([
    { name: "the same ID twice", entries: [exception("CVE-2024-21538"), exception("CVE-2024-21538")], found: "CVE-2024-21538", first: 0, duplicate: 1 },
    { name: "the same ID in another case", entries: [exception("private-key"), exception("PRIVATE-KEY")], found: "PRIVATE-KEY", first: 0, duplicate: 1 },
    { name: "the old and new spelling of one misconfiguration", entries: [exception("DS002"), exception("ds-0002")], found: "ds-0002", first: 0, duplicate: 1 },
    {
      name: "the same paths in another order",
      entries: [exception("CVE-2024-21538", "paths: [a/**, b/**]"), exception("GHSA-3xgq-45jj-v275"), exception("CVE-2024-21538", "paths: [b/**, a/**]")],
      found: "CVE-2024-21538",
      first: 0,
      duplicate: 2,
    },
    {
      name: "the same purls",
      entries: [exception("CVE-2024-21538", "purls: [pkg:npm/cross-spawn@7.0.3]"), exception("CVE-2024-21538", "purls: [pkg:npm/cross-spawn@7.0.3]")],
      found: "CVE-2024-21538",
      first: 0,
      duplicate: 1,
    },
  ])("rejects $name", ({ entries, found, first, duplicate }) => {
    expect(problemsOf(yamlOf("policy:", "  ignores:", ...entries.flat().map((line) => `  ${line}`)))).toEqual([
      `${FILE}: policy.ignores[${duplicate}]: found a second exception for ${found} with the same scope as policy.ignores[${first}], expected each finding and scope once — merge the two entries or remove one`,
    ]);
  });

  it.each([
    { name: "one ID in different paths", entries: [exception("CVE-2024-21538", "paths: [a/**]"), exception("CVE-2024-21538", "paths: [b/**]")] },
    { name: "one ID everywhere and in one package", entries: [exception("CVE-2024-21538"), exception("CVE-2024-21538", "purls: [pkg:npm/cross-spawn]")] },
    { name: "two different findings", entries: [exception("CVE-2024-21538"), exception("CVE-2024-21539")] },
  ])("accepts $name", ({ entries }) => {
    const { config } = parseSecurityConfig(yamlOf("policy:", "  ignores:", ...entries.flat().map((line) => `  ${line}`)), FILE);
    expect(config.policy.ignores).toHaveLength(2);
  });

  it("still finds the duplicate when another entry is malformed, so every problem is reported at once", () => {
    const entries = [exception("CVE-2024-21538"), ["  - id: 42"], exception("CVE-2024-21538")];
    expect(problemsOf(yamlOf("policy:", "  ignores:", ...entries.flat().map((line) => `  ${line}`)))).toEqual([
      `${FILE}: policy.ignores[1].id: found 42, expected a finding ID such as CVE-2024-12345, GHSA-…, DS-0002 or a secret rule ID`,
      `${FILE}: policy.ignores[1].reason: missing, expected a justification of at least 10 characters`,
      `${FILE}: policy.ignores[1].expires: missing, expected a date written YYYY-MM-DD`,
      `${FILE}: policy.ignores[2]: found a second exception for CVE-2024-21538 with the same scope as policy.ignores[0], expected each finding and scope once — merge the two entries or remove one`,
    ]);
  });
});

describe("two apps listed are built from different folders into different images", () => {
  it.each([
    {
      name: "one folder for both",
      yaml: yamlOf("apps:", "  backend:", "    path: app", "  frontend:", "    path: app"),
      problem: 'apps.frontend.path: found "app", expected a different path from apps.backend.path — two apps cannot be built from one folder',
    },
    {
      name: "one image name for both",
      yaml: yamlOf("apps:", "  backend:", "    image: acme/shop", "  frontend:", "    image: acme/shop"),
      problem: 'apps.frontend.image: found "acme/shop", expected a different image from apps.backend.image — the two images would overwrite each other',
    },
    {
      name: "the frontend given the default folder of a backend listed with its defaults",
      yaml: yamlOf("apps:", "  backend: {}", "  frontend:", "    path: backend"),
      problem: 'apps.frontend.path: found "backend", expected a different path from apps.backend.path — two apps cannot be built from one folder',
    },
  ])("rejects $name", ({ yaml, problem }) => {
    expect(problemsOf(yaml)).toEqual([`${FILE}: ${problem}`]);
  });
});
