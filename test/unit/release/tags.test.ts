import { describe, expect, it } from "vitest";
import { computeTags, OCI_TAG, parseGitRef, sanitizeTag, type GitMetadata } from "../../../dagger/src/release/tags.ts";

const SHA = "0123456789abcdef0123456789abcdef01234567";

describe("computeTags", () => {
  it.each<{ name: string; meta: GitMetadata; tags: string[] }>([
    { name: "a release tag on the default branch", meta: { gitRef: "refs/tags/v1.2.3", gitSha: SHA, defaultBranch: "main", branch: "main" }, tags: ["1.2.3", "1.2", "1", "latest", "sha-0123456"] },
    { name: "a release tag given bare", meta: { gitRef: "v1.2.3", gitSha: SHA, defaultBranch: "main", branch: "refs/heads/main" }, tags: ["1.2.3", "1.2", "1", "latest", "sha-0123456"] },
    { name: "a release tag without v", meta: { gitRef: "refs/tags/2.0.1", gitSha: SHA }, tags: ["2.0.1", "2.0", "2", "sha-0123456"] },
    { name: "a release tag from a maintenance branch: no latest", meta: { gitRef: "refs/tags/v1.2.4", gitSha: SHA, defaultBranch: "main", branch: "release/1.2" }, tags: ["1.2.4", "1.2", "1", "sha-0123456"] },
    { name: "a release tag whose branch is unknown: no latest", meta: { gitRef: "refs/tags/v1.2.3", gitSha: SHA, defaultBranch: "main" }, tags: ["1.2.3", "1.2", "1", "sha-0123456"] },
    { name: "a pre-release: its version only, never latest", meta: { gitRef: "refs/tags/v2.0.0-rc.1", gitSha: SHA, defaultBranch: "main", branch: "main" }, tags: ["2.0.0-rc.1", "sha-0123456"] },
    { name: "build metadata is dropped", meta: { gitRef: "refs/tags/v1.2.3+build.5", gitSha: SHA }, tags: ["1.2.3", "1.2", "1", "sha-0123456"] },
    { name: "a pre-release with build metadata", meta: { gitRef: "refs/tags/v1.0.0-beta.2+exp.sha.5114f85", gitSha: SHA }, tags: ["1.0.0-beta.2", "sha-0123456"] },
    { name: "0.x: no floating major", meta: { gitRef: "refs/tags/v0.4.1", gitSha: SHA, defaultBranch: "main", branch: "main" }, tags: ["0.4.1", "0.4", "latest", "sha-0123456"] },
    { name: "a tag that is no version", meta: { gitRef: "refs/tags/Nightly/2026-11-30", gitSha: SHA }, tags: ["nightly-2026-11-30", "sha-0123456"] },
    { name: "the default branch: its name, not latest", meta: { gitRef: "refs/heads/main", gitSha: SHA, defaultBranch: "main" }, tags: ["main", "sha-0123456"] },
    { name: "a branch with / and uppercase", meta: { gitRef: "refs/heads/Feature/ABC-12_Login", gitSha: SHA }, tags: ["feature-abc-12_login", "sha-0123456"] },
    { name: "a branch given bare", meta: { gitRef: "renovate/node-24.x", gitSha: SHA }, tags: ["renovate-node-24.x", "sha-0123456"] },
    { name: "a branch starting with punctuation", meta: { gitRef: "refs/heads/-.hotfix", gitSha: SHA }, tags: ["hotfix", "sha-0123456"] },
    { name: "an over-long branch: 128 characters", meta: { gitRef: `refs/heads/${"a".repeat(200)}`, gitSha: SHA }, tags: ["a".repeat(128), "sha-0123456"] },
    { name: "a pull request", meta: { gitRef: "refs/pull/42/merge", gitSha: SHA }, tags: ["pr-42", "sha-0123456"] },
    { name: "detached HEAD", meta: { gitRef: "HEAD", gitSha: SHA }, tags: ["sha-0123456"] },
    { name: "no ref at all", meta: { gitSha: SHA }, tags: ["sha-0123456"] },
    { name: "a ref that is a commit", meta: { gitRef: SHA, gitSha: SHA }, tags: ["sha-0123456"] },
    { name: "an uppercase sha", meta: { gitRef: "HEAD", gitSha: "ABCDEF0123" }, tags: ["sha-abcdef0"] },
    { name: "explicit tags override everything", meta: { gitRef: "refs/tags/v1.2.3", gitSha: SHA, tags: ["stable", "2026.11", "stable"] }, tags: ["stable", "2026.11"] },
  ])("$name", ({ meta, tags }) => {
    const computed = computeTags(meta);
    expect(computed).toEqual(tags);
    for (const tag of computed) expect(tag).toMatch(OCI_TAG);
  });

  it.each([
    { name: "a sha that is no sha", meta: { gitSha: "main" }, message: /--git-sha "main" is not a commit.*git rev-parse HEAD/ },
    { name: "an empty sha", meta: { gitSha: "" }, message: /is not a commit/ },
    { name: "an invalid explicit tag", meta: { gitSha: SHA, tags: ["-bad"] }, message: /explicit tag "-bad" is not a valid image tag/ },
    { name: "an explicit tag with a slash", meta: { gitSha: SHA, tags: ["a/b"] }, message: /explicit tag "a\/b"/ },
    { name: "a ref of an unknown kind", meta: { gitSha: SHA, gitRef: "refs/notes/x" }, message: /expected refs\/tags\/<tag>/ },
  ])("refuses $name", ({ meta, message }) => {
    expect(() => computeTags(meta)).toThrow(message);
  });
});

describe("parseGitRef and sanitizeTag", () => {
  it.each([
    { ref: "refs/tags/v1", kind: { kind: "tag", name: "v1" } },
    { ref: "refs/pull/7/head", kind: { kind: "pull", number: "7" } },
    { ref: "", kind: { kind: "detached" } },
  ])("$ref", ({ ref, kind }) => expect(parseGitRef(ref)).toEqual(kind));

  it.each([
    ["feat/x", "feat-x"],
    ["A  B", "a-b"],
    ["..x", "x"],
    [`${"b".repeat(127)}/c`, "b".repeat(127)],
  ])("%s → %s", (name, tag) => expect(sanitizeTag(name)).toBe(tag));
});
