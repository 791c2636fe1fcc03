package com.twingate.gateway.testkit.kubeapi;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.twingate.gateway.testkit.Await;
import com.twingate.gateway.testkit.TestPki;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The stand-in's REST answers on the wire, for what kubectl's defaults do not show. */
class RestApiTest {

    private static final String TOKEN = "rest-token";
    private static final Duration SEEN = Duration.ofSeconds(10);

    @TempDir
    Path directory;

    private KubeApiStandIn api;
    private HttpClient http;

    @BeforeEach
    void start() throws Exception {
        TestPki pki = TestPki.create("api", directory);
        api = KubeApiStandIn.start(pki.issue("api"), TOKEN, directory.resolve("sandboxes"));
        http = HttpClient.newBuilder().sslContext(pki.trust()).version(HttpClient.Version.HTTP_1_1).build();
    }

    @AfterEach
    void stop() throws Exception {
        api.close();
        http.close();
    }

    @Test
    void aWatchFromAListsResourceVersionSendsOnlyLaterChangesAsTheyHappen() throws Exception {
        api.cluster().addPod("default", "old");
        String listed = json(send("GET", "/api/v1/namespaces/default/pods", null).body()).at("/metadata/resourceVersion").asText();

        try (Lines watch = stream("/api/v1/namespaces/default/pods?watch=1&resourceVersion=" + listed)) {
            api.cluster().addPod("default", "new");
            watch.await("the new pod added", event -> event.contains("\"type\":\"ADDED\"") && event.contains("\"name\":\"new\""));
            assertThat(send("DELETE", "/api/v1/namespaces/default/pods/new", null).statusCode()).isEqualTo(200);
            watch.await("the new pod deleted", event -> event.contains("\"type\":\"DELETED\"") && event.contains("\"name\":\"new\""));

            assertThat(watch.lines).noneMatch(event -> event.contains("\"name\":\"old\""));
        }
    }

    @Test
    void aWatchWithoutResourceVersionStartsWithEveryObjectAndEndsAtItsTimeout() throws Exception {
        api.cluster().addPod("default", "present");

        HttpResponse<String> watch = send("GET", "/api/v1/namespaces/default/pods?watch=true&timeoutSeconds=1", null);

        assertThat(watch.body().lines().toList()).singleElement().satisfies(event -> {
            JsonNode parsed = Statuses.JSON.readTree(event);
            assertThat(parsed.path("type").asText()).isEqualTo("ADDED");
            assertThat(parsed.at("/object/metadata/name").asText()).isEqualTo("present");
        });
    }

    /** The API server's rule: absent, {@code 0} or {@code false} (any case) is false; anything else, empty included, true. */
    @ParameterizedTest(name = "watch={0}")
    @CsvSource(value = {"True, true", "true, true", "1, true", "yes, true", "'', true", "FALSE, false", "0, false", "false, false"})
    void booleanQueryParametersAreReadAsTheApiServerReadsThem(String value, boolean watches) throws Exception {
        api.cluster().addPod("default", "present");

        HttpResponse<String> answer = send("GET", "/api/v1/namespaces/default/pods?timeoutSeconds=1&watch=" + value, null);

        assertThat(answer.statusCode()).isEqualTo(200);
        JsonNode first = json(answer.body().lines().findFirst().orElseThrow());
        assertThat(first.has("type")).as("a watch event, not a list").isEqualTo(watches);
        assertThat(first.path("kind").asText()).isEqualTo(watches ? "" : "PodList");
    }

    @Test
    void aWatchTooFarBehindIsToldItsResourceVersionExpired() throws Exception {
        for (int i = 0; i < 600; i++) {
            api.cluster().addPod("default", "churn"); // a replacement is two events: deleted, added
        }

        HttpResponse<String> watch = send("GET", "/api/v1/namespaces/default/pods?watch=true&resourceVersion=1", null);

        JsonNode event = json(watch.body());
        assertThat(event.path("type").asText()).isEqualTo("ERROR");
        assertThat(event.at("/object/code").asInt()).isEqualTo(410);
        assertThat(event.at("/object/reason").asText()).isEqualTo("Expired");
    }

