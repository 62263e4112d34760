#!/usr/bin/env bash
# Builds the images of the compose dev cluster (docker-compose.yml) on the engine
# of DOCKER_HOST: what `make images` runs. No image registry is reachable here,
# so nothing is pulled: two root filesystems are assembled from this machine's
# binaries and `docker import`ed, and the service images are `docker build`
# targets on top of the first (deploy/images/Dockerfile: an entrypoint each).
#
#   contiv/base         static busybox, node, iproute2 ip, ethtool, ping, the OVS tools and
#                       daemons, each with its shared libraries (the v2plugin's rootfs, from
#                       deploy/v2plugin/build.sh), the built services with only their
#                       production modules in /contiv, and /usr/local/bin/netctl
#   contiv/netmaster    FROM contiv/base, ENTRYPOINT node .../netmaster/lib/main.js
#   contiv/netplugin    FROM contiv/base, ENTRYPOINT node .../netplugin/lib/main.js
#   contiv/driver-shim  FROM contiv/base, ENTRYPOINT node .../driver-shim/lib/main.js
#   contiv/etcd         static busybox, Debian's etcd and etcdctl; ENTRYPOINT etcd
#
# Every image is tagged <version of package.json> and latest. Each carries the
# sha256 of what went into it (label org.contiv.content); an image whose label
# matches what would be built is kept, and the `buildTime` of build-info.json
# (new at every `make build`) does not count. BUILD_DIR keeps the assembled base
# rootfs: when neither its tools nor the built services changed (by name, size
# and time), it is reused as it is, so a run with nothing changed takes about a
# second and touches no image.
#
# Settings (environment):
#   IMAGE_PREFIX   default contiv/ (e.g. localhost:5000/contiv/ to push them)
#   IMAGE_TAG      default the version of package.json (latest is tagged too)
#   BUILD_DIR      default deploy/images/build (git-ignored)
#   DOCKER_HOST    the engine, as for the docker CLI
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
VERSION="$(node -p "require('$ROOT/package.json').version")"
IMAGE_PREFIX="${IMAGE_PREFIX:-contiv/}"
IMAGE_TAG="${IMAGE_TAG:-$VERSION}"
BUILD_DIR="${BUILD_DIR:-$HERE/build}"
SERVICES=(netmaster netplugin driver-shim)
# What goes into /contiv: the services, and netctl for `docker-compose exec netmaster netctl ...`.
APP_PACKAGES=(driver-shim netplugin netmaster netctl)
LABEL=org.contiv.content

log() { printf '[images] %s\n' "$*" >&2; }
die() { printf '[images] ERROR: %s\n' "$*" >&2; exit 1; }
ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }

for s in "${APP_PACKAGES[@]}"; do
  [ -f "$ROOT/services/$s/lib/main.js" ] || die "services/$s/lib/main.js is missing: run make build"
done
PATH="$PATH:/usr/sbin:/sbin"
for tool in busybox etcd etcdctl ldd tar sha256sum; do
  command -v "$tool" >/dev/null || die "$tool is not installed (make deps installs it)"
done
docker version --format '{{.Server.Version}}' >/dev/null 2>&1 \
  || die "no Docker engine answers at ${DOCKER_HOST:-unix:///var/run/docker.sock} (set DOCKER_HOST)"
# Only ever remove our own earlier output, never a directory someone pointed us at by mistake.
if [ -d "$BUILD_DIR" ] && [ -n "$(ls -A "$BUILD_DIR")" ] && [ ! -f "$BUILD_DIR/.contiv-images" ]; then
  die "BUILD_DIR $BUILD_DIR is not empty and holds no earlier image build: not using it"
fi
mkdir -p "$BUILD_DIR"
touch "$BUILD_DIR/.contiv-images"
T0=$(date +%s%N)

image() { printf '%s%s:%s' "$IMAGE_PREFIX" "$1" "$IMAGE_TAG"; }
label_of() { docker image inspect --format "{{index .Config.Labels \"$LABEL\"}}" "$1" 2>/dev/null || true; }
tag_latest() { [ "$IMAGE_TAG" = latest ] || docker tag "$(image "$1")" "${IMAGE_PREFIX}$1:latest"; }
# A tar of DIR that depends only on its content (names, modes, bytes, links), not on when it was copied.
stable_tar() { tar -C "$1" --sort=name --mtime='2000-01-01 00:00Z' --owner=0 --group=0 --numeric-owner "${@:2}" -cf - .; }
# content_hash DIR: sha256 of its stable tar, with build-info.json's buildTime left out.
content_hash() {
  {
    stable_tar "$1" --exclude=./contiv/build-info.json | sha256sum
    grep -v '"buildTime"' "$1/contiv/build-info.json" 2>/dev/null || true
  } | sha256sum | cut -c1-64
}

