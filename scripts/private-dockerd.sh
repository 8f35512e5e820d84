#!/usr/bin/env bash
# A private Docker engine for the tests that restart the engine (keeper-dockerd-restart, the
# chaos dockerd scenarios), so they never restart the host's shared one: its own socket, data
# root, exec root (and so its own containerd), pid file, a default bridge of its own, no iptables
# rules, and an address pool of its own. Needs root.
#
# Not `--bridge none`: a dockerd started so deletes the interface docker0 at start-up, and with it
# the shared engine's default bridge (its containers on `bridge` then fail to start: "could not
# find bridge docker0").
#
#   eval "$(scripts/private-dockerd.sh start NAME)"   # exports DOCKER_HOST, BERTH_E2E_DOCKERD_PIDFILE, BERTH_E2E_DOCKERD_LOG
#   npx vitest run --project e2e test/e2e/keeper-dockerd-restart.test.ts
#   scripts/private-dockerd.sh stop NAME               # stops it and removes everything it had
set -euo pipefail
cmd=${1:?usage: private-dockerd.sh start|stop NAME}
name=${2:?usage: private-dockerd.sh start|stop NAME}
data=/tmp/berth-$name-docker
exec_root=/run/berth-$name-exec
sock=/run/berth-$name.sock
pidfile=/run/berth-$name.pid
log=/tmp/berth-$name-dockerd.log
bridge=bb-${name:0:12}
# One /24 per name, out of 10.214.0.0/16 (the address pool below is 10.213.0.0/16).
subnet=$(( $(printf '%s' "$name" | cksum | cut -d' ' -f1) % 250 + 1 ))

case $cmd in
start)
  mkdir -p "$data" "$exec_root"
  if ! ip link show "$bridge" >/dev/null 2>&1; then
    ip link add name "$bridge" type bridge
    ip addr add "10.214.$subnet.1/24" dev "$bridge"
    ip link set "$bridge" up
  fi
  setsid dockerd --data-root "$data" --exec-root "$exec_root" --pidfile "$pidfile" -H "unix://$sock" \
    --bridge "$bridge" --iptables=false --ip-masq=false --default-address-pool base=10.213.0.0/16,size=24 \
    >>"$log" 2>&1 </dev/null &
  for _ in $(seq 1 100); do
    if DOCKER_HOST="unix://$sock" docker info >/dev/null 2>&1; then
      echo "export DOCKER_HOST=unix://$sock BERTH_E2E_DOCKERD_PIDFILE=$pidfile BERTH_E2E_DOCKERD_LOG=$log"
      exit 0
    fi
    sleep 0.2
  done
  echo "private dockerd $name did not answer; see $log" >&2
  exit 1
  ;;
stop)
  if [ -f "$pidfile" ]; then
    pid=$(cat "$pidfile")
    # Its containers first, so nothing of them outlives the engine.
    DOCKER_HOST="unix://$sock" docker ps -aq | xargs -r env DOCKER_HOST="unix://$sock" docker rm -f >/dev/null 2>&1 || true
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  fi
  # Mounts it may have left (overlay layers, netns), then its directories.
  grep -E " ($data|$exec_root)[/ ]" /proc/mounts | awk '{print $2}' | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
  rm -rf "$data" "$exec_root" "$sock" "$pidfile" "$log"
  ip link del "$bridge" 2>/dev/null || true
  ;;
*)
  echo "usage: private-dockerd.sh start|stop NAME" >&2
  exit 2
  ;;
esac
