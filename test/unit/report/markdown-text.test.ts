import { describe, expect, it } from "vitest";
import { code, link, MENTION_BREAK, table, text } from "../../../dagger/src/report/markdown-text.ts";

describe("text", () => {
  it.each([
    { name: "plain words", input: "openssl: information disclosure in fork()", output: "openssl: information disclosure in fork()" },
    { name: "a pipe that would split the cell", input: "a | b", output: "a \\| b" },
    { name: "HTML", input: '<img src=x onerror="alert(1)">', output: "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" },
    { name: "an entity that would decode", input: "&lt;script&gt;", output: "&amp;lt;script&amp;gt;" },
    // Not &#64;: GitHub decodes entities before it looks for mentions, so that would still notify.
    { name: "a mention that would notify a team", input: "reported by @org/security", output: `reported by @${MENTION_BREAK}org/security` },
    { name: "a mention of a person", input: "ping @octocat please", output: `ping @${MENTION_BREAK}octocat please` },
    { name: "link syntax", input: "[click](https://evil.example)", output: `\\[click\\](https${MENTION_BREAK}://evil.example)` },
    // GitHub autolinks bare URLs and www. hosts: a title or path from the image must not become a link.
    { name: "a bare URL", input: "see https://evil.example/x now", output: `see https${MENTION_BREAK}://evil.example/x now` },
    { name: "a bare http URL, any case", input: "HTTP://evil.example", output: `HTTP${MENTION_BREAK}://evil.example` },
    { name: "a www. host", input: "visit www.evil.example today", output: `visit www${MENTION_BREAK}.evil.example today` },
    { name: "a word that merely ends in www", input: "awww.", output: "awww." },
    { name: "emphasis and code marks", input: "*a* _b_ `c` ~d~", output: "\\*a\\* \\_b\\_ \\`c\\` \\~d\\~" },
    { name: "a backslash", input: "C:\\path", output: "C:\\\\path" },
    { name: "line breaks", input: "first\nsecond\r\n\tthird", output: "first second third" },
    { name: "nothing", input: undefined, output: "" },
  ])("escapes $name", ({ input, output }) => {
    expect(text(input)).toBe(output);
  });

  it("breaks every @ with an invisible zero-width joiner, and writes no entity for it", () => {
    expect(MENTION_BREAK).toBe("\u200D");
    const escaped = text("@a @b x@c");
    expect(escaped).not.toMatch(/@(?!\u200D)/);
    expect(escaped).not.toContain("&#64;");
  });

  it("leaves no text GitHub would autolink", () => {
    const escaped = text("https://a.example http://b.example ftp://c.example www.d.example");
    expect(escaped).not.toMatch(/(https?|ftp):\/\/|\bwww\./i);
  });

  it("shortens long text to a readable cell", () => {
    expect(text("x".repeat(500))).toBe(`${"x".repeat(119)}…`);
    expect(text("x".repeat(500), 10)).toBe(`${"x".repeat(9)}…`);
  });
});

describe("code", () => {
  it.each([
    { input: "app/node_modules/lodash/package.json", output: "`app/node_modules/lodash/package.json`" },
    { input: "a|b", output: "`a\\|b`" },
    { input: "a`b", output: "`a'b`" },
    { input: "<b>", output: "`<b>`" },
    { input: undefined, output: "" },
  ])("renders $input as $output", ({ input, output }) => {
    expect(code(input)).toBe(output);
  });
});

describe("link", () => {
  it.each([
    { url: "https://avd.aquasec.com/nvd/cve-2019-1549", output: "[CVE-2019-1549](https://avd.aquasec.com/nvd/cve-2019-1549)" },
    { url: "https://example.com/a_(b)|c", output: "[CVE-2019-1549](https://example.com/a_%28b%29%7Cc)" },
    { url: "javascript:alert(1)", output: "CVE-2019-1549" },
    { url: "https://example.com/a b", output: "CVE-2019-1549" },
    { url: undefined, output: "CVE-2019-1549" },
    { url: `https://example.com/${"a".repeat(400)}`, output: "CVE-2019-1549" },
  ])("links to $url only when it is plain http(s)", ({ url, output }) => {
    expect(link("CVE-2019-1549", url)).toBe(output);
  });
});

describe("table", () => {
  it("writes a header, alignment row and rows", () => {
    expect(table(["A", "B"], ["l", "r"], [["1", "2"]])).toBe("| A | B |\n| --- | ---: |\n| 1 | 2 |");
  });
});
