#!/usr/bin/env bash
# drydock in any CI (or on a laptop): build the images of the apps security-config.yml lists
# (both by default), scan them, export the reports, gate.
# Needs the dagger CLI (https://docs.dagger.io/install), a container runtime for its engine, git
# and jq (to read the smoke test's verdict).
#
#   DRYDOCK_MODULE=github.com/<owner>/drydock@<commit> [DRYDOCK_BASE_REF=origin/main] ci/any-ci.sh [reports-dir]
#
# DRYDOCK_MODULE: the module's address, pinned by commit (a tag can be moved): the commit a release
#   tag points to, from `git ls-remote https://github.com/<owner>/drydock 'refs/tags/v1.4.0^{}'`.
# DRYDOCK_BASE_REF: for a change under review, the branch it merges into, fetched (e.g.
#   `git fetch origin main`, then origin/main). The change is gated with that branch's
#   security-config.yml, not its own, which could choose the thresholds, exceptions and scanner
#   that pass it; every summary names the keys the change makes (they apply once merged). When
#   the branch has no security-config.yml, the defaults apply, and the script says so. The VEX
#   documents policy.vex names are still read from the change's source: review changes to them.
# Scanning with a mirror: security-config.yml alone cannot change the scanner. Allow yours in the
#   build-and-scan call: … ${policy[@]+"${policy[@]}"} with-allowed-scanner --trivy-image=<ref> --db-repositories=<repository:tag> with-labels …
#
# Exit status: non-zero when the config is invalid, a build or scan fails, a finding breaks the
# policy, or an image does not start (the smoke test). The reports are written before the gate
# runs, so they are there either way: publish <reports-dir> (SARIF per scan, CycloneDX SBOMs,
# summary.md, summary.json) as your CI allows. The folder is emptied first.
set -euo pipefail

module="${DRYDOCK_MODULE:?set DRYDOCK_MODULE to the module address, e.g. github.com/<owner>/drydock@<commit>}"
reports="${1:-reports}"
revision="$(git rev-parse HEAD 2>/dev/null || echo unknown)"

fail() {
  echo "any-ci.sh: $*" >&2
  exit 2
}

command -v jq > /dev/null || fail "jq: found none on PATH, expected jq — install it: the smoke test's verdict is read from <reports-dir>/summary.json"
# The folder is removed before the export: a plain relative path only, never ".", "/" or "../…".
if [[ ! "$reports" =~ ^[A-Za-z0-9_][A-Za-z0-9._-]*(/[A-Za-z0-9_][A-Za-z0-9._-]*)*$ ]] || [[ "/$reports/" == */../* ]]; then
  fail "reports-dir: found \"$reports\", expected a relative folder like reports or out/reports — it is emptied before the export"
fi

# Expanded as ${policy[@]+"${policy[@]}"}: bash 3.2 (macOS) calls an empty array unset under set -u.
policy=()
if [[ -n "${DRYDOCK_BASE_REF:-}" ]]; then
  base="$DRYDOCK_BASE_REF"
  if [[ "$base" == -* ]] || ! git rev-parse --verify --quiet "${base}^{commit}" > /dev/null; then
    fail "DRYDOCK_BASE_REF: found \"$base\", expected a commit of the branch the change merges into — fetch it first (git fetch origin main) and pass origin/main"
  fi
  work="$(mktemp -d)"
  trap 'rm -rf -- "$work"' EXIT
  base_config="$work/base-security-config.yml"
  if git cat-file -e "${base}:security-config.yml" 2> /dev/null; then
    git show "${base}:security-config.yml" > "$base_config"
  else
    printf '# The base branch has no security-config.yml: the defaults apply.\nversion: 1\n' > "$base_config"
    echo "any-ci.sh: ${base} has no security-config.yml, so this change is gated with the defaults, not with a security-config.yml of its own" >&2
  fi
  policy=(--config="$base_config" --base-config="$base_config")
fi

# The change's own config, so that its author learns what is wrong with it.
dagger -m "$module" call --source=. check-config

rm -rf -- "$reports"
dagger -m "$module" call --source=. ${policy[@]+"${policy[@]}"} \
  with-labels --revision="$revision" \
  build-and-scan reports export --path="$reports"

if [[ -n "${GITHUB_STEP_SUMMARY:-}" ]]; then cat "$reports/summary.md" >> "$GITHUB_STEP_SUMMARY"; fi

# One folder per scan: each app the config lists (backend/, frontend/), and lint/.
status=0
for report in "$reports"/*/trivy.json; do
  dagger -m "$module" call --source=. ${policy[@]+"${policy[@]}"} gate --report="$report" || status=1
done
# The smoke test has no Trivy report to re-gate: build-and-scan wrote its verdict to summary.json.
if ! jq -e '.smoke.passed == true' "$reports/summary.json" > /dev/null; then
  echo "any-ci.sh: the smoke test failed, or left no verdict in $reports/summary.json: an image did not start, answer its health path or stop — see the Smoke test section of $reports/summary.md" >&2
  status=1
fi
exit "$status"
