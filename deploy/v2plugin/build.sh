#!/usr/bin/env bash
# Builds the Contiv managed (v2) plugin bundle and creates the plugin on the
# engine of DOCKER_HOST (what `make plugin` runs; safe to run again).
#
#   <BUILD_DIR>/config.json   from config.template.json, with the plugin's name baked in
#   <BUILD_DIR>/rootfs/       static busybox (sh), node, iproute2 ip, ethtool, ping, the OVS
#                             userspace tools and daemons (each with its shared libraries),
#                             /contiv/{entrypoint.sh, services, packages, node_modules, proto}
#
# Settings (environment):
#   PLUGIN_NAME     plugin reference, default contiv/v2plugin:<version of package.json>
#                   (e.g. localhost:5000/contiv/v2plugin:0.1.0 to push it to a registry)
#   BUILD_DIR       default deploy/v2plugin/build (git-ignored)
#   PLUGIN_CREATE   0: assemble the bundle only, no engine needed (default 1)
#   PLUGIN_REPLACE  1: replace the plugin even while it is enabled (docker plugin rm -f)
#   DOCKER_HOST     the engine, as for the docker CLI
#
# An existing disabled plugin of the same name is removed and created again. The
# rootfs carries a build stamp, because Docker refuses to create a plugin whose
# content it already has ("content sha256:...: already exists", ENVIRONMENT.md §5.2).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
VERSION="$(node -p "require('$ROOT/package.json').version")"
PLUGIN_NAME="${PLUGIN_NAME:-contiv/v2plugin:$VERSION}"
BUILD_DIR="${BUILD_DIR:-$HERE/build}"
PLUGIN_CREATE="${PLUGIN_CREATE:-1}"
PLUGIN_REPLACE="${PLUGIN_REPLACE:-0}"
SERVICES=(driver-shim netplugin netmaster)

log() { printf '[plugin] %s\n' "$*"; }
die() { printf '[plugin] ERROR: %s\n' "$*" >&2; exit 1; }

# Docker names a plugin (and so the network driver) by its familiar reference
# with a tag: "contiv/v2plugin" is "contiv/v2plugin:latest", "docker.io/x/y:1" is "x/y:1".
normalize_name() {
  local n="$1"
  n="${n#docker.io/}"; n="${n#library/}"
  case "${n##*/}" in *:*) ;; *) n="$n:latest" ;; esac
  printf '%s' "$n"
}
PLUGIN_NAME="$(normalize_name "$PLUGIN_NAME")"
[[ "$PLUGIN_NAME" =~ ^[a-z0-9][a-z0-9._/:-]*:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$ ]] \
  || die "PLUGIN_NAME \"$PLUGIN_NAME\" is not a plugin reference like contiv/v2plugin:$VERSION"

for s in "${SERVICES[@]}"; do
  [ -f "$ROOT/services/$s/lib/main.js" ] || die "services/$s/lib/main.js is missing: run make build"
done
PATH="$PATH:/usr/sbin:/sbin"
for tool in busybox ovsdb-server ovs-vswitchd ovs-vsctl ovs-ofctl ovs-appctl ovsdb-tool ip ethtool ping ldd; do
  command -v "$tool" >/dev/null || die "$tool is not installed (make deps installs it)"
done
BUSYBOX="$(command -v busybox)"
! ldd "$BUSYBOX" >/dev/null 2>&1 || die "$BUSYBOX is not statically linked (install busybox-static)"

T0=$(date +%s%N)
RFS="$BUILD_DIR/rootfs"
# Only ever remove a previous bundle, never a directory someone pointed us at by mistake.
if [ -d "$BUILD_DIR" ] && [ -n "$(ls -A "$BUILD_DIR")" ] && [ ! -d "$RFS" ]; then
  die "BUILD_DIR $BUILD_DIR is not empty and holds no plugin bundle: not removing it"
fi
rm -rf "$BUILD_DIR"
mkdir -p "$RFS"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,run/contiv,var/run,var/log,var/lib/contiv,etc/openvswitch,contiv}
chmod 1777 "$RFS/tmp"

# copy_bin SRC DST: the binary (stripped when binutils is there: node carries
# ~12 MB of debug info) and every shared library ldd lists, at the same paths.
copy_bin() {
  local src dst lib
  src="$(readlink -f "$1")"; dst="$RFS$2"
  mkdir -p "$(dirname "$dst")"
  if command -v strip >/dev/null; then strip -o "$dst" "$src"; else cp "$src" "$dst"; fi
  for lib in $(ldd "$src" | grep -o '/[^ ]*'); do
    [ -e "$RFS$lib" ] && continue
    mkdir -p "$RFS$(dirname "$lib")"
    cp -L "$lib" "$RFS$lib"
  done
}

