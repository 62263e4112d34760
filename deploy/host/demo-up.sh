#!/usr/bin/env bash
# `make demo` after deps and build: brings up a single-host Contiv on this machine
# and runs the seed's legacy workflow as a smoke check.
#
#   etcd      own data dir in $STATE, 127.0.0.1:2379 (another free port if taken)
#   OVS       the running one if any, else ovsdb-server + ovs-vswitchd on OVS's own paths
#   dockerd   the one on /var/run/docker.sock if it answers, else Debian's dockerd
#   netmaster --plugin-mode docker (legacy: netctl networks appear in Docker), :9999
#   netplugin, driver shim (/run/docker/plugins/netplugin.sock)
#
# Everything it starts has a pid file in $STATE and its log in $LOG_DIR; running
# it again reuses what runs. `make demo-down` stops only what this started.
set -euo pipefail
# shellcheck source=deploy/host/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=deploy/host/ovs.sh
. "$ROOT/deploy/host/ovs.sh"

[ "$(id -u)" = 0 ] || die "run as root (OVS, network namespaces and dockerd need it)"
for b in netmaster netplugin driver-shim netctl; do
  [ -f "$ROOT/services/$b/lib/main.js" ] || die "services/$b is not built: run 'make build'"
done
mkdir -p "$STATE" "$LOG_DIR"

# ---------------------------------------------------------------- etcd
ETCD_PORT=""
if pid_alive "$STATE/etcd.pid" etcd; then
  ETCD_PORT="$(cat "$STATE/etcd.port")"
  log "etcd: running (pid $(cat "$STATE/etcd.pid"), 127.0.0.1:$ETCD_PORT)"
else
  # Same ports as last time if they are free (the member's stored peer URL), else new ones and a fresh data dir.
  if [ -f "$STATE/etcd.port" ] && [ -f "$STATE/etcd.peer-port" ] && [ -d "$STATE/etcd" ] \
     && ! port_in_use "$(cat "$STATE/etcd.port")" && ! port_in_use "$(cat "$STATE/etcd.peer-port")"; then
    ETCD_PORT="$(cat "$STATE/etcd.port")"; PEER_PORT="$(cat "$STATE/etcd.peer-port")"
  else
    rm -rf "$STATE/etcd"
    ETCD_PORT="$(pick_port 2379 23790 23799)" || die "no free port for etcd (2379, 23790-23799 are all taken)"
    PEER_PORT="$(pick_port 2380 23800 23809 "$ETCD_PORT")" || die "no free peer port for etcd"
    [ "$ETCD_PORT" = 2379 ] || log "etcd: 127.0.0.1:2379 is taken by another process; the demo's etcd uses 127.0.0.1:$ETCD_PORT"
  fi
  echo "$ETCD_PORT" > "$STATE/etcd.port"; echo "$PEER_PORT" > "$STATE/etcd.peer-port"
  start_bg etcd "$LOG_DIR/etcd.log" "$STATE/etcd.pid" \
    etcd --name contiv-demo --data-dir "$STATE/etcd" \
      --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
      --listen-peer-urls "http://127.0.0.1:$PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$PEER_PORT" \
      --initial-cluster "contiv-demo=http://127.0.0.1:$PEER_PORT" --enable-v2=true
  wait_until 30 "etcd" curl -fsS "http://127.0.0.1:$ETCD_PORT/health" \
    || die "etcd did not become healthy; see $LOG_DIR/etcd.log"
fi
CLUSTER_STORE="etcd://127.0.0.1:$ETCD_PORT"

# ---------------------------------------------------------------- OVS
start_host_ovs

# ---------------------------------------------------------------- dockerd
if docker_ok; then
  log "dockerd: answers on $DOCKER_SOCK (using it, version $(docker version --format '{{.Server.Version}}'))"
else
  start_bg dockerd "$LOG_DIR/dockerd.log" "$STATE/dockerd.pid" dockerd -H "unix://$DOCKER_SOCK"
  wait_until 60 "dockerd" docker_ok || die "dockerd did not answer on $DOCKER_SOCK; see $LOG_DIR/dockerd.log"
fi

# ---------------------------------------------------------------- our services
node_svc() { echo node "$ROOT/services/$1/lib/main.js"; }

if pid_alive "$STATE/netmaster.pid" netmaster/lib/main.js; then
  log "netmaster: running (pid $(cat "$STATE/netmaster.pid"))"
else
  port_in_use "$NETMASTER_PORT" && die "port $NETMASTER_PORT is taken by another process; netmaster needs it (set CONTIV_NETMASTER_PORT)"
  # shellcheck disable=SC2046
  start_bg netmaster "$LOG_DIR/netmaster.out" "$STATE/netmaster.pid" $(node_svc netmaster) \
    --cluster-store "$CLUSTER_STORE" --listen-url ":$NETMASTER_PORT" --plugin-mode docker --log-dir "$LOG_DIR"
