#!/usr/bin/env bash
# A multi-node Docker Swarm on this one machine (issue 20): one dockerd per node, each in a
# network namespace and a UTS namespace of its own, joined by a bridge, plus a local registry
# (Debian's docker-registry) every node pulls from. Needs root. See docs/swarm.md, "The lab".
#
#   eval "$(scripts/swarm-lab.sh up 3)"   # exports DOCKER_HOST (the manager), BERTH_LAB_REGISTRY, BERTH_LAB_NODES
#   scripts/swarm-lab.sh env | nodes | status
#   scripts/swarm-lab.sh stop-node berthlab-node2 ; scripts/swarm-lab.sh start-node berthlab-node2
#   scripts/swarm-lab.sh down                # removes everything `up` made; safe when nothing is up
#
# Only the export lines go to stdout; progress and figures go to stderr.
#
# Layout (node K, 1-based; node 1 is the manager):
#   bridge berthlab0 10.215.0.1/24 in the host; veth berthlabK (host side) / eth0 (node side),
#   node address 10.215.0.(10+K); netns berthlab-nodeK (/var/run/netns); UTS namespace bound to
#   /run/berth-lab/nodeK.uts (hostname berthlab-nodeK); dockerd with its data root, config, key
#   and log under /var/lib/berth-lab/nodeK, exec root /run/berth-lab/nodeK, socket
#   /run/berth-lab/nodeK.sock; registry at 10.215.0.1:5000, storage /var/lib/berth-lab/registry.
# Addresses: 10.213/16 and 10.214/16 belong to scripts/private-dockerd.sh, so the lab takes
# 10.215.0.0/24 for the bridge, 10.216.0.0/16 for the nodes' own bridges (docker0,
# docker_gwbridge) and 10.218.0.0/16 for Swarm's overlay networks.
#
# Every lab process runs in the cgroup-v2 subtree berthlab/: the registry in registry/, node K's
# dockerd, containerd and shims in nodeK/engine/, its containers under nodeK/containers/ (the
# engine's cgroup parent; on a cgroup-v1 host they stay in the shim's v2 cgroup). `stop-node`
# is one write to nodeK/cgroup.kill, which kills the node's engine and everything it ran at
# once, as a crashed machine would; its data root and namespaces stay, so `start-node` boots
# the same node again and it rejoins the swarm. Processes sit in leaves only: on a cgroup-v2
# host, runc can enable controllers for the containers only in cgroups without processes.
set -euo pipefail

NET=10.215.0
HOST_IP=$NET.1
BRIDGE=berthlab0
LAB=/var/lib/berth-lab
RUN=/run/berth-lab
REGISTRY=$HOST_IP:5000
OVERLAY_POOL=10.218.0.0/16
# Heartbeat 1 s: a node that stops answering is Down after a few seconds (Swarm's default is
# 5 s, and a grace of several periods), which keeps the failover test well inside its 90 s.
HEARTBEAT=1s

