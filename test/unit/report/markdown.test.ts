import { describe, expect, it } from "vitest";
import { Policy, type Ignore } from "../../../dagger/src/config/schema.ts";
import { identitiesOf, type Finding } from "../../../dagger/src/findings/findings.ts";
import { evaluateGate } from "../../../dagger/src/policy/gate.ts";
import { MAX_SUMMARY_BYTES, MAX_TABLE_ROWS, renderMarkdown } from "../../../dagger/src/report/markdown.ts";
import { MENTION_BREAK } from "../../../dagger/src/report/markdown-text.ts";
import type { GateReportMeta } from "../../../dagger/src/report/meta.ts";
import {
  configResult,
  findingsOf,
  langResult,
  misconfiguration,
  secret,
  secretResult,
  suppressedVulnerability,
  vulnerability,
} from "../../support/trivy-reports.ts";

type Json = Record<string, unknown>;

const TODAY = new Date("2026-11-27T12:00:00Z");
const META: GateReportMeta = { name: "drydock-backend", usedDefaultConfig: false, configFile: "security-config.yml" };
const REASON = "The vulnerable code path is never called by the application.";

function render(results: Json[], policy: Json = {}, meta: Partial<GateReportMeta> = {}, baseline?: Finding[]): string {
  const { findings, suppressed } = findingsOf(results);
  return renderMarkdown(evaluateGate({ findings, suppressed, policy: Policy.parse(policy), today: TODAY, baseline: baseline && identitiesOf(baseline) }), { ...META, ...meta });
}

/** The section that starts with the heading, up to the next heading. */
function section(markdown: string, heading: string): string {
  const start = markdown.indexOf(`### ${heading}`);
  if (start === -1) return "";
  const next = markdown.indexOf("\n### ", start + 1);
  return markdown.slice(start, next === -1 ? undefined : next);
}

/** Table rows of a section (header and alignment rows excluded). */
function rows(markdown: string, heading: string): string[] {
  return section(markdown, heading)
    .split("\n")
    .filter((line) => line.startsWith("| "))
    .slice(2);
}

/** Cells of a row, splitting only on pipes the renderer did not escape. */
function cells(row: string): string[] {
  return row
    .slice(2, -2)
    .split(/(?<!\\) \| /)
    .map((c) => c.trim());
}

const many = (n: number, overrides: (i: number) => Json = () => ({})) =>
  [langResult({ Vulnerabilities: Array.from({ length: n }, (_, i) => vulnerability({ VulnerabilityID: `CVE-2026-${10_000 + i}`, ...overrides(i) })) })];

describe("renderMarkdown: title and headline", () => {
  it.each([
    { name: "a passing gate", results: [], title: "## ✅ Security gate passed: drydock-backend" },
    { name: "a failing gate", results: many(1), title: "## ❌ Security gate failed: drydock-backend" },
  ])("titles $name with its mark and the image name", ({ results, title }) => {
    expect(render(results).split("\n")[0]).toBe(title);
  });

  it("escapes the name it is given", () => {
    expect(render([], {}, { name: "<b>app</b>|x" }).split("\n")[0]).toBe("## ✅ Security gate passed: &lt;b&gt;app&lt;/b&gt;\\|x");
  });

  it("states the day, the thresholds and what was not counted as failing", () => {
    const markdown = render(
      [langResult({ Vulnerabilities: [vulnerability()], ExperimentalModifiedFindings: [suppressedVulnerability()] })],
      { ignoreUnfixed: true, failOn: { secrets: ["HIGH", "CRITICAL"], misconfigurations: [] } },
    );
    expect(markdown.split("\n")[2]).toBe(
      "1 finding fails the policy · 1 suppressed. Checked on 2026-11-27; fails on vulnerabilities CRITICAL/HIGH (unfixed vulnerabilities excepted), secrets CRITICAL/HIGH, misconfigurations nothing.",
    );
  });
});

