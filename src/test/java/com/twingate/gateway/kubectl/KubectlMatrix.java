package com.twingate.gateway.kubectl;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.twingate.gateway.testkit.Await;
import com.twingate.gateway.testkit.EchoServer;
import com.twingate.gateway.testkit.GatewayHarness;
import com.twingate.gateway.testkit.Kubectl;
import com.twingate.gateway.testkit.Terminal;
import com.twingate.gateway.testkit.TestPki;
import com.twingate.gateway.testkit.kubeapi.Impersonation;
import com.twingate.gateway.testkit.kubeapi.KubeApiStandIn;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kubectl compatibility matrix: every installed kubectl (1.27 … 1.33) through the Twingate client
 * stand-in → gateway → Kubernetes API stand-in, for the commands people use, with outputs checked byte
 * for byte and the recordings checked against what the terminal showed. kubectl ≤ 1.29 streams over
 * SPDY, 1.30+ over WebSocket (port-forward from 1.31); the newest also runs forced onto SPDY. The whole
 * matrix runs twice: with HTTP/2 offered on both sides of the gateway ({@link KubectlMatrixTest}: kubectl
 * takes h2 for its requests, http/1.1 for its upgrades, and the gateway speaks h2 to the API server), and
 * with {@code http2.enabled = false} ({@link KubectlMatrixHttp11Test}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class KubectlMatrix {

    private static final String NAMESPACE = "default";
    private static final String UPSTREAM_TOKEN = "stand-in-service-account-token";
    private static final Duration COMMAND = Duration.ofSeconds(60);
    private static final Duration SHORT = Duration.ofSeconds(20);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int CP_BYTES = 20 * 1024 * 1024;
    private static final int PORT_FORWARD_BYTES = 50 * 1024 * 1024;
    private static final int MANIFEST_BYTES = 5 * 1024 * 1024;
    private static final String PROMPT = "matrix$ ";
    private static final Pattern SIZE = Pattern.compile("\\n(\\d+ \\d+)\\r\\n");

    @TempDir
    static Path dir;

    private KubeApiStandIn api;
    private GatewayHarness harness;
    private EchoServer echo;
    private Path recordings;
    private final boolean http2;

    KubectlMatrix(boolean http2) {
        this.http2 = http2;
    }

    @BeforeAll
    void start() throws Exception {
        TestPki apiPki = TestPki.create("kube-api", dir);
        api = KubeApiStandIn.start(apiPki.issue("kube-api"), UPSTREAM_TOKEN, Files.createDirectories(dir.resolve("pods")));
        recordings = Files.createDirectories(dir.resolve("recordings"));
        harness = GatewayHarness.start(dir, GatewayHarness.upstream("stand-in", api.address(), apiPki.caFile(),
                "bearerToken = \"" + UPSTREAM_TOKEN + "\""), "recording.directory = \"" + recordings + "\"\nhttp2.enabled = " + http2);
        harness.tokens(token -> token.user("u-42", "alice@example.com", "developers", "oncall"));
        echo = new EchoServer();
    }

    @AfterAll
    void stop() throws Exception {
        // The API stand-in first: it ends the watches and followed logs whose kubectl is gone, which the
        // gateway's drain would otherwise wait for.
        for (AutoCloseable closeable : new AutoCloseable[] {echo, api, harness}) {
            if (closeable != null) {
                closeable.close();
            }
        }
    }

    @TestFactory
    Stream<DynamicNode> everyInstalledKubectl() {
        List<String> versions = Kubectl.installedVersions();
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            assertThat(versions).as("kubectl versions under " + Kubectl.SDK_BIN).contains("1.27", "1.30", "1.33");
        }
        List<DynamicNode> nodes = new ArrayList<>();
        for (String version : versions) {
            nodes.add(DynamicContainer.dynamicContainer("kubectl " + version, commands(version, false)));
        }
        if (!versions.isEmpty()) {
            nodes.add(DynamicContainer.dynamicContainer("kubectl " + versions.getLast() + " forced onto SPDY",
                    commands(versions.getLast(), true)));
        }
        return nodes.stream();
    }

    private Stream<DynamicTest> commands(String version, boolean forceSpdy) {
        Session s = new Session(version, forceSpdy);
        return Stream.of(
                test(s, "auth whoami shows the impersonated user and groups", s::whoami),
                test(s, "get pods", s::getPods),
                test(s, "get pods -w sees a pod created afterwards", s::watchPods),
                test(s, "logs -f streams", s::followLogs),
                test(s, "apply -f of a 5 MB manifest, twice", s::applyBigManifest),
                test(s, "exec with stdin piped, output byte for byte", s::execWithStdin),
                test(s, "exec -it on a terminal with a resize, recorded", s::execInteractive),
                test(s, "attach -it, recorded", s::attach),
                test(s, "cp of 20 MB both ways, recorded", s::copyBothWays),
                test(s, "port-forward carries 50 MB, not recorded", s::portForward));
    }

    /** A test whose failure names the kubectl and the command, since the report only numbers dynamic tests. */
    private static DynamicTest test(Session session, String name, Executable body) {
        return DynamicTest.dynamicTest(name, () -> {
            try {
                body.execute();
            } catch (Throwable failure) {
                throw new AssertionError(session + ", " + name + ": " + failure, failure);
            }
        });
    }

    /** One kubectl version's run: its own pod, so versions never see each other's state. */
    private final class Session {
        private final String version;
        private final boolean forceSpdy;
        private final String pod;
        private Kubectl kubectl;

        Session(String version, boolean forceSpdy) {
            this.version = version;
            this.forceSpdy = forceSpdy;
            this.pod = "web-" + version.replace(".", "-") + (forceSpdy ? "-spdy" : "");
        }

        @Override
        public String toString() {
            return "kubectl " + version + (forceSpdy ? " forced onto SPDY" : "");
        }

        private int minor() {
            return Integer.parseInt(version.substring(version.indexOf('.') + 1));
        }

        private Kubectl kubectl() throws IOException {
            if (kubectl == null) {
                Path home = Files.createDirectories(dir.resolve("kubectl-" + pod));
                kubectl = Kubectl.of(version, harness.uri("").toString(), harness.pki().caFile(), null, home);
                if (forceSpdy) {
                    kubectl.env("KUBECTL_REMOTE_COMMAND_WEBSOCKETS", "false").env("KUBECTL_PORT_FORWARD_WEBSOCKETS", "false");
                }
                api.cluster().addPod(NAMESPACE, pod);
            }
            return kubectl;
        }

        void whoami() throws IOException {
            int before = api.impersonations().size();
            String out = kubectl().run(COMMAND, "auth", "whoami").assertSuccess().stdout();
            assertThat(out).contains("alice@example.com").contains("developers").contains("oncall");
            List<Impersonation> seen = api.impersonations().subList(before, api.impersonations().size());
            assertThat(seen).isNotEmpty().allSatisfy(i -> {
                assertThat(i.user()).isEqualTo("alice@example.com");
                assertThat(i.groups()).containsExactly("developers", "oncall");
            });
        }

        /**
         * With an empty discovery cache, as on a first use: with HTTP/2 everything kubectl asks (discovery in
         * parallel, then the list) shares one Twingate connection, and the gateway asks the API server in h2 too.
         */
        void getPods() throws IOException {
            Path emptyCache = Files.createTempDirectory(dir, "cache");
            int tunnelsBefore = harness.client().tunnelsOpened();
            int upstreamBefore = api.impersonations().size();
            assertThat(kubectl().run(COMMAND, "get", "pods", "--cache-dir", emptyCache.toString()).assertSuccess().stdout())
                    .contains(pod);
            int tunnels = harness.client().tunnelsOpened() - tunnelsBefore;
            System.out.printf("%s, HTTP/2 %s: get pods with an empty discovery cache took %d CONNECTs%n", this,
                    http2 ? "on" : "off", tunnels);
            List<String> upstreamProtocols = api.impersonations().subList(upstreamBefore, api.impersonations().size()).stream()
                    .map(Impersonation::protocol).distinct().toList();
            if (http2) {
                assertThat(tunnels).as("Twingate connections for one kubectl get pods").isEqualTo(1);
                assertThat(upstreamProtocols).containsExactly("HTTP/2.0");
            } else {
                assertThat(tunnels).isPositive();
                assertThat(upstreamProtocols).containsExactly("HTTP/1.1");
            }
        }

        void watchPods() throws Exception {
            String newcomer = pod + "-watched";
            try (Terminal watch = Terminal.start(kubectl().processBuilder("get", "pods", "-w"), 24, 200)) {
                watch.awaitScreen(pod, 0, SHORT);
                kubectl().run(COMMAND, ("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"" + newcomer
                        + "\"},\"spec\":{\"containers\":[{\"name\":\"main\",\"image\":\"busybox\"}]}}").getBytes(StandardCharsets.UTF_8),
                        "apply", "-f", "-").assertSuccess();
                watch.awaitScreen(newcomer, 0, SHORT);
            }
        }

        void followLogs() throws Exception {
            kubectl();
            api.cluster().appendLog(NAMESPACE, pod, "before the follow");
            try (Terminal follow = Terminal.start(kubectl().processBuilder("logs", "-f", pod), 24, 200)) {
                follow.awaitScreen("before the follow", 0, SHORT);
                String later = "appended while following " + System.nanoTime();
                api.cluster().appendLog(NAMESPACE, pod, later);
                follow.awaitScreen(later, 0, SHORT);
            }
        }

        void applyBigManifest() throws Exception {
            String name = "big-" + pod;
            String data = randomText(MANIFEST_BYTES, 7);
            Path manifest = dir.resolve(name + ".json");
            Files.writeString(manifest, "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"" + name
                    + "\"},\"data\":{\"blob\":\"" + data + "\"}}");
            assertThat(kubectl().run(COMMAND, "apply", "-f", manifest.toString()).assertSuccess().stdout()).contains("created");
            Files.writeString(manifest, Files.readString(manifest).replace("\"data\":{", "\"data\":{\"second\":\"apply\","));
            assertThat(kubectl().run(COMMAND, "apply", "-f", manifest.toString()).assertSuccess().stdout()).contains("configured");
            JsonNode stored = JSON.readTree(kubectl().run(COMMAND, "get", "configmap", name, "-o", "json").assertSuccess().stdout());
            assertThat(stored.path("data").path("blob").asText()).isEqualTo(data);
            assertThat(stored.path("data").path("second").asText()).isEqualTo("apply");
        }

        void execWithStdin() throws IOException {
            byte[] input = new byte[3 * 1024 * 1024];
            new Random(11).nextBytes(input);
            int upgradesBefore = api.upgrades().size();
            Kubectl.Result result = kubectl().run(COMMAND, input, "exec", "-i", pod, "--", "sh", "-c", "cat; echo to-stderr >&2");
            result.assertSuccess();
            assertThat(sha256(result.stdoutBytes())).as("stdout of cat").isEqualTo(sha256(input));
            assertThat(result.stderr()).contains("to-stderr");
            Kubectl.Result failing = kubectl().run(COMMAND, "exec", pod, "--", "sh", "-c", "exit 7");
            assertThat(failing.exitCode()).as("exit code of the remote command; stderr: %s", failing.stderr()).isEqualTo(7);
            assertThat(api.upgrades().subList(upgradesBefore, api.upgrades().size())).as("the protocol kubectl %s chose", version)
                    .containsOnly(forceSpdy || minor() <= 29 ? "exec SPDY/3.1 v4.channel.k8s.io" : "exec websocket v5.channel.k8s.io");
        }

        void execInteractive() throws Exception {
            Set<Path> before = castFiles();
            byte[] shown;
            try (Terminal terminal = Terminal.start(kubectl().processBuilder("exec", "-it", pod, "--", "env", "PS1=" + PROMPT, "sh"),
                    24, 80)) {
                // Typing before the remote prompt could be echoed by kubectl's own terminal, not yet raw.
                terminal.awaitScreen(PROMPT, 0, SHORT);
                terminal.type("stty size\n");
                assertThat(terminal.awaitMatch(SIZE, 0, SHORT)).contains("24 80");
                terminal.resize(40, 100);
                String size = "";
                // The resize and the keystrokes travel on different streams: ask until the shell has it.
                for (int attempt = 0; attempt < 20 && !size.contains("40 100"); attempt++) {
                    int mark = terminal.screen().length();
                    terminal.type("stty size\n");
                    size = terminal.awaitMatch(SIZE, mark, SHORT);
                }
                assertThat(size).contains("40 100");
                terminal.type("echo done-$((6*7))\n");
                terminal.awaitScreen("done-42", 0, SHORT);
                terminal.type("exit\n");
                assertThat(terminal.awaitExit(SHORT)).isZero();
                shown = terminal.screenBytes();
            }
            Recording recording = awaitNewRecording(before, "env PS1=" + PROMPT + " sh");
            assertThat(recording.header().path("width").asInt()).isEqualTo(80);
            assertThat(recording.header().path("height").asInt()).isEqualTo(24);
            assertThat(recording.header().path("user").asText()).isEqualTo("alice@example.com");
            assertThat(recording.header().path("kubernetes").path("podname").asText()).isEqualTo(pod);
            assertThat(recording.resizes()).contains("100x40");
            assertThat(recording.output()).as("the recorded output is what the terminal showed")
                    .isEqualTo(new String(shown, StandardCharsets.UTF_8));
        }

        void attach() throws Exception {
            kubectl();
            Set<Path> before = castFiles();
            String shown;
            String marker = "attached-" + System.nanoTime();
            try (Terminal terminal = Terminal.start(kubectl().processBuilder("attach", "-it", pod), 24, 80)) {
                terminal.awaitScreen("If you don't see a command prompt", 0, SHORT);
                terminal.type("echo " + marker.toUpperCase() + " | tr A-Z a-z\n");
                // The shell's next prompt is the last thing it shows.
                terminal.awaitMatch(Pattern.compile(Pattern.quote(marker) + "\r\n[^\n]*[#$] $"), 0, SHORT);
                shown = terminal.screen();
            } // Closing the terminal kills kubectl mid-session: the recording must still be finished.
            Recording recording = awaitNewRecording(before, "");
            assertThat(recording.header().path("kubernetes").path("podname").asText()).isEqualTo(pod);
            assertThat(recording.output()).contains(marker + "\r\n");
            assertThat(shown).as("the terminal showed everything recorded").contains(recording.output());
        }

        void copyBothWays() throws Exception {
            kubectl();
            Set<Path> before = castFiles();
            byte[] content = new byte[CP_BYTES];
            new Random(13).nextBytes(content);
            Path local = Files.write(dir.resolve(pod + "-upload.bin"), content);
            kubectl().run(COMMAND, "cp", local.toString(), pod + ":/tmp/upload.bin").assertSuccess();
            Path inPod = api.cluster().pod(NAMESPACE, pod).orElseThrow().sandbox().resolve("tmp/upload.bin");
            assertThat(sha256(Files.readAllBytes(inPod))).as("the file in the pod").isEqualTo(sha256(content));
            Path back = dir.resolve(pod + "-download.bin");
            kubectl().run(COMMAND, "cp", pod + ":/tmp/upload.bin", back.toString()).assertSuccess();
            assertThat(sha256(Files.readAllBytes(back))).as("the file copied back").isEqualTo(sha256(content));
            // cp is an exec of tar, recorded like any other (docs/recording.md): the download's tar stream is its output.
            awaitRecordedSessions();
            List<Recording> copies = castFiles().stream()
                    .filter(p -> !before.contains(p) && p.getFileName().toString().contains("_" + pod + "_"))
                    .map(Recording::read)
                    .filter(recording -> recording.header().path("command").asText().startsWith("tar "))
                    .toList();
            assertThat(copies).as("the upload's and the download's recordings").hasSize(2);
            assertThat(copies).anySatisfy(download -> assertThat(download.output()).as("the download's tar stream")
                    .hasSizeGreaterThan(CP_BYTES / 4));
        }

        void portForward() throws Exception {
            kubectl();
            Set<Path> before = castFiles();
            int upgradesBefore = api.upgrades().size();
            try (Terminal forward = Terminal.start(kubectl().processBuilder("port-forward", "pod/" + pod, ":" + echo.port()),
                    24, 200)) {
                forward.awaitScreen("Forwarding from 127.0.0.1:", 0, SHORT);
                String screen = forward.screen();
                int start = screen.indexOf("127.0.0.1:") + "127.0.0.1:".length();
                int localPort = Integer.parseInt(screen.substring(start, screen.indexOf(' ', start)).strip());
                byte[] payload = new byte[PORT_FORWARD_BYTES];
                new Random(17).nextBytes(payload);
                assertThat(sha256(EchoServer.roundTrip(localPort, payload))).as("what came back through port-forward")
                        .isEqualTo(sha256(payload));
            }
            assertThat(castFiles()).as("port-forward is not recorded").isEqualTo(before);
            assertThat(api.upgrades().subList(upgradesBefore, api.upgrades().size())).as("the protocol kubectl %s chose", version)
                    .containsOnly(forceSpdy || minor() <= 30 ? "portforward SPDY/3.1 portforward.k8s.io"
                            : "portforward websocket SPDY/3.1+portforward.k8s.io");
        }

        /**
         * The one recording of this pod with {@code command} that appeared since {@code before}, once every
         * session recorded so far has finished (an earlier test's file may appear late, so the command tells).
         */
        private Recording awaitNewRecording(Set<Path> before, String command) {
            awaitRecordedSessions();
            List<Recording> fresh = castFiles().stream()
                    .filter(p -> !before.contains(p) && p.getFileName().toString().contains("_" + pod + "_"))
                    .map(Recording::read)
                    .filter(recording -> recording.header().path("command").asText().equals(command))
                    .toList();
            assertThat(fresh).as("new recordings of %s running '%s'", pod, command).hasSize(1);
            return fresh.getFirst();
        }
    }

    /**
     * Every exec and attach the API server switched protocols for so far — each one recorded (docs/recording.md),
     * kubectl cp's own execs included — has finished its recording.
     */
    private void awaitRecordedSessions() {
        long started = api.upgrades().stream().filter(upgrade -> upgrade.startsWith("exec ") || upgrade.startsWith("attach ")).count();
        Await.until(started + " recorded sessions to finish", SHORT, () -> finishedSessions() >= started);
    }

    /** Finished recorded sessions so far, from the gateway's own metric (docs/metrics.md). */
    private double finishedSessions() {
        String name = "twingate_gateway_recorded_session_duration_seconds_count ";
        try (HttpClient client = HttpClient.newHttpClient()) {
            String metrics = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + harness.application().metricsPort() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
            return metrics.lines().filter(line -> line.startsWith(name))
                    .mapToDouble(line -> Double.parseDouble(line.substring(name.length()).strip())).sum();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** An asciicast v2 file: its header, the concatenated output events, the resize events. */
    private record Recording(JsonNode header, String output, List<String> resizes) {
        static Recording read(Path castFile) {
            try {
                List<String> lines = Files.readAllLines(castFile, StandardCharsets.UTF_8);
                StringBuilder output = new StringBuilder();
                List<String> resizes = new ArrayList<>();
                for (String line : lines.subList(1, lines.size())) {
                    JsonNode event = JSON.readTree(line);
                    switch (event.get(1).asText()) {
                        case "o" -> output.append(event.get(2).asText());
                        case "r" -> resizes.add(event.get(2).asText());
                        default -> throw new AssertionError("unexpected event in " + castFile + ": " + line);
                    }
                }
                return new Recording(JSON.readTree(lines.getFirst()), output.toString(), resizes);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private Set<Path> castFiles() {
        try (Stream<Path> files = Files.list(recordings)) {
            return files.collect(Collectors.toSet());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String randomText(int length, long seed) {
        Random random = new Random(seed);
        StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            text.append((char) ('a' + random.nextInt(26)));
        }
        return text.toString();
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
