package com.twingate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.twingate.gateway.testkit.GatewayHarness;
import com.twingate.gateway.testkit.Kubectl;
import com.twingate.gateway.testkit.LogCapture;
import com.twingate.gateway.testkit.TestPki;
import com.twingate.gateway.testkit.kubeapi.KubeApiStandIn;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two kubectl exec sessions at once through the whole chain, recorded in small parts that interleave in
 * the log: {@code java -jar … recordings extract} over that log gives the files of {@code recording.directory}.
 */
class RecordingsExtractEndToEndTest {

    private static final Duration COMMAND = Duration.ofSeconds(60);
    private static final String COUNT = "i=0; while [ $i -lt 25 ]; do echo %s-$i; i=$((i+1)); sleep 0.02; done";

    @TempDir
    Path dir;

    @RegisterExtension
    final LogCapture logs = new LogCapture();

    @Test
    void extractingTheLogGivesTheFilesTheCastSinkWrote() throws Exception {
        Path recordings = dir.resolve("recordings");
        TestPki apiPki = TestPki.create("api", dir);
        try (KubeApiStandIn api = KubeApiStandIn.start(apiPki.issue("api"), "sa-token", Files.createDirectories(dir.resolve("pods")));
             GatewayHarness harness = GatewayHarness.start(dir,
                     GatewayHarness.upstream("api", api.address(), apiPki.caFile(), "bearerToken = \"sa-token\""),
                     "recording.directory = \"" + recordings + "\"\nauditLog.flushSizeThreshold = 100")) {
            api.cluster().addPod("default", "web");
            api.cluster().addPod("default", "db");
            List<String> versions = Kubectl.installedVersions();
            Kubectl kubectl = Kubectl.of(versions.isEmpty() ? "1.33" : versions.getLast(), harness.uri("").toString(),
                    harness.pki().caFile(), null, Files.createDirectories(dir.resolve("kubectl")));
            try (ExecutorService both = Executors.newVirtualThreadPerTaskExecutor()) {
                CompletableFuture<Kubectl.Result> web = CompletableFuture.supplyAsync(
                        () -> kubectl.run(COMMAND, "exec", "web", "--", "sh", "-c", COUNT.formatted("web")), both);
                CompletableFuture<Kubectl.Result> db = CompletableFuture.supplyAsync(
                        () -> kubectl.run(COMMAND, "exec", "db", "--", "sh", "-c", COUNT.formatted("db")), both);
                assertThat(web.join().assertSuccess().stdout()).contains("web-24");
                assertThat(db.join().assertSuccess().stdout()).contains("db-24");
            }
            logs.awaitLines(line -> line.path("message").asText().equals("session finished"), 2, COMMAND);
        }
        List<String> parts = logs.json().stream().filter(line -> line.has("asciicast"))
                .map(line -> line.path("request_id").asText()).toList();
        assertThat(parts).as("the parts of both sessions, in log order").hasSizeGreaterThan(6);
        assertThat(parts.subList(0, parts.lastIndexOf(parts.getFirst()))).as("the sessions' parts interleave")
                .anyMatch(requestId -> !requestId.equals(parts.getFirst()));

        Path log = Files.write(dir.resolve("gateway.log"), logs.lines(), StandardCharsets.UTF_8);
        Path extracted = dir.resolve("extracted");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int exit = Main.run(new String[] {"recordings", "extract", "--out", extracted.toString(), log.toString()},
                new PrintStream(out, true, StandardCharsets.UTF_8), System.err, Map.of());

        assertThat(exit).as(out.toString(StandardCharsets.UTF_8)).isZero();
        try (Stream<Path> written = Files.list(recordings)) {
            List<Path> castFiles = written.toList();
            assertThat(castFiles).hasSize(2);
            for (Path castFile : castFiles) {
                assertThat(extracted.resolve(castFile.getFileName())).hasContent(Files.readString(castFile));
            }
        }
        JsonNode finished = logs.json().stream().filter(line -> line.path("message").asText().equals("session finished"))
                .findFirst().orElseThrow();
        assertThat(finished.path("kubernetes").path("command").get(0).asText()).isEqualTo("sh");
    }
}
