#!/usr/bin/env bash
# The README's test command runs this (npm test): installs what the tests need
# when it is missing, then typechecks, lints and runs every test.
#   - Go fixture target: Debian's Go + Prometheus/gRPC packages, built offline in GOPATH mode
#   - headless Chromium for the report's browser test (when scripts/setup-browser.sh exists)
set -euo pipefail
cd "$(dirname "$0")/.."

[ -d node_modules ] || npm ci
bash scripts/build-go-fixture.sh
if [ -f scripts/setup-browser.sh ]; then bash scripts/setup-browser.sh; fi
npm run --silent build
npm run --silent typecheck
npm run --silent lint

mkdir -p results
report=results/.vitest-report.json
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json="$report" "$@" || status=$?
# A plain closing line CI can read: "tests: N passed, N failed".
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed` + (r.numPendingTests ? `, ${r.numPendingTests} skipped` : ""));
' "$report" || true
exit $status