    @Test
    void aPodCreatedThroughTheApiRunsItsContainersInASandbox() throws Exception {
        String pod = """
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"made"},
                 "spec":{"containers":[{"name":"app","image":"x"},{"name":"sidecar","image":"y"}]}}""";

        HttpResponse<String> created = send("POST", "/api/v1/namespaces/default/pods", pod);

        assertThat(created.statusCode()).isEqualTo(201);
        JsonNode object = json(created.body());
        assertThat(object.at("/status/phase").asText()).isEqualTo("Running");
        assertThat(object.at("/metadata/uid").asText()).isNotEmpty();
        assertThat(object.at("/metadata/namespace").asText()).isEqualTo("default");
        Cluster.Pod running = api.cluster().pod("default", "made").orElseThrow();
        assertThat(running.containers()).containsExactly("app", "sidecar");
        assertThat(running.sandbox()).isDirectory();
    }

    @Test
    void missingAndDuplicateObjectsAreStatusesKubectlCanPrint() throws Exception {
        HttpResponse<String> missing = send("GET", "/api/v1/namespaces/default/configmaps/absent", null);
        String map = """
                {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"once"}}""";
        send("POST", "/api/v1/namespaces/default/configmaps", map);
        HttpResponse<String> twice = send("POST", "/api/v1/namespaces/default/configmaps", map);
        HttpResponse<String> nowhere = send("POST", "/api/v1/namespaces/nowhere/configmaps", map);

        assertThat(missing.statusCode()).isEqualTo(404);
        JsonNode status = json(missing.body());
        assertThat(status.path("kind").asText()).isEqualTo("Status");
        assertThat(status.path("reason").asText()).isEqualTo("NotFound");
        assertThat(status.path("message").asText()).isEqualTo("configmaps \"absent\" not found");
        assertThat(status.at("/details/name").asText()).isEqualTo("absent");
        assertThat(status.at("/details/kind").asText()).isEqualTo("configmaps");
        assertThat(twice.statusCode()).isEqualTo(409);
        assertThat(json(twice.body()).path("reason").asText()).isEqualTo("AlreadyExists");
        assertThat(nowhere.statusCode()).isEqualTo(404);
        assertThat(json(nowhere.body()).path("message").asText()).isEqualTo("namespaces \"nowhere\" not found");
    }

    @Test
    void aFollowedLogEndsWhenItsPodIsDeleted() throws Exception {
        api.cluster().addPod("default", "talker");
        api.cluster().appendLog("default", "talker", "first");

        // The official Python client's spelling: the API server takes anything but 0 and false as true.
        try (Lines log = stream("/api/v1/namespaces/default/pods/talker/log?follow=True")) {
            log.await("the first line", "first"::equals);
            api.cluster().appendLog("default", "talker", "second");
            log.await("the second line", "second"::equals);

            send("DELETE", "/api/v1/namespaces/default/pods/talker", null);

            Await.until("the log's end", SEEN, () -> log.ended);
        }
    }

    private HttpResponse<String> send(String method, String path, String body) throws IOException, InterruptedException {
        return http.send(request(path).method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json").build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("https://" + api.address() + path))
                .header("Authorization", "Bearer " + TOKEN).timeout(SEEN);
    }

    private Lines stream(String path) throws IOException, InterruptedException {
        HttpResponse<InputStream> response = http.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        return new Lines(response.body());
    }

    private static JsonNode json(String body) throws IOException {
        return Statuses.JSON.readTree(body);
    }

    /** A streamed response's lines, read as they arrive. */
    private static final class Lines implements AutoCloseable {
        final List<String> lines = new CopyOnWriteArrayList<>();
        final InputStream body;
        volatile boolean ended;

        Lines(InputStream body) {
            this.body = body;
            Thread.ofVirtual().start(() -> {
                try (BufferedReader reader = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
                    for (String line; (line = reader.readLine()) != null; ) {
                        lines.add(line);
                    }
                } catch (IOException closedByTheTest) {
                    // close() ends the read; what was read is in lines.
                }
                ended = true;
            });
        }

        void await(String what, Predicate<String> line) {
            Await.until(what + " in " + lines, SEEN, () -> lines.stream().anyMatch(line));
        }

        @Override
        public void close() throws IOException {
            body.close();
        }
    }
}
