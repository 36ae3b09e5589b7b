#!/usr/bin/env bash
# Build the runnable fat jar target/ordo-fhir-server.jar (skipped when it is newer than pom.xml, src/ and
# ../profiles/search-parameters, where its seed comes from)
# and extract it to target/app/ (plain-classpath layout that starts ~20% faster; used by start.sh/run.sh).
# target/app is a symlink to the newest target/app-<stamp>/ extraction.
# Env: MAVEN_OPTS (read by mvn itself), MVN_ARGS (extra mvn arguments, e.g. -Dmaven.repo.local=...),
#      HAPI_FORCE_BUILD=1 to rebuild regardless of timestamps.
set -euo pipefail
FHIR_SERVER_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
JAR="$FHIR_SERVER_DIR/target/ordo-fhir-server.jar"
APP_DIR="$FHIR_SERVER_DIR/target/app"

build_needed() {
  [[ "${HAPI_FORCE_BUILD:-0}" == 1 || ! -f "$JAR" ]] && return 0
  [[ -n "$(find "$FHIR_SERVER_DIR/pom.xml" "$FHIR_SERVER_DIR/src" "$FHIR_SERVER_DIR/../profiles/search-parameters" -newer "$JAR" -print -quit)" ]]
}

if build_needed; then
  command -v mvn >/dev/null || { echo "fhir-server: mvn not found on PATH" >&2; exit 1; }
  echo "fhir-server: building $JAR ..."
  start=$(date +%s)
  # no `mvn clean`: it would delete target/app under a running server; dropping target/classes is
  # enough to get rid of stale resources/classes
  rm -rf "$FHIR_SERVER_DIR/target/classes"
  # -q still leaves ANSI reset codes on Maven 3.8; strip them (pipefail keeps mvn's exit status)
  # shellcheck disable=SC2086 # MVN_ARGS is intentionally word-split
  mvn -B -q -Dstyle.color=never -f "$FHIR_SERVER_DIR/pom.xml" ${MVN_ARGS:-} -DskipTests package 2>&1 \
    | sed -u 's/\x1b\[[0-9;]*m//g'
  [[ -f "$JAR" ]] || { echo "fhir-server: build finished but $JAR is missing" >&2; exit 1; }
  touch "$JAR"
  echo "fhir-server: built $JAR in $(( $(date +%s) - start ))s"
else
  echo "fhir-server: $JAR is up to date (skipping build)"
fi

if [[ ! -f "$APP_DIR/ordo-fhir-server.jar" || "$JAR" -nt "$APP_DIR/ordo-fhir-server.jar" ]]; then
  # Extract into a fresh target/app-<stamp>/ and atomically repoint the target/app symlink, so a
  # server still running from the previous extraction never sees a missing file.
  stamp="app-$(date +%s%N)"
  java -Djarmode=tools -jar "$JAR" extract --destination "$FHIR_SERVER_DIR/target/$stamp" >/dev/null
  touch "$FHIR_SERVER_DIR/target/$stamp/ordo-fhir-server.jar"
  [[ -L "$APP_DIR" || ! -e "$APP_DIR" ]] || rm -rf "$APP_DIR"
  ln -sfn "$stamp" "$FHIR_SERVER_DIR/target/app.new"
  mv -T "$FHIR_SERVER_DIR/target/app.new" "$APP_DIR"
  # drop older extractions that no running process has open any more
  for d in "$FHIR_SERVER_DIR"/target/app-*; do
    [[ "$(basename "$d")" == "$stamp" ]] && continue
    if [[ -z "$(find /proc/[0-9]*/fd -maxdepth 1 -lname "$d/*" -print -quit 2>/dev/null)" ]]; then
      rm -rf "$d"
    fi
  done
  echo "fhir-server: extracted to $APP_DIR -> $stamp"
fi
