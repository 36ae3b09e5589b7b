#!/usr/bin/env bash
# npm run test:deploy: the production images built (docker/bases/build.sh, then compose build with
# docker/docker-compose.host.yml), then test/deploy/*.test.ts starts the compose stack, runs a journey
# against the containers only and tears it down. Needs a Docker engine and the Compose v2 plugin
# (scripts/install-docker.sh installs and starts both on a Debian machine, as .ci/run does).
#   SKIP_IMAGE_BUILD=1  reuse ordo-gateway:latest and ordo-hapi:latest as they are
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/progress.sh

docker info >/dev/null 2>&1 || {
  echo "test:deploy: no Docker engine answers (as root: bash scripts/install-docker.sh installs and starts one)" >&2
  exit 1
}
docker compose version >/dev/null 2>&1 || {
  echo "test:deploy: the Docker Compose v2 plugin is missing (bash scripts/install-docker.sh installs it)" >&2
  exit 1
}

if [[ -z "${SKIP_IMAGE_BUILD:-}" ]]; then
  step_start=$SECONDS
  bash docker/bases/build.sh
  echo "test:deploy: base images ready ($((SECONDS - step_start)) s); building ordo-gateway and ordo-hapi…"
  step_start=$SECONDS
  # Building reads none of the runtime variables, but compose checks the whole file: placeholders.
  building() { echo "building the images (log: .run/test-deploy/build.log)"; }
  # The builder's output goes to the log only (shown on failure); a progress line every 10 s here.
  quietly() { "$@" >>.run/test-deploy/build.log 2>&1; }
  mkdir -p .run/test-deploy
  : >.run/test-deploy/build.log
  run_with_progress .run/test-deploy/build.log building quietly env AUTH_ISSUER=build AUTH_JWKS_URL=build AUTH_AUDIENCE=build \
    DMP_FHIR_BASE_URL=build DMP_SIGNING_P12_PASSWORD=build DMP_SOURCE_OID=build PUBLIC_BASE_URL=build \
    DOCKER_BUILDKIT=0 docker compose -p ordo-deploy-test -f docker/docker-compose.yml -f docker/docker-compose.host.yml \
    build --quiet gateway hapi
  echo "test:deploy: images built ($((SECONDS - step_start)) s)"
fi

mkdir -p .run/test-deploy
node --import tsx --test --test-reporter=spec --test-concurrency=1 --test-timeout=900000 test/deploy/*.test.ts
