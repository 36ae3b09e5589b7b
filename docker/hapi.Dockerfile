# The project's own HAPI FHIR launcher (fhir-server/), the one npm start, npm test and CI run: same
# HAPI release, same settings, the 412 on a stale If-Match, the group-identifier SearchParameter seeded.
# Build from the repository root (the jar's seed comes from profiles/search-parameters):
#   docker build -f docker/hapi.Dockerfile -t ordo-hapi .
# MAVEN_IMAGE: Maven + JDK 17; JRE_IMAGE: a Java 17 runtime with /bin/sh and bash (healthcheck).
ARG MAVEN_IMAGE=maven:3.9-eclipse-temurin-17
ARG JRE_IMAGE=eclipse-temurin:17-jre

FROM ${MAVEN_IMAGE} AS build
WORKDIR /src
COPY fhir-server/pom.xml fhir-server/pom.xml
COPY fhir-server/src fhir-server/src
COPY profiles/search-parameters profiles/search-parameters
# The fat jar, extracted to a plain class path (starts faster; fhir-server/build.sh does the same).
RUN mvn -B -q -Dstyle.color=never -f fhir-server/pom.xml -DskipTests package \
  && java -Djarmode=tools -jar fhir-server/target/ordo-fhir-server.jar extract --destination /app

FROM ${JRE_IMAGE} AS runtime
RUN useradd --system --user-group --home-dir /app --shell /usr/sbin/nologin hapi
COPY --from=build /app /app
COPY docker/hapi-entrypoint.sh /usr/local/bin/hapi-entrypoint
# fhir-server/src/main/resources/application.yaml reads these (fhir-server/README.md "Environment");
# HAPI_DB_PASSWORD_FILE names a file holding the password (a Docker secret).
ENV HAPI_BIND_ADDRESS=0.0.0.0 \
    HAPI_PORT=8080 \
    HAPI_REQUEST_LOGGING=false \
    HAPI_JAVA_OPTS="-XX:MaxRAMPercentage=75 -XX:+UseSerialGC"
USER hapi
EXPOSE 8080
# No wget or curl in a JRE image: bash's /dev/tcp asks GET /fhir/metadata and wants a 200.
HEALTHCHECK --interval=15s --timeout=10s --start-period=120s --retries=20 CMD ["/usr/local/bin/hapi-entrypoint", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/hapi-entrypoint"]
