#!/usr/bin/env bash
# Stop the server started by start.sh: SIGTERM, wait up to 30 s, then SIGKILL.
set -euo pipefail
FHIR_SERVER_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=_common.sh
source "$FHIR_SERVER_DIR/_common.sh"

if [[ ! -f "$HAPI_PID_FILE" ]]; then
  echo "fhir-server: no pid file ($HAPI_PID_FILE); nothing to stop"
  exit 0
fi
pid="$(tr -dc '0-9' < "$HAPI_PID_FILE")"
if [[ -z "$pid" ]] || ! kill -0 "$pid" 2>/dev/null; then
  echo "fhir-server: process ${pid:-?} is not running; removing stale pid file"
  rm -f "$HAPI_PID_FILE"
  exit 0
fi
# only signal it if it really is our java process (pid files can go stale and pids get reused)
if ! tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -q 'ordo-fhir-server'; then
  echo "fhir-server: pid $pid is not an ordo-fhir-server process; removing stale pid file" >&2
  rm -f "$HAPI_PID_FILE"
  exit 0
fi

echo "fhir-server: stopping pid $pid (SIGTERM)"
kill -TERM "$pid" 2>/dev/null || true
for _ in $(seq 1 60); do
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.5
done
if kill -0 "$pid" 2>/dev/null; then
  echo "fhir-server: still running after 30 s, sending SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
  sleep 1
fi
rm -f "$HAPI_PID_FILE"
echo "fhir-server: stopped"
