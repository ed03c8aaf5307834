/**
 * What judged the run, near the top of every summary: a Trivy image or DB that is not drydock's
 * default (the caller allowed it), and whether the source's config changed from the base
 * branch's — in the Markdown, under the title and before the counts, and in summary.json.
 */
import { describe, expect, it } from "vitest";
import type { ConfigChange } from "../../../dagger/src/config/compare.ts";
import { scannerUsed } from "../../../dagger/src/config/scanner.ts";
import { DEFAULTS, Policy } from "../../../dagger/src/config/schema.ts";
import { evaluateGate } from "../../../dagger/src/policy/gate.ts";
import { renderMarkdown } from "../../../dagger/src/report/markdown.ts";
import type { GateReportMeta } from "../../../dagger/src/report/meta.ts";
import { summarizeResult } from "../../../dagger/src/report/summary.ts";

const TODAY = new Date("2026-11-27T12:00:00Z");
const META: GateReportMeta = { name: "backend", usedDefaultConfig: false, configFile: "base-security-config.yml" };
const MIRROR_IMAGE = `registry.example.com/mirror/trivy:0.69.3@sha256:${"c".repeat(64)}`;
const DEFAULT_SCANNER = scannerUsed(DEFAULTS.scanner);
const CHANGED: ConfigChange = { file: "security-config.yml", sourceHasFile: true, base: "base-security-config.yml", changed: ["policy.ignores", "scanner.trivyImage"] };

const result = () => evaluateGate({ findings: [], suppressed: [], policy: Policy.parse({}), today: TODAY });
const render = (meta: Partial<GateReportMeta>) => renderMarkdown(result(), { ...META, ...meta });
/** The summary's lines between the title and the headline. */
const noticeOf = (markdown: string) => markdown.split("\n\n")[1]!;

describe("the summary's notice of what judged the run", () => {
  it("says nothing of drydock's own scanner, nor without a base config", () => {
    const markdown = render({ scanner: DEFAULT_SCANNER });
    expect(markdown).toBe(render({}));
    expect(markdown).not.toMatch(/Not drydock's|Policy/);
  });

  it("names a Trivy image that is not drydock's, right under the title, and who allowed it", () => {
    const markdown = render({ scanner: scannerUsed({ trivyImage: MIRROR_IMAGE, dbRepositories: [...DEFAULTS.scanner.dbRepositories] }) });
    expect(noticeOf(markdown)).toBe(
      `> ⚠️ **Not drydock's scanner:** Trivy image \`${MIRROR_IMAGE}\`, allowed by the caller (\`with-allowed-scanner --trivy-image\`); drydock's default is \`${DEFAULTS.scanner.trivyImage}\`.`,
    );
    expect(markdown.indexOf("Not drydock's scanner")).toBeLessThan(markdown.indexOf("No finding fails the policy"));
  });

  it("names DB repositories that are not drydock's, at most five of them", () => {
    const many = Array.from({ length: 7 }, (_, i) => `registry.example.com/trivy-db-${i}:2`);
    const notice = noticeOf(render({ scanner: scannerUsed({ trivyImage: DEFAULTS.scanner.trivyImage, dbRepositories: many }) }));
    expect(notice).toMatch(/^> ⚠️ \*\*Not drydock's vulnerability DB:\*\* `registry\.example\.com\/trivy-db-0:2`, .*`registry\.example\.com\/trivy-db-4:2` …and 2 more, allowed by the caller \(`with-allowed-scanner --db-repositories`\); drydock's defaults are `mirror\.gcr\.io/);
    expect(notice).not.toContain("trivy-db-5");
  });

  it("says the source's config is unchanged from the base's, and which config gated the run", () => {
    expect(noticeOf(render({ configChange: { ...CHANGED, changed: [] } }))).toBe(
      "> Policy: `security-config.yml` is unchanged from the base's (`base-security-config.yml`). This run was gated with `base-security-config.yml`.",
    );
  });

  it("names the keys a change makes to the config", () => {
    expect(noticeOf(render({ configChange: CHANGED }))).toBe(
      "> ⚠️ **Policy changed:** `security-config.yml` differs from the base's (`base-security-config.yml`) in `policy.ignores`, `scanner.trivyImage` (2 keys). This run was gated with `base-security-config.yml`.",
    );
  });

  it("says when the source has no config file while the base has one", () => {
    expect(noticeOf(render({ configChange: { ...CHANGED, sourceHasFile: false, changed: ["policy.ignores"] } }))).toBe(
      "> ⚠️ **Policy changed:** The source has no `security-config.yml` (drydock's defaults), which differs from the base's (`base-security-config.yml`) in `policy.ignores` (1 key). This run was gated with `base-security-config.yml`.",
    );
  });

  it("puts both in one blockquote, the scanner first", () => {
    const notice = noticeOf(render({ scanner: scannerUsed({ trivyImage: MIRROR_IMAGE, dbRepositories: ["registry.example.com/trivy-db:2"] }), configChange: CHANGED }));
    expect(notice.split("\n>\n").map((line) => /\*\*(.+?):\*\*/.exec(line)?.[1])).toEqual(["Not drydock's scanner", "Not drydock's vulnerability DB", "Policy changed"]);
  });
});

describe("summary.json: the scanner and the config change", () => {
  const json = (meta: Partial<GateReportMeta>) => summarizeResult(result(), { ...META, ...meta });

  it("states the scanner used, and whether it is drydock's default", () => {
    expect(json({ scanner: scannerUsed({ trivyImage: MIRROR_IMAGE, dbRepositories: [...DEFAULTS.scanner.dbRepositories] }) }).scanner).toEqual({
      trivyImage: MIRROR_IMAGE,
      dbRepositories: [...DEFAULTS.scanner.dbRepositories],
      defaultTrivyImage: false,
      defaultDbRepositories: true,
    });
  });

  it("states the config change, with whether anything changed and the keys", () => {
    expect(json({ configChange: CHANGED }).configChange).toEqual({ file: "security-config.yml", sourceHasFile: true, base: "base-security-config.yml", changed: true, keys: ["policy.ignores", "scanner.trivyImage"] });
    expect(json({ configChange: { ...CHANGED, changed: [] } }).configChange).toMatchObject({ changed: false, keys: [] });
  });

  it("has neither field when the run had no scanner nor base config (gate)", () => {
    const summary = json({});
    expect("scanner" in summary).toBe(false);
    expect("configChange" in summary).toBe(false);
  });
});
