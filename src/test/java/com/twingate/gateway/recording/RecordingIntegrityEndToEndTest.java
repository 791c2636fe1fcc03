package com.twingate.gateway.recording;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.twingate.gateway.testkit.Await;
import com.twingate.gateway.testkit.GatewayHarness;
import com.twingate.gateway.testkit.LogCapture;
import com.twingate.gateway.testkit.TestPki;
import com.twingate.gateway.testkit.kubeapi.KubeApiStandIn;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * No client input makes an exec session go unrecorded (docs/recording.md): each way a client could
 * once run a shell with nothing recorded, tried through the client stand-in and the gateway against the
 * API stand-in, which (like the API server) decodes the path, ignores frames it cannot use, and takes
 * text frames on the binary protocols. The shell works, and its output is in the recording.
 */
class RecordingIntegrityEndToEndTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration DEADLINE = Duration.ofSeconds(20);
    private static final String POD = "/api/v1/namespaces/default/pods/web/";
    private static final String SHELL = "?command=sh&stdin=true&stdout=true&stderr=true";

    @TempDir
    Path dir;

    @RegisterExtension
    final LogCapture logs = new LogCapture();

    private KubeApiStandIn api;
    private GatewayHarness harness;

    @BeforeEach
    void start() throws Exception {
        TestPki apiPki = TestPki.create("api", dir);
        api = KubeApiStandIn.start(apiPki.issue("api"), "sa-token", dir.resolve("pods"));
        api.cluster().addPod("default", "web");
        harness = GatewayHarness.start(dir, GatewayHarness.upstream("api", api.address(), apiPki.caFile(), "bearerToken = \"sa-token\""));
        harness.tokens(token -> token.user("u-1", "alice", "devs"));
    }

    @AfterEach
    void stop() throws Exception {
        harness.close();
        api.close();
    }

    /** Bypass 1: a client header naming kubectl cp turned recording off for an interactive shell. */
    @Test
    void aShellClaimingToBeKubectlCpIsRecorded() throws Exception {
        String received = shell(POD + "exec" + SHELL, WebSocketExecClient.V5,
                upgrade -> upgrade.setHeader("Kubectl-Command", "kubectl cp"), client -> { });
        assertThat(recordedOutput(POD + "exec")).isEqualTo(received).contains("42");
    }

    /** Bypass 1, the other half: an exec of tar (which can start programs) was not recorded either. */
    @Test
    void anExecOfTarIsRecorded() throws Exception {
        String received;
        try (ExecClient tar = new WebSocketExecClient(harness.uri(POD + "exec?command=tar&command=--version&stdout=true"),
                harness.pki().trust(), WebSocketExecClient.V5)) {
            tar.awaitStatus(DEADLINE);
            received = tar.output();
        }
        assertThat(received).contains("tar");
        assertThat(recordedOutput(POD + "exec")).isEqualTo(received);
    }

    /** Bypass 2: an escaped letter did not match the recording rule, but the API server decodes it and runs an exec. */
    @Test
    void anEscapedSpellingOfExecIsRecorded() throws Exception {
        String received = shell(POD + "%65xec" + SHELL, WebSocketExecClient.V5, upgrade -> { }, client -> { });
        assertThat(api.upgrades()).containsExactly("exec websocket v5.channel.k8s.io");
        assertThat(recordedOutput(POD + "%65xec")).isEqualTo(received).contains("42");
    }

    /** Bypass 2, spellings the API server's layers might read differently: refused, never guessed at. */
    @ParameterizedTest
    @ValueSource(strings = {"exec/", "./exec", "x/../exec", "exec%2F", "%2E/exec"})
    void aPodStreamPathThatIsNotCanonicalIsRefusedWith400(String spelling) throws Exception {
        HttpResponse<String> response;
        try (HttpClient client = harness.httpClient()) {
            response = client.send(HttpRequest.newBuilder(harness.uri(POD + spelling + "?command=sh")).build(),
                    HttpResponse.BodyHandlers.ofString());
        }
        assertThat(response.statusCode()).isEqualTo(400);
        JsonNode status = JSON.readTree(response.body());
        assertThat(status.path("kind").asText()).isEqualTo("Status");
        assertThat(status.path("message").asText()).contains("not canonical");
        assertThat(api.impersonations()).as("nothing reached the API server").isEmpty();
    }

    /** Bypass 3: one malformed base64 text frame ("9!!!!": channel 9, not base64) stopped the recording; the API server ignores it. */
    @Test
    void aMalformedFrameTheApiServerIgnoresIsIgnoredAndRecordingGoesOn() throws Exception {
        String received = shell(POD + "exec" + SHELL, WebSocketExecClient.V4_BASE64, upgrade -> { },
                client -> client.sendRawText("9!!!!"));
        assertThat(recordedOutput(POD + "exec")).isEqualTo(received).contains("42");
    }

    /** Bypass 4: stdin as text frames on v4.channel.k8s.io (the Python client's way) stopped the recording. */
    @Test
    void stdinAsTextFramesOnTheBinaryProtocolIsRecorded() throws Exception {
        String received = shell(POD + "exec" + SHELL, WebSocketExecClient.V4, upgrade -> { },
                client -> client.withTextFrames());
        assertThat(recordedOutput(POD + "exec")).isEqualTo(received).contains("42");
    }

    /** Bypass 5: a client offering compression, an API server accepting it, and a recording of compressed frames. */
    @Test
    void compressionIsNotNegotiatedForARecordedSession() throws Exception {
        List<String> extensions;
        String received;
        try (WebSocketExecClient shell = new WebSocketExecClient(harness.uri(POD + "exec" + SHELL), harness.pki().trust(),
                WebSocketExecClient.V5, upgrade -> upgrade.addExtensions("permessage-deflate"))) {
            extensions = shell.negotiatedExtensions();
            received = runAnswer(shell);
        }
        assertThat(extensions).isEmpty();
        assertThat(recordedOutput(POD + "exec")).isEqualTo(received).contains("42");
    }

    /** Runs {@code echo $((6 * 7))} in a shell and returns what the client was sent. */
    private String shell(String pathAndQuery, String subprotocol, Consumer<ClientUpgradeRequest> upgrade,
                         ThrowingConsumer<WebSocketExecClient> before) throws Exception {
        try (WebSocketExecClient shell = new WebSocketExecClient(harness.uri(pathAndQuery), harness.pki().trust(), subprotocol,
                upgrade)) {
            before.accept(shell);
            return runAnswer(shell);
        }
    }

    private static String runAnswer(ExecClient shell) throws Exception {
        shell.stdin("echo $((6 * 7))\n");
        Await.until("the shell's answer", DEADLINE, () -> shell.stdout().contains("42\n"));
        shell.stdin("exit 0\n");
        shell.awaitStatus(DEADLINE);
        return shell.output();
    }

    private String recordedOutput(String url) {
        String requestId = RecordedLog.auditLine(logs, url, DEADLINE).path("request_id").asText();
        return RecordedLog.events(RecordedLog.parts(logs, requestId, DEADLINE), "o");
    }

    @FunctionalInterface
    private interface ThrowingConsumer<T> {
        void accept(T value) throws Exception;
    }
}
