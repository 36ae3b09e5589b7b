#!/bin/bash
# Entry point of docker/bases/postgres.Dockerfile: the subset of the official image's entry point that
# docker-compose.yml relies on. First start on an empty PGDATA: initdb with POSTGRES_USER and the
# password of POSTGRES_PASSWORD_FILE (or POSTGRES_PASSWORD), password authentication over TCP, and
# POSTGRES_DB created. Then the server, listening on PGPORT (default 5432).
set -euo pipefail
bin=/usr/lib/postgresql/15/bin
: "${PGDATA:=/var/lib/postgresql/data}"
user="${POSTGRES_USER:-postgres}"
if [[ ! -s "$PGDATA/PG_VERSION" ]]; then
  pwfile="$(mktemp)"
  trap 'rm -f "$pwfile"' EXIT
  if [[ -n "${POSTGRES_PASSWORD_FILE:-}" ]]; then cat "$POSTGRES_PASSWORD_FILE" >"$pwfile"
  else printf '%s' "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD or POSTGRES_PASSWORD_FILE is required}" >"$pwfile"; fi
  "$bin/initdb" -D "$PGDATA" --username="$user" --pwfile="$pwfile" --auth-local=trust \
    --auth-host=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  rm -f "$pwfile"
  echo 'host all all all scram-sha-256' >>"$PGDATA/pg_hba.conf"
  if [[ -n "${POSTGRES_DB:-}" && "$POSTGRES_DB" != postgres ]]; then
    # Single-user mode: no server to start and stop for one statement.
    echo "CREATE DATABASE \"$POSTGRES_DB\" OWNER \"$user\"" | "$bin/postgres" --single -D "$PGDATA" postgres >/dev/null
  fi
  echo "postgres-entrypoint: database cluster initialised (user $user${POSTGRES_DB:+, database $POSTGRES_DB})"
fi
exec "$bin/postgres" -D "$PGDATA" -c listen_addresses="${POSTGRES_LISTEN_ADDRESSES:-*}" -p "${PGPORT:-5432}" "$@"
