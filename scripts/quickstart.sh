#!/usr/bin/env bash
# Quickstart: on a fresh Debian machine, prepare Docker, build berth and the example images
# (no registry needed), validate examples/repo, converge the host to it, then run the daemon
# that keeps the host equal to the folder: edit a file under examples/repo and watch it roll.
# Ctrl-C stops the daemon; the app keeps running (berth is not in the data path).
#   BERTH_QUICKSTART_NO_DAEMON=1  stop after the first convergence (scripts, CI smoke tests)
set -euo pipefail
cd "$(dirname "$0")/.."
export BERTH_STATE_DIR="${BERTH_STATE_DIR:-$PWD/.state}"
app=(--app quickstart)

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "Preparing the host (Docker engine, static busybox)"
bash scripts/setup-host.sh
step "Installing and building berth"
npm ci --no-audit --no-fund --loglevel=error
npm run build --silent
step "Building the example images locally (no registry)"
npm run --silent images
step "Validating examples/repo"
./bin/berth validate examples/repo
step "Converging the host to examples/repo"
./bin/berth apply -f examples/repo "${app[@]}" --prune --all --wait --timeout 5m
step "What runs now"
./bin/berth get all -n shop "${app[@]}"
if curl -sf --max-time 3 http://127.0.0.1:30080/ >/dev/null 2>&1; then
  printf '\nThe web service answers on the NodePort:\n'
  curl -s --max-time 3 http://127.0.0.1:30080/
fi
printf '\nTry:\n  export BERTH_STATE_DIR=%q\n' "$BERTH_STATE_DIR"
printf '  ./bin/berth %s --app quickstart\n' 'get pods -n shop' 'diff -f examples/repo' 'rollout history deploy/web -n shop' 'logs -n shop deploy/web'
[ "${BERTH_QUICKSTART_NO_DAEMON:-0}" = 1 ] && exit 0
step "Running the daemon on examples/repo (Ctrl-C to stop; the app keeps running)"
exec ./bin/berth daemon --watch examples/repo "${app[@]}"
