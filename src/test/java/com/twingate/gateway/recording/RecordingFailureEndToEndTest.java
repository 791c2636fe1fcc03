package com.twingate.gateway.recording;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.twingate.gateway.testkit.Await;
import com.twingate.gateway.testkit.GatewayHarness;
import com.twingate.gateway.testkit.LogCapture;
import com.twingate.gateway.testkit.TestPki;
import com.twingate.gateway.testkit.kubeapi.KubeApiStandIn;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code recording.onFailure} end to end (docs/recording.md): with {@code refuse} (the default) a
 * session whose recording cannot be made is refused with a 503 {@code Status} saying why, and one whose
 * recording stops being written is ended, the audit line saying why; with {@code continue} it goes on,
 * with a warning and a metric. Either way the failure is counted.
 */
class RecordingFailureEndToEndTest {

    private static final Duration DEADLINE = Duration.ofSeconds(20);
    private static final String EXEC = "/api/v1/namespaces/default/pods/web/exec";
    private static final String SHELL = EXEC + "?command=sh&stdin=true&stdout=true&stderr=true";

    @TempDir
    Path dir;

    @RegisterExtension
    final LogCapture logs = new LogCapture();

    private KubeApiStandIn api;
    private GatewayHarness harness;
    private Path casts;

    /** @param onFailure the recording.onFailure setting, or empty for the default */
    private void start(String onFailure) throws Exception {
        TestPki apiPki = TestPki.create("api", dir);
        api = KubeApiStandIn.start(apiPki.issue("api"), "sa-token", dir.resolve("pods"));
        api.cluster().addPod("default", "web");
        casts = dir.resolve("casts");
        harness = GatewayHarness.start(dir, GatewayHarness.upstream("api", api.address(), apiPki.caFile(), "bearerToken = \"sa-token\""),
                "recording { directory = \"" + casts + "\"" + (onFailure.isEmpty() ? "" : ", onFailure = " + onFailure) + " }\n"
                        + "auditLog.flushSizeThreshold = 100");
        harness.tokens(token -> token.user("u-1", "alice", "devs"));
    }

    @AfterEach
    void stop() throws Exception {
        if (harness != null) {
            harness.close();
        }
        if (api != null) {
            api.close();
        }
    }

    @Test
    void byDefaultANewExecIsAnswered503WhenTheRecordingDirectoryIsNotWritableAndTheApiServerRunsNothing() throws Exception {
        start("");
        directoryBecomesAFile();

        assertThatThrownBy(() -> new WebSocketExecClient(harness.uri(SHELL), harness.pki().trust(), WebSocketExecClient.V5).close())
                .hasMessageContaining("503 Service Unavailable");
        // The audit line's error is the Status message kubectl prints.
        JsonNode audit = RecordedLog.auditLine(logs, EXEC, DEADLINE);
        assertThat(audit.path("response").path("status_code").asInt()).isEqualTo(503);
        assertThat(audit.path("error").asText()).contains("cannot be recorded", casts.toString(), "not a writable directory");
        assertThat(api.upgrades()).as("the API server ran nothing").isEmpty();
        assertFailureCounted("unwritable_directory", "refused");
    }

    @Test
    void byDefaultARunningSessionWhoseRecordingCannotBeWrittenIsEndedAndTheAuditLineSaysWhy() throws Exception {
        start("");
        try (ExecClient shell = new WebSocketExecClient(harness.uri(SHELL), harness.pki().trust(), WebSocketExecClient.V5)) {
            shell.stdin("echo started\n");
            Await.until("the shell to answer", DEADLINE, () -> shell.stdout().contains("started"));
            directoryBecomesAFile();
            shell.stdin("echo " + "x".repeat(200) + "\n");
            // The session ends without its status: the gateway closed it.
            assertThatThrownBy(() -> shell.awaitStatus(DEADLINE)).isNotNull();
        }
        JsonNode audit = RecordedLog.auditLine(logs, EXEC, DEADLINE);
        assertThat(audit.path("message").asText()).isEqualTo("API request failed");
        assertThat(audit.path("error").asText()).startsWith("session recording failed: cannot write part");
        String requestId = audit.path("request_id").asText();
        assertThat(RecordedLog.events(RecordedLog.parts(logs, requestId, DEADLINE), "o")).as("the log parts, closed")
                .contains("started");
        assertFailureCounted("write_failed", "ended");
    }

    @Test
    void continueLetsTheSessionRunWithAWarningAndRecordsItInTheLog() throws Exception {
        start("continue");
        directoryBecomesAFile();

        String received;
        try (ExecClient shell = new WebSocketExecClient(harness.uri(SHELL), harness.pki().trust(), WebSocketExecClient.V5)) {
            shell.stdin("echo $((6 * 7))\nexit 0\n");
            shell.awaitStatus(DEADLINE);
            received = shell.output();
        }
        assertThat(received).contains("42");
        String requestId = RecordedLog.auditLine(logs, EXEC, DEADLINE).path("request_id").asText();
        assertThat(RecordedLog.events(RecordedLog.parts(logs, requestId, DEADLINE), "o")).isEqualTo(received);
        assertThat(logs.json()).anySatisfy(line -> {
            assertThat(line.path("level").asText().isEmpty() ? line.path("levelname").asText() : line.path("level").asText())
                    .containsIgnoringCase("warn");
            assertThat(line.path("message").asText()).startsWith("session recording failed").contains("goes on");
        });
        assertFailureCounted("unwritable_directory", "continued");
    }

    /** The volume went away: where the directory was is now a file, which no recording can go into. */
    private void directoryBecomesAFile() throws IOException {
        try (Stream<Path> files = Files.walk(casts)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
        Files.writeString(casts, "not a directory");
    }

    private void assertFailureCounted(String reason, String action) {
        String sample = "twingate_gateway_recording_failures_total{action=\"" + action + "\",reason=\"" + reason + "\"} ";
        Await.until(sample + "to count the failure", DEADLINE, () -> harness.scrapeMetrics().lines()
                .anyMatch(line -> line.startsWith(sample) && Double.parseDouble(line.substring(sample.length())) >= 1));
    }
}
