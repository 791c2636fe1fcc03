package com.twingate.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.twingate.gateway.testkit.Await;
import com.twingate.gateway.testkit.GatewayHarness;
import com.twingate.gateway.testkit.HttpHeads;
import com.twingate.gateway.testkit.KubectlConnection;
import com.twingate.gateway.testkit.LogCapture;
import com.twingate.gateway.testkit.TestPki;
import com.twingate.gateway.testkit.UpgradeUpstream;
import com.twingate.gateway.testkit.UpgradeUpstreamGateway;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * What reaches the API server, and what comes back, on the one path every request takes — plain
 * requests and upgrades alike — checked at the byte level against an API server stand-in that keeps
 * every request head it receives: identities exactly as the token has them, no client-chosen identity
 * header, refused upgrades that complete, bodies and early frames that arrive, half-closes that let
 * the last bytes through, and the small HTTP cases a gateway must answer itself.
 */
class OneUpstreamPathTest {

    private static final Duration DEADLINE = Duration.ofSeconds(15);
    private static final String EXEC = "/echo/api/v1/namespaces/default/pods/web/exec?command=sh";

    @TempDir
    Path dir;

    @RegisterExtension
    final LogCapture logs = new LogCapture();

    private UpgradeUpstreamGateway gateway;
    private UpgradeUpstream upstream;
    private GatewayHarness harness;

    @BeforeEach
    void start() throws Exception {
        gateway = UpgradeUpstreamGateway.start(dir, "kubernetes.connectTimeout = 2s");
        upstream = gateway.upstream();
        harness = gateway.harness();
    }

    @AfterEach
    void stop() throws Exception {
        gateway.close();
    }

    @Test
    void aUsernameThatCarriesAHeaderIsRefusedAtConnectAndNothingReachesTheApiServer() throws Exception {
        harness.tokens(token -> token.user("u-1", "eve\r\nImpersonate-Group: system:masters", "devs"));

        assertThatThrownBy(harness::openKubectlConnection).hasMessageContaining("HTTP/1.1 401");

        JsonNode refusal = logs.awaitLines(line -> "client authentication".equals(line.path("message").asText()), 1, DEADLINE)
                .getFirst();
        assertThat(refusal.path("status").asInt()).isEqualTo(401);
        assertThat(refusal.path("reason").asText()).contains("user.username contains the control character U+000D");
        assertThat(upstream.requestHeads()).isEmpty();
    }

    @Test
    void controlCharactersInTheUserIdOrAGroupAreRefusedToo() throws Exception {
        for (String[] user : List.of(new String[] {"u\u0000", "bob", "devs"}, new String[] {"u-2", "bob", "devs\nsystem:masters"},
                new String[] {"u-3", "bob\u007f", "devs"})) {
            harness.tokens(token -> token.user(user[0], user[1], user[2]));
            assertThatThrownBy(harness::openKubectlConnection).hasMessageContaining("HTTP/1.1 401");
        }
        assertThat(upstream.requestHeads()).isEmpty();
    }

    @Test
    void nonAsciiIdentitiesLeaveAsUtf8BytesOnPlainRequestsAndUpgradesAlike() throws Exception {
        harness.tokens(token -> token.user("u-9", "josé", "张三", "ops"));
        try (SSLSocket kubectl = harness.openKubectlConnection()) {
            send(kubectl, "GET /body HTTP/1.1\r\nHost: kube\r\n\r\n");
            assertThat(HttpHeads.read(kubectl.getInputStream())).startsWith("HTTP/1.1 200");
        }
        try (SSLSocket kubectl = harness.openKubectlConnection()) {
            upgrade(kubectl, EXEC, "websocket", "");
        }

        assertThat(upstream.requestHeads()).hasSize(2).allSatisfy(head -> {
            byte[] bytes = head.getBytes(StandardCharsets.ISO_8859_1);
            assertThat(HexFormat.of().formatHex(bytes))
                    .contains(hex("\r\nImpersonate-User: josé\r\n"))
                    .contains(hex("\r\nImpersonate-Group: 张三\r\n"))
                    .contains(hex("\r\nImpersonate-Group: ops\r\n"));
        });
    }

