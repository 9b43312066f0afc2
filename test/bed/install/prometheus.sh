#!/usr/bin/env bash
# Bed part 'prometheus': Debian's prometheus server (2.42), the binary alone, taken out of the
# package with apt-get download and dpkg-deb (installing the package would bring a service and
# users the bed never uses) into $CACHE/bin/prometheus. A second run finds it and installs nothing.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

WANT="2.42."
bin="$BIN/prometheus"
if [ -x "$bin" ] && "$bin" --version 2>&1 | grep -qF "version $WANT"; then
  exit 0
fi

work="$(mktemp -d "$CACHE/prometheus-build.XXXXXX")"
trap 'rm -rf "$work"' EXIT
say "prometheus: apt-get download prometheus (Debian's $WANT*), the server binary only"
# apt-get download needs the package lists: refresh them once if they do not know the package.
if ! (cd "$work" && apt-get download prometheus >>"$CACHE/logs/install-prometheus.log" 2>&1); then
  run prometheus apt-get update && touch "$APT_UPDATED"
  (cd "$work" && run prometheus apt-get download prometheus)
fi
deb="$(ls "$work"/prometheus_*.deb 2>/dev/null | head -n 1)"
[ -f "$deb" ] || { echo "bed part 'prometheus': apt-get download gave no package" >&2; exit 1; }
run prometheus dpkg-deb -x "$deb" "$work/root"
install -m 0755 "$work/root/usr/bin/prometheus" "$bin.tmp"
mv -f "$bin.tmp" "$bin"
"$bin" --version 2>&1 | grep -qF "version $WANT" || { echo "bed part 'prometheus': $bin is not version $WANT*: $("$bin" --version 2>&1 | head -n 1)" >&2; exit 1; }
