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
Drydock.constructor(source: Directory, config: File, configPath: String = "security-config.yml", baseConfig: File)
  source  defaultPath="/"  ignore=["**/.env*","**/.npmrc","**/*.pem","**/*.key","**/.git","**/.gitignore","**/node_modules","**/dist","**/.next","**/out","**/src/generated","**/next-env.d.ts","**/*.tsbuildinfo","**/*.spec.*","**/*.test.*","**/test","**/__tests__","**/coverage","**/.vscode","**/.idea","**/*.swp","**/*.swo","**/*~","**/.DS_Store","**/*.log","reports"]  "The application repository: holds the backend and/or frontend projects and security-config.yml, e.g. --source=. Default: the root of the git repository that holds dagger.json — pass --source when calling drydock as a remote module. Never uploaded: what .dockerignore keeps out (credentials, installed and built files, tests), and reports/."
  config  "A security config from anywhere, e.g. --config=../org/security-config.yml: an organisation-wide policy kept outside the source. Overrides the source's config file. Default: --config-path inside the source."
  configPath  "Path of the security config inside the source, e.g. --config-path=ci/security.yml. When the default file is missing the defaults apply and every summary says so; a --config-path that names no file is an error. Default: security-config.yml."
  baseConfig  "The base branch's security config, e.g. --base-config=base-security-config.yml (written by \`git show origin/main:security-config.yml\`): every summary says whether the source's config changed from it, naming the keys that did. With --config of the same file, a pull request is gated with its base's policy, not its own. Default: none (no comparison)."
Drydock.withLabels(imageVersion: String, revision: String, created: String, sourceUrl: String, licenses: String) -> Drydock  cache=default  "Set the OCI labels of the images."
  imageVersion  "Release version (org.opencontainers.image.version), e.g. 1.4.0. Default: unchanged (0.0.0-dev at first)."
  revision  "VCS revision (org.opencontainers.image.revision), e.g. $(git rev-parse HEAD). Default: unchanged (unknown at first)."
  created  "The commit's time, RFC 3339, e.g. $(git log -1 --format=%cI) (org.opencontainers.image.created, and the time of every file the images get, so two builds of one commit hold the same files). Default: unchanged (1970-01-01T00:00:00Z at first)."
  sourceUrl  "Repository web URL (org.opencontainers.image.source); never one with credentials. Default: unchanged (empty at first)."
  licenses  "SPDX licence expression (org.opencontainers.image.licenses), e.g. MIT. Default: unchanged (NOASSERTION at first)."
Drydock.withNpmrc(npmrc: Secret!) -> Drydock  cache=default  "Mount an .npmrc while installing: private registries, or a mirror. Only ever mounted, never in a layer."
  npmrc  "The .npmrc, e.g. --npmrc=file:$HOME/.npmrc or --npmrc=env:NPMRC."
Drydock.withCaCertificates(caCertificates: Secret!) -> Drydock  cache=default  "Trust extra CA certificates (PEM) while installing: a TLS-intercepting proxy. Only ever mounted."
  caCertificates  "PEM certificates, e.g. --ca-certificates=file:./proxy-ca.pem."
Drydock.withPrisma(prismaSchemaEngineBinary: String, prismaEnginesMirror: String) -> Drydock  cache=default  "Point the backend's Prisma schema engine at a file or a mirror: for prisma generate, and the engine its migrations image ships."
  prismaSchemaEngineBinary  "Path of an existing file in the build image, e.g. /bin/false: prisma generate runs offline (Prisma 7 generates its client without the schema engine, but downloads it first unless this is set), and the migrations image ships this file as its schema engine instead of the one Prisma downloads — /bin/false builds an image that cannot migrate. Default: unchanged (not set at first)."
  prismaEnginesMirror  "A mirror of binaries.prisma.sh to download the schema engine from (for prisma generate and the migrations image), e.g. https://mirror.example.com/prisma; never one with credentials. Default: unchanged (not set at first)."
Drydock.withBuildImage(buildImage: String!) -> Drydock  cache=default  "Build in another image, pinned by digest: a mirror of the default, with a shell, node and npm."
  buildImage  "The image, name:tag@sha256:<64 hex>. Default: docker.io/library/node:24.13.1-alpine pinned by digest."
Drydock.withRuntimeImage(runtimeImage: String!) -> Drydock  cache=default  "Start the runtime images from another image, pinned by digest: a mirror, or another Node image whose node is on the standard PATH (e.g. Chainguard's). Its npm, npx, corepack and yarn are removed."
  runtimeImage  "The image, name:tag@sha256:<64 hex>. Default: docker.io/library/node:24.13.1-alpine pinned by digest."