    @Test
    void identitiesAClientChoosesNeverReachTheApiServerOnAnUpgrade() throws Exception {
        try (SSLSocket kubectl = harness.openKubectlConnection()) {
            upgrade(kubectl, EXEC, "websocket", """
                    Connection: Upgrade, X-Forwarded-User
                    X-Forwarded-User: admin
                    X-Remote-User: admin
                    X-Remote-Group: system:masters
                    X-Remote-Extra-Scopes: all
                    Impersonate-User: admin
                    Sec-WebSocket-Protocol: base64url.bearer.authorization.k8s.io.c3RvbGVu, v5.channel.k8s.io
                    """);
        }
        String head = upstream.requestHeads().getFirst();
        assertThat(head.lines().filter(line -> line.regionMatches(true, 0, "Connection:", 0, 11))).containsExactly("Connection: Upgrade");
        assertThat(head).doesNotContainIgnoringCase("X-Forwarded-User").doesNotContainIgnoringCase("X-Remote-")
                .doesNotContain("admin").doesNotContain("base64url.bearer").doesNotContain("c3RvbGVu")
                .contains("Sec-WebSocket-Protocol: v5.channel.k8s.io", "Impersonate-User: alice", "Authorization: Bearer sa");
    }

    @Test
    void aRefusedUpgradeIsACompleteResponseAndTheConnectionStaysUsable() throws Exception {
        try (SSLSocket kubectl = harness.openKubectlConnection()) {
            String refused = upgrade(kubectl, "/deny/api/v1/namespaces/default/pods/web/exec", "websocket", "");
            assertThat(refused).startsWith("HTTP/1.1 403");
            int length = Integer.parseInt(refused.replaceAll("(?s).*Content-Length: (\\d+).*", "$1"));
            assertThat(new String(kubectl.getInputStream().readNBytes(length), StandardCharsets.UTF_8)).contains("forbidden: exec");
            JsonNode audit = logs.awaitLines(line -> line.path("url").asText().startsWith("/deny"), 1, DEADLINE).getFirst();
            assertThat(audit.path("response").path("status_code").asInt()).isEqualTo(403);

            send(kubectl, "GET /body HTTP/1.1\r\nHost: kube\r\n\r\n");
            assertThat(HttpHeads.read(kubectl.getInputStream())).as("a second request on the same connection").startsWith("HTTP/1.1 200");
        }
    }

    @Test
    void theBodyOfARequestFlaggedAsAnUpgradeReachesTheApiServer() throws Exception {
        String review = "{\"kind\":\"SelfSubjectAccessReview\"}";
        try (SSLSocket kubectl = harness.openKubectlConnection()) {
            send(kubectl, "POST /body/apis/authorization.k8s.io/v1/selfsubjectaccessreviews HTTP/1.1\r\nHost: kube\r\n"
                    + "Connection: Upgrade\r\nUpgrade: websocket\r\nContent-Type: application/json\r\nContent-Length: "
                    + review.length() + "\r\n\r\n" + review);
            assertThat(HttpHeads.read(kubectl.getInputStream())).startsWith("HTTP/1.1 200");
        }
        assertThat(upstream.bodies()).containsExactly(review);
    }

    @Test
    void bytesPipelinedRightBehindTheUpgradeRequestReachTheApiServer() throws Exception {
        try (SSLSocket kubectl = harness.openKubectlConnection()) {
            send(kubectl, "GET " + EXEC + " HTTP/1.1\r\nHost: kube\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n\r\nfirst frames");
            assertThat(HttpHeads.read(kubectl.getInputStream())).startsWith("HTTP/1.1 101");
            assertThat(new String(kubectl.getInputStream().readNBytes(12), StandardCharsets.US_ASCII)).isEqualTo("first frames");
        }
    }

