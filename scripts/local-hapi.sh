# shellcheck shell=bash
# The local HAPI FHIR instances of npm start, npm test and the benchmarks (sourced from the
# repository root by scripts/start.sh, scripts/test.sh and bench/run.sh). Each function does
# nothing when FHIR_BASE_URL already names a server.

# started_hapi=1 once an instance was started here: the caller stops only what it started.
started_hapi=""

# use_local_hapi <port> <name>: FHIR_BASE_URL → the instance on <port> (pid file and log
# .run/<name>.pid, .run/<name>.log), started unless it already answers.
use_local_hapi() {
  [[ -z "${FHIR_BASE_URL:-}" ]] || return 0
  export HAPI_PORT="$1" HAPI_PID_FILE="$PWD/.run/$2.pid" HAPI_LOG="$PWD/.run/$2.log"
  export FHIR_BASE_URL="http://127.0.0.1:${HAPI_PORT}/fhir"
  if [[ "$(curl -s -o /dev/null -m 5 -w '%{http_code}' "$FHIR_BASE_URL/metadata" || true)" != "200" ]]; then
    # Through the caller's with_hapi_progress when it has one (npm start: a line every 10 s).
    if declare -F with_hapi_progress >/dev/null; then with_hapi_progress bash fhir-server/start.sh
    else bash fhir-server/start.sh; fi
    started_hapi=1
  fi
}

# use_test_hapi: the test instance (port TEST_HAPI_PORT, default 8090; database TEST_HAPI_DB_URL,
# default ordo_hapi_test), shared by npm test and the benchmarks.
use_test_hapi() {
  [[ -z "${FHIR_BASE_URL:-}" ]] || return 0
  export HAPI_DB_URL="${TEST_HAPI_DB_URL:-jdbc:postgresql://127.0.0.1:5432/ordo_hapi_test}"
  use_local_hapi "${TEST_HAPI_PORT:-8090}" hapi-test
}
