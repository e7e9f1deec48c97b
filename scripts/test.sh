#!/usr/bin/env bash
# The whole test suite against real services: set-up, lint + typecheck, jest (unit and integration,
# in band on this 2-core machine), the on-chain program's host tests. Ends with one summary line
# "tests: N passed, N failed".
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
start=$SECONDS
source scripts/setup.sh

status=0
echo "== lint, format, typecheck"
npx tsc -p tsconfig.json --noEmit || status=1
npx eslint --max-warnings=0 "{apps,libs,tools,bench,scripts,circuits}/**/*.ts" || status=1
npx prettier --check --log-level warn "{apps,libs,tools,bench,scripts,circuits}/**/*.ts" || status=1

echo "== jest"
mkdir -p .local/reports
# (jest's own summary is parsed: its --json writer cannot serialize BigInt values in failure details)
npx jest --runInBand "$@" 2>&1 | tee .local/reports/jest.txt || status=1

rm -f .local/reports/cargo.txt
if [ -f programs/test.sh ] && [ $# -eq 0 ]; then
  if command -v cargo >/dev/null; then
    echo "== cargo test (programs/)"
    bash programs/test.sh 2>&1 | tee .local/reports/cargo.txt || status=1
  else
    echo "== cargo test (programs/): SKIPPED, cargo is not installed (install Rust to run the program's host tests)"
  fi
fi

node scripts/test-summary.js .local/reports/jest.txt .local/reports/cargo.txt || status=1
echo "test run took $((SECONDS - start))s"
exit $status
