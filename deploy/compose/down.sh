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

docker_ok() { docker version >/dev/null 2>&1; }
plugin_nets() { docker network ls --filter driver=netplugin --format '{{.Name}}' 2>/dev/null; }

if docker_ok && [ "$(health contiv-driver-shim)" = running ]; then
  for net in $(plugin_nets); do
    for c in $(docker network inspect "$net" --format '{{range .Containers}}{{.Name}} {{end}}' 2>/dev/null); do
      if docker rm -f "$c" >/dev/null 2>&1; then log "removed container $c (on $net)"; fi
    done
  done
fi
if netmaster_ok; then
  # Groups before networks; keys are tenant:name. Networks made from Docker are
  # refused here (409) and go through Docker below.
  for collection in endpointGroups networks; do
    for key in $(curl -fsS "$NETMASTER/api/v1/$collection/" | node -e '
      let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
        for (const o of JSON.parse(s || "[]")) if (o && o.key) console.log(o.key);
      });'); do
      if curl -fsS -X DELETE "$NETMASTER/api/v1/$collection/$key/" >/dev/null 2>&1; then log "removed Contiv ${collection%s} $key"; fi
    done
  done
fi
if docker_ok && [ "$(health contiv-driver-shim)" = running ]; then
  # netplugin may remove a network between the listing and the rm: a failed rm is no error.
  sweep() { for net in $(plugin_nets); do if docker network rm "$net" >/dev/null 2>&1; then log "removed Docker network $net"; fi; done; }
  sweep
  wait_until 20 sh -c "[ -z \"\$(docker network ls -q --filter driver=netplugin)\" ]" || sweep
fi
left="$(plugin_nets | tr '\n' ' ')"
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
