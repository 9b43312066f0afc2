#!/usr/bin/env bash
# Fails when a rebuild would change a committed bundle or a generated README (like the
# typescript-action template's check-dist): the code that runs is the code that was reviewed.
set -euo pipefail
cd "$(dirname "$0")/.."
# check-dist.sh [action...]: all actions by default.
if [ $# -gt 0 ]; then dists=(); for a in "$@"; do dists+=("actions/$a/dist"); done; else dists=(actions/*/dist); fi
node scripts/build.mjs "$@" >/dev/null
node scripts/docs.mjs --check
node scripts/schema.ts --check
if ! git diff --quiet --exit-code -- "${dists[@]}"; then
  echo "check-dist: a rebuild changes these committed bundles; run 'npm run build' and commit dist/:" >&2
  git diff --stat -- "${dists[@]}" >&2
  exit 1
fi
untracked=$(git ls-files --others --exclude-standard -- "${dists[@]}")
if [ -n "$untracked" ]; then
  echo "check-dist: bundles not committed: $untracked" >&2
  exit 1
fi
echo "check-dist: every bundle and README matches its sources"