log() { printf 'swarm-lab: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }
usage() { echo "usage: swarm-lab.sh up [N] | env | nodes | status | stop-node NAME | start-node NAME | down" >&2; exit 2; }

node_name() { echo "berthlab-node$1"; }
node_ip() { echo "$NET.$((10 + $1))"; }
node_sock() { echo "$RUN/node$1.sock"; }
# The number in berthlab-nodeK, or failure for a name the lab does not have.
node_index() {
  local k=${1#berthlab-node}
  [[ $k =~ ^[1-9][0-9]?$ ]] && [ -e "$RUN/node$k.uts" ] || die "no lab node named '$1' (see: swarm-lab.sh nodes)"
  echo "$k"
}
node_count() { cat "$RUN/count" 2>/dev/null || echo 0; }
dk() { local k=$1; shift; docker -H "unix://$(node_sock "$k")" "$@"; }

# The cgroup-v2 hierarchy: /sys/fs/cgroup itself on a v2-only host, /sys/fs/cgroup/unified on a
# hybrid one (cgroup.kill needs no controller, so the empty unified tree of a v1 host serves).
cgroup2_root() { awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts; }

check_host() {
  local missing=() probe=berthlab-probe
  [ "$(id -u)" -eq 0 ] || die "needs root"
  for c in ip nsenter unshare dockerd containerd runc docker docker-registry iptables curl; do
    command -v "$c" >/dev/null 2>&1 || missing+=("command $c (scripts/setup-host.sh installs it)")
  done
  [ -e /proc/self/ns/net ] || missing+=("network namespaces (CONFIG_NET_NS)")
  [ -e /proc/self/ns/uts ] || missing+=("UTS namespaces (CONFIG_UTS_NS)")
  grep -qw overlay /proc/filesystems || missing+=("overlay filesystem (CONFIG_OVERLAY_FS), for the overlay2 storage driver")
  local fs; fs=$(stat -f -c %T /var/lib 2>/dev/null || echo unknown)
  case $fs in overlayfs | tmpfs | unknown) missing+=("/var/lib on $fs: overlay2 needs a data root on a real filesystem (ext4, xfs)") ;; esac
  local cg; cg=$(cgroup2_root)
  if [ -z "$cg" ]; then missing+=("a cgroup v2 mount (cgroup2 in /proc/mounts)")
  elif [ ! -e "$cg/cgroup.procs" ] || ! mkdir -p "$cg/berthlab-probe" 2>/dev/null || [ ! -e "$cg/berthlab-probe/cgroup.kill" ]; then
    missing+=("cgroup.kill in the cgroup v2 tree at $cg (Linux 5.14 or later)")
  fi
  [ -n "$cg" ] && rmdir "$cg/berthlab-probe" 2>/dev/null || true
  # Links are tried, not looked up: modules may be built in, loadable, or missing, and
  # /proc/config.gz is not on every kernel. A throwaway namespace keeps the host untouched.
  if [ -e /proc/self/ns/net ] && ip netns add "$probe" 2>/dev/null; then
    ip -n "$probe" link add bl-br type bridge 2>/dev/null || missing+=("bridge interfaces (CONFIG_BRIDGE)")
    ip -n "$probe" link add bl-a type veth peer name bl-b 2>/dev/null || missing+=("veth pairs (CONFIG_VETH)")
    ip -n "$probe" link add bl-vx type vxlan id 4242 dstport 4789 local 127.0.0.1 2>/dev/null || missing+=("VXLAN (CONFIG_VXLAN), for Swarm overlay networks")
    ip netns del "$probe"
  else
    missing+=("ip netns add (network namespaces, iproute2)")
  fi
  if [ ${#missing[@]} -gt 0 ]; then
    log "this host lacks what the lab needs:"
    for m in "${missing[@]}"; do log "  missing: $m"; done
    exit 1
  fi
  # Not needed, but worth saying: Swarm's routing mesh and VIPs are IPVS. Without it the lab
  # runs services with endpoint mode dnsrr and host-mode published ports only.
  if [ ! -e /proc/net/ip_vs ] && ! { command -v modprobe >/dev/null 2>&1 && modprobe -q ip_vs 2>/dev/null; }; then
    log "note: no IPVS in this kernel: no ingress routing mesh or VIPs; use endpoint mode dnsrr and host-mode ports"
  fi
}

check_addresses() {
  local clash
  clash=$(ip -4 route show | awk '$1 ~ /^10\.(215|216|218)\./' | grep -v " dev $BRIDGE " || true)
  [ -z "$clash" ] || die "the host already routes the lab's addresses (10.215.0.0/24, 10.216/16, 10.218/16): $clash"
}

start_registry() {
  local dir=$LAB/registry cg; cg=$(cgroup2_root)/berthlab/registry
  mkdir -p "$dir/data" "$cg"
  cat >"$dir/config.yml" <<EOF
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $dir/data
  delete:
    enabled: true
http:
  addr: $REGISTRY
EOF
  # Its own process, not Debian's docker-registry unit: that one listens on :5000 on every
  # address and keeps its storage in /var/lib/docker-registry (setup-host.sh leaves it off).
  setsid bash -c 'echo $$ >"$1/cgroup.procs" && exec docker-registry serve "$2"' _ "$cg" "$dir/config.yml" >>"$dir/registry.log" 2>&1 </dev/null &
  for _ in $(seq 1 100); do curl -sf "http://$REGISTRY/v2/" >/dev/null 2>&1 && return 0; sleep 0.1; done
  die "the registry did not answer at $REGISTRY; see $dir/registry.log"
}

make_node() {
  local k=$1 name ip ns; name=$(node_name "$k"); ip=$(node_ip "$k"); ns=$name
  ip netns add "$ns"
  ip link add "berthlab$k" type veth peer name eth0 netns "$ns"
  ip link set "berthlab$k" master "$BRIDGE" up
  ip -n "$ns" addr add "$ip/24" dev eth0
  ip -n "$ns" link set lo up
  ip -n "$ns" link set eth0 up
  # A UTS namespace bound to a file outlives its processes, so a node keeps its hostname
  # (the Swarm node's name) across stop-node / start-node.
  : >"$RUN/node$k.uts"
  unshare --uts="$RUN/node$k.uts" hostname "$name"
  mkdir -p "$LAB/node$k/docker" "$RUN/node$k"
  # The node's own config file, so the host's /etc/docker/daemon.json (if any) is not read;
  # its own key (the engine ID), not the host's /etc/docker/key.json. The node's bridges live
  # in its own netns, so they cannot clash with the host's docker0; the addresses are still
  # distinct per node to keep traces readable. iptables: the rules go to the node's netns.
  cat >"$LAB/node$k/daemon.json" <<EOF
{
  "data-root": "$LAB/node$k/docker",
  "exec-root": "$RUN/node$k",
  "pidfile": "$RUN/node$k.pid",
  "hosts": ["unix://$(node_sock "$k")"],
  "deprecated-key-path": "$LAB/node$k/key.json",
  "storage-driver": "overlay2",
  "insecure-registries": ["$REGISTRY"],
  "bip": "10.216.$((16 * k)).1/24",
  "default-address-pools": [{ "base": "10.216.$((16 * k + 8)).0/21", "size": 24 }],
  "cgroup-parent": "/berthlab/node$k/containers",
  "exec-opts": ["native.cgroupdriver=cgroupfs"],
  "iptables": true,
  "log-driver": "json-file",
  "log-opts": { "max-size": "1m", "max-file": "1" }
}
EOF
}

# nsenter, not `ip netns exec`: that one remounts /sys for the new netns, which hides the
# cgroup mounts dockerd needs.
start_dockerd() {
  local k=$1 cg; cg=$(cgroup2_root)/berthlab/node$k/engine
  mkdir -p "$cg"
  setsid bash -c 'echo $$ >"$1/cgroup.procs" && exec nsenter --net="/var/run/netns/$2" --uts="$3" dockerd --config-file "$4"' \
    _ "$cg" "$(node_name "$k")" "$RUN/node$k.uts" "$LAB/node$k/daemon.json" >>"$LAB/node$k/dockerd.log" 2>&1 </dev/null &
}

wait_dockerd() {
  local k=$1
  for _ in $(seq 1 300); do dk "$k" version >/dev/null 2>&1 && return 0; sleep 0.2; done
  die "dockerd of $(node_name "$k") did not answer; see $LAB/node$k/dockerd.log"
}

# Hostname Status, one line per node, as the manager sees them.
swarm_nodes() { dk 1 node ls --format '{{.Hostname}} {{.Status}}' 2>/dev/null; }

wait_ready() {
  local want=$1 secs=$2
  for _ in $(seq 1 $((secs * 2))); do
    [ "$(swarm_nodes | awk '$2 == "Ready"' | wc -l)" -ge "$want" ] && return 0
    sleep 0.5
  done
  swarm_nodes >&2 || true
  die "fewer than $want nodes Ready after ${secs}s"
}

lab_pids() {
  local cg; cg=$(cgroup2_root)/berthlab
  [ -d "$cg" ] && find "$cg" -name cgroup.procs -exec cat {} + 2>/dev/null | sort -un || true
}

print_env() {
  local n ips=() k; n=$(node_count)
  [ "$n" -gt 0 ] || die "the lab is not up (swarm-lab.sh up)"
  for k in $(seq 1 "$n"); do ips+=("$(node_ip "$k")"); done
  echo "export DOCKER_HOST=unix://$(node_sock 1) BERTH_LAB_REGISTRY=$REGISTRY BERTH_LAB_NODES=\"${ips[*]}\""
}

cmd_up() {
  local n=${1:-3} began k token
  [[ $n =~ ^[1-9]$ ]] || die "N must be 1..9"
  [ "$(node_count)" -eq 0 ] && [ ! -e "/var/run/netns/$(node_name 1)" ] || die "a lab is already up (swarm-lab.sh down first)"
  began=$(date +%s%N)
  check_host
  check_addresses
  mkdir -p "$LAB" "$RUN"
  # If anything below fails, leave nothing half-made behind.
  trap 'rc=$?; [ "$rc" -eq 0 ] || { log "up failed; removing what it made"; cmd_down >/dev/null 2>&1 || true; }; exit "$rc"' EXIT
  ip link add "$BRIDGE" type bridge
  ip addr add "$HOST_IP/24" dev "$BRIDGE"
  ip link set "$BRIDGE" up
  # With br_netfilter on (the host's dockerd turns it on), frames between the nodes' veths
  # cross the host's FORWARD chain, whose policy the host's dockerd sets to DROP.
  iptables -I FORWARD -i "$BRIDGE" -o "$BRIDGE" -m comment --comment berth-lab -j ACCEPT
  start_registry
  for k in $(seq 1 "$n"); do make_node "$k"; done
  echo "$n" >"$RUN/count"
  for k in $(seq 1 "$n"); do start_dockerd "$k"; done
  for k in $(seq 1 "$n"); do wait_dockerd "$k"; done
  dk 1 swarm init --advertise-addr "$(node_ip 1)" --listen-addr "$(node_ip 1):2377" \
    --dispatcher-heartbeat "$HEARTBEAT" --task-history-limit 1 \
    --default-addr-pool "$OVERLAY_POOL" --default-addr-pool-mask-length 24 >/dev/null
  token=$(dk 1 swarm join-token -q worker)
  # The workers join in parallel; `wait` names them, because a bare `wait` would also wait
  # for the engines and the registry, which are this shell's children too.
  local joins=()
  for k in $(seq 2 "$n"); do
    dk "$k" swarm join --token "$token" --advertise-addr "$(node_ip "$k")" --listen-addr "$(node_ip "$k"):2377" "$(node_ip 1):2377" >/dev/null &
    joins+=($!)
  done
  for k in "${joins[@]}"; do wait "$k"; done
  wait_ready "$n" 60
  trap - EXIT
  local ms=$((($(date +%s%N) - began) / 1000000)) rss
  rss=$(lab_pids | xargs -r ps -o rss= -p | awk '{ s += $1 } END { printf "%d", s / 1024 }')
  log "up: $n nodes Ready in $((ms / 1000)).$((ms % 1000 / 100)) s; lab processes (dockerd, containerd, registry) RSS ${rss} MiB"
  print_env
}

cmd_stop_node() {
  local k cg; k=$(node_index "${1:?stop-node NAME}"); cg=$(cgroup2_root)/berthlab/node$k
  [ -d "$cg" ] || return 0
  echo 1 >"$cg/cgroup.kill"
  for _ in $(seq 1 100); do [ -z "$(find "$cg" -name cgroup.procs -exec cat {} + 2>/dev/null)" ] && break; sleep 0.1; done
  log "stopped $(node_name "$k") (its dockerd, containerd and containers killed)"
}

# A killed node's shims leave their sockets in /run/containerd/s, shared with the host's engine,
# and neither the restarted containerd nor dockerd removes them. containerd names them
# sha256(<containerd socket>/<namespace>/<container id>): the lab's are found by the container
# directories in the node's data root, and only those go. Only for a node with nothing running.
drop_shim_sockets() {
  local k=$1 dir
  for dir in "$LAB/node$k"/docker/containers/*/; do
    [ -d "$dir" ] || continue
    rm -f "/run/containerd/s/$(printf '%s' "$RUN/node$k/containerd/containerd.sock/moby/$(basename "$dir")" | sha256sum | cut -c1-64)"
  done
}

cmd_start_node() {
  local k; k=$(node_index "${1:?start-node NAME}")
  if dk "$k" version >/dev/null 2>&1; then log "$(node_name "$k") is running"; return 0; fi
  [ -z "$(find "$(cgroup2_root)/berthlab/node$k" -name cgroup.procs -exec cat {} + 2>/dev/null)" ] ||
    die "$(node_name "$k") has processes but its engine does not answer; see $LAB/node$k/dockerd.log"
  # The killed engine's pid files name pids that may still exist as zombies until init reaps
  # them, and dockerd (for its own) and its containerd supervisor (for containerd's) take such a
  # pid for a running process. The node's cgroup is empty: nothing of the node runs.
  rm -f "$RUN/node$k.pid" "$RUN/node$k/containerd/containerd.pid"
  drop_shim_sockets "$k"
  start_dockerd "$k"
  wait_dockerd "$k"
  # The node's swarm state is in its data root: it rejoins by itself. Back once the manager
  # sees it Ready (the manager itself: once it answers as one).
  for _ in $(seq 1 120); do
    swarm_nodes | grep -qx "$(node_name "$k") Ready" && { log "started $(node_name "$k")"; return 0; }
    sleep 0.5
  done
  die "$(node_name "$k") runs but is not Ready in the swarm after 60 s"
}

cmd_status() {
  local n k; n=$(node_count)
  [ "$n" -gt 0 ] || { echo "down"; return 0; }
  for k in $(seq 1 "$n"); do
    if dk "$k" version >/dev/null 2>&1; then echo "$(node_name "$k") $(node_ip "$k") engine up"; else echo "$(node_name "$k") $(node_ip "$k") engine stopped"; fi
  done
  echo "swarm (as the manager sees it):"
  swarm_nodes || echo "  manager not answering"
  curl -sf "http://$REGISTRY/v2/" >/dev/null 2>&1 && echo "registry $REGISTRY up" || echo "registry $REGISTRY down"
}

cmd_nodes() {
  local k
  for k in $(seq 1 "$(node_count)"); do node_name "$k"; done
}

# Everything `up` may have made, each step tolerant of its part being absent, so this also
# clears what a failed or interrupted `up` left.
cmd_down() {
  local cg sock pid k; cg=$(cgroup2_root)
  # Containers first, through their engines: their shims then exit cleanly and remove their
  # sockets (under /run/containerd/s, shared with the host's engine). Then the engines.
  for sock in "$RUN"/node*.sock; do
    [ -S "$sock" ] || continue
    timeout 20 docker -H "unix://$sock" ps -aq 2>/dev/null | xargs -r timeout 30 docker -H "unix://$sock" rm -f >/dev/null 2>&1 || true
  done
  for pid in $(cat "$RUN"/node*.pid 2>/dev/null); do kill "$pid" 2>/dev/null || true; done
  for _ in $(seq 1 100); do
    [ -n "$(for pid in $(cat "$RUN"/node*.pid 2>/dev/null); do kill -0 "$pid" 2>/dev/null && echo "$pid"; done)" ] || break
    sleep 0.1
  done
  # Whatever is left (the registry, a stuck engine, a stopped node's leftovers): killed at once.
  if [ -n "$cg" ] && [ -d "$cg/berthlab" ]; then
    echo 1 >"$cg/berthlab/cgroup.kill" 2>/dev/null || true
    for _ in $(seq 1 100); do [ -z "$(lab_pids)" ] && break; sleep 0.1; done
  fi
  # Mounts the engines made in the shared mount namespace (overlay layers, container netns
  # and shm), and the UTS namespace files; deepest first.
  grep -E " ($LAB|$RUN)[/ ]" /proc/mounts | awk '{ print $2 }' | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
  local ns
  for ns in $(ip netns list 2>/dev/null | awk '$1 ~ /^berthlab-/ { print $1 }'); do ip netns del "$ns" 2>/dev/null || true; done
  # A node's veth goes with its netns; the host ends are removed by name in case one was left.
  for ns in $(ip -o link show 2>/dev/null | awk -F': ' '{ print $2 }' | sed 's/@.*//' | grep -E '^berthlab[0-9]+$' || true); do
    ip link del "$ns" 2>/dev/null || true
  done
  ip link del "$BRIDGE" 2>/dev/null || true
  while iptables -D FORWARD -i "$BRIDGE" -o "$BRIDGE" -m comment --comment berth-lab -j ACCEPT 2>/dev/null; do :; done
  # Cgroups: the v2 subtree and, per v1 hierarchy, the containers' cgroup-parent.
  local d
  for d in /sys/fs/cgroup/berthlab /sys/fs/cgroup/*/berthlab; do
    [ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} + 2>/dev/null || true
  done
  for k in "$LAB"/node*; do [ -d "$k" ] && drop_shim_sockets "${k#"$LAB"/node}"; done
  rm -rf "$LAB" "$RUN"
  log "down: nothing of the lab is left"
}

case ${1:-} in
up) cmd_up "${2:-3}" ;;
env) print_env ;;
nodes) cmd_nodes ;;
status) cmd_status ;;
stop-node) cmd_stop_node "${2:-}" ;;
start-node) cmd_start_node "${2:-}" ;;
down) cmd_down ;;
*) usage ;;
esac