    @Test
    void anApiServerThatNeverCompletesTlsIsA504WithinTheConnectTimeout() throws Exception {
        java.nio.file.Files.createDirectories(dir.resolve("stuck"));
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             GatewayHarness stuck = GatewayHarness.start(dir.resolve("stuck"),
                     GatewayHarness.upstream("silent", "localhost:" + silent.getLocalPort(),
                             TestPki.create("silent", dir.resolve("stuck")).caFile(), "bearerToken = sa"),
                     "kubernetes.connectTimeout = 2s");
             SSLSocket kubectl = stuck.openKubectlConnection()) {
            String answer = upgrade(kubectl, EXEC, "websocket", "");
            assertThat(answer).startsWith("HTTP/1.1 504");
            int length = Integer.parseInt(answer.replaceAll("(?s).*Content-Length: (\\d+).*", "$1"));
            assertThat(new String(kubectl.getInputStream().readNBytes(length), StandardCharsets.UTF_8))
                    .contains("\"kind\":\"Status\"", "\"code\":504", "no connection within");
        }
    }

    /**
     * The API server says its last words and stops sending; kubectl still answers with its close frame,
     * which must reach the API server, and then both ends close cleanly: no reset, no broken pipe.
     */
    @RepeatedTest(20)
    void whenTheApiServerHalfClosesKubectlsLastBytesStillArriveAndBothEndsCloseCleanly() throws Exception {
        try (SSLSocket kubectl = harness.openKubectlConnection()) {
            upgrade(kubectl, "/half-close/api/v1/namespaces/default/pods/web/exec", "websocket", "");
            InputStream in = kubectl.getInputStream();
            assertThat(new String(in.readNBytes(3), StandardCharsets.US_ASCII)).isEqualTo("bye");
            assertThat(in.read()).as("the API server's end of stream reaches kubectl").isEqualTo(-1);
            send(kubectl, "close frame");
            kubectl.shutdownOutput();
        }
        Await.until("kubectl's close frame to reach the API server", DEADLINE,
                () -> upstream.receivedAfterHalfClose().contains("close frame"));
        JsonNode audit = logs.awaitLines(line -> line.path("url").asText().startsWith("/half-close"), 1, DEADLINE).getFirst();
        assertThat(audit.path("message").asText()).isEqualTo("API request completed");
    }

    @Test
    void theHeadersOfAQuietStreamReachTheClientBeforeAnyBodyByte() throws Exception {
        KubectlConnection connection = harness.openKubectl();
        try {
            SSLSocket kubectl = connection.tls();
            send(kubectl, "GET /quiet/api/v1/pods?watch=1 HTTP/1.1\r\nHost: kube\r\n\r\n");
            kubectl.setSoTimeout((int) DEADLINE.toMillis());
            try {
                assertThat(HttpHeads.read(kubectl.getInputStream())).startsWith("HTTP/1.1 200").contains("Transfer-Encoding: chunked");
            } catch (SocketTimeoutException heldBack) {
                throw new AssertionError("the response headers were held back while the API server sent no body", heldBack);
            }
        } finally {
            leave(connection);
        }
    }

    /** kubectl killed during a quiet watch: noticed at once, the API server's request ended, and it is not a failure. */
    @Test
    void aClientThatVanishesDuringAQuietWatchIsAuditedAsCompletedWithWhatItGot() throws Exception {
        KubectlConnection kubectl = harness.openKubectl();
        send(kubectl.tls(), "GET /quiet/one-event/api/v1/pods?watch=1 HTTP/1.1\r\nHost: kube\r\n\r\n");
        assertThat(HttpHeads.read(kubectl.tls().getInputStream())).startsWith("HTTP/1.1 200");
        // The event is what kubectl got: read it whole before vanishing, so the count is not a race.
        String event = Integer.toHexString(UpgradeUpstream.ONE_EVENT.getBytes(StandardCharsets.UTF_8).length) + "\r\n"
                + UpgradeUpstream.ONE_EVENT + "\r\n";
        assertThat(new String(kubectl.tls().getInputStream().readNBytes(event.length()), StandardCharsets.UTF_8)).isEqualTo(event);
        Await.until("the watch to be open at the API server", DEADLINE, () -> upstream.openStreams() == 1);

        leave(kubectl);

        Await.until("the API server's request to end", DEADLINE, () -> upstream.openStreams() == 0);
        JsonNode audit = logs.awaitLines(line -> line.path("url").asText().startsWith("/quiet"), 1, DEADLINE).getFirst();
        assertThat(audit.path("message").asText()).isEqualTo("API request completed");
        assertThat(audit.path("response").path("status_code").asInt()).isEqualTo(200);
        assertThat(audit.path("response").path("size_bytes").asLong()).isEqualTo(UpgradeUpstream.ONE_EVENT.length());
    }

    /** Clients that read a chunk to its CRLF before using it (urllib3) must get a quiet watch's last event now. */
    @Test
    void theLastChunkBeforeAQuietSpellArrivesWholeWithItsCrlf() throws Exception {
        KubectlConnection connection = harness.openKubectl();
        try {
            SSLSocket kubectl = connection.tls();
            send(kubectl, "GET /quiet/one-event/api/v1/pods?watch=1 HTTP/1.1\r\nHost: kube\r\n\r\n");
            assertThat(HttpHeads.read(kubectl.getInputStream())).startsWith("HTTP/1.1 200").contains("Transfer-Encoding: chunked");
            byte[] event = UpgradeUpstream.ONE_EVENT.getBytes(StandardCharsets.UTF_8);
            String wholeChunk = Integer.toHexString(event.length) + "\r\n" + UpgradeUpstream.ONE_EVENT + "\r\n";
            kubectl.setSoTimeout((int) DEADLINE.toMillis());
            try {
                assertThat(new String(kubectl.getInputStream().readNBytes(wholeChunk.length()), StandardCharsets.UTF_8))
                        .isEqualTo(wholeChunk);
            } catch (SocketTimeoutException heldBack) {
                throw new AssertionError("the chunk's CRLF was held back until a next chunk", heldBack);
            }
        } finally {
            leave(connection);
        }
    }

    @Test
    void optionsAsteriskConnectAndMalformedBodiesAreAnsweredByTheGateway() throws Exception {
        try (SSLSocket kubectl = harness.openKubectlConnection()) {
            send(kubectl, "OPTIONS * HTTP/1.1\r\nHost: kube\r\n\r\n");
            assertThat(statusAndBody(kubectl)).startsWith("501").contains("\"kind\":\"Status\"", "\"reason\":\"NotImplemented\"");
            send(kubectl, "CONNECT kube:443 HTTP/1.1\r\nHost: kube:443\r\n\r\n");
            assertThat(statusAndBody(kubectl)).startsWith("405").contains("\"reason\":\"MethodNotAllowed\"");
        }
        try (SSLSocket kubectl = harness.openKubectlConnection()) {
            send(kubectl, "POST /body HTTP/1.1\r\nHost: kube\r\nTransfer-Encoding: chunked\r\n\r\nZZZ\r\nnot a chunk\r\n");
            assertThat(statusAndBody(kubectl)).startsWith("400");
        }
        assertThat(logs.json()).noneMatch(line -> line.path("message").asText().equals("API request failed")
                && line.path("error").asText().contains("unreachable"));
    }

    @Test
    void aClientThatAbortsItsUploadIsNotAnUnreachableApiServer() throws Exception {
        try (SSLSocket kubectl = harness.openKubectlConnection()) {
            send(kubectl, "POST /body/api/v1/namespaces/default/configmaps HTTP/1.1\r\nHost: kube\r\nContent-Length: 100000\r\n\r\n"
                    + "{\"kind\":");
            Await.until("the upload to reach the API server", DEADLINE, () -> !upstream.requestHeads().isEmpty());
        }
        JsonNode audit = logs.awaitLines(line -> line.path("url").asText().endsWith("/configmaps"), 1, DEADLINE).getFirst();
        assertThat(audit.path("message").asText()).isEqualTo("API request completed");
        assertThat(audit.path("response").path("status_code").asInt()).isEqualTo(499);
        assertThat(logs.lines()).noneMatch(line -> line.contains("unreachable"));
    }

    private static String upgrade(SSLSocket kubectl, String path, String protocol, String extraHeaders) throws IOException {
        boolean ownConnectionHeader = extraHeaders.startsWith("Connection:");
        send(kubectl, "GET " + path + " HTTP/1.1\r\nHost: kube\r\nAuthorization: Bearer kubectl-token\r\n"
                + (ownConnectionHeader ? "" : "Connection: Upgrade\r\n") + "Upgrade: " + protocol + "\r\n"
                + "X-Stream-Protocol-Version: v4.channel.k8s.io\r\n" + extraHeaders.replace("\n", "\r\n") + "\r\n");
        return HttpHeads.read(kubectl.getInputStream());
    }

    /** The status code and the body of a response with a Content-Length. */
    private static String statusAndBody(SSLSocket kubectl) throws IOException {
        String head = HttpHeads.read(kubectl.getInputStream());
        int length = Integer.parseInt(head.replaceAll("(?s).*Content-Length: (\\d+).*", "$1"));
        return head.substring("HTTP/1.1 ".length(), "HTTP/1.1 ".length() + 3) + " "
                + new String(kubectl.getInputStream().readNBytes(length), StandardCharsets.UTF_8);
    }

    private static void send(Socket socket, String text) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static String hex(String text) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.writeBytes(text.getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(bytes.toByteArray());
    }

    /**
     * Leaves a watch in progress with a TCP close: the JDK's TLS close waits out the read timeout for a
     * close_notify that a watch in progress never sends back.
     */
    private static void leave(KubectlConnection connection) throws IOException {
        connection.tcp().close();
    }
}
