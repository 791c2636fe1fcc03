package com.twingate.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.twingate.gateway.testkit.Await;
import com.twingate.gateway.testkit.GatewayHarness;
import com.twingate.gateway.testkit.TestPki;
import com.twingate.gateway.testkit.TlsUpstream;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Blocker;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Streaming, timeouts and upstream credentials (docs/upstream.md), through the whole chain. */
class ProxyBehaviourTest {

    private static final long BODY_BYTES = 50L * 1024 * 1024;
    private static final int MIB = 1024 * 1024;

    @TempDir
    Path dir;

    private TlsUpstream upstream;
    private GatewayHarness harness;

    @AfterEach
    void stop() throws Exception {
        if (harness != null) {
            harness.close();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    private void start(Handler handler, String credentialHocon, String extraHocon) throws Exception {
        TestPki apiPki = TestPki.create("api", dir);
        upstream = new TlsUpstream(apiPki.issue("api-server"), null, handler);
        harness = GatewayHarness.start(dir, GatewayHarness.upstream("main", upstream.address(), apiPki.caFile(), credentialHocon),
                extraHocon);
    }

    @Test
    void aWatchReachesTheClientChunkByChunkWhileTheUpstreamIsStillSending() throws Exception {
        CountDownLatch clientSawFirstEvent = new CountDownLatch(1);
        start(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                write(response, false, "{\"type\":\"ADDED\"}\n");
                // Only a gateway that streams lets the client see the first event before this returns.
                boolean released = clientSawFirstEvent.await(20, TimeUnit.SECONDS);
                write(response, true, released ? "{\"type\":\"DELETED\"}\n" : "{\"type\":\"NEVER-STREAMED\"}\n");
                callback.succeeded();
                return true;
            }
        }, "bearerToken = t", "");

        HttpResponse<InputStream> response = harness.httpClient().send(
                HttpRequest.newBuilder(harness.uri("/api/v1/pods?watch=true")).build(), HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream body = response.body()) {
            assertThat(readLine(body)).isEqualTo("{\"type\":\"ADDED\"}");
            clientSawFirstEvent.countDown();
            assertThat(readLine(body)).isEqualTo("{\"type\":\"DELETED\"}");
        }
    }

