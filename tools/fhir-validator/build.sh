#!/usr/bin/env bash
# Builds tools/fhir-validator/target/fhir-validator.jar (fat jar: HAPI FHIR 8.8.0 client + validator) once.
# Later calls return at once while the jar is newer than pom.xml and every file under src/.
# Safe to call from concurrent test processes: the build itself runs under a lock.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
JAR=target/fhir-validator.jar

up_to_date() {
  [[ -f $JAR ]] && [[ -z "$(find pom.xml src -newer "$JAR" -print -quit)" ]]
}

up_to_date && exit 0

exec 9>"${TMPDIR:-/tmp}/ordo-fhir-validator-build.lock"
flock 9
up_to_date && exit 0   # another process built it while we waited

echo "fhir-validator: building $JAR" >&2
mvn -q -B -Dstyle.color=never -DskipTests package >&2
up_to_date || { echo "fhir-validator: build did not produce $JAR" >&2; exit 1; }
