package com.twingate.gateway.chart;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.twingate.gateway.testkit.TestPki;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No container engine runs here, so the image is checked two ways: its Dockerfile read as instructions
 * and held against the repository and the chart; and its entrypoint run for real — the same shell
 * command and JVM options, with the build's classes in place of the jar it copies — as the container
 * would start.
 */
class DockerfileTest {

    private static final Path DOCKERFILE = Path.of("Dockerfile");
    private static final String JAR_IN_IMAGE = "-jar /app/kubernetes-access-gateway.jar";

    record Instruction(String keyword, String arguments) {}

    @TempDir
    Path dir;

    @Test
    void twoStagesBuildFromTheRepositoryAloneAndRunTheJarAsTheChartsNonRootUser() throws Exception {
        List<List<Instruction>> stages = stages();
        assertThat(stages).hasSize(2);
        List<Instruction> build = stages.get(0);
        List<Instruction> runtime = stages.get(1);

        assertThat(build.getFirst().arguments()).matches("eclipse-temurin:25-jdk\\S* AS build");
        for (Instruction copy : ofKind(build, "COPY")) {
            List<String> sources = List.of(copy.arguments().split("\\s+"));
            for (String source : sources.subList(0, sources.size() - 1)) {
                assertThat(Path.of(source)).as("COPY %s: from the repository", source).exists();
            }
        }
        assertThat(ofKind(build, "RUN")).extracting(Instruction::arguments).anyMatch(run -> run.startsWith("./mvnw ") && run.contains(" package"));

        assertThat(runtime.getFirst().arguments()).matches("eclipse-temurin:25-jre\\S*");
        assertThat(ofKind(runtime, "COPY")).extracting(Instruction::arguments)
                .containsExactly("--from=build /src/target/kubernetes-access-gateway.jar /app/kubernetes-access-gateway.jar");
        assertThat(Files.readString(Path.of("pom.xml"))).contains("<finalName>kubernetes-access-gateway</finalName>",
                "<Enable-Native-Access>ALL-UNNAMED</Enable-Native-Access>");
        JsonNode values = Manifests.YAML.readTree(HelmChart.SOURCE.resolve("values.yaml").toFile());
        JsonNode security = values.path("securityContext");
        assertThat(ofKind(runtime, "USER")).extracting(Instruction::arguments)
                .containsExactly(security.path("runAsUser").asInt() + ":" + security.path("runAsGroup").asInt());
        assertThat(security.path("runAsNonRoot").asBoolean()).isTrue();
        assertThat(security.path("readOnlyRootFilesystem").asBoolean()).isTrue();
        assertThat(ofKind(runtime, "EXPOSE")).extracting(Instruction::arguments)
                .containsExactly(values.path("containerPorts").path("https").asInt() + " " + values.path("containerPorts").path("metrics").asInt());
        assertThat(json(runtime, "CMD")).containsExactly("--config", "/etc/gateway/gateway.conf");
        String deployment = Files.readString(HelmChart.SOURCE.resolve("templates/deployment.yaml"));
        assertThat(deployment).contains("args: [\"--config\", \"/etc/gateway/gateway.conf\"]", "mountPath: /etc/gateway/gateway.conf",
                "mountPath: /tmp", "name: JAVA_OPTS");
    }

    @Test
    void theEntrypointStartsTheGatewayWithoutAWarningHonoursJavaOptsAndStopsCleanlyOnSigterm() throws Exception {
        List<String> entrypoint = json(stages().getLast(), "ENTRYPOINT");
        assertThat(entrypoint.subList(0, 2)).containsExactly("sh", "-c");
        assertThat(entrypoint.get(2)).startsWith("exec java ").contains(JAR_IN_IMAGE + " \"$@\"");
        // The classes instead of the jar: what the jar's manifest gives (Enable-Native-Access, for Conscrypt's
        // native library, which Jetty's ALPN processor for Conscrypt loads at start-up) is given on the command line.
        String script = entrypoint.get(2).replace(JAR_IN_IMAGE, "--enable-native-access=ALL-UNNAMED -cp "
                + System.getProperty("java.class.path") + " com.twingate.gateway.Main");
        List<String> command = new ArrayList<>(List.of("sh", "-c", script, entrypoint.get(3)));
        command.addAll(List.of("--config", gatewayConf().toString()));
        ProcessBuilder container = new ProcessBuilder(command);
        Path java = Path.of(ProcessHandle.current().info().command().orElseThrow());
        container.environment().put("PATH", java.getParent() + ":" + System.getenv("PATH"));
        container.environment().put("JAVA_OPTS", "-XX:MaxRAMPercentage=50 -XX:+PrintFlagsFinal -XX:TieredStopAtLevel=1");

        Process process = container.start();
        List<String> stdout = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> started = new CompletableFuture<>();
        Thread collector = Thread.ofVirtual().start(() -> collect(process, stdout, started));
        CompletableFuture<String> stderr = CompletableFuture.supplyAsync(() -> readAll(process));
        try {
            started.get(60, TimeUnit.SECONDS);
            assertThat(process.toHandle().info().command()).as("exec: the container's process is java itself, not a shell")
                    .hasValueSatisfying(executable -> assertThat(Path.of(executable).getFileName()).hasToString("java"));
            assertServesMetrics(stdout);
            // SIGTERM, as the kubelet sends it; Process.destroy() would also close our end of its output.
            process.toHandle().destroy();
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the gateway stops on SIGTERM").isTrue();
            assertThat(collector.join(Duration.ofSeconds(10))).as("its output read to the end").isTrue();
        } finally {
            process.destroyForcibly();
        }

        assertThat(process.exitValue()).as("on SIGTERM the gateway drains and exits 0").isZero();
        assertThat(stderr.get(10, TimeUnit.SECONDS).lines()).as("the JVM's stderr").noneMatch(line -> line.contains("WARNING"));
        assertThat(stdout).noneMatch(line -> line.contains("sun.misc.Unsafe"));
        assertThat(stdout).anyMatch(line -> line.matches("\\s*double MaxRAMPercentage\\s+= 50\\.0+\\s.*"));
        assertThat(stdout).anyMatch(line -> line.matches("\\s*bool ExitOnOutOfMemoryError\\s+= true\\s.*"));
        assertThat(stdout).anyMatch(line -> line.contains("\"message\":\"gateway stopped\""));
    }

