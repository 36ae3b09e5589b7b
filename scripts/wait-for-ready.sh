#!/usr/bin/env bash
# wait-for-ready.sh <url> <timeout-seconds> <log> [pid…]: scripts/progress.sh's wait_for_ready as a
# command (exit 0 once <url> answers 2xx; 1 with a message and the log's tail otherwise).
set -euo pipefail
# shellcheck source=scripts/progress.sh
source "$(dirname "$0")/progress.sh"
wait_for_ready "$@"
