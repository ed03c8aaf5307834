#!/usr/bin/env bash
# drydock in any CI (or on a laptop): build the images of the apps security-config.yml lists
# (both by default), scan them, export the reports, gate.
# Needs the dagger CLI (https://docs.dagger.io/install) and a container runtime for its engine.
#
#   DRYDOCK_MODULE=github.com/<owner>/drydock@<version> ci/any-ci.sh [reports-dir]
#
# Exit status: non-zero when the config is invalid, a build or scan fails, or a finding breaks
# the policy. The reports are written before the gate runs, so they are there either way: publish
# <reports-dir> (SARIF per scan, CycloneDX SBOMs, summary.md) as your CI allows.
set -euo pipefail

module="${DRYDOCK_MODULE:?set DRYDOCK_MODULE to the module address, e.g. github.com/<owner>/drydock@<version>}"
reports="${1:-reports}"
revision="$(git rev-parse HEAD 2>/dev/null || echo unknown)"

dagger -m "$module" call --source=. check-config

dagger -m "$module" call --source=. \
  with-labels --revision="$revision" \
  build-and-scan reports export --path="$reports"

if [[ -n "${GITHUB_STEP_SUMMARY:-}" ]]; then cat "$reports/summary.md" >> "$GITHUB_STEP_SUMMARY"; fi

# One folder per scan: each app the config lists (backend/, frontend/), and lint/.
status=0
for report in "$reports"/*/trivy.json; do
  dagger -m "$module" call --source=. gate --report="$report" || status=1
done
exit "$status"
