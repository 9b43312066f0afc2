#!/usr/bin/env bash
# Installs the test bed's parts (all, or the ones named): bash test/bed/install.sh [part...]
# Parts: argo docker k8s moto prometheus registry tools. Idempotent; everything is cached outside the repo.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
parts=("$@")
[ ${#parts[@]} -eq 0 ] && parts=(moto registry docker k8s argo prometheus tools)
for part in "${parts[@]}"; do
  script="$here/install/$part.sh"
  [ -f "$script" ] || { echo "unknown bed part '$part' (have: $(ls "$here/install" | grep -v lib.sh | sed 's/\.sh$//' | tr '\n' ' '))" >&2; exit 2; }
  start=$(date +%s)
  bash "$script"
  echo "[bed install] $part ready ($(( $(date +%s) - start )) s)" >&2
done
