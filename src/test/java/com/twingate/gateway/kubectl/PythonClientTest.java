package com.twingate.gateway.kubectl;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.twingate.gateway.testkit.Await;
import com.twingate.gateway.testkit.EchoServer;
import com.twingate.gateway.testkit.GatewayHarness;
import com.twingate.gateway.testkit.Kubectl;
import com.twingate.gateway.testkit.LogCapture;
import com.twingate.gateway.testkit.TestPki;
import com.twingate.gateway.testkit.kubeapi.KubeApiStandIn;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The official Kubernetes Python client (Debian's {@code python3-kubernetes}) through the client
 * stand-in, the gateway and the API stand-in: list, watch, follow logs, exec with stdin, port-forward.
 * It speaks HTTP/1.1 with {@code watch=True}, the {@code v4.channel.k8s.io} WebSocket protocol for exec
 * and kubelet's WebSocket port-forward, all of which kubectl does differently.
 */
class PythonClientTest {

    /** Debian's python3 sees Debian's dist-packages; a pyenv python3 first on the PATH does not. */
    private static final Path PYTHON = Path.of("/usr/bin/python3");
    private static final Duration STEP = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @RegisterExtension
    final LogCapture logs = new LogCapture();

    @Test
    void listExecWithStdinAndPortForwardThroughTheGateway() throws Exception {
        try (Chain chain = new Chain(dir)) {
            Process python = chain.python("list", "exec", "port-forward");

            assertThat(names(chain.await("list").path("names"))).contains("web");
            JsonNode exec = chain.await("exec");
            assertThat(exec.path("stdout").asText()).isEqualTo("got hello from python\n");
            assertThat(exec.path("stderr").asText()).isEqualTo("oops\n");
            assertThat(exec.path("code").asInt()).isEqualTo(3);
            JsonNode forwarded = chain.await("port-forward");
            assertThat(forwarded.path("received").asText()).isEqualTo("ping through port-forward\n");
            assertThat(forwarded.path("error").isNull()).as("the port's error channel: %s", forwarded.path("error")).isTrue();
            chain.assertExitedCleanly(python);
            assertThat(chain.api.upgrades()).containsExactly("exec websocket v4.channel.k8s.io", "portforward websocket v4.channel.k8s.io");
        }
        // The client sends its stdin as text frames on the binary protocol; the recording follows the protocol, not the frame type.
        JsonNode finished = logs.awaitLines(line -> line.path("message").asText().equals("session finished"), 1, STEP).getFirst();
        // stdout and stderr are separate pipes in the pod: their order is the pod's to choose.
        assertThat(outputEvents(finished.path("asciicast").asText()).lines()).containsExactlyInAnyOrder("got hello from python", "oops");
        assertThat(logs.json()).noneSatisfy(line -> assertThat(line.path("message").asText()).contains("session recording failed"));
    }

    private static String outputEvents(String asciicast) {
        StringBuilder output = new StringBuilder();
        asciicast.lines().skip(1).map(PythonClientTest::json).filter(event -> event.get(1).asText().equals("o"))
                .forEach(event -> output.append(event.get(2).asText()));
        return output.toString();
    }

    private static JsonNode json(String line) {
        try {
            return JSON.readTree(line);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * A watch event and a followed log line must reach the client when they happen. urllib3 (under the Python
     * client) reads the CRLF that ends a chunk before it hands the chunk over, and Jetty sends that CRLF only
     * with the next chunk unless the gateway's ChunkEndingGenerator ends each chunk at once. kubectl (Go) and
     * curl use a chunk as soon as its data is in, so they do not show it.
     */
    @Test
    void watchAndFollowedLogsReachThePythonClientAsTheyHappen() throws Exception {
        try (Chain chain = new Chain(dir)) {
            chain.api.cluster().appendLog("default", "web", "first line");
            Process python = chain.python("watch", "logs");

            assertThat(chain.await("watch").path("type").asText()).isEqualTo("ADDED");
            assertThat(chain.await("log-following").path("first").asText()).isEqualTo("first line");
            chain.api.cluster().appendLog("default", "web", "appended while following");
            assertThat(names(chain.await("logs").path("lines"))).containsExactly("first line", "appended while following");
            chain.assertExitedCleanly(python);
        }
    }

    /** API stand-in with pod web, the gateway and client stand-in in front of it, an echo server "in the pod". */
    private static final class Chain implements AutoCloseable {
        final KubeApiStandIn api;
        final GatewayHarness gateway;
        final EchoServer echo;
        final Path dir;
        final Map<String, JsonNode> steps = new ConcurrentHashMap<>();
        Process python;
        Thread reader;

        Chain(Path dir) throws Exception {
            requireOfficialClient();
            this.dir = dir;
            TestPki apiPki = TestPki.create("api", dir);
            String token = "python-upstream-token";
            api = KubeApiStandIn.start(apiPki.issue("api"), token, Files.createDirectories(dir.resolve("pods")));
            gateway = GatewayHarness.start(dir, GatewayHarness.upstream("api", api.address(), apiPki.caFile(),
                    "bearerToken = \"" + token + "\""));
            echo = new EchoServer();
            api.cluster().addPod("default", "web");
        }

        Process python(String... stepNames) throws IOException {
            Path kubeconfig = Files.writeString(dir.resolve("kubeconfig"),
                    Kubectl.kubeconfig(gateway.uri("").toString(), gateway.pki().caFile(), null));
            Path script = dir.resolve("official_client.py");
            try (InputStream source = Objects.requireNonNull(PythonClientTest.class.getResourceAsStream("/python/official_client.py"))) {
                Files.copy(source, script);
            }
            List<String> command = new ArrayList<>(List.of(PYTHON.toString(), script.toString(), kubeconfig.toString(),
                    String.valueOf(echo.port())));
            command.addAll(List.of(stepNames));
            python = new ProcessBuilder(command).redirectError(dir.resolve("python.err").toFile()).start();
            reader = Thread.ofVirtual().start(() -> read(python.getInputStream(), steps));
            return python;
        }

        JsonNode await(String step) {
            Await.until("the Python client's step '" + step + "' (steps so far: " + steps.keySet() + ")", STEP,
                    () -> steps.containsKey(step) || !python.isAlive());
            Await.until("the script's output to be read", STEP, () -> steps.containsKey(step) || !reader.isAlive());
            assertThat(steps).as("the script ended before step '%s'; its stderr:%n%s", step, stderr()).containsKey(step);
            return steps.get(step);
        }

        void assertExitedCleanly(Process process) throws InterruptedException {
            assertThat(process.waitFor(STEP.toSeconds(), TimeUnit.SECONDS)).isTrue();
            assertThat(process.exitValue()).as("python's exit code; its stderr: %s", stderr()).isZero();
        }

        String stderr() {
            try {
                return Files.readString(dir.resolve("python.err"));
            } catch (IOException e) {
                return "(unreadable: " + e + ")";
            }
        }

        @Override
        public void close() throws Exception {
            if (python != null) {
                python.destroyForcibly();
            }
            echo.close();
            gateway.close();
            api.close();
        }
    }

    private static void requireOfficialClient() throws IOException, InterruptedException {
        String reason = null;
        if (!Files.isExecutable(PYTHON)) {
            reason = PYTHON + " is missing; install it with: apt-get install -y python3 python3-kubernetes";
        } else if (new ProcessBuilder(PYTHON.toString(), "-c", "import kubernetes").start().waitFor() != 0) {
            reason = "the official Python client is missing; install it with: apt-get install -y python3-kubernetes";
        }
        if (reason == null) {
            return;
        }
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new AssertionError(reason);
        }
        System.out.println("Skipping: " + reason);
        Assumptions.abort(reason);
    }

    private static void read(InputStream stdout, Map<String, JsonNode> steps) {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(stdout, StandardCharsets.UTF_8))) {
            for (String line; (line = lines.readLine()) != null; ) {
                JsonNode step = JSON.readTree(line);
                steps.put(step.path("step").asText(), step);
            }
        } catch (IOException ended) {
            // The script ended; what it said is in steps.
        }
    }

    private static List<String> names(JsonNode array) {
        return JSON.convertValue(array, JSON.getTypeFactory().constructCollectionType(List.class, String.class));
    }
}