fi
wait_until 30 "netmaster" netmaster_ok || die "netmaster does not answer on $NETMASTER; see $LOG_DIR/netmaster.log and netmaster.out"

if pid_alive "$STATE/netplugin.pid" netplugin/lib/main.js; then
  log "netplugin: running (pid $(cat "$STATE/netplugin.pid"))"
else
  # shellcheck disable=SC2046
  start_bg netplugin "$LOG_DIR/netplugin.out" "$STATE/netplugin.pid" $(node_svc netplugin) \
    --cluster-store "$CLUSTER_STORE" --control-url "127.0.0.1:$NETMASTER_PORT" --plugin-mode docker \
    --docker-host "$DOCKER_HOST" --ovsdb "$OVS_DB" --bridge "$BRIDGE" --agent-socket "$AGENT_SOCKET" --state-dir "$STATE/netplugin" --log-dir "$LOG_DIR" \
    --metrics-listen 127.0.0.1:9091
fi
wait_until 30 "netplugin" test -S "$AGENT_SOCKET" || die "netplugin did not open $AGENT_SOCKET; see $LOG_DIR/netplugin.log and netplugin.out"

if pid_alive "$STATE/driver-shim.pid" driver-shim/lib/main.js; then
  log "driver-shim: running (pid $(cat "$STATE/driver-shim.pid"))"
else
  # shellcheck disable=SC2046
  start_bg driver-shim "$LOG_DIR/driver-shim.out" "$STATE/driver-shim.pid" $(node_svc driver-shim) \
    --socket "$PLUGIN_SOCKET" --agent-socket "$AGENT_SOCKET" --log-dir "$LOG_DIR"
fi
wait_until 30 "driver shim" test -S "$PLUGIN_SOCKET" || die "the driver shim did not open $PLUGIN_SOCKET; see $LOG_DIR/driver-shim.log and driver-shim.out"

# ---------------------------------------------------------------- netctl, image
mkdir -p "$BIN_DIR"
chmod +x "$ROOT/services/netctl/lib/main.js"   # `make build` does it too; a bare tsc -b does not
ln -sfn "$ROOT/services/netctl/lib/main.js" "$BIN_DIR/netctl"
log "netctl: $BIN_DIR/netctl -> services/netctl/lib/main.js"
"$ROOT/deploy/host/busybox-image.sh" import "$DOCKER_HOST" | sed 's/^/[demo] image: /'

# ---------------------------------------------------------------- smoke check
netctl() { netctl_cmd "$@"; }   # so the commands print as a user types them
TTY_FLAGS=()
if [ -t 0 ] && [ -t 1 ]; then TTY_FLAGS=(-it); fi

smoke_cleanup() {
  docker rm -f c1 c2 >/dev/null 2>&1 || true
  if netctl network inspect contiv-net >/dev/null 2>&1; then netctl network rm contiv-net >/dev/null; fi
  # In legacy mode netplugin removes the Docker network when the Contiv one goes.
  wait_until 20 "docker network removal" sh -c '! docker network inspect contiv-net' \
    || docker network rm contiv-net >/dev/null 2>&1 || true
}

show() { printf '\n$ %s\n' "$*"; "$@"; }

smoke_failed() {
  log "smoke check FAILED. Logs: $LOG_DIR/{netmaster,netplugin,driver-shim}.log, $LOG_DIR/*.out"
  exit 1
}

log "smoke check: the seed's legacy workflow"
smoke_cleanup
show netctl network create contiv-net -s 100.1.1.1/24 -g 100.1.1.100 || smoke_failed
wait_until 30 "docker network contiv-net" docker network inspect contiv-net \
  || { log "netplugin did not create the Docker network contiv-net"; smoke_failed; }
show docker run -itd --net=contiv-net --name=c1 busybox /bin/sh || smoke_failed
show docker run "${TTY_FLAGS[@]}" --rm --net=contiv-net --name=c2 busybox ping -c2 c1 || smoke_failed
smoke_cleanup
log "smoke check passed (c1, c2 and contiv-net removed again)"

cat <<EOF

Contiv demo is up.
  netctl network create contiv-net -s 100.1.1.1/24 -g 100.1.1.100
  docker run -itd --net=contiv-net --name=c1 busybox /bin/sh
  docker run -it --rm --net=contiv-net --name=c2 busybox ping -c2 c1
Docker-first:
  docker network create -d netplugin --ipam-driver netplugin --subnet 10.9.0.0/24 --gateway 10.9.0.1 net2
Logs: $LOG_DIR   State: $STATE   Stop: make demo-down
EOF
