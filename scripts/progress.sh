# shellcheck shell=bash
# Start-up progress for npm start (sourced by scripts/start.sh; scripts/wait-for-ready.sh runs
# wait_for_ready on its own, for the tests). A long step prints a line every PROGRESS_INTERVAL
# seconds (default 10) instead of staying silent, and a step that fails or never ends says so,
# with the tail of its log, and returns non-zero.

: "${PROGRESS_INTERVAL:=10}"

# seconds_since <start> : whole seconds elapsed since <start> (a now_us value), never rounded up.
# Not bash's SECONDS: it ticks on whole-second boundaries, so "3 s" can come after 2.1 s.
now_us() { local t="${EPOCHREALTIME/[.,]/}"; echo "$((10#$t))"; }
seconds_since() { echo $(( ($(now_us) - $1) / 1000000 )); }

# log_tail <log> [lines]: the last lines of a log on stderr, framed, when there is one.
log_tail() {
  local log="$1" lines="${2:-40}"
  [[ -n "$log" && -s "$log" ]] || return 0
  echo "----- last $lines lines of $log -----" >&2
  tail -n "$lines" "$log" >&2 || true
  echo "-----" >&2
}

# run_with_progress <log> <phase-function> <command…>: runs the command, its output shown and
# appended to <log>; every PROGRESS_INTERVAL seconds prints "  … <phase> (N s)", where the phase
# function names what the command is doing from its log (e.g. building, then waiting). Returns the
# command's status; on failure, prints the tail of the log.
run_with_progress() {
  local log="$1" phase="$2"
  shift 2
  local t0 next=$PROGRESS_INTERVAL pid status=0 elapsed
  t0=$(now_us)
  : >>"$log"
  "$@" > >(tee -a "$log") 2>&1 &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    sleep 1
    elapsed=$(seconds_since "$t0")
    if (( elapsed >= next )); then
      echo "  … $("$phase" "$log") ($elapsed s)"
      next=$(( next + PROGRESS_INTERVAL ))
    fi
  done
  wait "$pid" || status=$?
  if (( status != 0 )); then
    echo "start-up step failed (exit $status): $*" >&2
    log_tail "$log"
  fi
  return "$status"
}

# wait_for_ready <url> <timeout-seconds> <log> [pid…]: polls <url> every second until it answers
# 2xx. Prints "  … waiting for <url> (N s)" every PROGRESS_INTERVAL seconds. Returns 1 with a message
# and the tail of <log> when one of the pids exits first, or when the timeout passes.
wait_for_ready() {
  local url="$1" timeout="$2" log="$3"
  shift 3
  local t0 next=$PROGRESS_INTERVAL pid elapsed
  t0=$(now_us)
  while true; do
    if curl -sf -o /dev/null -m 2 "$url"; then return 0; fi
    for pid in "$@"; do
      if ! kill -0 "$pid" 2>/dev/null; then
        echo "start-up failed: process $pid exited before $url answered" >&2
        log_tail "$log"
        return 1
      fi
    done
    elapsed=$(seconds_since "$t0")
    if (( elapsed >= timeout )); then
      echo "start-up failed: $url did not answer within ${timeout} s" >&2
      log_tail "$log"
      return 1
    fi
    if (( elapsed >= next )); then
      echo "  … waiting for $url ($elapsed s)"
      next=$(( next + PROGRESS_INTERVAL ))
    fi
    sleep 1
  done
}
