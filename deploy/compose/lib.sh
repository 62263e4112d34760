# Shared by up.sh and down.sh of the compose dev cluster (sourced, not run).
# Settings, each overridable from the environment:
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STATE="${CONTIV_COMPOSE_STATE:-$ROOT/.run/compose}"   # pid files of the OVS daemons up.sh started
LOG_DIR="${CONTIV_LOG_DIR:-/var/log/contiv}"
NETMASTER="${NETMASTER:-http://127.0.0.1:${CONTIV_NETMASTER_PORT:-9999}}"
OVS_RUN=/var/run/openvswitch                          # what docker-compose.yml mounts
OVS_DB="unix:$OVS_RUN/db.sock"
BRIDGE=contivbr
# Containers of docker-compose.yml, in start order.
CONTAINERS=(contiv-etcd contiv-netmaster contiv-netplugin contiv-driver-shim)
COMPOSE=(docker-compose --project-directory "$ROOT" -f "$ROOT/docker-compose.yml")

log() { printf '[compose] %s\n' "$*"; }
die() { printf '[compose] ERROR: %s\n' "$*" >&2; exit 1; }

# wait_until SECONDS CMD...: polls CMD every 0.2 s.
wait_until() {
  local secs="$1" n=0; shift
  until "$@" >/dev/null 2>&1; do
    sleep 0.2; n=$((n + 1))
    [ "$n" -ge $((secs * 5)) ] && return 1
  done
  return 0
}

ovs_answers() { ovs-vsctl --db="$OVS_DB" --timeout=3 show >/dev/null 2>&1; }
netmaster_ok() { curl -fsS -m 2 "$NETMASTER/info" 2>/dev/null | grep -q '"current-state": *"leader"'; }
health() { docker inspect --format '{{if .State.Health}}{{.State.Health.Status}}{{else}}{{.State.Status}}{{end}}' "$1" 2>/dev/null || echo missing; }

# pid_alive PIDFILE WORD: the pid in PIDFILE runs and its command line holds WORD.
pid_alive() {
  local pid
  [ -f "$1" ] || return 1
  pid="$(cat "$1" 2>/dev/null)" || return 1
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 1
  tr '\0' ' ' < "/proc/$pid/cmdline" | grep -q -- "$2"
}
