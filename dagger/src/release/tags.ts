/**
 * Image tags from git metadata, by the rules of docker/metadata-action: a release tag v1.2.3 gives
 * 1.2.3, 1.2 and 1 (only 1.2.3 for a pre-release), every commit sha-<7>, a branch its sanitised
 * name, a pull request pr-<n>, and `latest` only a release tag on the default branch. Explicit
 * tags replace all of them.
 */
import { ReleaseError } from "./errors.js";

/** The OCI distribution spec's tag grammar: 128 characters at most, not starting with `.` or `-`. */
export const OCI_TAG = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;

export interface GitMetadata {
  /** `refs/tags/v1.2.3`, `refs/heads/main`, `refs/pull/12/merge`, a bare tag or branch name, or `HEAD`/empty when detached. */
  gitRef?: string;
  /** The commit, 7 to 40 (or 64, SHA-256 repositories) hex digits. */
  gitSha: string;
  /** The repository's default branch; `latest` needs it. */
  defaultBranch?: string;
  /**
   * For a tag: the branch that holds its commit (GitHub Actions: `github.event.base_ref`). A
   * release tag gets `latest` only when this is the default branch: a tag cut from a
   * maintenance branch must not move `latest` back.
   */
  branch?: string;
  /** Explicit tags: when given, exactly these, each checked against the tag grammar. */
  tags?: readonly string[];
}

const SEMVER =
  /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

export interface SemVer {
  major: number;
  minor: number;
  patch: number;
  prerelease?: string;
  build?: string;
}

/** A semantic version with an optional leading `v`, or undefined. */
export function parseSemVer(text: string): SemVer | undefined {
  const m = SEMVER.exec(text);
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), ...(m[4] ? { prerelease: m[4] } : {}), ...(m[5] ? { build: m[5] } : {}) };
}

/** What a git ref names. */
export type GitRefKind = { kind: "tag"; name: string } | { kind: "branch"; name: string } | { kind: "pull"; number: string } | { kind: "detached" };

export function parseGitRef(ref: string | undefined): GitRefKind {
  const text = (ref ?? "").trim();
  if (text === "" || text === "HEAD" || /^[0-9a-f]{40}([0-9a-f]{24})?$/.test(text)) return { kind: "detached" };
  let m = /^refs\/tags\/(.+)$/.exec(text);
  if (m) return { kind: "tag", name: m[1]! };
  m = /^refs\/heads\/(.+)$/.exec(text);
  if (m) return { kind: "branch", name: m[1]! };
  m = /^refs\/pull\/(\d+)\/(?:merge|head)$/.exec(text);
  if (m) return { kind: "pull", number: m[1]! };
  if (text.startsWith("refs/")) {
    throw new ReleaseError(`--git-ref ${JSON.stringify(text)}: expected refs/tags/<tag>, refs/heads/<branch>, refs/pull/<n>/merge, a bare tag or branch name, or HEAD`);
  }
  // A bare name: a version is a tag, anything else a branch (what `git describe`/`git branch --show-current` print).
  return parseSemVer(text) ? { kind: "tag", name: text } : { kind: "branch", name: text };
}

/**
 * A branch or tag name as a valid tag: lowercase, every run of characters a tag cannot hold
 * (`/`, spaces, `+`…) becomes one `-`, no leading `.` or `-`, at most 128 characters.
 */
export function sanitizeTag(name: string): string {
  const tag = name
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, "-")
    .replace(/^[.-]+/, "")
    .slice(0, 128)
    .replace(/-+$/, "");
  return tag;
}

/** Fail unless `tag` is valid per the OCI distribution spec. */
export function requireValidTag(tag: string, what = "tag"): string {
  if (!OCI_TAG.test(tag)) {
    throw new ReleaseError(
      `${what} ${JSON.stringify(tag)} is not a valid image tag: a tag is 1 to 128 of A-Z a-z 0-9 _ . - and does not start with . or - — fix it or leave tags unset to compute them from git`,
    );
  }
  return tag;
}

const GIT_SHA = /^[0-9a-fA-F]{7,64}$/;

/** The tags for one release, in order of precedence (the first is the most specific). */
export function computeTags(meta: GitMetadata): string[] {
  if (meta.tags && meta.tags.length > 0) return dedupe(meta.tags.map((t) => requireValidTag(t, "explicit tag")));
  if (!GIT_SHA.test(meta.gitSha)) {
    throw new ReleaseError(`--git-sha ${JSON.stringify(meta.gitSha)} is not a commit: expected 7 to 64 hex digits, e.g. the output of \`git rev-parse HEAD\` (GitHub Actions: \${{ github.sha }})`);
  }
  const sha = `sha-${meta.gitSha.toLowerCase().slice(0, 7)}`;
  const ref = parseGitRef(meta.gitRef);
  const tags: string[] = [];
  switch (ref.kind) {
    case "tag": {
      const version = parseSemVer(ref.name);
      if (!version) {
        tags.push(sanitizeTag(ref.name));
        break;
      }
      // Build metadata is no part of the version's identity (and `+` no part of a tag): v1.2.3+b5 is 1.2.3.
      const { major, minor, patch, prerelease } = version;
      if (prerelease) {
        tags.push(`${major}.${minor}.${patch}-${prerelease}`);
        break;
      }
      tags.push(`${major}.${minor}.${patch}`, `${major}.${minor}`);
      // 0.x makes no compatibility promise across minors, so a floating `0` would mislead.
      if (major > 0) tags.push(String(major));
      if (meta.defaultBranch !== undefined && meta.branch !== undefined && branchName(meta.branch) === branchName(meta.defaultBranch)) tags.push("latest");
      break;
    }
    case "branch":
      tags.push(sanitizeTag(ref.name));
      break;
    case "pull":
      tags.push(`pr-${ref.number}`);
      break;
    case "detached":
      break;
  }
  tags.push(sha);
  return dedupe(tags.filter((t) => t !== "").map((t) => requireValidTag(t)));
}

function branchName(ref: string): string {
  return ref.replace(/^refs\/heads\//, "");
}

function dedupe(tags: readonly string[]): string[] {
  return [...new Set(tags)];
}
