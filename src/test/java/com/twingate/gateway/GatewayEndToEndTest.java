package com.twingate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.twingate.gateway.testkit.GatewayHarness;
import com.twingate.gateway.testkit.LogCapture;
import com.twingate.gateway.testkit.TestPki;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.Headers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Client stand-in → gateway → a TLS API server with its own CA, over real sockets: what the API
 * server sees (docs/upstream.md), what kubectl gets back, and what the audit log says (docs/audit-log.md).
 */
class GatewayEndToEndTest {

    private static final String UPSTREAM_TOKEN = "upstream-sa-token-3f9a";

    @TempDir
    Path dir;

    @RegisterExtension
    final LogCapture logs = new LogCapture();

    private MockWebServer apiServer;
    private GatewayHarness harness;

    @BeforeEach
    void start() throws Exception {
        TestPki apiPki = TestPki.create("apiserver", dir);
        apiServer = new MockWebServer();
        apiServer.useHttps(apiPki.issue("apiserver").serverCertificates().sslSocketFactory());
        apiServer.start(java.net.InetAddress.getByName("127.0.0.1"), 0);
        harness = GatewayHarness.start(dir, GatewayHarness.upstream("main", "localhost:" + apiServer.getPort(),
                apiPki.caFile(), "bearerToken = \"" + UPSTREAM_TOKEN + "\""));
        harness.tokens(token -> token.user("u-7", "alice@example.com", "devs", "system:masters-wannabe"));
    }

    @AfterEach
    void stop() throws Exception {
        harness.close();
        apiServer.close();
    }

    @Test
    void apiServerSeesTheGatewayCredentialAndTheImpersonatedUser() throws Exception {
        apiServer.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json")
                .body("{\"kind\":\"PodList\"}").build());

        HttpResponse<String> response = harness.httpClient().send(
                HttpRequest.newBuilder(harness.uri("/api/v1/namespaces/default/pods?limit=500")).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("{\"kind\":\"PodList\"}");
        RecordedRequest seen = apiServer.takeRequest(5, TimeUnit.SECONDS);
        assertThat(seen.getTarget()).isEqualTo("/api/v1/namespaces/default/pods?limit=500");
        Headers headers = seen.getHeaders();
        assertThat(headers.values("Authorization")).containsExactly("Bearer " + UPSTREAM_TOKEN);
        assertThat(headers.values("Impersonate-User")).containsExactly("alice@example.com");
        assertThat(headers.values("Impersonate-Group")).containsExactly("devs", "system:masters-wannabe");
    }

    @Test
    void smuggledIdentityHeadersNeverReachTheApiServer() throws Exception {
        apiServer.enqueue(new MockResponse.Builder().code(200).body("ok").build());

        String response = rawRequest("""
                GET /api/v1/secrets HTTP/1.1\r
                Host: kube\r
                Authorization: Bearer stolen-admin-token\r
                Impersonate-User: admin\r
                impersonate-group: system:masters\r
                IMPERSONATE-GROUP: cluster-admins\r
                Impersonate-Uid: 0\r
                Impersonate-Extra-Scopes: everything\r
                impersonate-extra-reason: please\r
                Proxy-Authorization: Bearer other\r
                Connection: X-Sneaky\r
                X-Sneaky: Impersonate-User\r
                Content-Length: 0\r
                \r
                """);

        assertThat(response).startsWith("HTTP/1.1 200");
        RecordedRequest seen = apiServer.takeRequest(5, TimeUnit.SECONDS);
        Headers headers = seen.getHeaders();
        assertThat(headers.values("Authorization")).containsExactly("Bearer " + UPSTREAM_TOKEN);
        assertThat(headers.values("Impersonate-User")).containsExactly("alice@example.com");
        assertThat(headers.values("Impersonate-Group")).containsExactly("devs", "system:masters-wannabe");
        assertThat(headers.names()).noneMatch(name -> name.toLowerCase().startsWith("impersonate-extra")
                || name.equalsIgnoreCase("impersonate-uid") || name.equalsIgnoreCase("proxy-authorization")
                || name.equalsIgnoreCase("x-sneaky"));
        assertThat(headers.toString()).doesNotContain("stolen-admin-token", "system:masters\n", "cluster-admins");
    }

