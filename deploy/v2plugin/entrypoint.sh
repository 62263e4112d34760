#!/bin/sh
# Entrypoint of the Contiv v2plugin: PID 1 of the plugin container (busybox sh).
#
# Docker dials the plugin socket for ~12 s after starting us and gives up after
# that, also when dockerd restarts with the plugin enabled (Contiv #974, #975,
# #927). So, in this order:
#   1. validate the args (a bad one: one line in plugin_bootup.log and no socket,
#      so `docker plugin enable` fails);
#   2. the driver shim, which binds the socket and needs nothing else;
#   3. OVS: the host's when its /var/run/openvswitch/db.sock answers, else our own
#      ovsdb-server + ovs-vswitchd (db in /etc/openvswitch, logs in /var/log/contiv);
#   4. netmaster (plugin_role=master) and netplugin.
# Nothing here waits for the cluster store: the services reach it in the background.
# Every child is restarted when it exits (small backoff); SIGTERM stops them all.
#
# The args arrive as environment (config.json "env", `docker plugin set`), with
# the names the services read themselves: cluster_store, ctrl_ip, vtep_ip, iflist,
# control_url, listen_url, plugin_mode, vxlan_port, dns_upstream, metrics_listen, dbg_flag, and the CONTIV_*TLS*/
# CONTIV_AUTH_TOKEN_FILE paths of docs/security.md.
set -u

PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH
LOG_DIR=/var/log/contiv
BOOT_LOG="$LOG_DIR/plugin_bootup.log"
APP=/contiv
OVS_RUN=/var/run/openvswitch
OVS_DB="unix:$OVS_RUN/db.sock"
OVS_ETC=/etc/openvswitch
OVS_SCHEMA=/usr/share/openvswitch/vswitch.ovsschema
PLUGIN_SOCKET=/run/docker/plugins/netplugin.sock
AGENT_SOCKET=/run/contiv/netplugin.sock
# Restart backoff: 1 s doubling to this, back to 1 s after a child ran this long.
BACKOFF_MAX=8
STABLE_AFTER=30

uptime_cs() { read -r up _ < /proc/uptime; echo "${up%.*}${up#*.}"; }
T0=$(uptime_cs)
log() {
  dt=$(( $(uptime_cs) - T0 ))
  line="$(date -u +%Y-%m-%dT%H:%M:%SZ) [+$((dt / 100)).$(printf '%02d' $((dt % 100)))s] $*"
  echo "$line" >> "$BOOT_LOG"
  echo "$line"
}
# fail MESSAGE: a setting is wrong. One line in the boot log, then no socket:
# `docker plugin enable` fails when its dial loop gives up (~12 s on 20.10).
# We stay alive until Docker's SIGTERM instead of exiting at once, because an
# exit makes dockerd restart the plugin while it is still dialling and leaves a
# containerd task behind, so that the next enable fails with "id already in use".
fail() {
  log "ERROR: $*"
  trap 'exit 1' TERM INT
  while :; do
    sleep 3600 &
    wait $!
  done
}

mkdir -p "$LOG_DIR" /run/contiv
log "==== Contiv v2plugin starting ($(cat "$APP/BUILD_STAMP" 2>/dev/null))"

# ---------------------------------------------------------------- 1. args

# The v2plugin guide writes `plugin-mode=docker`. A name with a dash is no shell
# variable, so read it from our own environment block; it wins when set.
dash_mode=$(tr '\0' '\n' < /proc/$$/environ | sed -n 's/^plugin-mode=//p' | head -n 1)
[ -n "$dash_mode" ] && plugin_mode=$dash_mode

# An arg set to "" means its default.
plugin_role=${plugin_role:-master}
plugin_mode=${plugin_mode:-swarm-mode}
cluster_store=${cluster_store:-etcd://localhost:2379}
plugin_name=${plugin_name:-$(cat "$APP/PLUGIN_NAME")}
# Contiv wrote "none" for "not set".
[ "${ctrl_ip-}" = none ] && ctrl_ip=
[ "${vtep_ip-}" = none ] && vtep_ip=

NL='
'
# matches ERE VALUE: the whole value (one line) matches.
matches() {
  case $2 in *"$NL"*) return 1 ;; esac
  printf '%s\n' "$2" | grep -Eqx "$1"
}
HOST='(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?)'
PORT='[0-9]{1,5}'
IPV4='((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])'
IFNAME='[A-Za-z0-9_.@-]{1,15}'

case $plugin_role in master | worker) ;; *) fail "plugin_role=$plugin_role is not master or worker" ;; esac
case $plugin_mode in docker | swarm-mode) ;; *) fail "plugin_mode=$plugin_mode is not swarm-mode or docker" ;; esac
matches "etcd://$HOST(:$PORT)?(,$HOST(:$PORT)?)*/?|consul://$HOST(:$PORT)?/?" "$cluster_store" \
  || fail "cluster_store=$cluster_store is not etcd://host:port or consul://host:port"
for v in ctrl_ip vtep_ip; do
  eval "val=\${$v-}"
  [ -z "$val" ] || matches "$IPV4" "$val" || fail "$v=$val is not an IPv4 address"