Drydock.withPnpmVersion(pnpmVersion: String!) -> Drydock  cache=default  "Install the apps with this pnpm instead of the one their package.json \\"packageManager\\" names (and their lockfile records)."
  pnpmVersion  "An exact version, MAJOR.MINOR.PATCH. Default: the version after \\"pnpm@\\" in each app's package.json \\"packageManager\\"."
Drydock.withTrivyCache(cache: CacheVolume!) -> Drydock  cache=default  "Keep Trivy's vulnerability DB in this cache volume instead of the default one. Give each scanner config (trivyImage, dbRepositories) a volume of its own: a config that writes the DB decides what every scan sharing the volume trusts."
  cache  "The volume, e.g. --cache=trivy-db-ci. Default: drydock-trivy-db-<hash of the scanner config>."
Drydock.withAllowedScanner(trivyImage: String, dbRepositories: [String]) -> Drydock  cache=default  "Allow the config's scanner settings to name this Trivy image and these vulnerability DB repositories besides drydock's defaults: a mirror. The config alone cannot change the scanner (a pull request could point it at one that reports nothing): a config naming another fails."
  trivyImage  "A Trivy image, name:tag@sha256:<64 hex>, that scanner.trivyImage may name. Default: unchanged (none at first: drydock's default image only)."
  dbRepositories  "DB repositories scanner.dbRepositories may list, e.g. registry.example.com/trivy-db:2. Default: unchanged (none at first: drydock's default repositories only)."
Drydock.withCosignImage(cosignImage: String!) -> Drydock  cache=default  "Sign, attest and verify with another cosign image, pinned by digest: a mirror of the default, distroless with cosign at /ko-app/cosign."
  cosignImage  "The image, name:tag@sha256:<64 hex>. Default: ghcr.io/sigstore/cosign/cosign:v3.1.3 pinned by digest."
Drydock.withSigstore(trustedRoot: File!, signingConfig: File) -> Drydock  cache=default  "Sign, attest and verify with a private Sigstore instead of the public-good one: its trusted root (whom to trust) and, to sign, its signing config (which Fulcio, Rekor and timestamp authority to use), as cosign v3 reads them."
  trustedRoot  "The Sigstore's trusted_root.json (mediaType application/vnd.dev.sigstore.trustedroot+json;version=0.1): its Fulcio CA, transparency and CT log keys and timestamp authorities."
  signingConfig  "Its signing_config.json (mediaType application/vnd.dev.sigstore.signingconfig.v0.2+json): needed to sign and attest, not to verify. Default: none (verify only)."
Drydock.app(name: String!) -> App  cache=default  "Choose one app by name, for its image, build environment and scan: one the config lists."
  name  "The app: backend or frontend, as listed under apps in the config."
Drydock.backend() -> Container  cache=default  "Build the hardened backend image: frozen pnpm install, prisma generate (when the backend has a Prisma schema), nest build, production dependencies only, on the pinned runtime base as user 1000:1000. Short for \`app --name=backend image\`."
Drydock.frontend() -> Container  cache=default  "Build the hardened frontend image: frozen pnpm install, next build, the standalone server with public/ and .next/static, on the pinned runtime base as user 1000:1000. Short for \`app --name=frontend image\`."
Drydock.backendBuild() -> Container  cache=default  "Return the backend's build environment after its build commands ran, to debug a failing build. Short for \`app --name=backend build\`."
Drydock.frontendBuild() -> Container  cache=default  "Return the frontend's build environment after its build commands ran, to debug a failing build. Short for \`app --name=frontend build\`."
Drydock.scan(image: Container!, name: String!) -> ImageScan  cache=session  "Scan an image with Trivy (vulnerabilities, secrets, image-config misconfigurations) and gate it with the policy. Runs afresh in every session (the vulnerability DB and exception expiries change daily), and once within one, so its fields agree."
  image  "The image to scan."
  name  "Name of the image in summaries and reports."
Drydock.lint() -> LintScan  cache=session  "Lint the Dockerfiles of the source with Trivy's misconfiguration checks, through the same gate. The summary names the files linted, or says there were none. Runs afresh in every session."
Drydock.gate(report: File!, baseline: File, baselineRenamedFrom: [String]) -> String  cache=never  "Apply the policy to an existing Trivy JSON report; fail with the Markdown summary when the gate fails, print it when it passes."
  report  "A Trivy JSON report (trivy … --format json)."
  baseline  "A previous report of the same image (compared by name, never by registry, tag or digest): only findings that are new since it can fail; a report of another image is refused. Default: none, every finding counts."
  baselineRenamedFrom  "The name the image had in --baseline, when it was renamed since, e.g. --baseline-renamed-from=drydock-api: that baseline is applied though its name differs, and the summary says so. Default: none (the names must agree)."
