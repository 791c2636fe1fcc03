# The gateway's container image, built from this repository and nothing else (README: "Build the image"):
#   docker build -t registry.example.com/kubernetes-access-gateway:0.1.0 .
# podman build and buildah bud take the same file.

# Build stage: the Maven wrapper fetches Maven and the dependencies from Maven Central.
FROM eclipse-temurin:25-jdk-noble AS build
WORKDIR /src
# Maven's own Guice calls sun.misc.Unsafe; on JDK 25 that is a warning on every build step.
ENV MAVEN_OPTS="--sun-misc-unsafe-memory-access=allow"
COPY .mvn .mvn
COPY mvnw pom.xml ./
# The dependencies get a layer of their own, rebuilt only when pom.xml changes.
RUN ./mvnw -B -ntp -q dependency:go-offline
COPY src src
RUN ./mvnw -B -ntp -q package -DskipTests

# Runtime stage: a JRE, the fat jar, a numeric non-root user.
FROM eclipse-temurin:25-jre-noble
LABEL org.opencontainers.image.title="kubernetes-access-gateway" \
      org.opencontainers.image.description="Identity-aware gateway that gives Twingate users kubectl access to a private Kubernetes cluster"
# Numeric, so Kubernetes' runAsNonRoot can check it; the chart runs the pod as the same UID and GID.
RUN groupadd --system --gid 10001 gateway && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin gateway
# Owned by root and world-readable: any non-root UID can run it, none can change it.
COPY --from=build /src/target/kubernetes-access-gateway.jar /app/kubernetes-access-gateway.jar
USER 10001:10001
EXPOSE 8443 9090
# The JVM writes nothing but /tmp (give it a tmpfs or emptyDir with a read-only root filesystem).
# Guice's bytecode generation calls sun.misc.Unsafe (JDK 24+ warns at start-up, and no Guice release
# avoids it); turned off, Guice uses reflection and nothing calls Unsafe. JAVA_OPTS comes last, so it
# can change any of these.
ENTRYPOINT ["sh", "-c", "exec java -XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError -Dguice_bytecode_gen_option=DISABLED $JAVA_OPTS -jar /app/kubernetes-access-gateway.jar \"$@\"", "kubernetes-access-gateway"]
CMD ["--config", "/etc/gateway/gateway.conf"]
