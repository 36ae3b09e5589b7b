#!/usr/bin/env bash
# Run the server in the foreground (for process managers / `npm start` orchestration).
# Same env vars as start.sh; builds the jar and creates the database first if needed.
set -euo pipefail
FHIR_SERVER_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=_common.sh
source "$FHIR_SERVER_DIR/_common.sh"

"$FHIR_SERVER_DIR/build.sh" >&2
hapi_ensure_database
hapi_java_cmd
echo "fhir-server: serving $HAPI_BASE_URL (foreground)" >&2
exec "${HAPI_JAVA[@]}"
