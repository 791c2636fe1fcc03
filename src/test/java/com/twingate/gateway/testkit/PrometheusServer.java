package com.twingate.gateway.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Assumptions;

/**
 * A real Prometheus (the Debian {@code prometheus} binary) on 127.0.0.1, scraping the given targets
 * every second, with its storage in a temporary directory. Closing it kills the process.
 */
public final class PrometheusServer implements AutoCloseable {

    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration POLL_INTERVAL = Duration.ofMillis(100);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final Path directory;
    private final URI base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private PrometheusServer(Process process, Path directory, URI base) {
        this.process = process;
        this.directory = directory;
        this.base = base;
    }

    /** Starts Prometheus scraping {@code targets} ({@code host:port}, path {@code /metrics}) and waits until it is ready. */
    public static PrometheusServer start(List<String> targets) throws IOException {
        return start(targets, List.of());
    }

    /** The same, with alerting and recording rules loaded from {@code ruleFiles}. */
    public static PrometheusServer start(List<String> targets, List<Path> ruleFiles) throws IOException {
        Path executable = Tools.requireBinary("prometheus", "prometheus");
        Path directory = Files.createTempDirectory("prometheus-");
        Path config = directory.resolve("prometheus.yml");
        Files.writeString(config, config(targets, ruleFiles));
        int port = freePort();
        Process process = new ProcessBuilder(
                executable.toString(),
                "--config.file=" + config,
                "--storage.tsdb.path=" + directory.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true)
                .redirectOutput(directory.resolve("prometheus.log").toFile())
                .start();
        PrometheusServer server = new PrometheusServer(process, directory, URI.create("http://127.0.0.1:" + port));
        try {
            server.awaitReady();
        } catch (RuntimeException | Error e) {
            server.close();
            throw e;
        }
        return server;
    }

    private static String config(List<String> targets, List<Path> ruleFiles) {
        String quoted = targets.stream().map(t -> "'" + t + "'").collect(Collectors.joining(", "));
        String rules = ruleFiles.stream().map(file -> "'" + file.toAbsolutePath() + "'").collect(Collectors.joining(", "));
        return """
                global:
                  scrape_interval: 1s
                  scrape_timeout: 1s
                  evaluation_interval: 1s
                rule_files: [%s]
                scrape_configs:
                  - job_name: 'gateway'
                    static_configs:
                      - targets: [%s]
                """.formatted(rules, quoted);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private void awaitReady() {
        await("Prometheus to be ready at " + base, STARTUP_TIMEOUT, () -> {
            if (!process.isAlive()) {
                throw new IllegalStateException("Prometheus exited with " + process.exitValue() + ":\n" + log());
            }
            return get("/-/ready").statusCode() == 200;
        });
    }

    /** Where its web UI and HTTP API answer. */
    public URI uri() {
        return base;
    }

    /** Runs an instant query and returns its {@code data} object ({@code resultType}, {@code result}). */
    public JsonNode query(String promql) {
        HttpResponse<String> response = get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        JsonNode body = parse(response.body());
        if (!"success".equals(body.path("status").asText())) {
            throw new IllegalArgumentException("Prometheus rejected the query " + promql + ": "
                    + body.path("errorType").asText() + ": " + body.path("error").asText());
        }
        return body.path("data");
    }

    /** Waits until the query returns a non-empty result, and returns that result (the {@code result} array). */
    public JsonNode awaitResult(String promql, Duration timeout) {
        JsonNode[] last = new JsonNode[1];
        await("a non-empty result for " + promql, timeout, () -> {
            last[0] = query(promql).path("result");
            return !last[0].isEmpty();
        });
        return last[0];
    }

    /** Waits until every configured target has been scraped successfully. */
    public void awaitTargetsUp(Duration timeout) {
        await("every scrape target to be up", timeout, () -> {
            JsonNode active = parse(get("/api/v1/targets").body()).path("data").path("activeTargets");
            return !active.isEmpty() && stream(active).allMatch(t -> "up".equals(t.path("health").asText()));
        });
    }

    private static Stream<JsonNode> stream(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false);
    }

    private void await(String what, Duration timeout, ThrowingCondition condition) {
        Instant deadline = Instant.now().plus(timeout);
        Exception lastFailure = null;
        while (Instant.now().isBefore(deadline)) {
            try {
                if (condition.holds()) {
                    return;
                }
                lastFailure = null;
            } catch (IllegalStateException | IllegalArgumentException e) {
                throw e;
            } catch (Exception e) {
                lastFailure = e;
            }
            pause();
        }
        AssertionError timedOut = new AssertionError("Timed out after " + timeout + " waiting for " + what);
        if (lastFailure != null) {
            timedOut.initCause(lastFailure);
        }
        throw timedOut;
    }

    /** Between polls of a condition that only Prometheus' own clock (scrape interval) can make true. */
    private static void pause() {
        try {
            TimeUnit.NANOSECONDS.sleep(POLL_INTERVAL.toNanos());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for Prometheus", e);
        }
    }

    private HttpResponse<String> get(String pathAndQuery) {
        HttpRequest request = HttpRequest.newBuilder(base.resolve(pathAndQuery)).timeout(Duration.ofSeconds(5)).build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException("GET " + pathAndQuery + " from Prometheus failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while querying Prometheus", e);
        }
    }

    private static JsonNode parse(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException("Prometheus answered something that is not JSON: " + body, e);
        }
    }

    private String log() {
        try {
            return Files.readString(directory.resolve("prometheus.log"));
        } catch (IOException e) {
            return "(its log could not be read: " + e + ")";
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException("Could not delete Prometheus' temporary directory " + directory, e);
        }
    }

    @FunctionalInterface
    private interface ThrowingCondition {
        boolean holds() throws Exception;
    }
}
