#!/usr/bin/env bash
# `make compose-up`: the compose dev cluster (docker-compose.yml) on the engine of
# DOCKER_HOST, after deps and build. Safe to run again: it reuses what runs.
#
#   1. Open vSwitch on the host: the one answering on /var/run/openvswitch/db.sock,
#      else ovsdb-server + ovs-vswitchd started here as `make demo` does (the
#      userspace datapath works without the kernel module); pid files in $STATE.
#   2. The images: deploy/images/build.sh (a no-op when nothing changed).
#   3. docker-compose up -d, then waits until netplugin is healthy.
#   4. The busybox image (deploy/host/busybox-image.sh) for the workflows.
set -euo pipefail
# shellcheck source=deploy/compose/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=deploy/host/ovs.sh
. "$ROOT/deploy/host/ovs.sh"

[ "$(id -u)" = 0 ] || die "run as root (OVS and the Docker socket need it)"
command -v docker-compose >/dev/null || die "docker-compose is not installed (make deps installs it)"
docker version >/dev/null 2>&1 || die "no Docker engine answers at ${DOCKER_HOST:-unix:///var/run/docker.sock}"
start_host_ovs

"$ROOT/deploy/images/build.sh"

"${COMPOSE[@]}" up -d
wait_until 60 sh -c "[ \"\$(docker inspect --format '{{.State.Health.Status}}' contiv-netplugin)\" = healthy ]" \
  || die "netplugin did not become healthy: docker logs contiv-netplugin; $LOG_DIR/netplugin.log"
for c in "${CONTAINERS[@]}"; do log "$c: $(health "$c")"; done
"$ROOT/deploy/host/busybox-image.sh" import "${DOCKER_HOST:-}" | sed 's/^/[compose] image: /'

cat <<EOT

Contiv (docker-compose) is up.
  docker-compose exec netmaster netctl network create contiv-net -s 10.1.2.0/24 -g 10.1.2.1
  docker run -itd --net=contiv-net --name=c1 busybox sh
  docker run --rm --net=contiv-net busybox ping -c2 c1
Logs: docker-compose logs, $LOG_DIR   Stop: make compose-down
EOT
