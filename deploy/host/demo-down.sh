#!/usr/bin/env bash
# `make demo-down`: undoes demo-up.sh. Removes the containers on our networks,
# our networks (Contiv and Docker), our OVS bridge, and stops only the processes
# whose pid files demo-up.sh wrote (an engine, OVS or etcd that already ran is
# left running). Safe to run when nothing is up.
set -euo pipefail
# shellcheck source=deploy/host/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=deploy/host/workloads.sh
. "$ROOT/deploy/host/workloads.sh"

# ------------------------------------------------ containers and networks (while the plugin answers)
if docker_ok; then remove_plugin_containers; fi
if netmaster_ok; then remove_contiv_networks; fi
if docker_ok; then remove_plugin_networks; fi

# ------------------------------------------------ our services
stop_pidfile driver-shim "$STATE/driver-shim.pid" driver-shim/lib/main.js
stop_pidfile netplugin "$STATE/netplugin.pid" netplugin/lib/main.js
stop_pidfile netmaster "$STATE/netmaster.pid" netmaster/lib/main.js
rm -f "$PLUGIN_SOCKET" "$AGENT_SOCKET"
rm -rf "$STATE/netplugin"

# ------------------------------------------------ OVS: our bridge, and the daemons if we started them
if ovs-vsctl --db="$OVS_DB" --timeout=3 show >/dev/null 2>&1; then
  ovs-vsctl --db="$OVS_DB" --timeout=5 --if-exists del-br "$BRIDGE" && log "OVS: bridge $BRIDGE removed"
fi
stop_pidfile ovs-vswitchd "$STATE/ovs-vswitchd.pid" ovs-vswitchd
stop_pidfile ovsdb-server "$STATE/ovsdb-server.pid" ovsdb-server

# ------------------------------------------------ dockerd and etcd if we started them
if pid_alive "$STATE/dockerd.pid" dockerd; then
  # Containers whose PID 1 ignores SIGTERM would hold dockerd's stop for 10 s each.
  ids="$(docker ps -q 2>/dev/null || true)"
  [ -z "$ids" ] || log "dockerd: stopping, with running containers: $(echo $ids)"
fi
stop_pidfile dockerd "$STATE/dockerd.pid" dockerd
if [ -f "$STATE/etcd.pid" ]; then
  stop_pidfile etcd "$STATE/etcd.pid" etcd
  # The next demo starts from an empty store, matching the engine's state.
  rm -rf "$STATE/etcd" "$STATE/etcd.port" "$STATE/etcd.peer-port"
fi

# ------------------------------------------------ netctl link
if [ "$(readlink "$BIN_DIR/netctl" 2>/dev/null)" = "$ROOT/services/netctl/lib/main.js" ]; then
  rm -f "$BIN_DIR/netctl"; log "removed $BIN_DIR/netctl"
fi
log "demo is down (logs kept in $LOG_DIR)"
