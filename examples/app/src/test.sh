#!/bin/sh
# Checks the rendered site in $1: every page present, the version filled in.
set -eu
dist="$1"
for file in index.html healthz version; do
  [ -s "$dist/$file" ] || { echo "test: $file is missing or empty" >&2; exit 1; }
done
if grep -q '@VERSION@' "$dist/index.html"; then
  echo "test: index.html still has the @VERSION@ placeholder" >&2
  exit 1
fi
[ "$(cat "$dist/healthz")" = ok ] || { echo "test: healthz does not say ok" >&2; exit 1; }
echo "test: site checks passed for version $(cat "$dist/version")"
