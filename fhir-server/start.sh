#!/usr/bin/env bash
# Start the local HAPI FHIR server in the background and wait until GET /fhir/metadata answers 200.
# Builds the jar and creates the PostgreSQL database if needed. See README.md for the env vars.
set -euo pipefail
FHIR_SERVER_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=_common.sh
source "$FHIR_SERVER_DIR/_common.sh"

if [[ "$(hapi_metadata_status)" == 200 ]]; then
  echo "fhir-server: a FHIR server already answers at $HAPI_BASE_URL; not starting another"
  exit 0
fi
if [[ -f "$HAPI_PID_FILE" ]]; then
  oldpid="$(tr -dc '0-9' < "$HAPI_PID_FILE")"
  if [[ -n "$oldpid" ]] && kill -0 "$oldpid" 2>/dev/null \
      && tr '\0' ' ' < "/proc/$oldpid/cmdline" 2>/dev/null | grep -q 'ordo-fhir-server'; then
    echo "fhir-server: pid $oldpid (from $HAPI_PID_FILE) is running but $HAPI_BASE_URL does not answer;" \
      "run stop.sh first" >&2
    exit 1
  fi
  rm -f "$HAPI_PID_FILE"
fi

"$FHIR_SERVER_DIR/build.sh"
hapi_ensure_database
hapi_java_cmd

mkdir -p "$(dirname "$HAPI_LOG")" "$(dirname "$HAPI_PID_FILE")"
echo "fhir-server: starting on $HAPI_BASE_URL (db $HAPI_DB_URL, heap $HAPI_HEAP, log $HAPI_LOG)"
t0=$(date +%s)
nohup "${HAPI_JAVA[@]}" > "$HAPI_LOG" 2>&1 < /dev/null &
pid=$!
echo "$pid" > "$HAPI_PID_FILE"

fail() {
  echo "fhir-server: $1" >&2
  echo "----- last 50 lines of $HAPI_LOG -----" >&2
  tail -n 50 "$HAPI_LOG" >&2 || true
  exit 1
}

while true; do
  if ! kill -0 "$pid" 2>/dev/null; then
    rm -f "$HAPI_PID_FILE"
    fail "server process $pid exited during start-up"
  fi
  if [[ "$(hapi_metadata_status)" == 200 ]]; then
    echo "fhir-server: ready after $(( $(date +%s) - t0 ))s: $HAPI_BASE_URL (pid $pid)"
    exit 0
  fi
  if (( $(date +%s) - t0 >= HAPI_START_TIMEOUT )); then
    "$FHIR_SERVER_DIR/stop.sh" >&2 || true
    fail "not ready after ${HAPI_START_TIMEOUT}s; stopped pid $pid"
  fi
  sleep 1
done