done
for v in listen_url control_url; do
  eval "val=\${$v-}"
  [ -z "$val" ] || matches "((https?|tcp)://)?$HOST?:$PORT/?" "$val" || fail "$v=$val is not [host]:port"
done
[ -z "${iflist-}" ] || matches "$IFNAME(,$IFNAME)*" "$iflist" || fail "iflist=$iflist is not a comma list of interface names"
[ -z "${vxlan_port-}" ] || { matches '[0-9]{1,5}' "$vxlan_port" && [ "$vxlan_port" -ge 1 ] && [ "$vxlan_port" -le 65535 ]; } \
  || fail "vxlan_port=$vxlan_port is not a UDP port (1-65535)"
[ -z "${dns_upstream-}" ] || matches '(none|[][0-9A-Fa-f.:,]+)' "$dns_upstream" || fail "dns_upstream=$dns_upstream is not none or a comma list of IP[:PORT]"
[ -z "${metrics_listen-}" ] || matches "$HOST?:$PORT" "$metrics_listen" || fail "metrics_listen=$metrics_listen is not host:port or :port"
[ -z "${dbg_flag-}" ] || matches '(-{0,2}debug|true|false|1|0)' "$dbg_flag" || fail "dbg_flag=$dbg_flag is not -debug"
matches '[A-Za-z0-9][A-Za-z0-9_.:/-]*' "$plugin_name" || fail "plugin_name=$plugin_name is not a Docker plugin name:tag"
# Security files (docs/security.md): a path set must be readable here, in the plugin.
TLS_ARGS='CONTIV_TLS_CERT_FILE CONTIV_TLS_KEY_FILE CONTIV_TLS_CA_FILE CONTIV_AUTH_TOKEN_FILE CONTIV_GRPC_TLS_CA CONTIV_GRPC_TLS_CERT CONTIV_GRPC_TLS_KEY'
tls_set=''
for v in $TLS_ARGS; do
  eval "val=\${$v-}"
  [ -z "$val" ] && continue
  [ -f "$val" ] && [ -r "$val" ] || fail "$v=$val is not a readable file inside the plugin (put it under a mounted path such as /var/run)"
  tls_set="$tls_set $v"
done

export plugin_mode cluster_store
export CONTIV_DRIVER_NAME="$plugin_name" CONTIV_LOG_DIR="$LOG_DIR"
log "args: plugin_role=$plugin_role plugin_mode=$plugin_mode cluster_store=$cluster_store" \
    "ctrl_ip=${ctrl_ip-} vtep_ip=${vtep_ip-} iflist=${iflist-} listen_url=${listen_url-} control_url=${control_url-}" \
    "vxlan_port=${vxlan_port-} dns_upstream=${dns_upstream-} metrics_listen=${metrics_listen-} dbg_flag=${dbg_flag-} driver name=$plugin_name security files:${tls_set:- none}"

# ---------------------------------------------------------------- supervision

# Supervisor pids: the node services, and our own OVS (stopped after them).
SERVICE_PIDS=''
OVS_PIDS=''
LAST_PID=''
STOPPING=''

# supervise NAME CMD...: runs CMD in the background, output appended to
# $LOG_DIR/NAME.out (each service writes NAME.log itself), restarted after it
# exits. Its loop is a subshell that forwards SIGTERM to the running child.
supervise() {
  name=$1
  shift
  (
    child=''
    stopping=''
    trap 'stopping=1; [ -n "$child" ] && kill -TERM "$child" 2>/dev/null' TERM
    trap '' INT
    backoff=1
    while [ -z "$stopping" ]; do
      started=$(uptime_cs)
      "$@" >> "$LOG_DIR/$name.out" 2>&1 < /dev/null &
      child=$!
      log "started $name (pid $child)"
      wait "$child"
      rc=$?
      # A trapped signal ends `wait` early: wait again for the child's real exit.
      [ -n "$stopping" ] && { wait "$child"; log "stopped $name"; exit 0; }
      ran=$(( ($(uptime_cs) - started) / 100 ))
      [ "$ran" -ge "$STABLE_AFTER" ] && backoff=1
      log "$name exited (status $rc after ${ran}s), restarting in ${backoff}s (log: $LOG_DIR/$name.log, $LOG_DIR/$name.out)"
      sleep "$backoff" & child=$!
      wait "$child"
      child=''
      backoff=$(( backoff * 2 > BACKOFF_MAX ? BACKOFF_MAX : backoff * 2 ))
    done
    log "stopped $name"
  ) &
  LAST_PID=$!
}

# stop_all: SIGTERM to the services' supervisors, each stops its child and
# waits for it; then the same for our OVS. Docker sends SIGKILL 10 s after
# SIGTERM, so the services stop in parallel.
stop_all() {
  [ -n "$STOPPING" ] && return
  STOPPING=1
  log "SIGTERM: stopping"
  for group in "$SERVICE_PIDS" "$OVS_PIDS"; do
    for pid in $group; do kill -TERM "$pid" 2>/dev/null; done
    for pid in $group; do wait "$pid" 2>/dev/null; done
  done
  log "stopped"
  exit 0
}
trap stop_all TERM INT

