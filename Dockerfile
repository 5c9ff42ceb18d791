# syntax=docker/dockerfile:1
# kvs-gateway container image: built with the Maven wrapper on a Temurin JDK, run on a Temurin JRE as a numeric
# non-root user, from the Spring Boot jar extracted into layers (dependencies change less often than the application,
# so a rebuild after a code change ships only the last layers). See README, "Building a container".

FROM eclipse-temurin:25-jdk AS build
WORKDIR /src
# Dependencies first, in their own cached layer: they are fetched again only when the pom or the wrapper changes.
COPY .mvn .mvn
COPY mvnw pom.xml ./
RUN --mount=type=cache,target=/root/.m2 ./mvnw -B -ntp -q dependency:go-offline
COPY src src
# Tests run in CI (./mvnw verify), not here: the build context leaves src/test out (.dockerignore).
RUN --mount=type=cache,target=/root/.m2 ./mvnw -B -ntp -q -Dmaven.test.skip=true package \
	&& cp target/kvs-gateway-*.jar application.jar \
	&& java -Djarmode=tools -jar application.jar extract --layers --launcher --destination extracted

FROM eclipse-temurin:25-jre
WORKDIR /app
# A fixed numeric id, so that Kubernetes' runAsNonRoot can check it without resolving a name, and a data directory
# the user owns for the embedded KVS's store.
RUN groupadd --system --gid 10001 gateway \
	&& useradd --system --uid 10001 --gid gateway --home-dir /app --no-create-home --shell /usr/sbin/nologin gateway \
	&& mkdir -p /app/data && chown 10001:10001 /app/data
COPY --from=build /src/extracted/dependencies/ ./
COPY --from=build /src/extracted/spring-boot-loader/ ./
COPY --from=build /src/extracted/snapshot-dependencies/ ./
COPY --from=build /src/extracted/application/ ./
USER 10001:10001
ENV GATEWAY_LOCAL_DATA_DIR=/app/data
# The embedded KVS's streams, fragments and session-token key; mount a volume to keep them across containers.
VOLUME /app/data
EXPOSE 8080
# The JRE image has neither curl nor a Java compiler (so no single-file launcher); bash's /dev/tcp asks the liveness
# group without starting a second JVM. It follows SERVER_PORT and MANAGEMENT_SERVER_PORT when those move the port.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
	CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${MANAGEMENT_SERVER_PORT:-${SERVER_PORT:-8080}} && printf 'GET /actuator/health/liveness HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && read -r -t 4 status <&3 && [[ $status == 'HTTP/1.'?' 200'* ]]"]
# The heap follows the container's memory limit (75%, the rest for metaspace, threads and direct buffers); on
# OutOfMemoryError the JVM exits so that the orchestrator restarts it instead of leaving a half-working process.
# More JVM options: JAVA_TOOL_OPTIONS. Exec form, so that java is PID 1 and gets SIGTERM for a graceful shutdown.
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", "org.springframework.boot.loader.launch.JarLauncher"]