# import_rootfs NAME DIR HASH CHANGE...: `docker import` DIR as NAME unless the
# image of that name holds content HASH already.
import_rootfs() {
  local name="$1" dir="$2" hash="$3" t changes=()
  shift 3
  if [ "$(label_of "$(image "$name")")" = "$hash" ]; then
    log "$(image "$name"): up to date"
  else
    t=$(date +%s%N)
    changes=(--change "LABEL $LABEL=$hash")
    for c in "$@"; do changes+=(--change "$c"); done
    stable_tar "$dir" | docker import "${changes[@]}" - "$(image "$name")" >/dev/null
    log "$(image "$name"): imported in $(ms_since "$t") ms ($(du -sh "$dir" | cut -f1))"
  fi
  tag_latest "$name"
}

# What the two halves of the base are made from, by name, size and modification
# time (no file is read): when neither changed since the last run, the last
# run's rootfs and its content hash are reused, which makes a run with nothing
# changed take about a second. Only ever a shortcut: the image is rebuilt only
# when the content hash differs.
tools_fingerprint() {
  {
    cat "$ROOT/deploy/v2plugin/build.sh" "$0"
    for t in node busybox ovsdb-server ovs-vswitchd ovs-vsctl ovs-ofctl ovs-appctl ovsdb-tool ping ip ethtool; do
      stat -L -c '%n %s %Y' "$(command -v "$t")"
    done
    stat -c '%Y' /var/lib/dpkg/status
  } | sha256sum | cut -c1-64
}
app_fingerprint() {
  {
    printf '%s\n' "${APP_PACKAGES[@]}"
    cat "$ROOT/deploy/v2plugin/copy-app.mjs" "$ROOT/pnpm-lock.yaml"
    grep -v '"buildTime"' "$ROOT/build-info.json" 2>/dev/null || true
    find "$ROOT/services" "$ROOT/packages" -mindepth 2 -maxdepth 2 -name lib -type d -print0 \
      | xargs -0 -I{} find {} -type f -printf '%p %s %T@\n' | sort
    find "$ROOT/proto" -type f -printf '%p %s %T@\n' | sort
    stat -c '%n %s %Y' "$ROOT"/services/*/package.json "$ROOT"/packages/*/package.json
  } | sha256sum | cut -c1-64
}

# copy_with_libs SRC DST ROOTFS: a binary and every shared library ldd lists, at the same paths.
copy_with_libs() {
  local src dst rfs="$3" lib
  src="$(readlink -f "$1")"; dst="$rfs$2"
  mkdir -p "$(dirname "$dst")"
  cp "$src" "$dst"
  for lib in $(ldd "$src" 2>/dev/null | grep -o '/[^ ]*' || true); do
    [ -e "$rfs$lib" ] && continue
    mkdir -p "$rfs$(dirname "$lib")"
    cp -L "$lib" "$rfs$lib"
  done
}

ENV_PATH='ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'

# ---------------------------------------------------------------- contiv/base
# The v2plugin's rootfs, assembled and checked (every binary runs in it) by its
# own script, bundle only; its /contiv (plugin entrypoint, build stamp) is
# replaced by the services and netctl.
PLUGIN_OUT="$BUILD_DIR/v2plugin"
BASE_RFS="$PLUGIN_OUT/rootfs"
TOOLS_FP="$(tools_fingerprint)"
APP_FP="$(app_fingerprint)"
if [ -d "$BASE_RFS" ] && [ "$(cat "$BUILD_DIR/tools.fingerprint" 2>/dev/null)" = "$TOOLS_FP" ]; then
  log "base rootfs: its tools are unchanged, reusing $BASE_RFS"
