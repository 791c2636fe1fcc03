# Build: docker build -t kubernetes-access-gateway .
FROM eclipse-temurin:25-jdk AS build
WORKDIR /src
COPY .mvn .mvn
COPY mvnw pom.xml ./
RUN ./mvnw -B -q -ntp dependency:go-offline
COPY src src
RUN ./mvnw -B -q -ntp package -DskipTests

FROM eclipse-temurin:25-jre
# A numeric non-root user, so runAsNonRoot can verify it; nothing is written outside /tmp,
# so the root filesystem can be read-only.
RUN groupadd --system --gid 10001 gateway && useradd --system --uid 10001 --gid 10001 --no-create-home gateway
COPY --from=build /src/target/kubernetes-access-gateway.jar /app/kubernetes-access-gateway.jar
USER 10001:10001
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -Djava.io.tmpdir=/tmp"
EXPOSE 8443 9090
ENTRYPOINT ["java", "-jar", "/app/kubernetes-access-gateway.jar"]
CMD ["--config", "/etc/gateway/gateway.conf"]
