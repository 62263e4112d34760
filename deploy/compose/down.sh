#!/usr/bin/env bash
# `make compose-down`: removes the compose dev cluster and what it made, in the
# order that leaves nothing stale. Safe to run when nothing is up.
#
#   1. While netmaster and the plugin still answer: the containers on Contiv
#      networks (Docker has the plugin release their veths, OVS ports and
#      addresses), the Contiv groups and networks (netplugin removes their Docker
#      networks), and the networks made from Docker. A plain `docker-compose down`
#      skips this: those containers keep their ports and flows in OVS and keep
#      talking, and `docker-compose up -d` finds them again (docs/deploy.md).
#   2. docker-compose down -v: the four containers and the volumes of etcd and
#      netplugin's state.
#   3. The OVS bridge contivbr (and its flows), and the OVS daemons if up.sh
#      started them.
# Left: the images, the logs in /var/log/contiv, an OVS that already ran.
set -euo pipefail
# shellcheck source=deploy/compose/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=deploy/host/workloads.sh
. "$ROOT/deploy/host/workloads.sh"

docker_ok() { docker version >/dev/null 2>&1; }
shim_running() { docker_ok && [ "$(health contiv-driver-shim)" = running ]; }

if shim_running; then remove_plugin_containers; fi
if netmaster_ok; then remove_contiv_networks; fi
if shim_running; then remove_plugin_networks; fi
left="$(plugin_networks | tr '\n' ' ')"
[ -z "$left" ] || log "WARNING: Docker networks of the plugin left: $left (the plugin is down; start it again and rerun, or docker network rm them)"

if docker_ok; then
  "${COMPOSE[@]}" down -v --remove-orphans
fi

if ovs_answers; then
  if ovs-vsctl --db="$OVS_DB" --timeout=5 --if-exists del-br "$BRIDGE"; then log "OVS: bridge $BRIDGE removed"; fi
fi
for d in ovs-vswitchd ovsdb-server; do
  if pid_alive "$STATE/$d.pid" "$d"; then
    pid="$(cat "$STATE/$d.pid")"
    kill "$pid" 2>/dev/null || true
    n=0
    while pid_alive "$STATE/$d.pid" "$d" && [ "$n" -lt 75 ]; do sleep 0.2; n=$((n + 1)); done
    if pid_alive "$STATE/$d.pid" "$d"; then kill -9 "$pid" 2>/dev/null || true; fi
    log "OVS: $d stopped (pid $pid)"
  fi
  rm -f "$STATE/$d.pid"
done
log "compose cluster is down (images and logs kept)"