Drydock.buildAndScan(baseline: Directory, baselineRenamedFrom: [String]) -> Report  cache=session  "Build the images of the apps the config lists, scan them, lint the Dockerfiles and start each image as a service, in parallel; gate everything with the policy. Returns a Report: select its summary, passed, reports or gate. Runs afresh in every session (each \`dagger call\`), and once within one: every field read from a session comes from the same run."
  baseline  "Reports of an earlier run (as exported by \`reports\`; a folder per app the config lists, and lint/): only findings new since then can fail. Each must report on the same image as its folder's scan (compared by name, never by registry, tag or digest). Default: none."
  baselineRenamedFrom  "The names images had in --baseline, when renamed since, e.g. --baseline-renamed-from=drydock-api: their baselines are applied though the names differ, and the summaries say so. Default: none (the names must agree)."
Drydock.imagesPassPolicy() -> Void  cache=never  check  "Gate the images of the apps the config lists with the policy, for \`dagger check\`."
Drydock.imagesStart() -> Void  cache=never  check  "Start the images of the apps the config lists as services and probe them, for \`dagger check\`: the backend with a pinned Postgres and its migrations applied, the frontend against the backend (when the config lists one). Each must answer its health path within smoke.timeout and exit within 10 s of SIGTERM."
Drydock.dockerfilesPassLint() -> Void  cache=never  check  "Gate the Dockerfile lint with the policy, for \`dagger check\`."
Drydock.checkConfig() -> String  cache=never  "Check the security config and print the effective config as YAML, every default filled in; fail with every problem, each naming the file, the key, and its line and column."
Drydock.publish(registry: String!, username: String, password: Secret, tags: [String], gitRef: String, gitSha: String, defaultBranch: String, branch: String, platforms: String = "linux/amd64,linux/arm64", registryConfig: Secret) -> Publication  cache=never  "Publish the images of the apps the config lists to a registry and return each reference with its digest. No gate: \`release\` is the gated way. Each image's times are its --created (with-labels), so two builds of one commit publish one digest; pushing it again is harmless."
  registry  "A registry and namespace, e.g. ghcr.io/acme: each app goes to <registry>/<its image name>, e.g. ghcr.io/acme/drydock-backend."
  username  "Registry user, e.g. $GITHUB_ACTOR: cosign pushes with this login. Default: none (--registry-config, else anonymous: a registry that needs no login)."
  password  "Registry password or token, e.g. env:GITHUB_TOKEN. Default: none."
  tags  "Exactly these tags, e.g. --tags=1.4.0,stable. Default: computed from --git-ref and --git-sha, as docker/metadata-action does."
  gitRef  "The git ref built, e.g. $GITHUB_REF: refs/tags/v1.2.3 tags 1.2.3, 1.2 and 1; refs/heads/feat/x tags feat-x; refs/pull/12/merge tags pr-12. Default: none (sha-<7> only)."
  gitSha  "The commit built, e.g. $(git rev-parse HEAD): the sha-<7> tag and the revision label and annotation. Required unless --tags."
  defaultBranch  "The repository's default branch, e.g. main: a release tag gets \`latest\` only when --branch is this branch. Default: none (never latest)."
  branch  "The branch the tagged commit is on (GitHub: github.event.base_ref, or main when tags are cut from main). Default: none (never latest)."
  platforms  "Comma-separated platforms, one variant each, published as one index: linux/amd64, linux/arm64. Each variant is built on its platform (pnpm installs that platform's native packages); one that is not the engine's runs under the engine's emulation, and node in each must report its platform, or nothing is pushed. Default: linux/amd64,linux/arm64."
  registryConfig  "A Docker config.json with a login for the registry, e.g. file:$HOME/.docker/config.json (after docker login, without a credsStore); not with --username. Default: none."