    /** Ready as a readiness probe would see it: the metrics port answers. */
    private static void assertServesMetrics(List<String> stdout) throws Exception {
        Matcher port = Pattern.compile("metrics port (\\d+)").matcher(stdout.stream()
                .filter(line -> line.contains("gateway started in")).findFirst().orElseThrow());
        assertThat(port.find()).isTrue();
        try (HttpClient client = HttpClient.newHttpClient()) {
            HttpResponse<Void> metrics = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port.group(1) + "/metrics"))
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.discarding());
            assertThat(metrics.statusCode()).isEqualTo(200);
        }
    }

    private Path gatewayConf() throws IOException {
        TestPki pki = TestPki.create("image", dir);
        TestPki.Issued gateway = pki.issue("gateway");
        return Files.writeString(dir.resolve("gateway.conf"), """
                twingate { network = acme, host = test, jwksUrl = "http://127.0.0.1:9/jwks" }
                bindAddress = "127.0.0.1"
                port = 0
                metricsPort = 0
                tls { certificateFile = "%s", privateKeyFile = "%s" }
                kubernetes.upstreams = [ { name = api, address = "127.0.0.1:9", caFile = "%s", bearerToken = t } ]
                """.formatted(gateway.certificateFile(), gateway.privateKeyFile(), pki.caFile()));
    }

    private static void collect(Process process, List<String> lines, CompletableFuture<Void> started) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                lines.add(line);
                if (line.contains("\"message\":\"gateway started in")) {
                    started.complete(null);
                }
            }
            started.completeExceptionally(new AssertionError("the gateway exited before it started:\n" + String.join("\n", lines)));
        } catch (IOException e) {
            started.completeExceptionally(e);
        }
    }

    private static String readAll(Process process) {
        try {
            return new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The Dockerfile's instructions by stage, continuation lines joined, comments dropped. */
    private static List<List<Instruction>> stages() throws IOException {
        List<List<Instruction>> stages = new ArrayList<>();
        StringBuilder logical = new StringBuilder();
        Pattern instruction = Pattern.compile("(\\w+)\\s+(.*)");
        for (String line : Files.readAllLines(DOCKERFILE)) {
            if (line.isBlank() || line.stripLeading().startsWith("#")) {
                continue;
            }
            if (line.endsWith("\\")) {
                logical.append(line, 0, line.length() - 1).append(' ');
                continue;
            }
            Matcher parsed = instruction.matcher(logical.append(line).toString().strip());
            assertThat(parsed.matches()).as("a Dockerfile instruction: %s", logical).isTrue();
            Instruction next = new Instruction(parsed.group(1).toUpperCase(), parsed.group(2).strip().replaceAll("\\s+", " "));
            if (next.keyword().equals("FROM")) {
                stages.add(new ArrayList<>());
            }
            stages.getLast().add(next);
            logical.setLength(0);
        }
        return stages;
    }

    private static List<Instruction> ofKind(List<Instruction> stage, String keyword) {
        return stage.stream().filter(i -> i.keyword().equals(keyword)).toList();
    }

    /** The exec (JSON) form of an instruction, the only form whose arguments reach the process unchanged. */
    private static List<String> json(List<Instruction> stage, String keyword) throws IOException {
        List<Instruction> found = ofKind(stage, keyword);
        assertThat(found).as(keyword).hasSize(1);
        List<String> arguments = new ArrayList<>();
        new ObjectMapper().readTree(found.getFirst().arguments()).forEach(node -> arguments.add(node.asText()));
        return arguments;
    }
}