# busybox: the shell of the entrypoint plus the applets it and a debugging human use.
# ip and ping stay the real ones (netplugin parses `ip -j` JSON).
cp "$BUSYBOX" "$RFS/bin/busybox"
for a in sh ash cat cp date echo env grep sed awk sleep usleep mkdir rm ls ps kill tail head cut tr \
         test [ printf wc mv ln sort stat id uname hostname true false timeout find xargs expr \
         basename dirname readlink which; do
  ln -s busybox "$RFS/bin/$a"
done
copy_bin "$(node -p process.execPath)" /usr/bin/node
for t in ovsdb-server ovs-vswitchd; do copy_bin "$(command -v $t)" "/usr/sbin/$t"; done
for t in ovs-vsctl ovs-ofctl ovs-appctl ovsdb-tool ping; do copy_bin "$(command -v $t)" "/usr/bin/$t"; done
for t in ip ethtool; do copy_bin "$(command -v $t)" "/usr/sbin/$t"; done
ln -s /usr/sbin/ip "$RFS/sbin/ip"
mkdir -p "$RFS/usr/share/openvswitch"
cp /usr/share/openvswitch/vswitch.ovsschema "$RFS/usr/share/openvswitch/"

printf 'root:x:0:0:root:/root:/bin/sh\n' > "$RFS/etc/passwd"
printf 'root:x:0:\n' > "$RFS/etc/group"
printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' > "$RFS/etc/hosts"
printf 'hosts: files dns\n' > "$RFS/etc/nsswitch.conf"

node "$HERE/copy-app.mjs" "$ROOT" "$RFS/contiv" "${SERVICES[@]}"
install -m 0755 "$HERE/entrypoint.sh" "$RFS/contiv/entrypoint.sh"
# The name this build was made for (the entrypoint's fallback for plugin_name) and
# a stamp that makes every build's content unique.
printf '%s\n' "$PLUGIN_NAME" > "$RFS/contiv/PLUGIN_NAME"
printf 'name=%s version=%s built=%s\n' "$PLUGIN_NAME" "$VERSION" "$(date -u +%Y-%m-%dT%H:%M:%S.%NZ)" > "$RFS/contiv/BUILD_STAMP"

sed "s|__PLUGIN_NAME__|$PLUGIN_NAME|" "$HERE/config.template.json" > "$BUILD_DIR/config.json"
node -e "JSON.parse(require('fs').readFileSync(process.argv[1], 'utf8'))" "$BUILD_DIR/config.json" \
  || die "config.json is not valid JSON"
# The bundle must run as built: a missing library shows up here, not at enable time.
env -i "$(command -v chroot)" "$RFS" /usr/bin/node -e 'require("/contiv/services/netplugin/lib/options.js")' \
  || die "node in the rootfs cannot load netplugin"
for t in /usr/sbin/ovsdb-server /usr/sbin/ovs-vswitchd /usr/bin/ovs-vsctl /usr/sbin/ip /usr/sbin/ethtool; do
  chroot "$RFS" "$t" --version >/dev/null 2>&1 || chroot "$RFS" "$t" -V >/dev/null 2>&1 || die "$t does not run in the rootfs"
done
log "bundle $BUILD_DIR ready in $(( ($(date +%s%N) - T0) / 1000000 )) ms: rootfs $(du -sh "$RFS" | cut -f1)" \
    "(node $(du -sh "$RFS/usr/bin/node" | cut -f1), services and node_modules $(du -sh "$RFS/contiv" | cut -f1))"

[ "$PLUGIN_CREATE" = 1 ] || exit 0

docker version --format '{{.Server.Version}}' >/dev/null 2>&1 \
  || die "no Docker engine answers at ${DOCKER_HOST:-unix:///var/run/docker.sock} (set DOCKER_HOST, or PLUGIN_CREATE=0 for the bundle only)"
if enabled="$(docker plugin inspect --format '{{.Enabled}}' "$PLUGIN_NAME" 2>/dev/null)"; then
  if [ "$enabled" = true ] && [ "$PLUGIN_REPLACE" != 1 ]; then
    die "$PLUGIN_NAME is enabled: disable it first (docker plugin disable $PLUGIN_NAME) or set PLUGIN_REPLACE=1"
  fi
  log "removing the existing $PLUGIN_NAME (enabled: $enabled)"
  docker plugin rm -f "$PLUGIN_NAME" >/dev/null
fi
T1=$(date +%s%N)
docker plugin create "$PLUGIN_NAME" "$BUILD_DIR" >/dev/null
log "created $PLUGIN_NAME in $(( ($(date +%s%N) - T1) / 1000000 )) ms (disabled; set its args, then: docker plugin enable $PLUGIN_NAME)"
