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
# shellcheck source=scripts/local-hapi.sh
source scripts/local-hapi.sh
use_test_hapi
trap '[[ -n "$started_hapi" ]] && bash fhir-server/stop.sh || true' EXIT
node --import tsx scripts/install-profiles.ts
node --import tsx "bench/${name}/index.ts"
