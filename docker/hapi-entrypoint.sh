#!/bin/bash
# Entry point of docker/hapi.Dockerfile's image.
#   hapi-entrypoint              runs the launcher (the password from HAPI_DB_PASSWORD_FILE when set)
#   hapi-entrypoint healthcheck  exit 0 when GET /fhir/metadata answers 200 (no wget/curl needed)
set -euo pipefail
port="${HAPI_PORT:-8080}"
if [[ "${1:-}" == healthcheck ]]; then
  exec 3<>"/dev/tcp/127.0.0.1/$port"
  printf 'GET /fhir/metadata?_summary=true HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3
  read -r -t 10 _ status _ <&3
  [[ "$status" == 200 ]]
  exit
fi
if [[ -n "${HAPI_DB_PASSWORD_FILE:-}" ]]; then
  HAPI_DB_PASSWORD="$(<"$HAPI_DB_PASSWORD_FILE")"
  export HAPI_DB_PASSWORD
fi
# shellcheck disable=SC2086 # HAPI_JAVA_OPTS is a list of JVM options
exec java ${HAPI_JAVA_OPTS:-} -Dfile.encoding=UTF-8 -Djava.awt.headless=true -jar "${HAPI_JAR:-/app/ordo-fhir-server.jar}" "$@"