else
  rm -f "$BUILD_DIR/tools.fingerprint" "$BUILD_DIR/app.fingerprint" "$BUILD_DIR/base.hash"
  BUILD_DIR="$PLUGIN_OUT" PLUGIN_CREATE=0 bash "$ROOT/deploy/v2plugin/build.sh" >/dev/null \
    || die "deploy/v2plugin/build.sh (the base rootfs) failed"
  rm -rf "$BASE_RFS/contiv"
  mkdir -p "$BASE_RFS/usr/local/bin" "$BASE_RFS/root"
  # The compose healthchecks fetch /info and /health with busybox wget.
  [ -e "$BASE_RFS/bin/wget" ] || ln -s busybox "$BASE_RFS/bin/wget"
  printf '#!/bin/sh\nexec /usr/bin/node /contiv/services/netctl/lib/main.js "$@"\n' > "$BASE_RFS/usr/local/bin/netctl"
  chmod 0755 "$BASE_RFS/usr/local/bin/netctl"
  # One run directory, as on Debian: /var/run/openvswitch is /run/openvswitch.
  rm -rf "$BASE_RFS/var/run"
  ln -s ../run "$BASE_RFS/var/run"
  printf '%s\n' "$TOOLS_FP" > "$BUILD_DIR/tools.fingerprint"
fi
if [ -d "$BASE_RFS/contiv" ] && [ "$(cat "$BUILD_DIR/app.fingerprint" 2>/dev/null)" = "$APP_FP" ]; then
  log "base rootfs: the services are unchanged, reusing $BASE_RFS/contiv"
else
  rm -f "$BUILD_DIR/app.fingerprint" "$BUILD_DIR/base.hash"
  rm -rf "$BASE_RFS/contiv"
  node "$ROOT/deploy/v2plugin/copy-app.mjs" "$ROOT" "$BASE_RFS/contiv" "${APP_PACKAGES[@]}" >/dev/null
  printf '%s\n' "$APP_FP" > "$BUILD_DIR/app.fingerprint"
fi
BASE_HASH="$(cat "$BUILD_DIR/base.hash" 2>/dev/null || true)"
if [ -z "$BASE_HASH" ]; then
  BASE_HASH="$(content_hash "$BASE_RFS")"
  printf '%s\n' "$BASE_HASH" > "$BUILD_DIR/base.hash"
fi
import_rootfs base "$BASE_RFS" "$BASE_HASH" "$ENV_PATH" 'ENV CONTIV_LOG_DIR=/var/log/contiv' 'WORKDIR /contiv' 'CMD ["sh"]'

# ---------------------------------------------------------------- contiv/etcd
ETCD_RFS="$BUILD_DIR/etcd-rootfs"
rm -rf "$ETCD_RFS"
mkdir -p "$ETCD_RFS"/{bin,etc,tmp,root,var/lib/etcd}
chmod 1777 "$ETCD_RFS/tmp"
cp "$(command -v busybox)" "$ETCD_RFS/bin/busybox"
for a in sh cat ls wget sleep test; do ln -s busybox "$ETCD_RFS/bin/$a"; done
copy_with_libs "$(command -v etcd)" /usr/bin/etcd "$ETCD_RFS"
copy_with_libs "$(command -v etcdctl)" /usr/bin/etcdctl "$ETCD_RFS"
printf 'root:x:0:0:root:/root:/bin/sh\n' > "$ETCD_RFS/etc/passwd"
printf 'root:x:0:\n' > "$ETCD_RFS/etc/group"
printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' > "$ETCD_RFS/etc/hosts"
import_rootfs etcd "$ETCD_RFS" "$(content_hash "$ETCD_RFS")" "$ENV_PATH" 'ENTRYPOINT ["/usr/bin/etcd"]'

# ---------------------------------------------------------------- the services
# Their content: the base and the Dockerfile. The context is the Dockerfile alone.
CONTEXT="$BUILD_DIR/context"
rm -rf "$CONTEXT"
mkdir -p "$CONTEXT"
cp "$HERE/Dockerfile" "$CONTEXT/Dockerfile"
SVC_HASH="$( { printf '%s\n' "$BASE_HASH"; cat "$HERE/Dockerfile"; } | sha256sum | cut -c1-64)"
for s in "${SERVICES[@]}"; do
  if [ "$(label_of "$(image "$s")")" = "$SVC_HASH" ]; then
    log "$(image "$s"): up to date"
  else
    t=$(date +%s%N)
    # The CLI may warn that the legacy builder is deprecated (no buildx here): kept for errors only.
    docker build -q --target "$s" --build-arg "BASE=$(image base)" --label "$LABEL=$SVC_HASH" \
      -t "$(image "$s")" "$CONTEXT" >/dev/null 2> "$BUILD_DIR/docker-build.err" \
      || { cat "$BUILD_DIR/docker-build.err" >&2; die "docker build --target $s failed"; }
    log "$(image "$s"): built in $(ms_since "$t") ms"
  fi
  tag_latest "$s"
done
log "done in $(ms_since "$T0") ms: $(for n in base "${SERVICES[@]}" etcd; do printf '%s ' "$(image "$n")"; done)"
