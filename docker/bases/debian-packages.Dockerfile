# The Debian base + some Debian packages (docker/bases/build.sh: the JRE and the Maven + JDK bases of
# docker/hapi.Dockerfile), trusting the machine's extra certificate authorities like node.Dockerfile.
# The CAs go in before the packages: Debian's Java builds its trust store from the system's.
ARG DEBIAN_IMAGE=ordo-base/debian:bookworm
FROM ${DEBIAN_IMAGE}
ARG PACKAGES
COPY ca/ /usr/local/share/ca-certificates/
RUN apt-get update -qq \
  && apt-get install -y -qq --no-install-recommends ca-certificates >/dev/null && update-ca-certificates >/dev/null \
  && apt-get install -y -qq --no-install-recommends ${PACKAGES} >/dev/null \
  && rm -rf /var/lib/apt/lists/*
