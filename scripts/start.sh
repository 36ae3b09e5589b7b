#!/usr/bin/env bash
# One command runs the whole stack locally (npm start): HAPI FHIR (unless FHIR_BASE_URL points
# at an existing server), the development token issuer (unless AUTH_ISSUER names a real one),
# the gateway and the DMP/audit worker. Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .run
# Settings from .env when there is one (.env.example lists every variable); the environment wins.
if [[ -f .env ]]; then
  while IFS='=' read -r name value; do
    [[ "$name" =~ ^[A-Z_][A-Z0-9_]*$ && -z "${!name+x}" && -n "$value" ]] && export "$name=$value"
  done < <(grep -E '^[A-Z_][A-Z0-9_]*=' .env)
fi

export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/0}"
export PORT="${PORT:-3000}"
export HOST="${HOST:-127.0.0.1}"
export WORKER_HEALTH_PORT="${WORKER_HEALTH_PORT:-3001}"

# shellcheck source=scripts/local-hapi.sh
source scripts/local-hapi.sh
# shellcheck source=scripts/progress.sh
source scripts/progress.sh
# How long the gateway may take to answer /ready once started (HAPI's own start has HAPI_START_TIMEOUT).
READY_TIMEOUT_SECONDS="${READY_TIMEOUT_SECONDS:-120}"

# What fhir-server/start.sh is doing, from the last line it printed.
hapi_phase() {
  case "$(grep '^fhir-server:' "$1" | tail -n 1)" in
    *building*) echo "still building the HAPI launcher with Maven (the first run fills ~/.m2: a few minutes)" ;;
    *"starting on"*) echo "waiting for HAPI to answer" ;;
    *) echo "preparing HAPI" ;;
  esac
}
with_hapi_progress() {
  : >.run/hapi-start.log
  run_with_progress .run/hapi-start.log hapi_phase "$@"
}

pids=()
stop_all() {
  trap - INT TERM EXIT
  echo "stopping…"
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [[ -n "$started_hapi" ]]; then bash fhir-server/stop.sh || true; fi
  echo "stopped"
}
trap stop_all INT TERM EXIT

use_local_hapi "${HAPI_PORT:-8080}" hapi

# Authentication: a real OpenID Connect provider when AUTH_ISSUER is set, else the development
# issuer on loopback (its key lives in .run/dev-issuer/; `npm run token` signs with it).
dev_issuer=""
if [[ -z "${AUTH_ISSUER:-}" ]]; then
  if [[ "${NODE_ENV:-}" == "production" ]]; then
    echo "NODE_ENV=production: set AUTH_ISSUER, AUTH_JWKS_URL and AUTH_AUDIENCE (the development issuer is not started)" >&2
    exit 1
  fi
  export DEV_ISSUER_PORT="${DEV_ISSUER_PORT:-3002}"
  export AUTH_ISSUER="http://127.0.0.1:${DEV_ISSUER_PORT}"
  export AUTH_JWKS_URL="${AUTH_ISSUER}/.well-known/jwks.json"
  export AUTH_AUDIENCE="${AUTH_AUDIENCE:-ordo-gateway}"
  node --import tsx dev/token-issuer.ts &
  pids+=($!)
  dev_issuer=1
  for _ in $(seq 1 30); do
    if curl -sf -o /dev/null "$AUTH_JWKS_URL"; then break; fi
    kill -0 "${pids[-1]}" 2>/dev/null || { echo "the development issuer exited during start-up" >&2; exit 1; }
    sleep 0.5
  done
fi

# DMP signing: real credentials when DMP_SIGNING_P12 or DMP_SIGNING_KEY is set, else a throw-away
# development certificate in .run/dev-signing/ (refused in production: queue/dmp/config.ts).
dev_signing=""
if [[ -z "${DMP_SIGNING_P12:-}" && -z "${DMP_SIGNING_KEY:-}" && "${NODE_ENV:-}" != "production" ]]; then
  node --import tsx dev/make-signing-credentials.ts .run/dev-signing
  export DMP_SIGNING_KEY="$PWD/.run/dev-signing/org.key.pem"
  export DMP_SIGNING_CERT="$PWD/.run/dev-signing/org.cert.pem"
  export DMP_SIGNING_CHAIN="$PWD/.run/dev-signing/chain.pem"
  dev_signing=1
fi

node --import tsx scripts/install-profiles.ts
# Their output is shown and kept in .run/gateway.log and .run/worker.log (shown when start-up fails).
: >.run/gateway.log
: >.run/worker.log
node --import tsx gateway/server.ts > >(tee -a .run/gateway.log) 2>&1 &
pids+=($!)
node --import tsx queue/worker.ts > >(tee -a .run/worker.log) 2>&1 &
pids+=($!)

# Wait until the gateway says it is ready, then print where everything is; never claim it runs when it does not.
echo "waiting for the gateway at http://${HOST}:${PORT}/ready (at most ${READY_TIMEOUT_SECONDS} s)…"
if ! wait_for_ready "http://${HOST}:${PORT}/ready" "$READY_TIMEOUT_SECONDS" .run/gateway.log "${pids[@]}"; then
  log_tail .run/worker.log 20
  echo "ordo-gateway did NOT start (logs: .run/gateway.log, .run/worker.log${started_hapi:+, $HAPI_LOG})" >&2
  exit 1
fi
cat <<MSG

ordo-gateway is running
  gateway        http://${HOST}:${PORT}   (GET /ready, POST /prescriptions)
  API docs       http://${HOST}:${PORT}/docs   (OpenAPI: http://${HOST}:${PORT}/openapi.json)
  worker health  http://${HOST}:${WORKER_HEALTH_PORT}/health   (and /metrics)
  operations     http://${HOST}:${PORT}/admin/queues   http://${HOST}:${PORT}/metrics   (operator role)
  DMP store      ${DMP_FHIR_BASE_URL:-$FHIR_BASE_URL}${dev_signing:+ (documents signed with the development certificate in .run/dev-signing/)}
  FHIR store     ${FHIR_BASE_URL}
  Redis          ${REDIS_URL}
  token issuer   ${AUTH_ISSUER}${dev_issuer:+ (development: npm run --silent token -- --role prescriber --profession doctor --rpps 99900000110)}
Press Ctrl-C to stop.
MSG
wait -n "${pids[@]}" || true
