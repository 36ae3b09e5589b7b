# A Debian base with Node and npm, for machines that reach no image registry (docker/bases/build.sh).
# Elsewhere the official node:20-bookworm-slim image plays this part (docker/Dockerfile's BASE_IMAGE).
ARG DEBIAN_IMAGE=ordo-base/debian:bookworm
FROM ${DEBIAN_IMAGE}
# The machine's own extra certificate authorities (a TLS-inspecting proxy in front of the registries),
# if it has any: npm inside the build must trust what npm outside it trusts.
COPY ca/ /usr/local/share/ca-certificates/
COPY node.tgz npm.tgz /tmp/
RUN apt-get update -qq \
  && apt-get install -y -qq --no-install-recommends ca-certificates >/dev/null \
  && rm -rf /var/lib/apt/lists/* && update-ca-certificates >/dev/null \
  && mkdir -p /usr/local/lib/nodejs /usr/local/lib/node_modules/npm \
  && tar -xzf /tmp/node.tgz -C /usr/local/lib/nodejs --strip-components=1 package/bin \
  && ln -s /usr/local/lib/nodejs/bin/node /usr/local/bin/node \
  && tar -xzf /tmp/npm.tgz -C /usr/local/lib/node_modules/npm --strip-components=1 \
  && ln -s /usr/local/lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
  && ln -s /usr/local/lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \
  && rm /tmp/*.tgz \
  && useradd --create-home --uid 1000 --user-group node
# Node's own CA list does not read the system store: point it there (the extra authorities included).
ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
