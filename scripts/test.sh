#!/usr/bin/env bash
# The project's test command (npm test): typecheck, unit tests, and integration tests against
# a real HAPI FHIR server and a real Redis.
#  - FHIR_BASE_URL set: the tests use that server (it must answer; they fail otherwise).
#  - otherwise: a local HAPI test instance is started (port 8090, database ordo_hapi_test)
#    and stopped again at the end (KEEP_HAPI=1 leaves it running for the next run).
# Redis: TEST_REDIS_URL or redis://127.0.0.1:6379/13, with a queue key prefix unique to this run.
set -euo pipefail
cd "$(dirname "$0")/.."

export REDIS_URL="${TEST_REDIS_URL:-redis://127.0.0.1:6379/13}"
export QUEUE_PREFIX="ordo-test-$$"
export NODE_ENV=test
export LOG_LEVEL="${LOG_LEVEL:-silent}"
mkdir -p .run

# shellcheck source=scripts/local-hapi.sh
source scripts/local-hapi.sh

cleanup() {
  if [[ -n "$started_hapi" && -z "${KEEP_HAPI:-}" ]]; then
    bash fhir-server/stop.sh || true
  fi
}
trap cleanup EXIT

use_test_hapi
echo "tests use FHIR_BASE_URL=$FHIR_BASE_URL REDIS_URL=$REDIS_URL QUEUE_PREFIX=$QUEUE_PREFIX"

npm run --silent typecheck
# Profiles and search parameters the gateway relies on must be on the server before the tests.
node --import tsx scripts/install-profiles.ts

# Every file runs to its natural end: no --test-force-exit (with it, Node 20 can end a file before
# its last describe block has run). The test helpers close what they open (workers, connections,
# relays), so a file that does not end is a leak: the guard below turns it into a failure with a
# message rather than a CI run that hangs.
node --import tsx --test --test-reporter=spec --test-concurrency=1 --test-timeout=300000 test/unit/*.test.ts
status=0
timeout --kill-after=10 "${INTEGRATION_TIMEOUT_SECONDS:-1200}" \
  node --import tsx --test --test-reporter=spec --test-concurrency=1 --test-timeout=300000 test/integration/*.test.ts || status=$?
if [[ $status == 124 || $status == 137 ]]; then
  echo "integration tests did not end within ${INTEGRATION_TIMEOUT_SECONDS:-1200} s: a test file left a handle open (worker, connection, server)" >&2
fi
exit $status
