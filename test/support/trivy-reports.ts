/**
 * Builders for Trivy JSON reports (SchemaVersion 2) in the shapes Trivy writes, for tests and
 * the benchmark. Each builder takes overrides; `undefined` in an override removes the field.
 */
import { readTrivyReport } from "../../dagger/src/report/trivy.ts";
import type { ReportFindings } from "../../dagger/src/findings/findings.ts";

type Json = Record<string, unknown>;

function merge(base: Json, overrides: Json): Json {
  const merged: Json = { ...base, ...overrides };
  for (const [key, value] of Object.entries(overrides)) if (value === undefined) delete merged[key];
  return merged;
}

export function vulnerability(overrides: Json = {}): Json {
  const pkg = (overrides["PkgName"] as string | undefined) ?? "lodash";
  const version = (overrides["InstalledVersion"] as string | undefined) ?? "4.17.4";
  return merge(
    {
      VulnerabilityID: "CVE-2019-10744",
      PkgID: `${pkg}@${version}`,
      PkgName: pkg,
      PkgIdentifier: { PURL: `pkg:npm/${pkg}@${version}`, UID: "a1b2c3d4e5f60718" },
      InstalledVersion: version,
      FixedVersion: "4.17.12",
      Status: "fixed",
      Layer: { Digest: "sha256:9d48c3bd43c520dc2784e868a780e976b207cbf493eaff8c6596eb871cbd9609", DiffID: "sha256:03901b4a2ea88eeaad62dbe59b072b28b6efa00491962b8741081c5df50c65e0" },
      SeveritySource: "ghsa",
      PrimaryURL: "https://avd.aquasec.com/nvd/cve-2019-10744",
      DataSource: { ID: "ghsa", Name: "GitHub Security Advisory npm", URL: "https://github.com/advisories?query=type%3Areviewed+ecosystem%3Anpm" },
      Title: "nodejs-lodash: prototype pollution in defaultsDeep function leading to modifying properties",
      Description: "Versions of lodash lower than 4.17.12 are vulnerable to Prototype Pollution.",
      Severity: "CRITICAL",
      CweIDs: ["CWE-1321"],
      VendorSeverity: { ghsa: 4, nvd: 4 },
      CVSS: { nvd: { V3Vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", V3Score: 9.1 } },
      References: ["https://github.com/lodash/lodash/pull/4336", "https://nvd.nist.gov/vuln/detail/CVE-2019-10744"],
      PublishedDate: "2019-07-26T00:15:00Z",
      LastModifiedDate: "2024-01-21T02:37:24.653Z",
    },
    overrides,
  );
}

export function secret(overrides: Json = {}): Json {
  return merge(
    {
      RuleID: "aws-access-key-id",
      Category: "AWS",
      Severity: "CRITICAL",
      Title: "AWS Access Key ID",
      StartLine: 3,
      EndLine: 3,
      Code: {
        Lines: [
          { Number: 2, Content: "export GITHUB_PAT=ghp_notmaskedneighbourline0000000000", IsCause: false },
          { Number: 3, Content: "export AWS_ACCESS_KEY_ID=********************", IsCause: true },
        ],
      },
      Match: "export AWS_ACCESS_KEY_ID=********************",
      Offset: 36,
    },
    overrides,
  );
}

export function misconfiguration(overrides: Json = {}): Json {
  return merge(
    {
      Type: "Dockerfile Security Check",
      ID: "DS-0002",
      Title: "Image user should not be 'root'",
      Description: "Running containers with 'root' user can lead to a container escape situation.",
      Message: "Specify at least 1 USER command in Dockerfile with non-root user as argument",
      Namespace: "builtin.dockerfile.DS002",
      Query: "data.builtin.dockerfile.DS002.deny",
      Resolution: "Add 'USER <non root user name>' line to the Dockerfile",
      Severity: "HIGH",
      PrimaryURL: "https://avd.aquasec.com/misconfig/ds-0002",
      References: ["https://avd.aquasec.com/misconfig/ds-0002"],
      Status: "FAIL",
      CauseMetadata: { Provider: "Dockerfile", Service: "general" },
    },
    overrides,
  );
}

/** An `ExperimentalModifiedFindings` entry, as Trivy writes it for a VEX `not_affected`. */
export function suppressedVulnerability(overrides: Json = {}, finding: Json = {}): Json {
  return merge(
    { Type: "vulnerability", Status: "not_affected", Statement: "vulnerable_code_not_in_execute_path", Source: "./vex.json", Finding: vulnerability(finding) },
    overrides,
  );
}

export function langResult(overrides: Json = {}): Json {
  return merge({ Target: "app/pnpm-lock.yaml", Class: "lang-pkgs", Type: "pnpm", Vulnerabilities: [vulnerability()] }, overrides);
}

export function osResult(overrides: Json = {}): Json {
  return merge(
    {
      Target: "drydock-backend:ci (debian 12.5)",
      Class: "os-pkgs",
      Type: "debian",
      Vulnerabilities: [
        vulnerability({
          VulnerabilityID: "CVE-2023-4911",
          PkgName: "libc6",
          InstalledVersion: "2.36-9+deb12u1",
          PkgIdentifier: { PURL: "pkg:deb/debian/libc6@2.36-9+deb12u1?arch=amd64&distro=debian-12.5" },
          FixedVersion: "2.36-9+deb12u3",
          Severity: "HIGH",
          PrimaryURL: "https://avd.aquasec.com/nvd/cve-2023-4911",
          Title: "glibc: buffer overflow in ld.so leading to privilege escalation",
        }),
      ],
    },
    overrides,
  );
}

export function secretResult(overrides: Json = {}): Json {
  return merge({ Target: "app/.env.production", Class: "secret", Secrets: [secret()] }, overrides);
}

export function configResult(overrides: Json = {}): Json {
  return merge(
    { Target: "Dockerfile", Class: "config", Type: "dockerfile", MisconfSummary: { Successes: 26, Failures: 1 }, Misconfigurations: [misconfiguration()] },
    overrides,
  );
}

export function report(results: Json[], overrides: Json = {}): Json {
  return merge(
    {
      SchemaVersion: 2,
      Trivy: { Version: "0.69.3" },
      ReportID: "019376a2-4c1e-7000-8000-000000000001",
      CreatedAt: "2026-11-27T10:00:00.000000000Z",
      ArtifactName: "drydock-backend.tar",
      ArtifactType: "container_image",
      Metadata: { OS: { Family: "debian", Name: "12.5" }, ImageID: "sha256:0123" },
      Results: results,
    },
    overrides,
  );
}

/** Build, serialise, parse and flatten: findings exactly as the gate receives them. */
export function findingsOf(results: Json[], overrides: Json = {}): ReportFindings {
  return readTrivyReport(JSON.stringify(report(results, overrides)), "test report");
}

/** Debian's zlib1g MiniZip CVE, the one exception examples/app/security-config.yml accepts. */
export function debianZlibResult(): Json {
  return osResult({
    Vulnerabilities: [
      vulnerability({
        VulnerabilityID: "CVE-2023-45853",
        PkgName: "zlib1g",
        InstalledVersion: "1:1.2.13.dfsg-1",
        PkgIdentifier: { PURL: "pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?arch=amd64&distro=debian-12.5" },
        FixedVersion: undefined,
        Status: "will_not_fix",
        Severity: "CRITICAL",
      }),
    ],
  });
}
