#!/usr/bin/env bash
# The test command (README, and what .ci/run calls): prepares the host, installs
# dependencies, builds, then runs every test: unit and end-to-end against the real engine.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-host.sh
npm ci --no-audit --no-fund
npm run build
npx vitest run "$@"
