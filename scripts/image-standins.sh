#!/usr/bin/env bash
# Builds local stand-ins for the images the Dockerfile and docker-compose.yml name, on a
# machine where no image registry is reachable, so that podman can build the real
# Dockerfile and docker-compose can run the real compose file:
#
#   node:22-bookworm-slim   a Debian root filesystem made by debootstrap (minbase) from the
#                           machine's configured Debian mirror, plus THIS MACHINE's Node.js
#                           binary and npm, whatever their version (so the "22" of the tag
#                           is a name only: check `node --version` on the host), the
#                           official image's `node` user (uid 1000), and the machine's CA
#                           bundle as NODE_EXTRA_CA_CERTS (where HTTPS to the npm registry
#                           goes through an intercepting proxy, `npm ci` in the build
#                           trusts what the host trusts)
#   prom/prometheus:*       the same Debian base plus the host's /usr/bin/prometheus and
#   prom/alertmanager:*     /usr/bin/prometheus-alertmanager (Debian's packages), laid out
#   redis:*                 as the official images (entrypoint, user, working directory);
#                           redis-server with the shared libraries the base lacks
#   busybox:*               the host's static /bin/busybox with every applet linked
#
# Usage: scripts/image-standins.sh
#   PODMAN   the podman command, word-split (default: podman), e.g.
#            PODMAN="podman --root /tmp/x/storage --runroot /tmp/x/run"
#   AEGIS_STANDIN_CACHE   where the Debian root filesystem tarball is kept between runs
#            (default: .cache/image-standins, gitignored); delete it to rebuild
# Needs root (debootstrap), debootstrap, podman, and the host packages install-deps.sh
# installs. The images are tagged with the names the files use, in docker.io's
# namespace, so that `FROM node:22-bookworm-slim` and compose's `image:` resolve locally.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

read -r -a podman <<<"${PODMAN:-podman}"
cache=${AEGIS_STANDIN_CACHE:-$PWD/.cache/image-standins}
mkdir -p "$cache"
work=$(mktemp -d "${TMPDIR:-/tmp}/aegis-standins.XXXXXX")
trap 'rm -rf "$work"' EXIT

log() { printf 'image-standins: %s\n' "$*" >&2; }

# The mirror and suite apt uses: the first Debian source that is not the security archive,
# from deb822 .sources files or the one-line sources.list format.
debian_source() {
  local file
  for file in /etc/apt/sources.list.d/*.sources; do
    [[ -e $file ]] || continue
    awk '
      /^[[:space:]]*$/ { if (uri != "" && suite != "" && uri !~ /security/) { print uri, suite; found = 1; exit } uri = ""; suite = ""; next }
      /^URIs:/ { uri = $2 } /^Suites:/ { suite = $2 }
      END { if (!found && uri != "" && suite != "" && uri !~ /security/) print uri, suite }
    ' "$file"
  done
  cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
    awk '$1 == "deb" && $2 !~ /security/ { print ($2 ~ /^\[/ ? $3 " " $4 : $2 " " $3) }'
}

read -r mirror suite < <(debian_source | head -n 1) || true
if [[ -z ${mirror:-} || -z ${suite:-} ]]; then
  log "no Debian mirror found in /etc/apt/sources.list*"
  exit 1
fi

rootfs_tar=$cache/debian-$suite-minbase.tar
if [[ ! -s $rootfs_tar ]]; then
  log "debootstrap --variant=minbase $suite from $mirror (about 45 s idle, minutes on a loaded machine)"
  started=$SECONDS
  debootstrap --variant=minbase "$suite" "$work/rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 || {
    tail -n 20 "$work/debootstrap.log" >&2
    exit 1
  }
  # What debootstrap fetched, and apt's lists, would only weigh the image down.
  rm -rf "$work"/rootfs/var/cache/apt/archives/*.deb "$work"/rootfs/var/lib/apt/lists/*
  tar --numeric-owner -C "$work/rootfs" -cf "$rootfs_tar.partial" .
  mv "$rootfs_tar.partial" "$rootfs_tar"
  rm -rf "$work/rootfs"
  log "root filesystem cached in $rootfs_tar ($((SECONDS - started)) s)"
fi
# The base's files, to tell which shared libraries a copied binary still needs.
if [[ ! -s $rootfs_tar.list || $rootfs_tar.list -ot $rootfs_tar ]]; then
  tar -tf "$rootfs_tar" >"$rootfs_tar.list"
fi

base=localhost/aegis-standin/debian:$suite
log "importing $base"
"${podman[@]}" import --quiet "$rootfs_tar" "$base" >/dev/null

# The image names a file uses for a repository, e.g. `images_named docker-compose.yml redis`.
images_named() {
  local file=$1 repository=$2
  grep -Eo "^[[:space:]]*(FROM|image:)[[:space:]]+['\"]?[^ '\"]+" "$file" |
    awk '{ print $2 }' | tr -d "'\"" |
    awk -v repo="$repository" '{ name = $0; sub(/:[^:\/]*$/, "", name); if (name == repo) print $0 }' |
    sort -u
}

# Fully qualified, as podman's Docker API and short-name resolution look them up.
qualified() {
  case $1 in
  */*/*) echo "$1" ;;
  */*) echo "docker.io/$1" ;;
  *) echo "docker.io/library/$1" ;;
  esac
}

