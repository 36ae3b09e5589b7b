# PostgreSQL 15 from Debian, for machines that reach no image registry (docker/bases/build.sh; the
# host-network compose override). Elsewhere the official postgres:15-bookworm image plays this part:
# this one reads the same variables it is given in docker-compose.yml (POSTGRES_USER, POSTGRES_DB,
# POSTGRES_PASSWORD_FILE) and PGPORT.
ARG DEBIAN_IMAGE=ordo-base/debian:bookworm
FROM ${DEBIAN_IMAGE}
COPY ca/ /usr/local/share/ca-certificates/
RUN apt-get update -qq \
  && apt-get install -y -qq --no-install-recommends ca-certificates >/dev/null && update-ca-certificates >/dev/null \
  && apt-get install -y -qq --no-install-recommends postgresql-15 >/dev/null \
  && rm -rf /var/lib/apt/lists/* \
  && install -d -o postgres -g postgres -m 0700 /var/lib/postgresql/data
COPY postgres-entrypoint.sh /usr/local/bin/postgres-entrypoint
ENV PGDATA=/var/lib/postgresql/data
USER postgres
ENTRYPOINT ["/usr/local/bin/postgres-entrypoint"]
