#!/usr/bin/env bash
# What `npm run test:deploy` needs on a Debian machine, installed when missing (root): Debian's
# docker.io and debootstrap, the Compose v2 plugin, and a running engine.
#  - Compose: bookworm ships only Compose v1 (Python, no `name:`, no `!reset`); the v2 plugin is
#    taken from Debian's next release (trixie's docker-compose package: one static Go binary, needing
#    libc6 >= 2.34, which bookworm has), unpacked into the CLI plugin folder.
#  - The engine: this workplace forbids bridge networks (no traffic to private-range addresses), so
#    dockerd runs with --bridge=none --iptables=false --ip-masq=false and every container uses the
#    host's network (docker/docker-compose.host.yml). DOCKERD_FLAGS overrides the flags.
set -euo pipefail
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
PLUGIN_DIR=/usr/libexec/docker/cli-plugins

missing=()
command -v dockerd >/dev/null || missing+=(docker.io)
command -v debootstrap >/dev/null || missing+=(debootstrap)
command -v xz >/dev/null || missing+=(xz-utils)
if ((${#missing[@]})); then
  echo "install-docker: apt-get install ${missing[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if ! docker compose version >/dev/null 2>&1; then
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  curl -fsS -m 120 "$MIRROR/dists/trixie/main/binary-amd64/Packages.xz" -o "$work/Packages.xz"
  deb="$(xz -dc "$work/Packages.xz" | awk '/^Package: /{p=($2=="docker-compose")} p&&/^Filename: /&&!f{print $2; f=1}')"
  [[ -n "$deb" ]] || { echo "install-docker: no docker-compose package in trixie's index" >&2; exit 1; }
  echo "install-docker: Compose v2 plugin from $deb"
  curl -fsS -m 300 "$MIRROR/$deb" -o "$work/compose.deb"
  dpkg-deb -x "$work/compose.deb" "$work/root"
  install -D -m 0755 "$work/root/usr/libexec/docker/cli-plugins/docker-compose" "$PLUGIN_DIR/docker-compose"
fi

if ! docker info >/dev/null 2>&1; then
  echo "install-docker: starting dockerd ${DOCKERD_FLAGS:=--bridge=none --iptables=false --ip-masq=false}"
  mkdir -p /var/log
  # shellcheck disable=SC2086 # a list of flags
  nohup dockerd $DOCKERD_FLAGS >/var/log/ordo-dockerd.log 2>&1 &
  for _ in $(seq 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
  docker info >/dev/null 2>&1 || { tail -20 /var/log/ordo-dockerd.log >&2; exit 1; }
fi
echo "install-docker: $(docker compose version), engine $(docker version --format '{{.Server.Version}}')"
