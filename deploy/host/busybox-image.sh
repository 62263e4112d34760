#!/usr/bin/env bash
# Builds the `busybox` image tarball from Debian's busybox-static (no image
# registry is reachable on our machines), or imports it into a Docker engine.
#
#   busybox-image.sh build OUT.tar           write the rootfs tarball
#   busybox-image.sh import [DOCKER_HOST]    import as busybox:latest unless present
#
# The rootfs holds the static busybox with every applet linked into /bin, a root
# user, and /index.html so `httpd -f -p 80` (which serves its working directory, /)
# answers `wget -qO- http://<name>/` with a page. CMD is `sh`, as in the
# official image, so `docker run -itd busybox` keeps a shell running.
set -euo pipefail
BUSYBOX="${BUSYBOX:-/bin/busybox}"
IMAGE="${IMAGE:-busybox:latest}"

BBROOT="" BBTAR=""
trap 'rm -rf "$BBROOT" "$BBTAR"' EXIT

build() {
  local out="$1" root
  root="$(mktemp -d "${TMPDIR:-/tmp}/contiv-bbroot.XXXXXX")"
  BBROOT="$root"
  mkdir -p "$root"/{bin,etc,proc,sys,dev,tmp,root}
  chmod 1777 "$root/tmp"
  cp "$BUSYBOX" "$root/bin/busybox"
  local a
  for a in $("$root/bin/busybox" --list); do [ -e "$root/bin/$a" ] || ln -s busybox "$root/bin/$a"; done
  echo 'root:x:0:0:root:/root:/bin/sh' > "$root/etc/passwd"
  echo 'root:x:0:' > "$root/etc/group"
  echo '<html><body>hello from contiv busybox</body></html>' > "$root/index.html"
  # Write to a temp name and rename, so concurrent builders never see half a file.
  tar -C "$root" -cf "$out.tmp.$$" .
  mv -f "$out.tmp.$$" "$out"
}

import_image() {
  local host="${1:-}" args=()
  [ -n "$host" ] && args=(-H "$host")
  if docker "${args[@]}" image inspect "$IMAGE" >/dev/null 2>&1; then
    echo "image $IMAGE present"; return 0
  fi
  BBTAR="$(mktemp "${TMPDIR:-/tmp}/contiv-busybox.XXXXXX.tar")"
  build "$BBTAR"
  docker "${args[@]}" import --change 'CMD ["sh"]' "$BBTAR" "$IMAGE" >/dev/null
  echo "imported $IMAGE from $BUSYBOX"
}

case "${1:-}" in
  build) [ -n "${2:-}" ] || { echo "usage: $0 build OUT.tar" >&2; exit 1; }; build "$2" ;;
  import) import_image "${2:-}" ;;
  *) echo "usage: $0 build OUT.tar | import [DOCKER_HOST]" >&2; exit 1 ;;
esac
