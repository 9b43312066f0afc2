#!/usr/bin/env bash
# Bed part 'docker': a Docker engine (Debian docker.io 20.10: dockerd, containerd, runc, the 20.10
# client) and the buildx CLI plugin, built once from the Go module proxy into $CACHE/bin/docker-buildx
# (Debian 12 ships no buildx), and buildkitd for a `remote` buildx builder (the engine's own
# BuildKit, v0.8, cannot export a registry cache; a docker-container builder would pull an image). The part (test/bed/parts/docker.ts) starts its own dockerd as root,
# vfs storage, no bridge or iptables, on a socket and directories of its bed. A second run finds
# the package and the pinned plugin in place and installs nothing.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

BUILDX_VERSION=v0.19.3
BUILDKIT_VERSION=v0.34.2

apt_install docker docker.io
for bin in dockerd containerd runc; do
  command -v "$bin" >/dev/null || { echo "bed part 'docker': $bin not found after install" >&2; exit 1; }
done
# The package enables a systemd unit; the bed never uses the machine's own engine.

# arm64 RUN steps under emulation (build-image-emulation.test.ts): qemu-user-static's handlers,
# registered with the F flag so both builders' build roots find the interpreter. Best effort: where
# binfmt_misc cannot be mounted the test skips and says why.
apt_install docker qemu-user-static binfmt-support
if [ ! -e /proc/sys/fs/binfmt_misc/register ]; then
  mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc 2>/dev/null || say "docker: binfmt_misc cannot be mounted here: arm64 RUN steps stay untested"
fi
[ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ] || update-binfmts --enable qemu-aarch64 2>/dev/null || true

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

# buildkitd: `go install` refuses the module (its go.mod has exclude directives), so it is built
# inside a copy of the downloaded module.
buildkitd="$BIN/buildkitd"
if ! { [ -x "$buildkitd" ] && "$buildkitd" --version 2>/dev/null | grep -qF " $BUILDKIT_VERSION "; }; then
  say "docker: go build github.com/moby/buildkit/cmd/buildkitd@$BUILDKIT_VERSION (a few minutes, once)"
  work="$CACHE/docker-build/buildkit"
  rm -rf "$work" && mkdir -p "$work"
  module=$(go mod download -json "github.com/moby/buildkit@$BUILDKIT_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [ -d "$module" ] || { echo "bed part 'docker': go mod download github.com/moby/buildkit@$BUILDKIT_VERSION gave no directory" >&2; exit 1; }
  cp -r "$module" "$work/src" && chmod -R u+w "$work/src"
  (cd "$work/src" && heavy docker env CGO_ENABLED=0 GOFLAGS=-buildvcs=false go build -trimpath \
    -ldflags="-s -X github.com/moby/buildkit/version.Version=$BUILDKIT_VERSION" -o "$work/buildkitd" ./cmd/buildkitd)
  mv -f "$work/buildkitd" "$buildkitd"
  rm -rf "$work"
fi
"$buildkitd" --version >/dev/null 2>&1 || { echo "bed part 'docker': $buildkitd does not run" >&2; exit 1; }