# Where the base keeps shared libraries (merged /usr: /lib is a link to usr/lib).
libdir=$(dirname "$(ldd /bin/sh | awk '$1 ~ /^libc\.so/ { print $3 }')")
libdir=/usr${libdir#/usr}

# copy_with_libraries BINARY CONTEXT NAME: the binary, as NAME, and the shared libraries it
# needs that the base lacks (in CONTEXT/lib/).
copy_with_libraries() {
  local binary=$1 context=$2 name=$3 library
  mkdir -p "$context/lib"
  cp -L "$binary" "$context/$name"
  for library in $(ldd "$binary" | awk '$2 == "=>" && $3 ~ /^\// { print $3 }'); do
    if ! grep -q "/${library##*/}\$" "$rootfs_tar.list"; then
      cp -L "$library" "$context/lib/"
    fi
  done
}

# build NAME CONTEXT TAG...: builds CONTEXT/Containerfile and tags it with every TAG.
build() {
  local name=$1 context=$2 tag
  shift 2
  if (($# == 0)); then return; fi
  local tags=()
  for tag in "$@"; do tags+=(--tag "$(qualified "$tag")"); done
  log "building $name as $*"
  "${podman[@]}" build --quiet --pull=never --format docker "${tags[@]}" \
    --file "$context/Containerfile" "$context" >/dev/null
}

# Node.js: the host's binary and npm, where the official image has them.
node_bin=$(command -v node)
npm_dir=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")
mkdir -p "$work/node"
copy_with_libraries "$node_bin" "$work/node" node
cp -a "$npm_dir" "$work/node/npm"
ca_bundle=${NODE_EXTRA_CA_CERTS:-/etc/ssl/certs/ca-certificates.crt}
cp -L "$ca_bundle" "$work/node/ca-certificates.crt"
cat >"$work/node/Containerfile" <<EOF
FROM $base
COPY lib/ $libdir/
COPY node /usr/local/bin/node
COPY npm /usr/local/lib/node_modules/npm
COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \\
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \\
 && groupadd --gid 1000 node \\
 && useradd --uid 1000 --gid node --shell /bin/bash --create-home node
LABEL org.opencontainers.image.description="stand-in: Debian $suite minbase + host Node.js $(node --version)"
CMD ["node"]
EOF
mapfile -t node_tags < <(images_named Dockerfile node)
build node "$work/node" "${node_tags[@]}"

# Prometheus, as prom/prometheus lays it out.
mkdir -p "$work/prometheus"
copy_with_libraries /usr/bin/prometheus "$work/prometheus" prometheus
copy_with_libraries /usr/bin/promtool "$work/prometheus" promtool
cat >"$work/prometheus/Containerfile" <<EOF
FROM $base
COPY lib/ $libdir/
COPY prometheus promtool /bin/
RUN mkdir -p /etc/prometheus /prometheus && chown nobody:nogroup /prometheus
USER nobody
WORKDIR /prometheus
EXPOSE 9090
ENTRYPOINT ["/bin/prometheus"]
CMD ["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus"]
EOF
mapfile -t prometheus_tags < <(images_named docker-compose.yml prom/prometheus)
build prometheus "$work/prometheus" "${prometheus_tags[@]}"

# Alertmanager, as prom/alertmanager lays it out.
mkdir -p "$work/alertmanager"
copy_with_libraries /usr/bin/prometheus-alertmanager "$work/alertmanager" alertmanager
copy_with_libraries /usr/bin/amtool "$work/alertmanager" amtool
# Debian's build reads its notification templates from here (upstream's embeds them).
cp -a /usr/share/prometheus/alertmanager "$work/alertmanager/templates"
cat >"$work/alertmanager/Containerfile" <<EOF
FROM $base
COPY lib/ $libdir/
COPY alertmanager amtool /bin/
COPY templates /usr/share/prometheus/alertmanager
RUN mkdir -p /etc/alertmanager /alertmanager && chown nobody:nogroup /alertmanager
USER nobody
WORKDIR /alertmanager
EXPOSE 9093
ENTRYPOINT ["/bin/alertmanager"]
CMD ["--config.file=/etc/alertmanager/alertmanager.yml", "--storage.path=/alertmanager"]
EOF
mapfile -t alertmanager_tags < <(images_named docker-compose.yml prom/alertmanager)
build alertmanager "$work/alertmanager" "${alertmanager_tags[@]}"

# Redis, running as `redis` in /data as the official image's entrypoint arranges, and
# reachable from other containers: the official image is built with protected mode off
# (Debian's binary has it on, refusing every client but loopback without a password).
mkdir -p "$work/redis"
copy_with_libraries /usr/bin/redis-server "$work/redis" redis-server
cat >"$work/redis/entrypoint.sh" <<'EOF'
#!/bin/sh
if [ "$1" = redis-server ]; then
  shift
  exec redis-server --protected-mode no "$@"
fi
exec "$@"
EOF
chmod +x "$work/redis/entrypoint.sh"
cat >"$work/redis/Containerfile" <<EOF
FROM $base
COPY lib/ $libdir/
COPY redis-server entrypoint.sh /usr/local/bin/
RUN groupadd --system redis && useradd --system --gid redis --home-dir /data redis \\
 && mkdir -p /data && chown redis:redis /data
USER redis
WORKDIR /data
EXPOSE 6379
ENTRYPOINT ["/usr/local/bin/entrypoint.sh"]
CMD ["redis-server"]
EOF
mapfile -t redis_tags < <(images_named docker-compose.yml redis)
build redis "$work/redis" "${redis_tags[@]}"

# busybox: the static binary with every applet linked, in an otherwise empty image.
mkdir -p "$work/busybox/rootfs/bin" "$work/busybox/rootfs/tmp"
chmod 1777 "$work/busybox/rootfs/tmp"
cp /bin/busybox "$work/busybox/rootfs/bin/"
for applet in $(/bin/busybox --list); do
  [[ $applet == busybox ]] || ln -sf busybox "$work/busybox/rootfs/bin/$applet"
done
printf 'FROM scratch\nCOPY rootfs/ /\nCMD ["sh"]\n' >"$work/busybox/Containerfile"
mapfile -t busybox_tags < <(images_named docker-compose.yml busybox)
build busybox "$work/busybox" "${busybox_tags[@]}"

log "done"
