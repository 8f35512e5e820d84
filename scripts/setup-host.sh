#!/usr/bin/env bash
# Prepares a Debian host for berth: a running Docker engine and the static busybox the
# example/test images are built from. Idempotent: does nothing that is already done.
# Needs root (or passwordless sudo) only when something must be installed or started.
set -euo pipefail

log() { printf 'setup-host: %s\n' "$*" >&2; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

need_packages=()
command -v dockerd >/dev/null 2>&1 || need_packages+=(docker.io)
[ -x /bin/busybox ] && /bin/busybox --help >/dev/null 2>&1 && ! ldd /bin/busybox >/dev/null 2>&1 || need_packages+=(busybox-static)
command -v git >/dev/null 2>&1 || need_packages+=(git)
# Git over SSH is tested against a real sshd on loopback (test/support/ssh-server.ts), which
# the tests start themselves; ssh-keygen/ssh-keyscan come with the client.
[ -x /usr/sbin/sshd ] || need_packages+=(openssh-server)
command -v ssh-keyscan >/dev/null 2>&1 || need_packages+=(openssh-client)
# The service data plane copies the host's iptables into its image (kernel forwarding).
[ -x /usr/sbin/iptables ] || [ -x /sbin/iptables ] || need_packages+=(iptables)
# ... and conntrack: the NodePort fast path deletes the closed flows of endpoints that left
# before Docker purges them by address (kernel-forwarder.ts, issue 13 #4).
[ -x /usr/sbin/conntrack ] || [ -x /sbin/conntrack ] || need_packages+=(conntrack)
# ACME is tested against a real CA on loopback: Debian's pebble (it ships pebble-challtestsrv
# too), with its HTTPS certificate made by openssl (test/e2e/support/pebble.ts).
command -v pebble >/dev/null 2>&1 && command -v pebble-challtestsrv >/dev/null 2>&1 || need_packages+=(pebble)
command -v openssl >/dev/null 2>&1 || need_packages+=(openssl)
# The web UI is tested in a real browser: Debian's chromium, driven by playwright-core (which
# downloads no browser of its own; test/e2e/support/browser.ts points it at /usr/bin/chromium).
[ -x /usr/bin/chromium ] || need_packages+=(chromium)
# The multi-node Swarm lab (scripts/swarm-lab.sh, issue 20): Debian's registry, through which
# berth's own images reach a Swarm's workers (the lab and swarm-images e2e run it themselves on
# an address of their own); ip (netns, veth, bridge), nsenter and unshare; curl for the
# registry's readiness check.
command -v docker-registry >/dev/null 2>&1 || need_packages+=(docker-registry)
command -v ip >/dev/null 2>&1 || need_packages+=(iproute2)
command -v nsenter >/dev/null 2>&1 && command -v unshare >/dev/null 2>&1 || need_packages+=(util-linux)
command -v curl >/dev/null 2>&1 || need_packages+=(curl)
if [ "${BERTH_SETUP_BENCH:-0}" = 1 ]; then
  command -v docker-compose >/dev/null 2>&1 || need_packages+=(docker-compose)
fi
if [ ${#need_packages[@]} -gt 0 ]; then
  log "installing ${need_packages[*]}"
  # No service may start from a package here (openssh-server would open port 22 to the
  # world): policy-rc.d exit 101 tells invoke-rc.d "not now"; removed again afterwards.
  policy=/usr/sbin/policy-rc.d
  own_policy=0
  if [ ! -e "$policy" ]; then
    as_root sh -c "printf '#!/bin/sh\nexit 101\n' > $policy && chmod 755 $policy"
    own_policy=1
    trap 'as_root rm -f "$policy"' EXIT
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_packages[@]}" >/dev/null
  if [ "$own_policy" = 1 ]; then as_root rm -f "$policy"; trap - EXIT; fi
  # systemd hosts enable units regardless of policy-rc.d: stop and disable the system sshd
  # if this script is what installed it.
  if printf '%s\n' "${need_packages[@]}" | grep -qx openssh-server && command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
    as_root systemctl disable --now ssh.service ssh.socket >/dev/null 2>&1 || true
  fi
  # Likewise the registry's unit: it would hold :5000 on every address with its own storage;
  # the lab starts a registry of its own on its bridge.
  if printf '%s\n' "${need_packages[@]}" | grep -qx docker-registry && command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
    as_root systemctl disable --now docker-registry.service >/dev/null 2>&1 || true
  fi
fi

docker_ok() { timeout 10 docker info >/dev/null 2>&1 || timeout 10 curl -sf --unix-socket /var/run/docker.sock http://localhost/_ping >/dev/null 2>&1; }
if ! docker_ok; then
  log "starting dockerd (log: /var/log/dockerd.log)"
  if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
    as_root systemctl start docker
  else
    as_root bash -c 'setsid dockerd >/var/log/dockerd.log 2>&1 < /dev/null &'
  fi
  for _ in $(seq 1 60); do docker_ok && break; sleep 1; done
  docker_ok || { log "dockerd did not come up; last log lines:"; tail -n 30 /var/log/dockerd.log >&2 || true; exit 1; }
fi
log "Docker engine ready"