Drydock.sign(ref: String!, key: Secret, keyPassword: Secret, identityToken: Secret, registryConfig: Secret, registryUsername: String, registryPassword: Secret, airGapped: Boolean = false) -> String  cache=never  "Sign an image by digest with cosign: with a key (laptop, air-gapped), or keyless with an OIDC token (CI). An index is signed, and so is each platform's image in it, each by its own digest."
  ref  "The image by digest, repository@sha256:<64 hex>, as publish returns it. A tag alone is refused: it can move between signing and use."
  key  "The private key made by \`cosign generate-key-pair\`, e.g. env:COSIGN_KEY. Default: none (keyless, with --identity-token)."
  keyPassword  "The key's password, e.g. env:COSIGN_PASSWORD. Default: none (a key without password)."
  identityToken  "An OIDC identity token for keyless signing through Fulcio and Rekor, e.g. env:SIGSTORE_ID_TOKEN (GitHub Actions: \`permissions: id-token: write\`). Default: none (sign with --key)."
  registryConfig  "A Docker config.json with a login for the registry, e.g. file:$HOME/.docker/config.json (after docker login, without a credsStore). Default: none."
  registryUsername  "Registry user, with --registry-password; not with --registry-config. Default: none (anonymous unless --registry-config)."
  registryPassword  "Registry password or token, e.g. env:GITHUB_TOKEN. Default: none."
  airGapped  "Sign without the transparency log or Sigstore's signing config: air-gapped, key mode only. Default: false."
Drydock.attest(ref: String!, sbom: File, vulnReport: File, provenance: File, key: Secret, keyPassword: Secret, identityToken: Secret, registryConfig: Secret, registryUsername: String, registryPassword: Secret, airGapped: Boolean = false) -> [String]  cache=never  "Attest an image by digest with cosign: its CycloneDX SBOM, its vulnerability report and its SLSA provenance, each signed like \`sign\`. An index takes the provenance alone: attest each platform's image (its digest in release.json) with its own SBOM and report. Returns the types attested."
  ref  "The image by digest, repository@sha256:<64 hex>; a tag alone is refused."
  sbom  "A CycloneDX SBOM, e.g. reports/backend/sbom.cdx.json from build-and-scan: attested as --type cyclonedx. Default: none."
  vulnReport  "A Trivy JSON report, e.g. reports/backend/trivy.json: converted with trivy convert --format cosign-vuln, attested as --type vuln; each secret's neighbouring lines and matched line are taken out first. Default: none."
  provenance  "A SLSA provenance v1 predicate (JSON): attested as --type slsaprovenance1. Default: none (release generates one)."
  key  "The private key, e.g. env:COSIGN_KEY. Default: none (keyless, with --identity-token)."
  keyPassword  "The key's password, e.g. env:COSIGN_PASSWORD. Default: none."
  identityToken  "An OIDC identity token for keyless signing, e.g. env:SIGSTORE_ID_TOKEN. Default: none (sign with --key)."
  registryConfig  "A Docker config.json with a login for the registry, e.g. file:$HOME/.docker/config.json. Default: none."
  registryUsername  "Registry user, with --registry-password; not with --registry-config. Default: none."
  registryPassword  "Registry password or token, e.g. env:GITHUB_TOKEN. Default: none."
  airGapped  "Attest without the transparency log or Sigstore's signing config: air-gapped, key mode only. Default: false."
Drydock.verify(ref: String!, publicKey: File, certificateIdentity: String, certificateIdentityRegexp: String, certificateOidcIssuer: String, certificateOidcIssuerRegexp: String, attestations: [String] = ["cyclonedx","vuln","slsaprovenance1"], registryConfig: Secret, registryUsername: String, registryPassword: Secret, airGapped: Boolean = false) -> Verification  cache=never  "Verify an image's signature and attestations with cosign, by digest: with a public key, or the keyless signer's certificate identity and OIDC issuer. An index: its signature and provenance, and each platform's image's signature and attestations, each by its own digest."
  ref  "The image by digest, repository@sha256:<64 hex>; a tag alone is refused."
  publicKey  "The public key of the signing pair, e.g. cosign.pub. Default: none (keyless, with --certificate-identity and --certificate-oidc-issuer)."
  certificateIdentity  "The keyless signer's exact identity, e.g. https://github.com/acme/shop/.github/workflows/release.yml@refs/heads/main. Default: none."
  certificateIdentityRegexp  "A regexp anchored at both ends (^…$) the keyless signer's identity must match, e.g. ^https://github\\\\.com/acme/shop/\\\\.github/workflows/release\\\\.yml@refs/tags/v[0-9.]+$ (one workflow's tags). Default: none."
  certificateOidcIssuer  "The keyless signer's OIDC issuer, e.g. https://token.actions.githubusercontent.com. Default: none."
  certificateOidcIssuerRegexp  "A regexp anchored at both ends (^…$) the keyless signer's OIDC issuer must match; prefer the exact --certificate-oidc-issuer. Default: none."
  attestations  "The attestation types to verify besides the signature; empty for the signature alone. Default: cyclonedx, vuln, slsaprovenance1."
  registryConfig  "A Docker config.json with a login for the registry, e.g. file:$HOME/.docker/config.json. Default: none."
  registryUsername  "Registry user, with --registry-password; not with --registry-config. Default: none."
  registryPassword  "Registry password or token, e.g. env:GITHUB_TOKEN. Default: none."
  airGapped  "Verify signatures made air-gapped: no transparency log (key mode only). Default: false."
