#!/usr/bin/env bash
# Installs what `make demo` and `make test` need on Debian 12 and nothing else:
# the Debian packages below (only the missing ones; `apt-get update` only when an
# install needs it), pnpm at the version pinned in package.json, and the
# workspace's node modules from the lockfile. Safe to run any number of times.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

# What each package is for: dockerd 20.10 (legacy plugins, --cluster-store), OVS
# (userspace datapath works without the kernel module), etcd 3.4 (+etcdctl),
# the static busybox the test image is built from, ip/ping/ethtool for the data
# path (ethtool turns TX checksum offload off on netdev-datapath veths), curl
# for health checks, make/util-linux for the entry points (flock, nsenter, unshare),
# tcpdump for the tests that check headers on the wire (netProfile DSCP), openssl
# for the TLS tests' throwaway CA (docs/security.md), docker-compose (1.29) for the
# compose dev cluster (docker-compose.yml, docs/deploy.md).
# Consul comes from bullseye, further down.
PACKAGES=(docker.io openvswitch-switch etcd-server etcd-client busybox-static iproute2
  iputils-ping ethtool curl make util-linux tcpdump openssl docker-compose)

log() { printf '[deps] %s\n' "$*"; }

installed() { [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]; }

missing=()
for p in "${PACKAGES[@]}"; do installed "$p" || missing+=("$p"); done
if [ "${#missing[@]}" -gt 0 ]; then
  [ "$(id -u)" = 0 ] || { echo "[deps] installing ${missing[*]} needs root" >&2; exit 1; }
  export DEBIAN_FRONTEND=noninteractive
  apt_install() { apt-get install -y --no-install-recommends "${missing[@]}"; }
  # An empty package list (fresh image) cannot install anything: update first.
  # Otherwise try the cached lists and update only if that fails (stale lists).
  if ! ls /var/lib/apt/lists/*_Packages* >/dev/null 2>&1; then
    log "apt-get update (no package lists yet)"; apt-get update
  fi
  log "installing ${missing[*]}"
  if ! apt_install; then log "apt-get update and retry"; apt-get update; apt_install; fi
else
  log "Debian packages present"
fi

# Consul (the `consul://` cluster store) is not in bookworm; bullseye has 1.8.7 and
# its binary runs here. A temporary sources entry makes only that package come from
# bullseye: it is removed again on every exit path, and its package lists with it.
BULLSEYE_LIST=/etc/apt/sources.list.d/contiv-bullseye-consul.list
install_consul() {
  [ "$(id -u)" = 0 ] || { echo "[deps] installing consul needs root" >&2; exit 1; }
  export DEBIAN_FRONTEND=noninteractive
  local mirror="${CONSUL_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
  trap 'rm -f "$BULLSEYE_LIST"' EXIT
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror bullseye main" >"$BULLSEYE_LIST"
  log "apt-get update (bullseye, for consul)"
  # Only the new entry's lists: the others stay as they are.
  apt-get update -o Dir::Etc::sourcelist="$BULLSEYE_LIST" -o Dir::Etc::sourceparts=- \
    -o APT::Get::List-Cleanup=0
  log "installing consul from bullseye"
  apt-get install -y --no-install-recommends -t bullseye consul
  rm -f "$BULLSEYE_LIST"
  trap - EXIT
  # Forget bullseye's lists so a later install cannot pick anything from them.
  rm -f /var/lib/apt/lists/*_dists_bullseye_*
}
if command -v consul >/dev/null 2>&1; then
  log "consul present"
else
  install_consul
fi

# docker-registry (Debian's Docker Distribution 2.x) for the local cluster's
# `--plugin v2`: `docker plugin install` pulls from a registry on each host's
# 127.0.0.1:5000. Only the .deb is fetched, never installed: its init script
# would start a registry on the machine's own port 5000. `cluster up` extracts
# it (dpkg -x) under the cluster's directory.
DEB_CACHE="${CONTIV_DEB_CACHE:-/var/cache/contiv}"
if ls "$DEB_CACHE"/docker-registry_*.deb >/dev/null 2>&1; then
  log "docker-registry .deb present ($(ls "$DEB_CACHE"/docker-registry_*.deb | tail -n 1))"
else
  [ "$(id -u)" = 0 ] || { echo "[deps] fetching docker-registry needs root" >&2; exit 1; }
  mkdir -p "$DEB_CACHE"
  log "fetching the docker-registry .deb into $DEB_CACHE (not installing it)"
  # apt-get download writes to the current directory (as root: the cache is root's).
  fetch_registry() { (cd "$DEB_CACHE" && apt-get download -o APT::Sandbox::User=root docker-registry); }
  if ! fetch_registry; then log "apt-get update and retry"; apt-get update; fetch_registry; fi
fi

PNPM_VERSION="$(node -e 'const m=/^pnpm@(.+)$/.exec(require(process.argv[1]).packageManager||"");process.stdout.write(m?m[1]:"")' "$ROOT/package.json")"
if ! command -v pnpm >/dev/null 2>&1; then
  log "installing pnpm@${PNPM_VERSION:-latest}"
  npm i -g "pnpm@${PNPM_VERSION:-latest}"
fi

# The lock serialises installs with other runs in the same tree (CI jobs, editors).
cd "$ROOT"
log "pnpm install --frozen-lockfile"
flock /tmp/contiv-pnpm.lock pnpm install --frozen-lockfile --reporter=silent
log "done"
