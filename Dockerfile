# First version: build with the wrapper on a Temurin JDK, run the layered jar on a JRE as a numeric non-root user.
# The operations issue finishes it (health check, volume for the embedded store, AOT cache).
FROM eclipse-temurin:25-jdk AS build
WORKDIR /src
COPY .mvn .mvn
COPY mvnw pom.xml ./
RUN ./mvnw -B -ntp -q dependency:go-offline
COPY src src
RUN ./mvnw -B -ntp -q -DskipTests package \
	&& cp target/kvs-gateway-*.jar application.jar \
	&& java -Djarmode=tools -jar application.jar extract --layers --launcher --destination extracted

FROM eclipse-temurin:25-jre
WORKDIR /app
RUN groupadd --system --gid 10001 gateway && useradd --system --uid 10001 --gid gateway gateway \
	&& mkdir -p /app/data && chown 10001:10001 /app/data
COPY --from=build /src/extracted/dependencies/ ./
COPY --from=build /src/extracted/spring-boot-loader/ ./
COPY --from=build /src/extracted/snapshot-dependencies/ ./
COPY --from=build /src/extracted/application/ ./
USER 10001:10001
ENV GATEWAY_LOCAL_DATA_DIR=/app/data
EXPOSE 8080
ENTRYPOINT ["java", "org.springframework.boot.loader.launch.JarLauncher"]
