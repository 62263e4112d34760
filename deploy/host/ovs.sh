# Open vSwitch on the host for `make demo` and `make compose-up` (sourced, not
# run; the caller defines log, pid_alive, STATE, LOG_DIR, OVS_RUN and OVS_DB).
#
# start_host_ovs: uses the ovsdb-server answering on $OVS_DB and the running
# ovs-vswitchd, else starts them with OVS's default paths (the userspace
# datapath works without the kernel module); the pid files of what it started
# go to $STATE, so the matching down script stops only those.
start_host_ovs() {
  mkdir -p "$STATE" "$LOG_DIR" "$OVS_RUN" /etc/openvswitch
  if ovs-vsctl --db="$OVS_DB" --timeout=3 show >/dev/null 2>&1; then
    log "OVS: ovsdb-server answers on $OVS_DB (using it)"
  else
    local db=/etc/openvswitch/conf.db schema=/usr/share/openvswitch/vswitch.ovsschema
    [ -f "$db" ] || ovsdb-tool create "$db" "$schema"
    [ "$(ovsdb-tool needs-conversion "$db" "$schema")" = no ] || ovsdb-tool convert "$db" "$schema"
    ovsdb-server "$db" --remote="punix:$OVS_RUN/db.sock" --remote=db:Open_vSwitch,Open_vSwitch,manager_options \
      --pidfile="$OVS_RUN/ovsdb-server.pid" --log-file="$LOG_DIR/ovs-db.log" -vconsole:off --detach
    cp "$OVS_RUN/ovsdb-server.pid" "$STATE/ovsdb-server.pid"
    ovs-vsctl --db="$OVS_DB" --no-wait init
    log "OVS: ovsdb-server started (pid $(cat "$STATE/ovsdb-server.pid"), log $LOG_DIR/ovs-db.log)"
  fi
  if pid_alive "$OVS_RUN/ovs-vswitchd.pid" ovs-vswitchd || ovs-appctl -t ovs-vswitchd version >/dev/null 2>&1; then
    log "OVS: ovs-vswitchd runs (using it)"
  else
    ovs-vswitchd "$OVS_DB" --pidfile="$OVS_RUN/ovs-vswitchd.pid" --log-file="$LOG_DIR/ovs-vswitchd.log" -vconsole:off --detach
    cp "$OVS_RUN/ovs-vswitchd.pid" "$STATE/ovs-vswitchd.pid"
    log "OVS: ovs-vswitchd started (pid $(cat "$STATE/ovs-vswitchd.pid"), log $LOG_DIR/ovs-vswitchd.log)"
  fi
}
