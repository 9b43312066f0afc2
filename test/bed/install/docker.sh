#!/usr/bin/env bash
# Bed part 'docker': a Docker engine (Debian docker.io 20.10: dockerd, containerd, runc, the 20.10
# client) and the buildx CLI plugin, built once from the Go module proxy into $CACHE/bin/docker-buildx
# (Debian 12 ships no buildx). The part (test/bed/parts/docker.ts) starts its own dockerd as root,
# vfs storage, no bridge or iptables, on a socket and directories of its bed. A second run finds
# the package and the pinned plugin in place and installs nothing.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

BUILDX_VERSION=v0.19.3

apt_install docker docker.io
for bin in dockerd containerd runc; do
  command -v "$bin" >/dev/null || { echo "bed part 'docker': $bin not found after install" >&2; exit 1; }
done
# The package enables a systemd unit; the bed never uses the machine's own engine.

plugin="$BIN/docker-buildx"
if ! { [ -x "$plugin" ] && "$plugin" version 2>/dev/null | grep -qF " $BUILDX_VERSION "; }; then
  command -v go >/dev/null || { echo "bed part 'docker' needs Go to build buildx (go not found on PATH)" >&2; exit 1; }
  say "docker: go install github.com/docker/buildx/cmd/buildx@$BUILDX_VERSION (a few minutes, once)"
  stage="$CACHE/docker-build/stage"
  rm -rf "$stage" && mkdir -p "$stage"
  heavy docker env GOBIN="$stage" GOFLAGS=-buildvcs=false CGO_ENABLED=0 \
    go install -trimpath -ldflags="-s -X github.com/docker/buildx/version.Version=$BUILDX_VERSION" \
    "github.com/docker/buildx/cmd/buildx@$BUILDX_VERSION"
  mv -f "$stage/buildx" "$plugin"
  rm -rf "$stage"
fi
"$plugin" version >/dev/null 2>&1 || { echo "bed part 'docker': $plugin does not run" >&2; exit 1; }