    @Test
    void aLargeRequestBodyStreamsToTheUpstream() throws Exception {
        CountDownLatch upstreamGotFirstMiB = new CountDownLatch(1);
        start(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                MessageDigest sha = MessageDigest.getInstance("SHA-256");
                long total = 0;
                byte[] buffer = new byte[64 * 1024];
                try (InputStream in = Content.Source.asInputStream(request)) {
                    for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                        sha.update(buffer, 0, n);
                        total += n;
                        if (total >= MIB) {
                            upstreamGotFirstMiB.countDown();
                        }
                    }
                }
                write(response, true, total + " " + HexFormat.of().formatHex(sha.digest()));
                callback.succeeded();
                return true;
            }
        }, "bearerToken = t", "");
        MessageDigest sent = MessageDigest.getInstance("SHA-256");

        HttpResponse<String> response = harness.httpClient().send(
                HttpRequest.newBuilder(harness.uri("/api/v1/namespaces/default/configmaps"))
                        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new HeldBackBody(sent, upstreamGotFirstMiB))).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(BODY_BYTES + " " + HexFormat.of().formatHex(sent.digest()));
    }

    @Test
    void silentUpstreamIs504WithAStatus() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        start(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                release.await(30, TimeUnit.SECONDS);
                callback.succeeded();
                return true;
            }
        }, "bearerToken = t", "kubernetes.responseHeaderTimeout = 1s");
        try {
            HttpResponse<String> response = harness.httpClient().send(
                    HttpRequest.newBuilder(harness.uri("/api/v1/nodes")).build(), HttpResponse.BodyHandlers.ofString());

            assertThat(response.statusCode()).isEqualTo(504);
            JsonNode status = new ObjectMapper().readTree(response.body());
            assertThat(status.path("kind").asText()).isEqualTo("Status");
            assertThat(status.path("reason").asText()).isEqualTo("Timeout");
            assertThat(status.path("code").asInt()).isEqualTo(504);
        } finally {
            release.countDown();
        }
    }

    @Test
    void aRotatedTokenFileIsPickedUp() throws Exception {
        Path tokenFile = Files.writeString(dir.resolve("token"), "first-token\n");
        start(echoAuthorization(), "bearerTokenFile = \"" + tokenFile + "\"", "kubernetes.tokenRefreshInterval = 200ms");
        assertThat(get("/api")).isEqualTo("Bearer first-token");

        Files.writeString(dir.resolve("token.next"), "second-token\n");
        Files.move(dir.resolve("token.next"), tokenFile, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);

        Await.until("the upstream to see the rotated token", Duration.ofSeconds(10),
                () -> "Bearer second-token".equals(get("/api")));
    }

    @Test
    void clientCertificateUpstreamWorks() throws Exception {
        TestPki apiPki = TestPki.create("mtls-api", dir);
        TestPki clientPki = TestPki.create("mtls-clients", dir);
        TestPki.Issued gatewayClient = clientPki.issue("gateway-client");
        upstream = new TlsUpstream(apiPki.issue("mtls-api-server"), clientPki.caFile(), echoAuthorization());
        harness = GatewayHarness.start(dir, GatewayHarness.upstream("mtls", upstream.address(), apiPki.caFile(),
                "clientCertificateFile = \"%s\", clientKeyFile = \"%s\"".formatted(gatewayClient.certificateFile(),
                        gatewayClient.privateKeyFile())));

        assertThat(get("/api")).isEqualTo("no authorization");
    }

    @Test
    void anUpstreamCertificateFromAnotherCaIsRefusedWith502() throws Exception {
        TestPki realPki = TestPki.create("real", dir);
        TestPki otherPki = TestPki.create("other", dir);
        upstream = new TlsUpstream(realPki.issue("impostor"), null, echoAuthorization());
        harness = GatewayHarness.start(dir, GatewayHarness.upstream("main", upstream.address(), otherPki.caFile(), "bearerToken = t"));

        HttpResponse<String> response = harness.httpClient().send(
                HttpRequest.newBuilder(harness.uri("/api")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(502);
        assertThat(new ObjectMapper().readTree(response.body()).path("kind").asText()).isEqualTo("Status");
    }

    private static Handler echoAuthorization() {
        return new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                String authorization = request.getHeaders().get("Authorization");
                write(response, true, authorization == null ? "no authorization" : authorization);
                callback.succeeded();
                return true;
            }
        };
    }

    private String get(String path) {
        try {
            return harness.httpClient().send(HttpRequest.newBuilder(harness.uri(path)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            return "failed: " + e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    private static void write(Response response, boolean last, String text) throws IOException {
        try (Blocker.Callback written = Blocker.callback()) {
            response.write(last, ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), written);
            written.block();
        }
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int b = in.read(); b >= 0 && b != '\n'; b = in.read()) {
            line.append((char) b);
        }
        return line.toString();
    }

    /** 50 MB of pseudo-random bytes that stops after the first MiB until the upstream has received it. */
    private static final class HeldBackBody extends InputStream {
        private final MessageDigest digest;
        private final CountDownLatch upstreamGotFirstMiB;
        private final Random random = new Random(42);
        private long produced;

        HeldBackBody(MessageDigest digest, CountDownLatch upstreamGotFirstMiB) {
            this.digest = digest;
            this.upstreamGotFirstMiB = upstreamGotFirstMiB;
        }

        @Override
        public int read() {
            throw new UnsupportedOperationException("read in blocks");
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            if (produced >= BODY_BYTES) {
                return -1;
            }
            if (produced >= 2L * MIB) {
                awaitUpstream();
            }
            int n = (int) Math.min(length, BODY_BYTES - produced);
            byte[] chunk = new byte[n];
            random.nextBytes(chunk);
            System.arraycopy(chunk, 0, buffer, offset, n);
            digest.update(chunk);
            produced += n;
            return n;
        }

        private void awaitUpstream() throws IOException {
            try {
                if (!upstreamGotFirstMiB.await(20, TimeUnit.SECONDS)) {
                    throw new IOException("the upstream never received the first MiB: the gateway buffers request bodies");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
        }
    }
}
