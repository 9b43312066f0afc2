#!/usr/bin/env bash
# Fails when a rebuild would change a committed bundle or a generated README (like the
# typescript-action template's check-dist): the code that runs is the code that was reviewed.
set -euo pipefail
cd "$(dirname "$0")/.."
node scripts/build.mjs >/dev/null
node scripts/docs.mjs --check
node scripts/schema.ts --check
if ! git diff --quiet --exit-code -- actions/*/dist; then
  echo "check-dist: a rebuild changes these committed bundles; run 'npm run build' and commit dist/:" >&2
  git diff --stat -- actions/*/dist >&2
  exit 1
fi
untracked=$(git ls-files --others --exclude-standard -- actions/*/dist)
if [ -n "$untracked" ]; then
  echo "check-dist: bundles not committed: $untracked" >&2
  exit 1
fi
echo "check-dist: every bundle and README matches its sources"