    @Test
    void upstreamDownIs502WithAKubernetesStatus() throws Exception {
        int closedPort;
        try (ServerSocket probe = new ServerSocket(0)) {
            closedPort = probe.getLocalPort();
        }
        harness.close();
        TestPki apiPki = TestPki.create("down", dir);
        harness = GatewayHarness.start(dir, GatewayHarness.upstream("down", "localhost:" + closedPort,
                apiPki.caFile(), "bearerToken = \"x\""));

        HttpResponse<String> response = harness.httpClient().send(
                HttpRequest.newBuilder(harness.uri("/api")).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(502);
        JsonNode status = new ObjectMapper().readTree(response.body());
        assertThat(status.path("kind").asText()).isEqualTo("Status");
        assertThat(status.path("code").asInt()).isEqualTo(502);
        assertThat(status.path("status").asText()).isEqualTo("Failure");
        assertThat(status.path("message").asText()).isNotBlank();
    }

    @Test
    void everyRequestHasOneAuditLineAndNoSecretReachesAnyLog() throws Exception {
        apiServer.enqueue(new MockResponse.Builder().code(201).addHeader("Set-Cookie", "session=cookie-secret-1").body("{}").build());
        apiServer.enqueue(new MockResponse.Builder().code(404).body("{}").build());

        var client = harness.httpClient();
        client.send(HttpRequest.newBuilder(harness.uri("/api/v1/namespaces/default/configmaps"))
                .header("Authorization", "Bearer kubectl-own-token-9")
                .header("Cookie", "theme=dark; csrf=cookie-secret-2")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        client.send(HttpRequest.newBuilder(harness.uri("/api/v1/namespaces/missing")).build(),
                HttpResponse.BodyHandlers.ofString());

        List<JsonNode> audit = logs.awaitLines(line -> line.path("message").asText().startsWith("API request"), 2,
                Duration.ofSeconds(5));
        JsonNode post = audit.getFirst();
        assertThat(post.path("message").asText()).isEqualTo("API request completed");
        assertThat(post.path("method").asText()).isEqualTo("POST");
        assertThat(post.path("url").asText()).isEqualTo("/api/v1/namespaces/default/configmaps");
        assertThat(post.path("request_id").asText()).hasSize(36);
        assertThat(post.path("requested_at").asText()).isNotBlank();
        assertThat(post.path("remote_addr").asText()).isNotBlank();
        assertThat(post.path("user").path("username").asText()).isEqualTo("alice@example.com");
        assertThat(post.path("user").path("id").asText()).isEqualTo("u-7");
        assertThat(post.path("user").path("groups")).hasSize(2);
        assertThat(post.path("conn_id").asText()).isNotBlank();
        assertThat(post.path("request").path("headers").isObject()).isTrue();
        assertThat(post.path("response").path("status_code").asInt()).isEqualTo(201);
        assertThat(audit.get(1).path("response").path("status_code").asInt()).isEqualTo(404);

        String everything = String.join("\n", logs.lines());
        assertThat(everything).doesNotContain("kubectl-own-token-9", "cookie-secret-1", "cookie-secret-2",
                UPSTREAM_TOKEN, harness.controller().token(harness.clientKey()).mint().substring(0, 40));
    }

    /** A raw HTTP/1.1 exchange through the client stand-in's tunnel, for headers HttpClient refuses to send. */
    private String rawRequest(String request) throws Exception {
        try (SSLSocket socket = (SSLSocket) harness.pki().trust().getSocketFactory()
                .createSocket("127.0.0.1", harness.client().localPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    break;
                }
                head.append((char) b);
            }
            return head.toString();
        }
    }
}
