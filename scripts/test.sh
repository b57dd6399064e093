#!/usr/bin/env bash
# The README's test command runs this (npm test): installs what the tests need
# when it is missing, then typechecks, lints and runs every test (docs/development.md#test-time).
#   - Go fixture target: Debian's Go + Prometheus/gRPC packages, built offline in GOPATH mode
#   - headless Chromium for the report's browser test (when scripts/setup-browser.sh exists)
set -euo pipefail
cd "$(dirname "$0")/.."

[ -d node_modules ] || npm ci
if [ -f scripts/setup-browser.sh ]; then bash scripts/setup-browser.sh; fi
# npm ci's prepare step has just built dist/ on a fresh clone: build again only when a source is newer.
if [ ! -f dist/cli/main.js ] || [ -n "$(find src tsconfig.json tsconfig.build.json package.json -newer dist/cli/main.js -print -quit)" ]; then
  npm run --silent build
fi

mkdir -p results
status=0
# Typecheck, lint, the Go fixture's build (only the integration tests need it; about 20 s of CPU
# with a cold Go cache), the unit tests and the light tests (real processes, no load:
# vitest.config.ts) at the same time: none of them loads the machine in a way another one
# measures, and together they keep both cores busy. The checks' output is printed after the tests'.
checks=$(mktemp -d)
checks_failed=0
(npm run --silent typecheck >"$checks/typecheck.log" 2>&1; echo $? >"$checks/typecheck.rc") &
(npm run --silent lint >"$checks/lint.log" 2>&1; echo $? >"$checks/lint.rc") &
(bash scripts/build-go-fixture.sh >"$checks/go-fixture.log" 2>&1; echo $? >"$checks/go-fixture.rc") &
npx vitest run --project unit --project light --reporter=default --reporter=json --outputFile.json=results/.vitest-unit.json "$@" || status=$?
wait
for c in typecheck lint go-fixture; do
  rc=$(cat "$checks/$c.rc" 2>/dev/null || echo 1)
  what="npm run $c"
  [ "$c" = go-fixture ] && what="bash scripts/build-go-fixture.sh"
  if [ "$rc" != 0 ]; then
    echo "$what failed (exit $rc):"
    cat "$checks/$c.log"
    checks_failed=1
  elif [ "$c" = go-fixture ]; then
    cat "$checks/$c.log"
  else
    echo "$what: ok"
  fi
done
rm -rf "$checks"
# A failed typecheck, lint or fixture build stops here (the integration tests would run code that does not check, or lack their target);
# a failed unit test does not.
[ "$checks_failed" = 0 ] || { echo "tests: typecheck, lint or the Go fixture's build failed, integration tests not run"; exit 1; }
# Then the integration tests, one file at a time (they put real load on the machine), never at the same
# time as anything above.
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
