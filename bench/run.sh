#!/usr/bin/env bash
# Runs one benchmark (intake | dispense | dmp) against a real HAPI and Redis.
# Uses FHIR_BASE_URL when set; otherwise starts the local HAPI test instance like npm test does
# (port 8090, database ordo_hapi_test) and stops it afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
name="${1:?usage: bench/run.sh intake|dispense|dmp}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/14}"
export LOG_LEVEL="${LOG_LEVEL:-warn}"
mkdir -p .run
started_hapi=""
if [[ -z "${FHIR_BASE_URL:-}" ]]; then
  export HAPI_PORT="${TEST_HAPI_PORT:-8090}"
  export HAPI_DB_URL="${TEST_HAPI_DB_URL:-jdbc:postgresql://127.0.0.1:5432/ordo_hapi_test}"
  export HAPI_PID_FILE="$PWD/.run/hapi-test.pid" HAPI_LOG="$PWD/.run/hapi-test.log"
  export FHIR_BASE_URL="http://127.0.0.1:${HAPI_PORT}/fhir"
  if [[ "$(curl -s -o /dev/null -m 5 -w '%{http_code}' "$FHIR_BASE_URL/metadata" || true)" != "200" ]]; then
    bash fhir-server/start.sh
    started_hapi=1
  fi
fi
trap '[[ -n "$started_hapi" ]] && bash fhir-server/stop.sh || true' EXIT
node --import tsx scripts/install-profiles.ts
node --import tsx "bench/${name}/index.ts"