node_service() {
  name=$1
  shift
  supervise "$name" /usr/bin/node "$APP/services/$name/lib/main.js" "$@"
}

# ---------------------------------------------------------------- 2. the socket

# The rootfs outlives the container: a socket file left by a killed plugin
# would pass the readiness check below.
rm -f "$PLUGIN_SOCKET" "$AGENT_SOCKET"
node_service driver-shim
SERVICE_PIDS="$LAST_PID"
n=0
while [ ! -S "$PLUGIN_SOCKET" ] && [ "$n" -lt 100 ]; do usleep 50000; n=$((n + 1)); done
if [ -S "$PLUGIN_SOCKET" ]; then log "plugin socket $PLUGIN_SOCKET is bound"; else log "WARNING: $PLUGIN_SOCKET not bound after 5 s (see $LOG_DIR/driver-shim.out)"; fi

# ---------------------------------------------------------------- 3. OVS

ovsdb_answers() { ovs-vsctl --db="$OVS_DB" --timeout=3 --no-wait show > /dev/null 2>&1; }

if [ -S "$OVS_RUN/db.sock" ] && ovsdb_answers; then
  log "using the host's Open vSwitch ($OVS_DB answers)"
else
  log "no Open vSwitch answers on $OVS_DB: starting ovsdb-server and ovs-vswitchd in the plugin"
  mkdir -p "$OVS_RUN" "$OVS_ETC"
  rm -f "$OVS_RUN/db.sock"
  # Errors here are logged, not fatal: the socket is served already, and
  # netplugin keeps retrying OVS (its log says why it cannot connect).
  if [ ! -f "$OVS_ETC/conf.db" ]; then
    if ovsdb-tool create "$OVS_ETC/conf.db" "$OVS_SCHEMA"; then log "created $OVS_ETC/conf.db"; else log "ERROR: ovsdb-tool create $OVS_ETC/conf.db failed"; fi
  elif ovsdb-tool needs-conversion "$OVS_ETC/conf.db" "$OVS_SCHEMA" 2>/dev/null | grep -q yes; then
    if ovsdb-tool convert "$OVS_ETC/conf.db" "$OVS_SCHEMA"; then log "converted $OVS_ETC/conf.db to this OVS's schema"; else log "ERROR: ovsdb-tool convert $OVS_ETC/conf.db failed"; fi
  fi
  supervise ovsdb-server ovsdb-server "$OVS_ETC/conf.db" --remote="punix:$OVS_RUN/db.sock" \
    --remote=db:Open_vSwitch,Open_vSwitch,manager_options --pidfile="$OVS_RUN/ovsdb-server.pid" \
    --log-file="$LOG_DIR/ovs-db.log" -vconsole:off
  OVS_PIDS="$LAST_PID"
  n=0
  until ovsdb_answers || [ "$n" -ge 50 ]; do usleep 100000; n=$((n + 1)); done
  ovsdb_answers || log "WARNING: ovsdb-server does not answer yet (see $LOG_DIR/ovs-db.log)"
  ovs-vsctl --db="$OVS_DB" --no-wait --timeout=5 init || log "WARNING: ovs-vsctl init failed"
  # Our own vswitchd, at every (re)start: flow-restore-wait=true first, so it forwards
  # nothing until netplugin has put its flows back and removed the key (docs/ovs-pipeline.md
  # "vswitchd restarts"). A host's OVS is the host's to restart (docs/debugging.md).
  start_vswitchd() {
    ovs-vsctl --db="$OVS_DB" --no-wait --timeout=5 set Open_vSwitch . other_config:flow-restore-wait=true ||
      log "WARNING: could not set flow-restore-wait before starting ovs-vswitchd"
    exec ovs-vswitchd "$@"
  }
  supervise ovs-vswitchd start_vswitchd "$OVS_DB" --pidfile="$OVS_RUN/ovs-vswitchd.pid" \
    --log-file="$LOG_DIR/ovs-vswitchd.log" -vconsole:off
  OVS_PIDS="$LAST_PID $OVS_PIDS"
fi

# ---------------------------------------------------------------- 4. services

if [ "$plugin_role" = master ]; then
  # Contiv passed control_url to netmaster only when it names a host: netmaster
  # needs a host:port to advertise, while ":9999" means "this host" to an agent.
  case ${control_url-} in
    '' | :* | *://:*) supervise netmaster env -u control_url /usr/bin/node "$APP/services/netmaster/lib/main.js" ;;
    *) node_service netmaster ;;
  esac
  SERVICE_PIDS="$LAST_PID $SERVICE_PIDS"
fi
node_service netplugin
SERVICE_PIDS="$LAST_PID $SERVICE_PIDS"

log "all started (role $plugin_role); logs in $LOG_DIR"
# `wait` returns when a signal is trapped; the supervisors never exit on their own.
while :; do
  wait
  sleep 1
done
