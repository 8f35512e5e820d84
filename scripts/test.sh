#!/usr/bin/env bash
# The test command (README, and what .ci/run calls): prepares the host, installs
# dependencies, builds, then runs every test: unit and end-to-end against the real engine,
# then (for the whole suite, not a chosen file) the chaos suite with CI's small counts
# (test/chaos; it restarts the Docker engine this script started, so nothing else may use it).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-host.sh
npm ci --no-audit --no-fund
npm run build
npx vitest run "$@"
if [ $# -eq 0 ]; then npm run chaos -- --small; fi
