package com.twingate.gateway.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.twingate.gateway.testkit.Await;
import com.twingate.gateway.testkit.GatewayHarness;
import com.twingate.gateway.testkit.Kubectl;
import com.twingate.gateway.testkit.LogCapture;
import com.twingate.gateway.testkit.TestPki;
import com.twingate.gateway.testkit.kubeapi.KubeApiStandIn;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full run with the newest kubectl through the whole chain: every log line carries Twingate's
 * envelope, and each audit line says who did what to which object, from where, and how much went by.
 */
class AuditLineEndToEndTest {

    private static final Duration COMMAND = Duration.ofSeconds(60);
    private static final Duration DEADLINE = Duration.ofSeconds(20);
    /** zap's ISO8601TimeEncoder: milliseconds and a numeric offset ({@code Z} for UTC). */
    private static final Pattern ISO_8601 = Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}(Z|[+-]\\d{4})");
    private static final Pattern IP_PORT = Pattern.compile("(\\d{1,3}(\\.\\d{1,3}){3}|\\[[0-9a-f:.%\\w]+]):\\d{1,5}");
    private static final Pattern SIZE_SUM = Pattern.compile("(?m)^twingate_gateway_http_(request|response)_size_bytes_sum\\{[^}]*} (\\S+)$");

    @TempDir
    Path dir;

    @RegisterExtension
    final LogCapture logs = new LogCapture();

    private KubeApiStandIn api;
    private GatewayHarness harness;

    @BeforeEach
    void start() throws Exception {
        TestPki apiPki = TestPki.create("api", dir);
        api = KubeApiStandIn.start(apiPki.issue("api"), "sa-token", Files.createDirectories(dir.resolve("pods")));
        api.cluster().addPod("default", "web");
        harness = GatewayHarness.start(dir, GatewayHarness.upstream("api", api.address(), apiPki.caFile(), "bearerToken = \"sa-token\""));
        harness.tokens(token -> token.user("u-7", "alice@example.com", "devs"));
    }

    @AfterEach
    void stop() throws Exception {
        harness.close();
        api.close();
    }

    @Test
    void kubectlsRequestsAreAuditedWithWhoWhatWhichObjectAndSizes() throws Exception {
        Kubectl kubectl = Kubectl.of(newestKubectl(), harness.uri("").toString(), harness.pki().caFile(), null,
                Files.createDirectories(dir.resolve("kubectl")));
        kubectl.run(COMMAND, "get", "pods").assertSuccess();
        kubectl.run(COMMAND, "get", "pod", "web", "-o", "name").assertSuccess();
        assertThat(kubectl.run(COMMAND, "exec", "web", "--", "sh", "-c", "echo hi").assertSuccess().stdout()).isEqualTo("hi\n");

        JsonNode list = auditLine(line -> line.path("url").asText().startsWith("/api/v1/namespaces/default/pods?"));
        assertThat(list.path("kubernetes").path("verb").asText()).isEqualTo("list");
        assertThat(list.path("kubernetes").path("resource").asText()).isEqualTo("pods");
        assertThat(list.path("kubernetes").path("namespace").asText()).isEqualTo("default");
        assertThat(list.path("kubernetes").path("apiVersion").asText()).isEqualTo("v1");
        assertThat(list.path("kubernetes").has("name")).isFalse();

        JsonNode get = auditLine(line -> line.path("url").asText().equals("/api/v1/namespaces/default/pods/web"));
        assertThat(get.path("kubernetes").path("verb").asText()).isEqualTo("get");
        assertThat(get.path("kubernetes").path("name").asText()).isEqualTo("web");

        JsonNode exec = auditLine(line -> line.path("url").asText().startsWith("/api/v1/namespaces/default/pods/web/exec?"));
        assertThat(exec.path("kubernetes").path("verb").asText()).isEqualTo("exec");
        assertThat(exec.path("kubernetes").path("command")).extracting(JsonNode::asText).containsExactly("sh", "-c", "echo hi");
        assertThat(exec.path("kubernetes").path("tty").asBoolean()).isFalse();
        assertThat(exec.path("response").path("status_code").asInt()).isEqualTo(101);
        assertThat(exec.path("response").path("size_bytes").asLong()).as("the relayed bytes").isPositive();

        JsonNode discovery = auditLine(line -> line.path("url").asText().startsWith("/api?") || line.path("url").asText().equals("/api"));
        assertThat(discovery.path("kubernetes").path("nonResourceURL").asBoolean()).isTrue();
        assertThat(discovery.path("kubernetes").path("verb").asText()).isEqualTo("get");

        List<JsonNode> requests = audit();
        assertThat(requests).allSatisfy(line -> {
            assertThat(line.path("remote_addr").asText()).matches(IP_PORT);
            assertThat(line.path("request").path("size_bytes").asLong()).isPositive();
            assertThat(line.path("response").path("size_bytes").isIntegralNumber()).isTrue();
            assertThat(line.path("duration").asDouble()).isPositive();
        });
        assertThat(logs.json().stream().filter(line -> line.path("message").asText().equals("client authentication")))
                .isNotEmpty()
                .allSatisfy(line -> assertThat(line.path("remote_addr").asText()).matches(IP_PORT));

        // The audit lines show the numbers the metrics count: their sums agree once every request is counted.
        long requestBytes = requests.stream().mapToLong(line -> line.path("request").path("size_bytes").asLong()).sum();
        long responseBytes = requests.stream().mapToLong(line -> line.path("response").path("size_bytes").asLong()).sum();
        Await.until("the size histograms to count what the audit lines say", DEADLINE,
                () -> sizeSum("request") == requestBytes && sizeSum("response") == responseBytes);

        assertThat(logs.json()).as("every line of the run").isNotEmpty().allSatisfy(line -> {
            assertThat(line.path("ts").asText()).matches(ISO_8601);
            assertThat(line.path("levelname").asText()).isIn("debug", "info", "warn", "error");
            assertThat(line.path("logger").asText()).isNotBlank();
            assertThat(line.path("message").asText()).isNotBlank();
            assertThat(line.path("caller").asText()).matches("[\\w.$-]+/[\\w$-]+\\.java:\\d+");
            assertThat(line.path("version").asText()).isNotBlank();
            assertThat(line.has("@timestamp") || line.has("level") || line.has("logger_name") || line.has("thread_name")).isFalse();
        });
        assertThat(requests).allSatisfy(line -> assertThat(line.path("logger").asText()).isEqualTo("gateway.audit"));
    }

    @Test
    void aMethodNoOneSendsIsKeptOnTheLineButCut() throws Exception {
        String method = "X".repeat(400);
        HttpResponse<String> response = harness.httpClient().send(HttpRequest.newBuilder(harness.uri("/api/v1/namespaces"))
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isGreaterThanOrEqualTo(400);

        JsonNode line = auditLine(l -> l.path("url").asText().equals("/api/v1/namespaces"));
        assertThat(line.path("method").asText()).isEqualTo("X".repeat(AuditLog.MAX_METHOD_LENGTH) + "…");
        assertThat(line.path("kubernetes").path("verb").asText()).as("the API server knows no verb for it").isEmpty();
    }

    private List<JsonNode> audit() {
        return logs.json().stream().filter(line -> line.path("message").asText().startsWith("API request")).toList();
    }

    private JsonNode auditLine(Predicate<JsonNode> matching) {
        return logs.awaitLines(line -> line.path("message").asText().startsWith("API request") && matching.test(line), 1,
                DEADLINE).getFirst();
    }

    private long sizeSum(String direction) {
        String exposition;
        try (HttpClient client = HttpClient.newHttpClient()) {
            exposition = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + harness.application().metricsPort() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
        Matcher sums = SIZE_SUM.matcher(exposition);
        double total = 0;
        while (sums.find()) {
            if (sums.group(1).equals(direction)) {
                total += Double.parseDouble(sums.group(2));
            }
        }
        return (long) total;
    }

    private static String newestKubectl() {
        List<String> versions = Kubectl.installedVersions();
        return versions.isEmpty() ? "1.33" : versions.getLast();
    }
}