Drydock.release(registry: String!, gitSha: String!, username: String, password: Secret, tags: [String], gitRef: String, defaultBranch: String, branch: String, platforms: String = "linux/amd64,linux/arm64", key: Secret, keyPassword: Secret, identityToken: Secret, publicKey: File, certificateIdentity: String, certificateIdentityRegexp: String, certificateOidcIssuer: String, certificateOidcIssuerRegexp: String, registryConfig: Secret, airGapped: Boolean = false, builderId: String = "urn:drydock:builder:local", baseline: Directory, baselineRenamedFrom: [String]) -> Release  cache=never  "Release the images of the apps the config lists: build and scan them, stop unless the gate passes, then publish, sign, attest (SBOM, vulnerabilities, SLSA provenance) and verify each by digest — an index and every platform's image in it by its own. Never cached."
  registry  "A registry and namespace, e.g. ghcr.io/acme: each app goes to <registry>/<its image name>."
  gitSha  "The full commit built, e.g. $(git rev-parse HEAD): tags, labels, annotations and the provenance name it."
  username  "Registry user, e.g. $GITHUB_ACTOR: cosign pushes, signs and attests with this login unless --registry-config. Default: none (--registry-config, else anonymous)."
  password  "Registry password or token, e.g. env:GITHUB_TOKEN. Default: none."
  tags  "Exactly these tags. Default: computed from --git-ref and --git-sha, as docker/metadata-action does."
  gitRef  "The git ref built, e.g. $GITHUB_REF. Default: none (sha-<7> only)."
  defaultBranch  "The repository's default branch, e.g. main: a release tag gets \`latest\` only when --branch is this branch. Default: none (never latest)."
  branch  "The branch the tagged commit is on. Default: none (never latest)."
  platforms  "Comma-separated platforms, one variant each, published as one index. Every variant is built on its platform (node in it must report that platform: without emulation for it, pass only the engine's), scanned and gated before anything is pushed; the engine's own platform's variants (else the first platform's) are the ones smoke-tested. Default: linux/amd64,linux/arm64."
  key  "The private key, e.g. env:COSIGN_KEY (laptop). Default: none (keyless, with --identity-token)."
  keyPassword  "The key's password, e.g. env:COSIGN_PASSWORD. Default: none."
  identityToken  "An OIDC identity token for keyless signing, e.g. env:SIGSTORE_ID_TOKEN (CI). Default: none (sign with --key)."
  publicKey  "The public key of --key's pair, e.g. cosign.pub: what the release verifies with in key mode. Default: none."
  certificateIdentity  "The identity the keyless signatures must carry, e.g. https://github.com/acme/shop/.github/workflows/release.yml@refs/tags/v1.4.0. Default: none."
  certificateIdentityRegexp  "A regexp anchored at both ends (^…$) the keyless identity must match, as for verify. Default: none."
  certificateOidcIssuer  "The keyless OIDC issuer, e.g. https://token.actions.githubusercontent.com. Default: none."
  certificateOidcIssuerRegexp  "A regexp anchored at both ends (^…$) the keyless OIDC issuer must match; prefer the exact --certificate-oidc-issuer. Default: none."
  registryConfig  "A Docker config.json for cosign's registry login, e.g. file:$HOME/.docker/config.json. Default: none (cosign uses --username and --password)."
  airGapped  "Sign and verify without the transparency log: air-gapped, key mode only. Default: false."
  builderId  "Who ran the build, for the provenance: a URI, e.g. \${{ github.server_url }}/\${{ github.workflow_ref }} on GitHub Actions. Default: urn:drydock:builder:local."
  baseline  "Reports of an earlier run (as exported by \`reports\`): only findings new since then fail the gate. Each must report on its folder's image, as for build-and-scan. Default: none."
  baselineRenamedFrom  "The names images had in --baseline, when renamed since, as for build-and-scan. Default: none (the names must agree)."
