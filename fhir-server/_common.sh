# shellcheck shell=bash
# Shared settings for build.sh / start.sh / stop.sh / run.sh (sourced, not executed).
# Expects FHIR_SERVER_DIR to be set by the caller (the directory of this file).

: "${HAPI_PORT:=8080}"
: "${HAPI_BIND_ADDRESS:=127.0.0.1}"
: "${HAPI_DB_URL:=jdbc:postgresql://127.0.0.1:5432/ordo_hapi}"
: "${HAPI_DB_USER:=postgres}"
: "${HAPI_DB_PASSWORD:=}"
: "${HAPI_HEAP:=768m}"
: "${HAPI_JAVA_OPTS:=}"
: "${HAPI_LOG:=$FHIR_SERVER_DIR/hapi.log}"
: "${HAPI_PID_FILE:=$FHIR_SERVER_DIR/hapi.pid}"
: "${HAPI_START_TIMEOUT:=300}"
export HAPI_PORT HAPI_BIND_ADDRESS HAPI_DB_URL HAPI_DB_USER HAPI_DB_PASSWORD

HAPI_FAT_JAR="$FHIR_SERVER_DIR/target/ordo-fhir-server.jar"
# build.sh extracts the fat jar to target/app/ (starts faster than the nested-jar launcher)
HAPI_APP_JAR="$FHIR_SERVER_DIR/target/app/ordo-fhir-server.jar"
# host the HTTP checks talk to (0.0.0.0 / :: bind -> ask loopback)
case "$HAPI_BIND_ADDRESS" in
  0.0.0.0 | "::" | "") HAPI_CHECK_HOST=127.0.0.1 ;;
  *:*) HAPI_CHECK_HOST="[$HAPI_BIND_ADDRESS]" ;;
  *) HAPI_CHECK_HOST="$HAPI_BIND_ADDRESS" ;;
esac
HAPI_BASE_URL="http://$HAPI_CHECK_HOST:$HAPI_PORT/fhir"

# java command line (array HAPI_JAVA) used by start.sh and run.sh.
# C1-only JIT + serial GC roughly halve start-up CPU on a 2-core box; HAPI_JAVA_OPTS comes last,
# so e.g. HAPI_JAVA_OPTS="-XX:TieredStopAtLevel=4 -XX:-UseSerialGC -XX:+UseG1GC" restores the JVM defaults.
hapi_java_cmd() {
  local jar="$HAPI_APP_JAR"
  [[ -f "$jar" ]] || jar="$HAPI_FAT_JAR"
  local -a opts=("-Xmx$HAPI_HEAP" "-XX:+UseSerialGC" "-XX:TieredStopAtLevel=1"
    "-Dfile.encoding=UTF-8" "-Djava.awt.headless=true")
  if [[ -n "$HAPI_JAVA_OPTS" ]]; then
    # shellcheck disable=SC2206 # intentional word splitting of user-provided JVM options
    opts+=($HAPI_JAVA_OPTS)
  fi
  # shellcheck disable=SC2034 # used by start.sh / run.sh
  HAPI_JAVA=(java "${opts[@]}" -jar "$jar")
}

# Parse jdbc:postgresql://host[:port]/dbname[?params] into PG_HOST / PG_PORT / PG_DB
hapi_parse_db_url() {
  local rest="${HAPI_DB_URL#jdbc:postgresql://}"
  if [[ "$rest" == "$HAPI_DB_URL" ]]; then
    echo "HAPI_DB_URL must start with jdbc:postgresql:// (got: $HAPI_DB_URL)" >&2
    return 1
  fi
  rest="${rest%%\?*}"
  local hostport="${rest%%/*}"
  PG_DB="${rest#*/}"
  if [[ "$hostport" == "$rest" || -z "$PG_DB" ]]; then
    echo "HAPI_DB_URL has no database name: $HAPI_DB_URL" >&2
    return 1
  fi
  if [[ "$hostport" == \[*\]* ]]; then # [ipv6]:port
    PG_HOST="${hostport%%]*}"; PG_HOST="${PG_HOST#[}"
    PG_PORT="${hostport##*]}"; PG_PORT="${PG_PORT#:}"
  elif [[ "$hostport" == *:* ]]; then
    PG_HOST="${hostport%%:*}"; PG_PORT="${hostport##*:}"
  else
    PG_HOST="$hostport"; PG_PORT=""
  fi
  [[ -n "$PG_HOST" ]] || PG_HOST=127.0.0.1
  [[ -n "$PG_PORT" ]] || PG_PORT=5432
}

# HTTP status of GET /fhir/metadata ("000" when nothing answers)
hapi_metadata_status() {
  curl -s -o /dev/null -m 10 -w '%{http_code}' "$HAPI_BASE_URL/metadata" 2>/dev/null || true
}

# Create the database named in HAPI_DB_URL when it does not exist yet (needs psql/createdb).
hapi_ensure_database() {
  hapi_parse_db_url
  if ! command -v psql >/dev/null || ! command -v createdb >/dev/null; then
    echo "fhir-server: psql/createdb not found; assuming database '$PG_DB' exists" >&2
    return 0
  fi
  local -a conn=(-h "$PG_HOST" -p "$PG_PORT" -U "$HAPI_DB_USER")
  local exists
  if ! exists="$(PGPASSWORD="$HAPI_DB_PASSWORD" psql "${conn[@]}" -d postgres -w -tAc \
      "SELECT 1 FROM pg_database WHERE datname='${PG_DB//\'/\'\'}'")"; then
    echo "fhir-server: cannot connect to PostgreSQL at $PG_HOST:$PG_PORT as $HAPI_DB_USER" >&2
    return 1
  fi
  if [[ "$exists" != *1* ]]; then
    echo "fhir-server: creating database '$PG_DB' on $PG_HOST:$PG_PORT" >&2
    PGPASSWORD="$HAPI_DB_PASSWORD" createdb "${conn[@]}" -w "$PG_DB"
  fi
}
