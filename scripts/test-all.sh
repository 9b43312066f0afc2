#!/usr/bin/env bash
# The whole test suite, on a fresh machine or a warm one: installs Node 24 (when the machine's
# node is older), the npm packages and every part of the test bed, checks types and bundles,
# then runs every test against the bed's real servers. Ends with "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD
mkdir -p .bed
passed=0; failed=0
check() { # check NAME COMMAND... : a step that counts as one test
  local name="$1"; shift
  echo "::group::$name" 
  if "$@"; then passed=$((passed + 1)); echo "::endgroup::"; echo "✓ $name"
  else failed=$((failed + 1)); echo "::endgroup::"; echo "✗ $name"; fi
}
finish() { echo "$passed passed, $failed failed"; [ "$failed" -eq 0 ]; exit $?; }

node_bin=$(bash scripts/node24.sh) || { echo "0 passed, 1 failed"; exit 1; }
export PATH="$node_bin:$PATH"
echo "node $(node -v), npm $(npm -v)"

start=$(date +%s)
if ! npm ci --no-audit --no-fund >.bed/npm-ci.log 2>&1; then
  echo "npm ci failed:"; tail -n 30 .bed/npm-ci.log; failed=$((failed + 1)); finish
fi
if ! bash test/bed/install.sh; then
  echo "installing the test bed failed (see above)"; failed=$((failed + 1)); finish
fi
echo "installed in $(( $(date +%s) - start )) s"

check "typecheck" npx tsc -p tsconfig.json --noEmit
check "lint and format (biome: rules, line width, the import ban)" npx biome ci --error-on-warnings --colors=off .
check "check-dist (bundles and READMEs match their sources)" bash scripts/check-dist.sh

rm -f .bed/vitest.json
npx vitest run --reporter=default --reporter=json --outputFile=.bed/vitest.json
if [ -f .bed/vitest.json ]; then
  read -r p f < <(node -e 'const r=JSON.parse(require("fs").readFileSync(".bed/vitest.json","utf8"));
    // A file that failed to load counts as a failure even though it has no test results.
    const broken=r.testResults.filter(t=>t.status==="failed"&&t.assertionResults.length===0).length;
    console.log(r.numPassedTests, r.numFailedTests+broken)')
  passed=$((passed + p)); failed=$((failed + f))
else
  echo "vitest wrote no results"; failed=$((failed + 1))
fi
cd "$root"
finish
