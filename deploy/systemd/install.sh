#!/usr/bin/env bash
# Installs Contiv as systemd services on this host (the legacy plugin, no
# containers): the built services with only their production modules and a
# copy of node under PREFIX, the units in /etc/systemd/system, the settings in
# /etc/contiv/contiv.env (kept when it exists), netctl in /usr/local/bin.
# Then, when systemd runs, enables and (re)starts the units of the role.
# Safe to run again: it replaces the app and the units, and restarts what runs.
#
#   deploy/systemd/install.sh [--role master|worker] [--prefix DIR] [--root DIR] [--no-start]
#
#   --role      master: netmaster, netplugin and the driver shim (default);
#               worker: netplugin and the shim
#   --prefix    where the app goes (default /opt/contiv); the units name it
#   --root      install below DIR instead of / (packaging, tests); implies --no-start
#   --no-start  no systemctl at all
#
# Needs `make build` first. Open vSwitch (openvswitch-switch), Docker and the
# cluster store are the host's own; docs/deploy.md has the whole procedure.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
ROLE=master PREFIX=/opt/contiv DEST='' START=1
APP_PACKAGES=(driver-shim netplugin netmaster netctl)

log() { printf '[install] %s\n' "$*"; }
die() { printf '[install] ERROR: %s\n' "$*" >&2; exit 1; }
usage() { sed -n '9,15p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

while [ $# -gt 0 ]; do
  case "$1" in
    --role) [ $# -ge 2 ] || usage; ROLE="$2"; shift 2 ;;
    --prefix) [ $# -ge 2 ] || usage; PREFIX="$2"; shift 2 ;;
    --root) [ $# -ge 2 ] || usage; DEST="$(realpath -m "$2")"; START=0; shift 2 ;;
    --no-start) START=0; shift ;;
    -h | --help) usage ;;
    *) printf '[install] unknown argument: %s\n' "$1" >&2; usage ;;
  esac
done
case "$ROLE" in master | worker) ;; *) die "--role is master or worker, not \"$ROLE\"" ;; esac
[[ "$PREFIX" =~ ^/[A-Za-z0-9._/-]+$ ]] && [[ "$PREFIX" != / ]] || die "--prefix must be an absolute path (not \"$PREFIX\")"
PREFIX="${PREFIX%/}"
[ "$(id -u)" = 0 ] || [ -n "$DEST" ] || die "run as root (or with --root DIR)"
for s in "${APP_PACKAGES[@]}"; do
  [ -f "$REPO/services/$s/lib/main.js" ] || die "services/$s/lib/main.js is missing: run make build"
done
NODE="$(command -v node)" || die "node is not installed"

UNITS=(contiv-netplugin.service contiv-driver-shim.service)
[ "$ROLE" = master ] && UNITS=(contiv-netmaster.service "${UNITS[@]}")

# ---------------------------------------------------------------- the app
# Assembled next to its place, then swapped in, so a failed copy leaves the old one.
APP="$DEST$PREFIX"
mkdir -p "$(dirname "$APP")"
rm -rf "$APP.new" "$APP.old"
mkdir -p "$APP.new/bin"
node "$REPO/deploy/v2plugin/copy-app.mjs" "$REPO" "$APP.new" "${APP_PACKAGES[@]}" >/dev/null
cp "$(readlink -f "$NODE")" "$APP.new/bin/node"
printf '#!/bin/sh\nexec %s/bin/node %s/services/netctl/lib/main.js "$@"\n' "$PREFIX" "$PREFIX" > "$APP.new/bin/netctl"
chmod 0755 "$APP.new/bin/node" "$APP.new/bin/netctl"
[ -d "$APP" ] && mv "$APP" "$APP.old"
mv "$APP.new" "$APP"
rm -rf "$APP.old"
log "app: $APP ($(du -sh "$APP" | cut -f1), node $("$APP/bin/node" --version))"
mkdir -p "$DEST/usr/local/bin"
ln -sfn "$PREFIX/bin/netctl" "$DEST/usr/local/bin/netctl"

# ---------------------------------------------------------------- units and settings
# install_file SRC DST MODE: writes DST only when its content changes; says whether it did.
install_file() {
  local tmp
  tmp="$(mktemp)"
  sed "s|/opt/contiv|$PREFIX|g" "$1" > "$tmp"
  if cmp -s "$tmp" "$2"; then rm -f "$tmp"; return 1; fi
  install -D -m "$3" "$tmp" "$2"
  rm -f "$tmp"
}
changed=0
for u in contiv-netmaster.service contiv-netplugin.service contiv-driver-shim.service; do
  if install_file "$HERE/$u" "$DEST/etc/systemd/system/$u" 0644; then log "unit: /etc/systemd/system/$u"; changed=1; fi
done
mkdir -p "$DEST/etc/contiv"
chmod 0750 "$DEST/etc/contiv"
install_file "$HERE/contiv.env" "$DEST/etc/contiv/contiv.env.example" 0640 || true
if [ -f "$DEST/etc/contiv/contiv.env" ]; then
  log "settings: /etc/contiv/contiv.env kept (the current example: /etc/contiv/contiv.env.example)"
else
  install -m 0640 "$DEST/etc/contiv/contiv.env.example" "$DEST/etc/contiv/contiv.env"
  log "settings: /etc/contiv/contiv.env (edit cluster_store, control_url, ctrl_ip/vtep_ip for a cluster)"
fi

# ---------------------------------------------------------------- systemd
if [ "$START" != 1 ]; then
  log "not starting anything; on the target: systemctl daemon-reload && systemctl enable --now ${UNITS[*]}"
  exit 0
fi
if [ ! -d /run/systemd/system ]; then
  log "systemd does not run here: nothing enabled; where it runs: systemctl daemon-reload && systemctl enable --now ${UNITS[*]}"
  exit 0
fi
[ "$changed" = 0 ] || systemctl daemon-reload
systemctl enable "${UNITS[@]}"
# New app files: restart what runs, start the rest.
systemctl restart "${UNITS[@]}"
for u in "${UNITS[@]}"; do log "$u: $(systemctl is-active "$u" || true)"; done
