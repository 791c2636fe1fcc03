package com.twingate.gateway.recording;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.twingate.gateway.testkit.Await;
import com.twingate.gateway.testkit.GatewayHarness;
import com.twingate.gateway.testkit.LogCapture;
import com.twingate.gateway.testkit.TestPki;
import com.twingate.gateway.testkit.kubeapi.KubeApiStandIn;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Session recording end to end (docs/recording.md): a Java client (WebSocket v5 or SPDY/3.1, as kubectl would speak
 * them) runs an exec through the client stand-in and the gateway against the Kubernetes API stand-in,
 * where a real shell runs on a real terminal. The recording — log parts and the {@code .cast} file —
 * must hold exactly what the client was sent, with the terminal's sizes, and the audit line says 101.
 */
class RecordedSessionEndToEndTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration DEADLINE = Duration.ofSeconds(20);
    private static final String EXEC = "/api/v1/namespaces/default/pods/web/exec";

    @TempDir
    Path dir;

    @RegisterExtension
    final LogCapture logs = new LogCapture();

    private KubeApiStandIn api;
    private GatewayHarness harness;
    private Path casts;

    enum Protocol {
        WEBSOCKET, WEBSOCKET_BASE64, SPDY;

        ExecClient open(GatewayHarness harness, String pathAndQuery, boolean tty) throws Exception {
            return switch (this) {
                case WEBSOCKET -> new WebSocketExecClient(harness.uri(pathAndQuery), harness.pki().trust(), WebSocketExecClient.V5);
                case WEBSOCKET_BASE64 -> new WebSocketExecClient(harness.uri(pathAndQuery), harness.pki().trust(),
                        WebSocketExecClient.V4_BASE64);
                case SPDY -> new SpdyExecClient(harness.uri(pathAndQuery), harness.pki().trust(), tty);
            };
        }
    }

    @BeforeEach
    void start() throws Exception {
        TestPki apiPki = TestPki.create("api", dir);
        api = KubeApiStandIn.start(apiPki.issue("api"), "sa-token", dir.resolve("pods"));
        api.cluster().addPod("default", "web");
        casts = dir.resolve("casts");
        harness = GatewayHarness.start(dir, GatewayHarness.upstream("api", api.address(), apiPki.caFile(), "bearerToken = \"sa-token\""),
                "recording.directory = \"" + casts + "\"");
        harness.tokens(token -> token.user("u-1", "alice", "devs"));
    }

    @AfterEach
    void stop() throws Exception {
        harness.close();
        api.close();
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void aTerminalSessionIsRecordedAsTheClientSawIt(Protocol protocol) throws Exception {
        JsonNode status;
        String received;
        try (ExecClient shell = protocol.open(harness, EXEC + "?command=sh&stdin=true&stdout=true&tty=true&container=main", true)) {
            shell.resize(100, 30);
            shell.stdin("echo $((6 * 7))\n");
            Await.until("the shell's answer", DEADLINE, () -> shell.stdout().contains("42\r\n"));
            shell.resize(120, 40);
            askUntil(shell, "stty size\n", "40 120\r\n");
            shell.stdin("exit 3\n");
            status = shell.awaitStatus(DEADLINE);
            received = shell.output();
        }

        assertThat(status.path("reason").asText()).isEqualTo("NonZeroExitCode");
        assertThat(status.path("details").path("causes").get(0).path("message").asText()).isEqualTo("3");
        List<String> parts = recordedParts();
        JsonNode header = JSON.readTree(parts.getFirst().lines().findFirst().orElseThrow());
        assertThat(header.path("width").asInt()).isEqualTo(100);
        assertThat(header.path("height").asInt()).isEqualTo(30);
        assertThat(header.path("command").asText()).isEqualTo("sh");
        assertThat(header.path("user").asText()).isEqualTo("alice");
        assertThat(header.path("kubernetes").path("podname").asText()).isEqualTo("web");
        assertThat(header.path("kubernetes").path("namespace").asText()).isEqualTo("default");
        assertThat(header.path("kubernetes").path("container").asText()).isEqualTo("main");
        assertThat(events(parts, "o")).isEqualTo(received);
        assertThat(eventList(parts, "r")).contains("120x40");
        assertCastFileHolds(received, "120x40");
        assertAuditLineSays101();
    }

    /** Closing stdin alone needs v5 or SPDY: the other protocols can only close the connection. */
    @ParameterizedTest
    @EnumSource(value = Protocol.class, names = {"WEBSOCKET", "SPDY"})
    void stdoutAndStderrWithoutATerminalAreRecordedInTheOrderSent(Protocol protocol) throws Exception {
        String query = "?command=sh&command=-c&command=" + URLEncoder.encode("cat; echo oops >&2", StandardCharsets.UTF_8)
                + "&stdin=true&stdout=true&stderr=true&container=main";
        JsonNode status;
        String received;
        try (ExecClient command = protocol.open(harness, EXEC + query, false)) {
            command.stdin("hello\n");
            Await.until("cat's copy of stdin", DEADLINE, () -> command.stdout().equals("hello\n"));
            command.closeStdin();
            status = command.awaitStatus(DEADLINE);
            assertThat(command.stderr()).isEqualTo("oops\n");
            received = command.output();
        }

        assertThat(status.path("status").asText()).isEqualTo("Success");
        List<String> parts = recordedParts();
        assertThat(JSON.readTree(parts.getFirst().lines().findFirst().orElseThrow()).path("command").asText()).isEqualTo("sh -c cat; echo oops >&2");
        assertThat(events(parts, "o")).isEqualTo(received).isEqualTo("hello\noops\n");
        assertCastFileHolds(received, null);
        assertAuditLineSays101();
    }

    /** Types {@code question} every few hundred milliseconds until {@code answer} shows: a resize travels on its own. */
    private static void askUntil(ExecClient shell, String question, String answer) {
        long[] next = {0};
        Await.until("the shell to answer " + answer.strip(), DEADLINE, () -> {
            if (System.nanoTime() > next[0]) {
                try {
                    shell.stdin(question);
                } catch (Exception e) {
                    throw new AssertionError("the session ended early; it printed: " + shell.output(), e);
                }
                next[0] = System.nanoTime() + Duration.ofMillis(300).toNanos();
            }
            return shell.stdout().contains(answer);
        });
    }

    /**
     * The asciicast of every log part, in sequence order, once the last one ("session finished") is out.
     * Every part says on its own whose session on which pod it is.
     */
    private List<String> recordedParts() {
        logs.awaitLines(line -> line.path("message").asText().equals("session finished"), 1, DEADLINE);
        List<JsonNode> parts = logs.json().stream()
                .filter(line -> line.has("asciicast"))
                .sorted(Comparator.comparingInt(line -> line.path("asciicast_sequence_num").asInt()))
                .toList();
        String requestId = auditLine().path("request_id").asText();
        assertThat(parts).allSatisfy(part -> {
            assertThat(part.path("logger").asText()).isEqualTo("gateway.audit");
            assertThat(part.path("request_id").asText()).isEqualTo(requestId);
            assertThat(part.path("conn_id").asText()).isNotBlank();
            assertThat(part.path("user").path("id").asText()).isEqualTo("u-1");
            assertThat(part.path("user").path("username").asText()).isEqualTo("alice");
            assertThat(part.path("user").path("groups")).extracting(JsonNode::asText).containsExactly("devs");
            assertThat(part.path("kubernetes").path("namespace").asText()).isEqualTo("default");
            assertThat(part.path("kubernetes").path("pod").asText()).isEqualTo("web");
            assertThat(part.path("kubernetes").path("container").asText()).isEqualTo("main");
            assertThat(part.path("kubernetes").path("command").get(0).asText()).isEqualTo("sh");
        });
        return parts.stream().map(line -> line.path("asciicast").asText()).toList();
    }

    private static String events(List<String> asciicasts, String type) {
        return RecordedLog.events(asciicasts, type);
    }

    private static List<String> eventList(List<String> asciicasts, String type) {
        return RecordedLog.eventList(asciicasts, type);
    }

    /** The file is written after the log line of the same part, so it is waited for too. */
    private void assertCastFileHolds(String output, String resize) {
        Await.until("the .cast file to hold the whole session", DEADLINE, () -> castFiles().size() == 1
                && events(List.of(read(castFiles().getFirst())), "o").equals(output));
        if (resize != null) {
            assertThat(eventList(List.of(read(castFiles().getFirst())), "r")).contains(resize);
        }
    }

    private List<Path> castFiles() {
        try (Stream<Path> listing = Files.list(casts)) {
            return listing.filter(file -> file.toString().endsWith(".cast")).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private JsonNode auditLine() {
        return RecordedLog.auditLine(logs, EXEC, DEADLINE);
    }

    /** The audit line of the session: written when it ended, saying who ran what where, and how much went by. */
    private void assertAuditLineSays101() {
        JsonNode audit = auditLine();
        assertThat(audit.path("message").asText()).isEqualTo("API request completed");
        assertThat(audit.path("response").path("status_code").asInt()).isEqualTo(101);
        assertThat(audit.path("user").path("username").asText()).isEqualTo("alice");
        JsonNode kubernetes = audit.path("kubernetes");
        assertThat(kubernetes.path("verb").asText()).isEqualTo("exec");
        assertThat(kubernetes.path("resource").asText()).isEqualTo("pods");
        assertThat(kubernetes.path("subresource").asText()).isEqualTo("exec");
        assertThat(kubernetes.path("namespace").asText()).isEqualTo("default");
        assertThat(kubernetes.path("name").asText()).isEqualTo("web");
        assertThat(kubernetes.path("container").asText()).isEqualTo("main");
        assertThat(kubernetes.path("command").get(0).asText()).isEqualTo("sh");
        assertThat(kubernetes.path("stdin").asBoolean()).isTrue();
        assertThat(audit.path("response").path("size_bytes").asLong()).as("the relayed bytes").isPositive();
        assertThat(audit.path("request").path("size_bytes").asLong()).isPositive();
        assertThat(audit.path("duration").asDouble()).isPositive();
        assertThat(api.impersonations()).anySatisfy(seen -> {
            assertThat(seen.path()).isEqualTo(EXEC);
            assertThat(seen.user()).isEqualTo("alice");
            assertThat(seen.groups()).containsExactly("devs");
        });
    }
}
