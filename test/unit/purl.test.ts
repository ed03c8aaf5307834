import { describe, expect, it } from "vitest";
import { purlMatcher } from "../../dagger/src/purl.ts";

describe("purlMatcher", () => {
  it.each([
    { pattern: "pkg:npm/lodash", purl: "pkg:npm/lodash@4.17.4", matches: true },
    { pattern: "pkg:npm/lodash@4.17.4", purl: "pkg:npm/lodash@4.17.4", matches: true },
    { pattern: "pkg:npm/lodash@4.17.4", purl: "pkg:npm/lodash@4.17.5", matches: false },
    { pattern: "pkg:npm/lodash", purl: "pkg:npm/lodash.merge@4.6.2", matches: false },
    { pattern: "pkg:npm/lodash", purl: "pkg:pypi/lodash@1.0.0", matches: false },
    { pattern: "pkg:NPM/lodash", purl: "pkg:npm/lodash@4.17.4", matches: true },
    { pattern: "pkg:npm/@babel/core", purl: "pkg:npm/%40babel/core@7.0.0", matches: true },
    { pattern: "pkg:npm/%40babel/core@7.0.0", purl: "pkg:npm/%40babel/core@7.0.0", matches: true },
    { pattern: "pkg:npm/@babel/core@7.0.0", purl: "pkg:npm/%40babel/core@7.0.1", matches: false },
    { pattern: "pkg:npm/@babel", purl: "pkg:npm/%40babel/core@7.0.0", matches: false },
    { pattern: "pkg:deb/debian/libc6@2.36-9+deb12u1", purl: "pkg:deb/debian/libc6@2.36-9%2Bdeb12u1?arch=amd64&distro=debian-12.5", matches: true },
    { pattern: "pkg:deb/debian/libc6?arch=amd64", purl: "pkg:deb/debian/libc6@2.36?arch=amd64&distro=debian-12.5", matches: true },
    { pattern: "pkg:deb/debian/libc6?arch=arm64", purl: "pkg:deb/debian/libc6@2.36?arch=amd64&distro=debian-12.5", matches: false },
    { pattern: "pkg:golang/golang.org/x/net", purl: "pkg:golang/golang.org/x/net@v0.17.0#http2", matches: true },
    { pattern: "pkg:npm", purl: "pkg:npm/lodash@4.17.4", matches: false },
    { pattern: "pkg:npm/lodash", purl: "npm/lodash@4.17.4", matches: false },
  ])("$pattern matches $purl: $matches", ({ pattern, purl, matches }) => {
    expect(purlMatcher([pattern])(purl)).toBe(matches);
  });

  it("never matches a finding without a purl", () => {
    expect(purlMatcher(["pkg:npm/lodash"])(undefined)).toBe(false);
  });
});
