/**
 * Pins the public API of the drydock module as the engine sees it — objects, functions,
 * arguments, types, defaults, defaultPath/ignore, cache policies and doc summaries — read with
 * the TypeScript SDK's own introspector, so `dagger call` users are never surprised.
 *
 * Changing the API on purpose: replace PINNED_API with the text the failing test prints.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { describeApi, undocumented } from "../support/describe-api.js";
import { introspectModule, type IntrospectedModule } from "../support/introspect.js";
import { repoRoot } from "../support/paths.js";

const PINNED_API = `
module Drydock  "Build, scan and gate hardened container images of a NestJS + Prisma backend and a Next.js frontend, each a pnpm project — the same way on a laptop and in any CI."
object Drydock  "drydock: hardened, scanned, policy-gated images of a pnpm NestJS + Prisma backend and Next.js frontend."
Drydock.source: Directory  "The application repository."
Drydock.config: String  "Path of the security config inside the source."
Drydock.buildImage: String  "Image of the build stages."
Drydock.runtimeImage: String  "Image whose filesystem the runtime images start from."
Drydock.pnpmVersion: String  "pnpm version that installs the apps."
Drydock.imageVersion: String  "Release version, for the org.opencontainers.image.version label."
Drydock.revision: String  "VCS revision, for the org.opencontainers.image.revision label."
Drydock.created: String  "Build time (RFC 3339), for the org.opencontainers.image.created label."
Drydock.sourceUrl: String  "Repository URL, for the org.opencontainers.image.source label."
Drydock.licenses: String  "SPDX licence expression, for the org.opencontainers.image.licenses label."
Drydock.constructor(source: Directory, config: String = "security-config.yml", buildImage: String = "docker.io/library/node:24.13.1-alpine@sha256:4f696fbf39f383c1e486030ba6b289a5d9af541642fc78ab197e584a113b9c03", runtimeImage: String = "docker.io/library/node:24.13.1-alpine@sha256:4f696fbf39f383c1e486030ba6b289a5d9af541642fc78ab197e584a113b9c03", pnpmVersion: String = "12.4.2", imageVersion: String = "0.0.0-dev", revision: String = "unknown", created: String = "1970-01-01T00:00:00Z", sourceUrl: String = "", licenses: String = "NOASSERTION", npmrc: Secret, caCertificates: Secret, prismaSchemaEngineBinary: String, prismaEnginesMirror: String)
  source  defaultPath="/"  ignore=["**/.env*","**/.npmrc","**/*.pem","**/*.key","**/.git","**/.gitignore","**/node_modules","**/dist","**/.next","**/out","**/src/generated","**/next-env.d.ts","**/*.tsbuildinfo","**/*.spec.*","**/*.test.*","**/test","**/__tests__","**/coverage","**/.vscode","**/.idea","**/*.swp","**/*.swo","**/*~","**/.DS_Store","**/*.log","reports"]  "The application repository: holds the backend and frontend projects and security-config.yml, e.g. --source=. Default: the root of the git repository that holds dagger.json — pass --source when calling drydock as a remote module. Never uploaded: what .dockerignore keeps out (credentials, installed and built files, tests), and reports/."
  config  "Path of the security config inside the source, e.g. --config=ci/security.yml. When the default file is missing the defaults apply and every summary says so; a --config that names no file is an error."
  buildImage  "Image of the build stages, pinned by digest: needs a shell, node and npm. Swap it for a mirror of the same image."
  runtimeImage  "Image the runtime images start from, pinned by digest: a mirror, or another Node image whose node is on the standard PATH (e.g. Chainguard's). Its npm, npx, corepack and yarn are removed."
  pnpmVersion  "pnpm that installs the apps; keep it equal to their package.json \\"packageManager\\"."
  imageVersion  "Release version for the image labels, e.g. 1.4.0."
  revision  "VCS revision for the image labels, e.g. --revision=$(git rev-parse HEAD)."
  created  "Build time for the image labels (RFC 3339). The default keeps builds reproducible."
  sourceUrl  "Repository URL for the image labels."
  licenses  "SPDX licence expression for the image labels, e.g. MIT. The default says nothing is stated."
  npmrc  "An .npmrc for private registries or a mirror, e.g. --npmrc=file:$HOME/.npmrc. Only ever mounted."
  caCertificates  "Extra CA certificates (PEM) for a TLS-intercepting proxy, e.g. --ca-certificates=file:./proxy-ca.pem. Only ever mounted."
  prismaSchemaEngineBinary  "Path of an existing file in the build image, e.g. --prisma-schema-engine-binary=/bin/false: lets the backend's prisma generate run offline (Prisma 7 generates its client without the schema engine, but downloads the engine first unless this is set). Default: not set."
  prismaEnginesMirror  "A mirror of binaries.prisma.sh for the backend's prisma generate to download the schema engine from, e.g. --prisma-engines-mirror=https://mirror.example.com/prisma. Default: not set."
Drydock.backend() -> Container  cache=default  "Build the hardened backend image: frozen pnpm install, prisma generate, nest build, production dependencies only, on the pinned runtime base as user 1000:1000."
Drydock.frontend() -> Container  cache=default  "Build the hardened frontend image: frozen pnpm install, next build, the standalone server with public/ and .next/static, on the pinned runtime base as user 1000:1000."
Drydock.backendBuild() -> Container  cache=default  "The backend's build environment after its build commands ran: debug a failing build there."
Drydock.frontendBuild() -> Container  cache=default  "The frontend's build environment after its build commands ran: debug a failing build there."
Drydock.scan(image: Container!, name: String!) -> Scan  cache=never  "Scan an image with Trivy (vulnerabilities, secrets, image-config misconfigurations) and gate it with the policy. Never cached: the vulnerability DB and exception expiries change daily."
  image  "The image to scan."
  name  "Name of the image in summaries and reports."
Drydock.lint() -> Scan  cache=never  "Lint the Dockerfiles of the source with Trivy's misconfiguration checks, through the same gate. The summary names the files linted, or says there were none."
Drydock.gate(report: File!, baseline: File) -> String  cache=never  "Apply the policy of the source's config to an existing Trivy JSON report; fail with the Markdown summary when the gate fails, print it when it passes."
  report  "A Trivy JSON report (trivy … --format json)."
  baseline  "A previous report of the same target: only findings that are new since it can fail."
Drydock.buildAndScan(baseline: Directory) -> Report  cache=never  "Build both images, scan them and lint the Dockerfiles, in parallel; gate everything with the policy. Prints whether it passed and the summary; never cached."
  baseline  "Reports of an earlier run (as exported by \`reports\`): only findings new since then can fail."
Drydock.imagesPassPolicy() -> Void  cache=never  check  "The security gate of both images, for \`dagger check\`."
Drydock.dockerfilesPassLint() -> Void  cache=never  check  "The Dockerfile lint, for \`dagger check\`."
object Scan  "One Trivy scan and everything derived from it: the JSON report, the CycloneDX SBOM, SARIF, the Markdown and JSON summaries, and the policy verdict."
Scan.name: String  "What was scanned, e.g. \\"backend\\"."
Scan.passed: Boolean  "Whether the policy gate passed."
Scan.summary: String  "The Markdown summary: counts, failing findings with fixed versions, exceptions used, warnings."
Scan.summaryJson: String  "The summary as a versioned JSON document (every finding, not only the first rows)."
Scan.report: File  "Trivy's JSON report, the one source of everything else here."
Scan.sarif: File  "SARIF, for code-scanning dashboards (converted from the report by \`trivy convert\`)."
Scan.sbom: File  "CycloneDX SBOM of the image (converted from the report by \`trivy convert\`); absent for lints."
Scan.constructor(name: String!, passed: Boolean!, summary: String!, summaryJson: String!, report: File!, sarif: File!, sbom: File)
  name  (undocumented)
  passed  (undocumented)
  summary  (undocumented)
  summaryJson  (undocumented)
  report  (undocumented)
  sarif  (undocumented)
  sbom  (undocumented)
Scan.gate() -> String  cache=default  "Fail with the summary when the policy gate failed; print it when it passed."
Scan.files() -> Directory  cache=default  "Every file of this scan: trivy.json, trivy.sarif, sbom.cdx.json (images), summary.md, summary.json."
object Report  "The outcome of build-and-scan: both images, their scans, the lint, and one verdict."
Report.passed: Boolean  "Whether every gate passed: both images and the lint."
Report.summary: String  "The Markdown summary of all scans, for $GITHUB_STEP_SUMMARY or a PR comment."
Report.backend: Container  "The hardened backend image."
Report.frontend: Container  "The hardened frontend image."
Report.backendScan: Scan  "The backend image's scan."
Report.frontendScan: Scan  "The frontend image's scan."
Report.lint: Scan  "The Dockerfile lint."
Report.constructor(backend: Container!, frontend: Container!, backendScan: Scan!, frontendScan: Scan!, lint: Scan!, warnings: [String] = [])
  backend  (undocumented)
  frontend  (undocumented)
  backendScan  (undocumented)
  frontendScan  (undocumented)
  lint  (undocumented)
  warnings  "Warnings about the run as a whole, e.g. exceptions that matched nothing in any scan."
Report.reports() -> Directory  cache=default  "All reports, one folder per scan (backend/, frontend/, lint/), plus summary.md."
Report.gate() -> String  cache=default  "Fail with the summary when any gate failed; print it when all passed."
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

  it("keeps out of --source exactly what examples/app/.dockerignore keeps out of docker build, plus reports/", () => {
    const dockerignore = readFileSync(path.join(repoRoot, "examples/app/.dockerignore"), "utf8")
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line !== "" && !line.startsWith("#"));
    const ignore = api.objects["Drydock"]?._constructor?.arguments["source"]?.ignore;
    expect(ignore).toEqual([...dockerignore, "reports"]);
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
