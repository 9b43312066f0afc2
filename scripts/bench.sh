#!/usr/bin/env bash
# Runs the benchmarks (bench/*.ts, or the ones named) on Node 24; each prints its figures.
# Figures only: nothing here passes or fails on a timing.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$(bash scripts/node24.sh):$PATH"
[ -d node_modules ] || npm ci --no-audit --no-fund >/dev/null
[ -f actions/assume-env/dist/index.js ] || node scripts/build.mjs
if [ $# -gt 0 ]; then benches=("$@"); else benches=(bench/*.bench.ts); fi
for b in "${benches[@]}"; do
  echo "== $b"
  node "$b"
done
