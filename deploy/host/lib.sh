# Shared by demo-up.sh and demo-down.sh (sourced, not run).
# Settings, each overridable from the environment:
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STATE="${CONTIV_DEMO_STATE:-$ROOT/.run}"           # pid files, etcd data, what we started
LOG_DIR="${CONTIV_LOG_DIR:-/var/log/contiv}"       # every log of the demo
BIN_DIR="${CONTIV_BIN_DIR:-/usr/local/bin}"        # where the netctl link goes
DOCKER_SOCK="${CONTIV_DOCKER_SOCK:-/var/run/docker.sock}"
NETMASTER_PORT="${CONTIV_NETMASTER_PORT:-9999}"
OVS_RUN=/var/run/openvswitch                        # OVS's own defaults, so ovs-vsctl just works
OVS_DB="unix:$OVS_RUN/db.sock"
AGENT_SOCKET=/run/contiv/netplugin.sock
PLUGIN_SOCKET=/run/docker/plugins/netplugin.sock
BRIDGE=contivbr
export DOCKER_HOST="unix://$DOCKER_SOCK"
export NETMASTER="http://127.0.0.1:$NETMASTER_PORT"

log() { printf '[demo] %s\n' "$*"; }
die() { printf '[demo] ERROR: %s\n' "$*" >&2; exit 1; }

# pid_alive PIDFILE WORD: the pid in PIDFILE runs and its command line contains
# WORD (guards against a recycled pid: we only ever signal our own processes).
pid_alive() {
  local pid
  [ -f "$1" ] || return 1
  pid="$(cat "$1" 2>/dev/null)" || return 1
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 1
  tr '\0' ' ' < "/proc/$pid/cmdline" | grep -q -- "$2"
}

# start_bg NAME LOGFILE PIDFILE CMD...: detached from this terminal (own
# session), output appended to LOGFILE, pid in PIDFILE.
start_bg() {
  local name="$1" logfile="$2" pidfile="$3"; shift 3
  mkdir -p "$(dirname "$logfile")" "$(dirname "$pidfile")"
  printf '==== %s %s\n' "$(date -Is)" "$*" >> "$logfile"
  setsid "$@" >> "$logfile" 2>&1 < /dev/null &
  echo $! > "$pidfile"
  log "$name: started (pid $!, log $logfile)"
}

# stop_pidfile NAME PIDFILE WORD: SIGTERM, SIGKILL after 15 s, remove the file.
# "Gone" means exited, zombies included (their command line is empty): an
# orphan's reaper may take a while, and kill -0 still succeeds on a zombie.
stop_pidfile() {
  local name="$1" pidfile="$2" word="$3" pid n=0
  if pid_alive "$pidfile" "$word"; then
    pid="$(cat "$pidfile")"
    kill "$pid" 2>/dev/null || true
    while pid_alive "$pidfile" "$word"; do
      sleep 0.1; n=$((n + 1))
      if [ "$n" -eq 150 ]; then log "$name ignored SIGTERM for 15 s: SIGKILL"; kill -9 "$pid" 2>/dev/null || true; fi
      [ "$n" -lt 300 ] || break
    done
    log "$name: stopped (pid $pid)"
  fi
  rm -f "$pidfile"
}

# port_in_use PORT: something accepts connections on 127.0.0.1:PORT.
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# pick_port PREFERRED FIRST LAST [EXCLUDE]: PREFERRED if free, else the first free one in FIRST..LAST.
pick_port() {
  local p
  for p in "$1" $(seq "$2" "$3"); do
    [ "$p" = "${4:-}" ] && continue
    port_in_use "$p" || { echo "$p"; return 0; }
  done
  return 1
}

# wait_until SECONDS WHAT CMD...: polls CMD every 0.2 s.
wait_until() {
  local secs="$1" what="$2" n=0; shift 2
  until "$@" >/dev/null 2>&1; do
    sleep 0.2; n=$((n + 1))
    [ "$n" -ge $((secs * 5)) ] && return 1
  done
  return 0
}

docker_ok() { docker version >/dev/null 2>&1; }
# Answers and holds the leader lock, so it takes writes (GET /info, as Contiv's netmaster has it).
netmaster_ok() { curl -fsS -m 2 "$NETMASTER/info" 2>/dev/null | grep -q '"current-state": *"leader"'; }
netctl_cmd() { node "$ROOT/services/netctl/lib/main.js" "$@"; }
