#!/usr/bin/env bash
# Bed part 'tools': the workflow tools, pinned, into $CACHE/bin.
#   act        runs workflows locally (host mode); from the Go module proxy. 0.2.89 is the first
#              release we use that accepts `runs.using: node24` (nektos/act#5883, after 0.2.80).
#   actionlint workflow lint; Go module proxy.
#   zizmor     workflow security audit; PyPI, in a venv under $CACHE (its wheel carries a native
#              binary, which we copy out so the venv's Python is not needed to run it).
# A second run finds every pinned version in place and installs nothing.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

ACT_VERSION=0.2.89
ACTIONLINT_VERSION=1.7.12
ZIZMOR_VERSION=1.32.0

has_version() { [ -x "$1" ] && "$1" --version 2>/dev/null | grep -qF "$2"; }

go_tool() { # go_tool NAME MODULE@VERSION
  local name="$1" pkg="$2"
  say "tools: go install $pkg"
  # Installed to a staging dir first so a failed build never leaves a half-written binary in $BIN.
  local stage="$CACHE/tools-build/$name"
  rm -rf "$stage" && mkdir -p "$stage"
  heavy tools env GOBIN="$stage" GOFLAGS=-buildvcs=false CGO_ENABLED=0 go install -trimpath -ldflags=-s "$pkg"
  mv -f "$stage/$name" "$BIN/$name"
  rm -rf "$stage"
}

command -v go >/dev/null || { echo "bed part 'tools' needs Go (go not found on PATH)" >&2; exit 1; }

has_version "$BIN/act" "$ACT_VERSION" || go_tool act "github.com/nektos/act@v$ACT_VERSION"
has_version "$BIN/actionlint" "$ACTIONLINT_VERSION" ||
  go_tool actionlint "github.com/rhysd/actionlint/cmd/actionlint@v$ACTIONLINT_VERSION"

if ! has_version "$BIN/zizmor" "$ZIZMOR_VERSION"; then
  say "tools: pip install zizmor==$ZIZMOR_VERSION"
  venv="$CACHE/zizmor-venv"
  [ -x "$venv/bin/pip" ] || run tools python3 -m venv "$venv"
  run tools "$venv/bin/pip" install --disable-pip-version-check -q "zizmor==$ZIZMOR_VERSION"
  cp -f "$venv/bin/zizmor" "$BIN/zizmor.new" && mv -f "$BIN/zizmor.new" "$BIN/zizmor"
fi

for tool in act actionlint zizmor; do
  "$BIN/$tool" --version >/dev/null 2>&1 || { echo "bed part 'tools': $BIN/$tool does not run" >&2; exit 1; }
done
