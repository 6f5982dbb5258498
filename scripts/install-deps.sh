#!/usr/bin/env bash
# Installs the real peers the integration, services and e2e tiers run against: podman as
# the Docker-API engine (test/support/podman.ts), Redis with Sentinel (the failover test,
# test/support/redis-sentinel.ts), the Prometheus tools (with
# node_exporter and blackbox_exporter, the references of npm run bench:agent), and
# openssl for the TLS test's throwaway certificate; chromium, which renders the landing
# page headless (test/integration/landing-page.test.ts); for the image tier, debootstrap
# (the stand-in base images, scripts/image-standins.sh) and podman's network stack with
# its DNS (netavark, aardvark-dns: compose services find each other by name). Idempotent:
# when every binary is already present apt is not touched at all, which keeps CI fast.
set -euo pipefail

packages=(
  podman runc busybox-static redis-server redis-sentinel
  prometheus prometheus-alertmanager prometheus-node-exporter prometheus-blackbox-exporter
  docker-compose openssl chromium debootstrap netavark aardvark-dns
)

static_busybox_present() {
  # The test image is /bin/busybox copied into an empty rootfs: it must be the static build
  # (ldd fails on a static binary).
  [[ -x /bin/busybox ]] && ! ldd /bin/busybox >/dev/null 2>&1
}

missing() {
  local binary
  for binary in podman runc conmon redis-server redis-sentinel prometheus promtool \
    prometheus-alertmanager amtool prometheus-node-exporter prometheus-blackbox-exporter \
    docker-compose tar openssl chromium \
    debootstrap /usr/lib/podman/netavark /usr/lib/podman/aardvark-dns; do
    command -v "$binary" >/dev/null 2>&1 || echo "$binary"
  done
  static_busybox_present || echo "static /bin/busybox"
}

absent=$(missing)
if [[ -z "$absent" ]]; then
  echo "install-deps: every required binary is present; skipping apt"
  exit 0
fi
echo "install-deps: missing: ${absent//$'\n'/, }"

if [[ $EUID -ne 0 ]]; then
  echo "install-deps: must run as root to install: ${packages[*]}" >&2
  exit 1
fi

# Debian starts prometheus, alertmanager, node-exporter, blackbox-exporter (:9115) and
# redis on their default ports
# when installed; tests start their own on free ports, so keep the packaged ones off.
policy=/usr/sbin/policy-rc.d
if [[ ! -e $policy ]]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy"
  chmod +x "$policy"
  trap 'rm -f "$policy"' EXIT
fi

export DEBIAN_FRONTEND=noninteractive
if ! apt-get update; then
  echo "install-deps: apt-get update failed" >&2
  exit 1
fi
if ! apt-get install -y --no-install-recommends "${packages[@]}"; then
  echo "install-deps: apt-get install failed for: ${packages[*]}" >&2
  exit 1
fi

absent=$(missing)
if [[ -n "$absent" ]]; then
  echo "install-deps: still missing after install: ${absent//$'\n'/, }" >&2
  exit 1
fi
echo "install-deps: done"