describe("renderMarkdown: counts", () => {
  it("tabulates every severity by kind, marking the failing ones", () => {
    const markdown = render([
      langResult({ Vulnerabilities: [vulnerability(), vulnerability({ VulnerabilityID: "CVE-2", Severity: "MEDIUM" }), vulnerability({ VulnerabilityID: "CVE-3", Severity: "MEDIUM" })] }),
      secretResult(),
      configResult({ Misconfigurations: [misconfiguration({ Severity: "LOW" })] }),
    ]);
    expect(markdown).toContain(
      [
        "| Severity | Vulnerabilities | Secrets | Misconfigurations |",
        "| --- | ---: | ---: | ---: |",
        "| CRITICAL | 1 (**1 failing**) | 1 (**1 failing**) | 0 |",
        "| HIGH | 0 | 0 | 0 |",
        "| MEDIUM | 2 | 0 | 0 |",
        "| LOW | 0 | 0 | 1 |",
        "| UNKNOWN | 0 | 0 | 0 |",
      ].join("\n"),
    );
  });
});

describe("renderMarkdown: failing findings", () => {
  it("lists a vulnerability with its link, package, versions, severity and target", () => {
    expect(rows(render(many(1)), "❌ Failing findings (1)")).toEqual([
      "| CRITICAL | [CVE-2026-10000](https://avd.aquasec.com/nvd/cve-2019-10744) | `lodash` | `4.17.4` → `4.17.12` | `app/pnpm-lock.yaml` | nodejs-lodash: prototype pollution in defaultsDeep function leading to modifying properties |",
    ]);
  });

  it.each([
    { name: "an unfixed vulnerability", results: many(1, () => ({ FixedVersion: undefined })), cell: 3, value: "`4.17.4` → no fix yet" },
    { name: "a vulnerability in an image's package path", results: many(1, () => ({ PkgPath: "app/node_modules/lodash/package.json" })), cell: 4, value: "`app/node_modules/lodash/package.json`" },
    { name: "a secret", results: [secretResult({ Secrets: [secret({ StartLine: 3, EndLine: 3 })] })], cell: 4, value: "`app/.env.production:3`" },
    { name: "a multi-line secret", results: [secretResult({ Secrets: [secret({ StartLine: 3, EndLine: 5 })] })], cell: 4, value: "`app/.env.production:3-5`" },
    { name: "a misconfiguration", results: [configResult()], cell: 1, value: "[DS-0002](https://avd.aquasec.com/misconfig/ds-0002)" },
  ])("shows $name", ({ results, cell, value }) => {
    const [row] = rows(render(results), "❌ Failing findings");
    expect(cells(row!)[cell]).toBe(value);
  });

  it("lists the most severe first", () => {
    const markdown = render(many(3, (i) => ({ Severity: ["HIGH", "CRITICAL", "HIGH"][i] })));
    expect(rows(markdown, "❌ Failing findings").map((r) => cells(r).slice(0, 2))).toEqual([
      ["CRITICAL", "[CVE-2026-10001](https://avd.aquasec.com/nvd/cve-2019-10744)"],
      ["HIGH", "[CVE-2026-10000](https://avd.aquasec.com/nvd/cve-2019-10744)"],
      ["HIGH", "[CVE-2026-10002](https://avd.aquasec.com/nvd/cve-2019-10744)"],
    ]);
  });

  it(`shows ${MAX_TABLE_ROWS} rows, then says how many more there are`, () => {
    const markdown = render(many(MAX_TABLE_ROWS + 70));
    expect(rows(markdown, "❌ Failing findings")).toHaveLength(MAX_TABLE_ROWS);
    expect(section(markdown, "❌ Failing findings")).toContain("_…and 70 more failing findings: see summary.json._");
  });

  it("keeps a summary of a huge report small", () => {
    const markdown = render(many(20_000, (i) => ({ Title: `${"a very long title ".repeat(20)}${i}` })));
    expect(markdown.length).toBeLessThan(32 * 1024);
    expect(markdown).toContain("_…and 19950 more failing findings: see summary.json._");
  });

  it("keeps untrusted text from breaking the table or adding HTML, links or mentions", () => {
    const hostile = {
      Title: 'pwn | <script>alert(1)</script> [x](https://evil.example) @org/security\n| new | row |',
      PkgName: "evil|pkg",
      PrimaryURL: "javascript:alert(1)",
    };
    const [row, ...extra] = rows(render(many(1, () => hostile)), "❌ Failing findings");
    expect(extra).toEqual([]);
    expect(cells(row!)).toHaveLength(6);
    expect(row).not.toMatch(/<script|\[x\]\(|@org|javascript:|https:\/\//);
    expect(cells(row!)[5]).toBe(
      `pwn \\| &lt;script&gt;alert(1)&lt;/script&gt; \\[x\\](https${MENTION_BREAK}://evil.example) @${MENTION_BREAK}org/security \\| new \\| row \\|`,
    );
  });
});

describe("renderMarkdown: exceptions, warnings and errors", () => {
  const ignore = (overrides: Partial<Ignore> = {}): Ignore => ({ id: "CVE-2019-10744", reason: REASON, expires: "2026-12-31", ...overrides });

  it("lists each exception used once, with its reason, expiry, findings accepted and place in the config", () => {
    const results = [langResult({ Vulnerabilities: [vulnerability(), vulnerability({ PkgPath: "app/node_modules/lodash/package.json" })] })];
    const markdown = render(results, { ignores: [ignore({ reason: "Only | used <in> tests" })] });
    expect(section(markdown, "Exceptions used")).toContain("### Exceptions used (2 findings accepted)");
    expect(rows(markdown, "Exceptions used")).toEqual(["| `CVE-2019-10744` | 2 | Only \\| used &lt;in&gt; tests | 2026-12-31 | `policy.ignores[0]` |"]);
  });

  it("lists warnings about expiring and unused exceptions", () => {
    const markdown = render(many(1, () => ({ VulnerabilityID: "CVE-2019-10744" })), {
      ignores: [ignore({ expires: "2026-11-30" }), ignore({ id: "CVE-2020-8203" })],
    });
    expect(section(markdown, "⚠️ Warnings (2)")).toBe(
      [
        "### ⚠️ Warnings (2)",
        "",
        "- `policy.ignores[0]` (`CVE-2019-10744`): expires on 2026-11-30 (3 days left) — renew it or fix the finding",
        "- `policy.ignores[1]` (`CVE-2020-8203`): matches no finding in this report — remove it if the finding is gone",
        "",
      ].join("\n"),
    );
  });

  it("lists exceptions in error, which fail the gate", () => {
    const markdown = render([], { ignores: [ignore({ expires: "2027-12-31" })] });
    expect(markdown.split("\n")[0]).toBe("## ❌ Security gate failed: drydock-backend");
    expect(section(markdown, "❌ Exceptions in error (1)")).toContain("- `policy.ignores[0]` (`CVE-2019-10744`): expires 2027-12-31, 399 days after 2026-11-27");
  });
});

describe("renderMarkdown: suppressed, pre-existing and not failing", () => {
  it("lists suppressed findings with their VEX status, statement and source", () => {
    const markdown = render([langResult({ Vulnerabilities: [], ExperimentalModifiedFindings: [suppressedVulnerability({}, { VulnerabilityID: "CVE-2017-16137", Severity: "LOW" })] })]);
    expect(rows(markdown, "Suppressed by VEX or ignore files (1)")).toEqual([
      "| LOW | [CVE-2017-16137](https://avd.aquasec.com/nvd/cve-2019-10744) | `lodash` | `4.17.4` | `app/pnpm-lock.yaml` | `not_affected` | vulnerable\\_code\\_not\\_in\\_execute\\_path | ./vex.json |",
    ]);
  });

  it("counts pre-existing findings in baseline mode", () => {
    const baseline = findingsOf(many(2)).findings;
    const markdown = render(many(3), {}, {}, baseline);
    expect(markdown).toContain("1 finding fails the policy · 2 pre-existing (in the baseline).");
    expect(section(markdown, "Not failing")).toContain("- 2 findings at failing severity already in the baseline (pre-existing): reported, not failing.");
  });

  it("does not mention a baseline when none was given", () => {
    expect(render(many(1))).not.toMatch(/baseline/);
  });

  it("counts unfixed and below-threshold findings", () => {
    const markdown = render(many(3, (i) => [{ FixedVersion: undefined }, { Severity: "LOW" }, { Severity: "MEDIUM" }][i]!), { ignoreUnfixed: true });
    expect(section(markdown, "Not failing")).toBe(
      [
        "### Not failing",
        "",
        "- 1 vulnerability without a fixed version: not failing (policy.ignoreUnfixed).",
        "- 2 findings below the fail-on severities.",
        "",
      ].join("\n"),
    );
  });
});

describe("renderMarkdown: what the caller knows", () => {
  it("says when the default policy applied because the config file is missing", () => {
    expect(render([], {}, { usedDefaultConfig: true, configFile: "ops/security-config.yml" })).toContain(
      "> ℹ️ No `ops/security-config.yml` was found, so the default policy applied. Add the file to set thresholds and exceptions.",
    );
    expect(render([])).not.toContain("default policy");
  });

  it.each([
    { dbUpdatedAt: "2026-11-27T06:00:00Z", line: "> Trivy vulnerability DB: updated today." },
    { dbUpdatedAt: "2026-11-26T18:00:00Z", line: "> Trivy vulnerability DB: 1 day old." },
    { dbUpdatedAt: "2026-11-17T00:00:00Z", line: "> Trivy vulnerability DB: 10 days old." },
  ])("states the vulnerability DB's age when built $dbUpdatedAt", ({ dbUpdatedAt, line }) => {
    expect(render([], {}, { dbUpdatedAt })).toContain(line);
  });

  it("rejects a DB timestamp it cannot read, naming the field", () => {
    expect(() => render([], {}, { dbUpdatedAt: "last Tuesday" })).toThrow(
      'meta.dbUpdatedAt: expected an ISO 8601 timestamp like 2026-11-27T06:12:00Z, found "last Tuesday"',
    );
  });
});

describe("renderMarkdown: what the policy let through, by name", () => {
  const ignore = (overrides: Partial<Ignore> = {}): Ignore => ({ id: "CVE-2019-10744", reason: REASON, expires: "2026-12-31", ...overrides });
  const url = "https://avd.aquasec.com/nvd/cve-2019-10744";

  it.each([
    {
      name: "a finding accepted by an exception, with the exception and its reason",
      markdown: () => render(many(1, () => ({ VulnerabilityID: "CVE-2019-10744" })), { ignores: [ignore()] }),
      heading: "Allowed by exceptions (1)",
      row: `| CRITICAL | [CVE-2019-10744](${url}) | \`lodash\` | \`4.17.4\` | \`app/pnpm-lock.yaml\` | \`policy.ignores[0]\` | ${REASON} |`,
    },
    {
      name: "an unfixed vulnerability, with Trivy's status",
      markdown: () => render(many(1, () => ({ FixedVersion: undefined, Status: "will_not_fix" })), { ignoreUnfixed: true }),
      heading: "Allowed without a fix (policy.ignoreUnfixed) (1)",
      row: `| CRITICAL | [CVE-2026-10000](${url}) | \`lodash\` | \`4.17.4\` | \`app/pnpm-lock.yaml\` | \`will_not_fix\` |`,
    },
    {
      name: "a pre-existing finding",
      markdown: () => render(many(1), {}, {}, findingsOf(many(1)).findings),
      heading: "Allowed as pre-existing (in the baseline) (1)",
      row: `| CRITICAL | [CVE-2026-10000](${url}) | \`lodash\` | \`4.17.4\` | \`app/pnpm-lock.yaml\` | pre-existing |`,
    },
    {
      name: "a secret accepted by an exception, located by file and line",
      markdown: () => render([secretResult()], { ignores: [ignore({ id: "aws-access-key-id" })] }),
      heading: "Allowed by exceptions (1)",
      row: `| CRITICAL | aws-access-key-id |  |  | \`app/.env.production:3\` | \`policy.ignores[0]\` | ${REASON} |`,
    },
  ])("lists $name", ({ markdown, heading, row }) => {
    expect(rows(markdown(), heading)).toEqual([row]);
  });

  it.each([
    { name: "unfixed vulnerabilities", results: many(MAX_TABLE_ROWS + 30, () => ({ FixedVersion: undefined })), policy: { ignoreUnfixed: true }, baseline: undefined, heading: "Allowed without a fix" },
    { name: "pre-existing findings", results: many(MAX_TABLE_ROWS + 30), policy: {}, baseline: findingsOf(many(MAX_TABLE_ROWS + 30)).findings, heading: "Allowed as pre-existing" },
    {
      name: "suppressed findings",
      results: [langResult({ Vulnerabilities: [], ExperimentalModifiedFindings: Array.from({ length: MAX_TABLE_ROWS + 30 }, () => suppressedVulnerability()) })],
      policy: {},
      baseline: undefined,
      heading: "Suppressed by VEX or ignore files",
    },
  ])(`shows ${MAX_TABLE_ROWS} $name, then says how many more there are`, ({ results, policy, baseline, heading, name }) => {
    const markdown = render(results, policy, {}, baseline);
    expect(rows(markdown, heading)).toHaveLength(MAX_TABLE_ROWS);
    expect(section(markdown, heading)).toContain(`_…and 30 more ${name}: see summary.json._`);
  });

  it("never shows the text of a secret it let through", () => {
    const markdown = render([secretResult()], { ignores: [ignore({ id: "aws-access-key-id" })] });
    expect(markdown).not.toMatch(/AWS_ACCESS_KEY_ID|\*{4}|ghp_/);
  });
});

describe("renderMarkdown: no @-mentions from untrusted text", () => {
  const mention = "approved by @org/security";
  const ignore = (overrides: Partial<Ignore> = {}): Ignore => ({ id: "CVE-2019-10744", reason: REASON, expires: "2026-12-31", ...overrides });

  it.each([
    { field: "an exception's reason", markdown: () => render(many(1, () => ({ VulnerabilityID: "CVE-2019-10744" })), { ignores: [ignore({ reason: mention })] }) },
    { field: "a VEX statement", markdown: () => render([langResult({ Vulnerabilities: [], ExperimentalModifiedFindings: [suppressedVulnerability({ Statement: mention })] })]) },
    { field: "a VEX source", markdown: () => render([langResult({ Vulnerabilities: [], ExperimentalModifiedFindings: [suppressedVulnerability({ Source: mention })] })]) },
    { field: "a finding's title", markdown: () => render(many(1, () => ({ Title: mention }))) },
    { field: "a misconfiguration's message", markdown: () => render([configResult({ Misconfigurations: [misconfiguration({ Title: undefined, Message: mention })] })]) },
    { field: "the name of what was gated", markdown: () => render([], {}, { name: mention }) },
  ])("breaks the mention in $field with a zero-width joiner", ({ markdown }) => {
    const text = markdown();
    expect(text).toContain(`@${MENTION_BREAK}org/security`);
    expect(text).not.toMatch(/@(?!\u200D)/);
    expect(text).not.toContain("&#64;");
  });

  it("shows a scoped package name verbatim in a code span, where GitHub links no mention", () => {
    const [row] = rows(render(many(1, () => ({ PkgName: "@org/security" }))), "❌ Failing findings");
    expect(cells(row!)[2]).toBe("`@org/security`");
  });
});

describe("renderMarkdown: size", () => {
  const KINDS = 1_500;
  // Four UTF-8 bytes per character, and characters that escape to entities, in every untrusted field.
  const heavy = (i: number) => `${"𝕏&<>|".repeat(40)} ${i}`;
  const vulns = (prefix: string, n: number, overrides: (i: number) => Json = () => ({})) =>
    Array.from({ length: n }, (_, i) => vulnerability({ VulnerabilityID: `${prefix}-${i}`, Title: heavy(i), PkgName: heavy(i), PrimaryURL: `https://avd.aquasec.com/${"x".repeat(250)}`, ...overrides(i) }));
  const results = [
    langResult({
      Vulnerabilities: [
        ...vulns("CVE-2026", KINDS),
        ...vulns("CVE-2025", KINDS, () => ({ FixedVersion: undefined })),
        ...vulns("CVE-2024", KINDS),
        ...vulns("CVE-2023", KINDS),
      ],
      ExperimentalModifiedFindings: Array.from({ length: KINDS }, (_, i) => suppressedVulnerability({ Statement: heavy(i), Source: heavy(i) }, { VulnerabilityID: `CVE-2022-${i}` })),
    }),
    secretResult({ Secrets: Array.from({ length: KINDS }, (_, i) => secret({ RuleID: `rule-${i}`, Title: heavy(i) })) }),
    configResult({ Misconfigurations: Array.from({ length: KINDS }, (_, i) => misconfiguration({ ID: `DS-${1000 + i}`, Title: heavy(i) })) }),
  ];
  const baseline = findingsOf([langResult({ Vulnerabilities: vulns("CVE-2024", KINDS) })]).findings;
  // 5,000 exceptions: a third accept findings and expire within days, a third expired on findings, a third unused.
  const ignores = Array.from({ length: 5_000 }, (_, i): Ignore => {
    const reason = heavy(i);
    if (i % 3 === 0) return { id: `CVE-2023-${i / 3}`, reason, expires: "2026-11-30" };
    if (i % 3 === 1) return { id: `CVE-2026-${(i - 1) / 3}`, reason, expires: "2026-01-01" };
    return { id: `CVE-2099-${i}`, reason, expires: "2026-12-31" };
  });
  const notes = Array.from({ length: 5_000 }, (_, i) => `note ${i}: ${"the DB could not be refreshed. ".repeat(5)}`);
  const markdown = render(results, { ignoreUnfixed: true, ignores }, { name: heavy(0), notes }, baseline);

  it(`stays within MAX_SUMMARY_BYTES (${MAX_SUMMARY_BYTES} bytes), far under GitHub's 1 MiB step summary limit`, () => {
    expect(MAX_SUMMARY_BYTES).toBeLessThanOrEqual(32 * 1024);
    expect(Buffer.byteLength(markdown, "utf8")).toBeLessThanOrEqual(MAX_SUMMARY_BYTES);
  });

  it.each([
    { list: "failing findings", heading: "❌ Failing findings" },
    { list: "findings allowed by exceptions", heading: "Allowed by exceptions" },
    { list: "unfixed vulnerabilities", heading: "Allowed without a fix" },
    { list: "pre-existing findings", heading: "Allowed as pre-existing" },
    { list: "suppressed findings", heading: "Suppressed by VEX or ignore files" },
    { list: "exceptions in error", heading: "❌ Exceptions in error" },
    { list: "warnings", heading: "⚠️ Warnings" },
  ])("shows some $list and says how many more there are", ({ list, heading }) => {
    const text = section(markdown, heading);
    expect(text).toMatch(new RegExp(`_…and \\d+ more ${list}: see summary\\.json\\._`));
    expect(text.split("\n").filter((line) => line.startsWith("| ") || line.startsWith("- ")).length).toBeGreaterThan(0);
  });

  it("caps the notes too", () => {
    expect(markdown).toMatch(/> _…and \d+ more notes: see summary\.json\._/);
  });

  it("still opens with the verdict", () => {
    expect(markdown.split("\n")[0]).toMatch(/^## ❌ Security gate failed: /);
  });
});
