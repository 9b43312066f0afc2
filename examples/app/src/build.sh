#!/bin/sh
# Renders the site into $1 for version $2.
set -eu
out="$1"
version="$2"
mkdir -p "$out"
sed "s/@VERSION@/$version/g" index.html.in >"$out/index.html"
printf 'ok\n' >"$out/healthz"
printf '%s\n' "$version" >"$out/version"
