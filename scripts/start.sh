#!/usr/bin/env bash
# One command runs the whole stack locally (npm start): HAPI FHIR (unless FHIR_BASE_URL points
# at an existing server), the gateway and the DMP/audit worker. Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .run

export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/0}"
export PORT="${PORT:-3000}"
export HOST="${HOST:-127.0.0.1}"
export WORKER_HEALTH_PORT="${WORKER_HEALTH_PORT:-3001}"

pids=()
started_hapi=""
stop_all() {
  trap - INT TERM EXIT
  echo "stopping…"
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [[ -n "$started_hapi" ]]; then bash fhir-server/stop.sh || true; fi
  echo "stopped"
}
trap stop_all INT TERM EXIT

if [[ -z "${FHIR_BASE_URL:-}" ]]; then
  export HAPI_PORT="${HAPI_PORT:-8080}"
  export HAPI_PID_FILE="$PWD/.run/hapi.pid"
  export HAPI_LOG="$PWD/.run/hapi.log"
  export FHIR_BASE_URL="http://127.0.0.1:${HAPI_PORT}/fhir"
  if [[ "$(curl -s -o /dev/null -m 5 -w '%{http_code}' "$FHIR_BASE_URL/metadata" || true)" != "200" ]]; then
    bash fhir-server/start.sh
    started_hapi=1
  fi
fi

node --import tsx scripts/install-profiles.ts
node --import tsx gateway/server.ts &
pids+=($!)
node --import tsx queue/worker.ts &
pids+=($!)

# Wait until the gateway says it is ready, then print where everything is.
for _ in $(seq 1 60); do
  if curl -sf -o /dev/null "http://${HOST}:${PORT}/ready"; then break; fi
  for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null || { echo "a process exited during start-up" >&2; exit 1; }; done
  sleep 1
done
cat <<MSG

ordo-gateway is running
  gateway        http://${HOST}:${PORT}   (GET /ready, POST /prescriptions)
  worker health  http://${HOST}:${WORKER_HEALTH_PORT}/health
  FHIR store     ${FHIR_BASE_URL}
  Redis          ${REDIS_URL}
Press Ctrl-C to stop.
MSG
wait -n "${pids[@]}" || true