Drydock.rebuild(release: File!, app: String = "backend") -> Directory  cache=default  "Rebuild an app's released image from this source and the release's release.json (its rebuild record: labels, pinned images, settings; the commit; the platforms) as the OCI layout release pushed: its index.json names the digest. The released digest again when the build is reproducible — the backend's is; a Next.js frontend's is not (README, Reproducible images). Check out the released commit (source.revision) first."
  release  "The release's release.json, from the reports it exported, e.g. --release=release.json."
  app  "The app whose image to rebuild: backend or frontend. Default: backend."
object App  "One app of the source: its hardened image, its build environment, its scan, and the backend's migrations image. Only an app the config lists can be built: every function of another fails, naming the config file and key."
App.name: String  "The app's name: backend or frontend."
App.constructor(name: String!)
  name  (undocumented)
App.image() -> Container  cache=default  "Build the app's hardened image: frozen pnpm install, the app's build, production files only, on the pinned runtime base as user 1000:1000."
App.build() -> Container  cache=default  "Return the app's build environment after its build commands ran, to debug a failing build."
App.migrations() -> Container  cache=default  "Build the backend's migrations image: the Prisma CLI, the Prisma config, schema and migrations and Prisma's schema engine, on the pinned runtime base as user 1000:1000, no package manager. It runs \`prisma migrate deploy\` against the DATABASE_URL it is given and exits with its status: run it once before each rollout. Only the backend has one, and only with Prisma migrations."
App.scan() -> ImageScan  cache=never  "Build the app's image, scan it with Trivy and gate it with the policy. Never cached."
App.dockerBuildCommand(context: String = ".", dockerfile: String, tag: String, npmrcPath: String, caCertificatesPath: String) -> String  cache=default  "Print the \`docker build\` command that builds this app's image with Dockerfile.<app>, as drydock builds it: every build argument from security-config.yml and the with-* settings (labels, base images, pnpm, Prisma), each word quoted for sh. Secrets are never printed: name the files for BuildKit's --secret with --npmrc-path and --ca-certificates-path."
  context  "The build context as docker sees it: the application repository root, e.g. --context=../shop. Default: . (run the command there)."
  dockerfile  "The Dockerfile as docker sees it, e.g. --dockerfile=../drydock/Dockerfile.backend. Default: Dockerfile.<app>."
  tag  "The image's tag, e.g. --tag=shop-api:1.4.0. Default: the config's apps.<app>.image."
  npmrcPath  "An .npmrc for BuildKit's npmrc secret, e.g. --npmrc-path=$HOME/.npmrc: named in the command, never read. Default: none (a note says so when with-npmrc is set)."
  caCertificatesPath  "PEM certificates for BuildKit's ca secret, e.g. --ca-certificates-path=./proxy-ca.pem: named, never read. Default: none (a note says so when with-ca-certificates is set)."
