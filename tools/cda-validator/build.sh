#!/usr/bin/env bash
# Builds tools/cda-validator/target/cda-validator.jar (fat jar: Saxon-HE + SchXslt) once.
# Later calls return at once while the jar is newer than pom.xml and every file under src/.
# Safe to call from concurrent test processes: the build itself runs under a lock.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
JAR=target/cda-validator.jar

up_to_date() {
  [[ -f $JAR ]] && [[ -z "$(find pom.xml src -newer "$JAR" -print -quit)" ]]
}

up_to_date && exit 0

exec 9>"${TMPDIR:-/tmp}/ordo-cda-validator-build.lock"
flock 9
up_to_date && exit 0   # another process built it while we waited

echo "cda-validator: building $JAR" >&2
mvn -q -B -Dstyle.color=never -DskipTests package >&2
up_to_date || { echo "cda-validator: build did not produce $JAR" >&2; exit 1; }
