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
# Unit tests first (parallel), then integration tests (one file at a time: they put real load on the
# machine), never both at once.
status=0
npx vitest run --project unit --reporter=default --reporter=json --outputFile.json=results/.vitest-unit.json "$@" || status=$?
npx vitest run --project integration --reporter=default --reporter=json --outputFile.json=results/.vitest-integration.json "$@" || status=$?
# A plain closing line CI can read: "tests: N passed, N failed".
node -e '
  const fs = require("fs");
  let p = 0, f = 0, s = 0;
  for (const file of process.argv.slice(1)) {
    if (!fs.existsSync(file)) { f++; continue; }
    const r = JSON.parse(fs.readFileSync(file, "utf8"));
    p += r.numPassedTests; f += r.numFailedTests; s += r.numPendingTests;
  }
  console.log(`tests: ${p} passed, ${f} failed` + (s ? `, ${s} skipped` : ""));
' results/.vitest-unit.json results/.vitest-integration.json || true
exit $status
