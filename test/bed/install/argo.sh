#!/usr/bin/env bash
# Installs the bed's Argo Rollouts: the real rollouts-controller, built from the
# github.com/argoproj/argo-rollouts module the Go module proxy serves, and its CRDs (the
# manifests/crds/*.yaml of the same module zip). Binary to $CACHE/bin, CRDs to $CACHE/argo-crds/;
# a stamp keyed on the version and the Go toolchain means a second run builds nothing.
source "$(dirname "$0")/lib.sh"
ARGO_VERSION=v1.10.2
module=github.com/argoproj/argo-rollouts
export CGO_ENABLED=0 GOFLAGS="-buildvcs=false -mod=mod"

command -v go >/dev/null || { echo "bed part 'argo' needs Go (1.26+) on PATH" >&2; exit 1; }
command -v python3 >/dev/null || apt_install argo python3   # extracts the module zip
gover=$(go env GOVERSION)
key="$ARGO_VERSION $gover"
crds="$CACHE/argo-crds"
if [ "$(cat "$CACHE/argo.stamp" 2>/dev/null)" = "$key" ] && [ -x "$BIN/rollouts-controller" ] &&
  [ -f "$crds/rollout-crd.yaml" ]; then
  say "argo: rollouts-controller $ARGO_VERSION already installed"
  exit 0
fi

say "argo: building rollouts-controller $ARGO_VERSION (a few minutes on 2 cores)"
# The module's go.mod replaces k8s.io/* with releases, which `go install mod@version` refuses:
# build inside a writable copy of the module instead, with its own go.mod and go.sum.
# `go mod download` fetches the zip but, with GOTOOLCHAIN=local and an older Go than the module
# asks for, refuses to extract it: take the zip path and extract it ourselves.
json=$(GOFLAGS= go mod download -json "$module@$ARGO_VERSION" || true)
zip=$(sed -n 's/^\s*"Zip": "\(.*\)",\?$/\1/p' <<<"$json")
[ -n "$zip" ] && [ -f "$zip" ] || { echo "bed part 'argo': go mod download $module@$ARGO_VERSION gave no module zip: $json" >&2; exit 1; }
src="$CACHE/build/argo-src"
rm -rf "$src" "$src.unzip" && mkdir -p "$src.unzip"
run argo python3 -m zipfile -e "$zip" "$src.unzip"
mv "$src.unzip/$module@$ARGO_VERSION" "$src" && rm -rf "$src.unzip" && chmod -R u+w "$src"
# v1.10.2 asks for go 1.26.10: a patch release of the toolchain, no language change. With an older
# 1.26 here, lower the directive rather than fetch a toolchain (GOTOOLCHAIN=local on this machine).
want=$(sed -n 's/^go \([0-9.]*\)$/\1/p' "$src/go.mod")
have="${gover#go}"
if [ "$(printf '%s\n%s\n' "$want" "$have" | sort -V | head -n1)" != "$want" ]; then
  sed -i "s/^go $want\$/go $have/" "$src/go.mod"
fi
run argo go -C "$src" mod download
ver="$module/utils/version"
ldflags="-s -w -X $ver.version=${ARGO_VERSION#v} -X $ver.gitTag=$ARGO_VERSION -X $ver.gitTreeState=clean"
ldflags="$ldflags -X $ver.gitCommit=module-proxy -X $ver.buildDate=1970-01-01T00:00:00Z"
out="$CACHE/build/argo"
rm -rf "$out" && mkdir -p "$out"
heavy argo go -C "$src" build -trimpath -p "${ARGO_BUILD_P:-2}" -ldflags="$ldflags" -o "$out/rollouts-controller" ./cmd/rollouts-controller
rm -rf "$crds" && mkdir -p "$crds"
cp "$src"/manifests/crds/*-crd.yaml "$crds/"
mv -f "$out/rollouts-controller" "$BIN/rollouts-controller"
rm -rf "$src"
echo "$key" >"$CACHE/argo.stamp"