object ImageScan  "One image's Trivy scan (vulnerabilities, secrets, image-config misconfigurations) and its verdict."
ImageScan.name: String  "What was scanned, e.g. \\"backend\\"."
ImageScan.passed: Boolean  "Whether the policy gate passed."
ImageScan.summary: String  "The Markdown summary: counts, failing findings with fixed versions, what was let through and why, warnings."
ImageScan.report: File  "Trivy's JSON report, the one source of everything else here; each secret's neighbouring lines and matched line taken out."
ImageScan.sarif: File  "SARIF, for code-scanning dashboards (converted from the report by \`trivy convert\`)."
ImageScan.sbom: File  "CycloneDX SBOM of the image (converted from the report by \`trivy convert\`)."
ImageScan.failing() -> [Finding]  cache=default  "List the findings that fail the gate."
ImageScan.allowed() -> [Finding]  cache=default  "List the findings the gate let through (exceptions, unfixed, baseline, suppressed by Trivy), each with why."
ImageScan.summaryJson() -> File  cache=default  "Return the summary as a versioned JSON document: every finding, not only the first rows."
ImageScan.gate() -> String  cache=default  "Fail with the summary when the policy gate failed; print it when it passed."
ImageScan.files() -> Directory  cache=default  "Return every file of this scan: trivy.json, trivy.sarif, sbom.cdx.json, summary.md, summary.json."
object Finding  "One finding of a scan, failing or let through by the policy (then with why)."
Finding.findingId: String  "CVE/GHSA ID, secret rule ID, or misconfiguration check ID (DS-0002)."
Finding.kind: FindingKind  "Vulnerability, secret or misconfiguration."
Finding.severity: Severity  "Trivy's severity."
Finding.target: String  "Trivy's target: the image's OS, a lockfile, or a file path."
Finding.package: String  "The affected package; empty for secrets and misconfigurations."
Finding.installedVersion: String  "The installed version of the package; empty when there is no package."
Finding.fixedVersion: String  "The first version that fixes it; empty when there is none yet."
Finding.title: String  "Trivy's one-line title."
Finding.allowedBy: AllowedBy  "Why the gate let it through; NOTHING for a failing finding."
Finding.reason: String  "The why in words: the exception and its reason, the VEX statement…; empty for a failing finding."
object LintScan  "The Dockerfile lint: Trivy's misconfiguration checks over the source's Dockerfiles, and its verdict."
LintScan.name: String  "What was linted: \\"lint\\"."
LintScan.passed: Boolean  "Whether the policy gate passed."
LintScan.summary: String  "The Markdown summary: the files linted, failing checks, what was let through and why, warnings."
LintScan.report: File  "Trivy's JSON report, the one source of everything else here; each secret's neighbouring lines and matched line taken out."
LintScan.sarif: File  "SARIF, for code-scanning dashboards (converted from the report by \`trivy convert\`)."
LintScan.failing() -> [Finding]  cache=default  "List the checks that fail the gate."
LintScan.allowed() -> [Finding]  cache=default  "List the checks the gate let through (exceptions, baseline, excepted in the Dockerfile), each with why."
LintScan.summaryJson() -> File  cache=default  "Return the summary as a versioned JSON document: every finding, not only the first rows."
LintScan.gate() -> String  cache=default  "Fail with the summary when the policy gate failed; print it when it passed."
LintScan.files() -> Directory  cache=default  "Return every file of this lint: trivy.json, trivy.sarif, summary.md, summary.json."
object Report  "The outcome of build-and-scan: the images of the apps the config lists, their scans, the lint, the smoke test, and one verdict."
Report.passed: Boolean  "Whether every gate passed: each image, the lint, and the smoke test (each image started and answered)."
Report.summary: String  "The Markdown summary of all scans, for $GITHUB_STEP_SUMMARY or a PR comment."
Report.lint: LintScan  "The Dockerfile lint."
Report.backend() -> Container  cache=default  "Return the hardened backend image; an error when the config lists no backend."
Report.frontend() -> Container  cache=default  "Return the hardened frontend image; an error when the config lists no frontend."
Report.backendScan() -> ImageScan  cache=default  "Return the backend image's scan; an error when the config lists no backend."
Report.frontendScan() -> ImageScan  cache=default  "Return the frontend image's scan; an error when the config lists no frontend."
Report.scans() -> [ImageScan]  cache=default  "List the image scans of the apps the config lists, backend first, then its migrations image's (backend-migrations); the lint is \`lint\`."
Report.reports() -> Directory  cache=default  "Return all reports, one folder per scan (backend/, frontend/ — the apps the config lists —, backend-migrations/ for the backend's migrations image, and lint/; in a multi-platform release one per variant, e.g. backend-linux-arm64/), plus summary.md and summary.json (the whole verdict, the smoke test's included)."
Report.gate() -> String  cache=default  "Fail with the summary when any gate failed; print it when all passed."
object Publication  "The images of the apps the config lists, as publish pushed them."
Publication.backend() -> PublishedImage  cache=default  "Return the backend image; an error when the config lists no backend."
Publication.frontend() -> PublishedImage  cache=default  "Return the frontend image; an error when the config lists no frontend."
Publication.images() -> [PublishedImage]  cache=default  "List the images pushed, one per app the config lists, backend first."
object PublishedImage  "One image pushed to a registry: its reference by digest, and the tags that point to it."
PublishedImage.app: String  "The app: backend or frontend."
PublishedImage.repository: String  "registry/path, e.g. ghcr.io/acme/drydock-backend."
PublishedImage.digest: String  "sha256:… of the pushed manifest (or index)."
PublishedImage.reference: String  "repository@sha256:…: what to sign, verify and deploy."
PublishedImage.tags: [String]  "The tags pushed, most specific first."
PublishedImage.platforms: [String]  "The platforms of the image, e.g. linux/amd64."
object Verification  "What \`verify\` checked: the signature and each attestation of one digest — and of every platform's image, for an index — and whom it trusted."
Verification.reference: String  "repository@sha256:… as verified."
Verification.mode: String  "How the signer was trusted: \\"key\\" (a public key) or \\"keyless\\" (a certificate identity and issuer)."
Verification.publicKeyDigest: String  "sha256:… of the public key trusted; empty in keyless mode."
Verification.identity: String  "The certificate identity trusted (a regexp is shown as ~regexp); empty in key mode."
Verification.issuer: String  "The OIDC issuer trusted (a regexp is shown as ~regexp); empty in key mode."
Verification.signature: Boolean  "Whether the signature verified (always true: a failure is an error)."
Verification.attestations: [String]  "The attestation types that verified on the digest itself: cyclonedx, vuln, slsaprovenance1 (an index: slsaprovenance1)."
Verification.transparencyLog: Boolean  "Whether the transparency log was checked (false when air-gapped)."
Verification.variants: [ImageVariant]  "For an index: each platform's image, its signature and attestations verified by its own digest. Empty for one image."
object ImageVariant  "One platform's image of an index, by its own digest: signed, and attested with its own scan and build."
ImageVariant.platform: String  "The platform, e.g. linux/arm64."
ImageVariant.digest: String  "sha256:… of this platform's image manifest."
ImageVariant.reference: String  "repository@sha256:… of this platform's image: what a node of that platform pulls."
ImageVariant.attestations: [String]  "The attestation types verified (or attached) on this digest: cyclonedx, vuln, slsaprovenance1."
object Release  "A release: the images of the apps the config lists, published by digest, signed, attested and verified, after the policy gate passed."
Release.revision: String  "The commit released."
Release.created: String  "When the release ran, RFC 3339."
Release.signerMode: String  "How the images were signed: \\"key\\" or \\"keyless\\"."
Release.signerIdentity: String  "The keyless certificate identity the signatures verified against; empty in key mode."
Release.signerIssuer: String  "The keyless OIDC issuer; empty in key mode."
Release.transparencyLog: Boolean  "Whether signatures are in the transparency log (false when air-gapped)."
Release.summary: String  "The Markdown summary of the scans the release rests on."
Release.manifest: File  "The release manifest, release.json: references, digests, tags, attestation types, the gate verdict."
Release.reports: Directory  "The scans' reports (one folder per app released — backend/, frontend/ — and lint/, summary.md) and release.json."
Release.backend() -> ReleasedImage  cache=default  "Return the backend image; an error when the config lists no backend."
Release.frontend() -> ReleasedImage  cache=default  "Return the frontend image; an error when the config lists no frontend."
Release.images() -> [ReleasedImage]  cache=default  "List the images released, one per app the config lists, backend first."
object ReleasedImage  "One image of a release: published, signed, attested and verified."
ReleasedImage.app: String  "The app: backend or frontend."
ReleasedImage.repository: String  "registry/path."
ReleasedImage.digest: String  "sha256:… of the pushed manifest (or index)."
ReleasedImage.reference: String  "repository@sha256:…: what to deploy and verify."
ReleasedImage.tags: [String]  "The tags pushed, most specific first."
ReleasedImage.platforms: [String]  "The platforms of the image."
ReleasedImage.signed: Boolean  "Whether it was signed."
ReleasedImage.attestations: [String]  "The attestation types attached to the digest itself: cyclonedx, vuln, slsaprovenance1 (an index: slsaprovenance1)."
ReleasedImage.verified: Boolean  "Whether the signature and every attestation verified, of the digest and of every platform's image."
ReleasedImage.variants: [ImageVariant]  "For an index: each platform's image, signed and attested (its own SBOM, vulnerabilities, provenance) by its own digest. Empty for one image."
enum FindingKind  "What Trivy found."
  Vulnerability = "VULNERABILITY"  "A package with a known vulnerability (CVE, GHSA…)."
  Secret = "SECRET"  "A credential or key in the image."
  Misconfiguration = "MISCONFIGURATION"  "A failed check of a Dockerfile or the image's config."
enum Severity  "A Trivy severity."
  Unknown = "UNKNOWN"  "Trivy could not rate it."
  Low = "LOW"  "Low."
  Medium = "MEDIUM"  "Medium."
  High = "HIGH"  "High."
  Critical = "CRITICAL"  "Critical."
enum AllowedBy  "Why the gate let a finding through."
  Nothing = "NOTHING"  "Nothing did: the finding fails the gate."
  Exception = "EXCEPTION"  "An active exception of policy.ignores matches it."
  Unfixed = "UNFIXED"  "A vulnerability without a fixed version, with policy.ignoreUnfixed on."
  Baseline = "BASELINE"  "It is already in the baseline report (pre-existing)."
  Suppressed = "SUPPRESSED"  "Trivy suppressed it: a VEX statement, its ignore file, or an exception in the scanned config."
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
