#!/usr/bin/env bash
# Installs the bed's Kubernetes: kube-apiserver, kube-controller-manager, kube-scheduler and etcd,
# built from the wrapper module in test/bed/k8s/build (its go.mod pins the release; regenerate it
# with test/bed/k8s/build/gen.sh), and KWOK for simulated nodes. Everything comes from the Go
# module proxy through `go`; binaries go to $CACHE/bin. Each group carries a stamp of what it was
# built from, so a second run installs nothing and a version bump rebuilds.
source "$(dirname "$0")/lib.sh"
here="$(cd "$(dirname "$0")" && pwd)"
mod="$here/../k8s/build"
KWOK_VERSION=v0.8.0
# Small static binaries: no cgo (nothing here needs it), no paths, no symbol tables.
export CGO_ENABLED=0 GOFLAGS=-buildvcs=false
ldflags_base="-s -w"

command -v go >/dev/null || { echo "bed part 'k8s' needs Go (1.26+) on PATH" >&2; exit 1; }
command -v openssl >/dev/null || apt_install k8s openssl
gover=$(go env GOVERSION)

# stamp_ok NAME KEY BIN... : true when every binary exists and was built from KEY.
stamp_ok() {
  local name="$1" key="$2"; shift 2
  [ "$(cat "$CACHE/k8s-$name.stamp" 2>/dev/null)" = "$key" ] || return 1
  for b in "$@"; do [ -x "$BIN/$b" ] || return 1; done
}

# Kubernetes + etcd, one `go build` so shared packages compile once.
k8s_version=$(sed -n 's/^\s*k8s\.io\/kubernetes \(v[0-9.]*\).*/\1/p' "$mod/go.mod")
etcd_version=$(sed -n 's/^\s*go\.etcd\.io\/etcd\/server\/v3 \(v[0-9.]*\).*/\1/p' "$mod/go.mod")
[ -n "$k8s_version" ] && [ -n "$etcd_version" ] || { echo "bed part 'k8s': cannot read versions from $mod/go.mod" >&2; exit 1; }
kube_key="$(cat "$mod/go.mod" "$mod/go.sum" | sha256sum | cut -c1-16) $gover"
kube_bins=(kube-apiserver kube-controller-manager kube-scheduler etcd)
if stamp_ok kube "$kube_key" "${kube_bins[@]}"; then
  say "k8s: kubernetes $k8s_version and etcd $etcd_version already installed"
else
  say "k8s: building kubernetes $k8s_version and etcd $etcd_version (several minutes on 2 cores)"
  minor="${k8s_version#v1.}"; minor="${minor%%.*}"
  # What /version reports; without these the binaries call themselves v0.0.0-master.
  ver="k8s.io/component-base/version"
  ldflags="$ldflags_base -X $ver.gitVersion=$k8s_version -X $ver.gitMajor=1 -X $ver.gitMinor=$minor -X $ver.gitTreeState=clean"
  ldflags="$ldflags -X k8s.io/client-go/pkg/version.gitVersion=$k8s_version"
  out="$CACHE/build/kube"
  rm -rf "$out" && mkdir -p "$out"
  run k8s go -C "$mod" mod download
  heavy k8s go -C "$mod" build -trimpath -ldflags="$ldflags" -o "$out/" \
    k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
    k8s.io/kubernetes/cmd/kube-scheduler go.etcd.io/etcd/server/v3
  mv "$out/server" "$out/etcd"   # the etcd main package is the root of go.etcd.io/etcd/server/v3
  for b in "${kube_bins[@]}"; do mv -f "$out/$b" "$BIN/$b"; done
  echo "$kube_key" >"$CACHE/k8s-kube.stamp"
fi

kwok_key="$KWOK_VERSION $gover"
if stamp_ok kwok "$kwok_key" kwok; then
  say "k8s: kwok $KWOK_VERSION already installed"
else
  say "k8s: building kwok $KWOK_VERSION"
  out="$CACHE/build/kwok"
  rm -rf "$out" && mkdir -p "$out"
  heavy k8s env GOBIN="$out" go install -trimpath -ldflags="$ldflags_base" "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION"
  mv -f "$out/kwok" "$BIN/kwok"
  echo "$kwok_key" >"$CACHE/k8s-kwok.stamp"
fi
