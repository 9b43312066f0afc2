#!/usr/bin/env bash
# Regenerates this wrapper module for a Kubernetes release: bash test/bed/k8s/build/gen.sh v1.37.2
# k8s.io/kubernetes requires its staging modules (k8s.io/api, k8s.io/client-go, ...) at v0.0.0 and
# points them at ./staging with replace directives, which Go ignores outside the main module; so
# this module replaces each one with the v0.X.Y release cut from the same commit. etcd is built
# from the same graph, at the server version that release itself pins, so both share compiled deps.
# The install script (test/bed/install/k8s.sh) builds from the committed go.mod/go.sum, and rebuilds
# whenever they change.
set -euo pipefail
cd "$(dirname "$0")"
version="${1:?usage: gen.sh vMAJOR.MINOR.PATCH (a k8s.io/kubernetes release)}"
staging="v0.${version#v1.}"
mod=$(go mod download -json "k8s.io/kubernetes@$version" | sed -n 's/^\s*"GoMod": "\(.*\)",$/\1/p')
[ -n "$mod" ] || { echo "no go.mod for k8s.io/kubernetes@$version" >&2; exit 1; }
rm -f go.mod go.sum
go mod init expeditor/test/bed/k8s/build >/dev/null 2>&1
go mod edit -go="$(sed -n 's/^go //p' "$mod")" -require="k8s.io/kubernetes@$version"
for m in $(sed -n 's#^\s*\(k8s.io/[a-z0-9-]*\) => \./staging/.*#\1#p' "$mod"); do
  # Staging modules only used by samples are not always published; nothing here needs them.
  if go mod download "$m@$staging" >/dev/null 2>&1; then
    go mod edit -replace="$m=$m@$staging"
  else
    echo "skip $m (no $staging published)" >&2
  fi
done
for t in k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
  k8s.io/kubernetes/cmd/kube-scheduler go.etcd.io/etcd/server/v3; do
  go mod edit -tool="$t"
done
go mod tidy
