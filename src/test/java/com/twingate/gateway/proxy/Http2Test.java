package com.twingate.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.twingate.gateway.testkit.Await;
import com.twingate.gateway.testkit.GatewayHarness;
import com.twingate.gateway.testkit.KubectlConnection;
import com.twingate.gateway.testkit.RawHttp2;
import com.twingate.gateway.testkit.TestPki;
import com.twingate.gateway.testkit.TlsUpstream;
import com.twingate.gateway.testkit.UpgradeUpstream;
import com.twingate.gateway.testkit.UpgradeUpstreamGateway;
import com.twingate.gateway.testkit.kubeapi.Impersonation;
import com.twingate.gateway.testkit.kubeapi.KubeApiStandIn;
import com.twingate.gateway.tls.PemKeyStores;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.nio.file.Files;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory;
import org.eclipse.jetty.http2.server.HTTP2ServerConnectionFactory;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTP/2 on kubectl's connection and towards the API server: everything HTTP/1.1 gets (identity, header
 * rules, streaming chunk by chunk, expiry), what HTTP/2 forbids refused, one stream's end leaving the
 * others alone, and an API server's concurrent-stream limit met with more connections, never a queue.
 */
class Http2Test {

    private static final Duration DEADLINE = Duration.ofSeconds(15);

    @TempDir
    Path dir;

    private UpgradeUpstreamGateway gateway;
    private TestPki apiPki;
    private UpgradeUpstream upstream;
    private GatewayHarness harness;

    @BeforeEach
    void start() throws Exception {
        gateway = UpgradeUpstreamGateway.start(dir, "");
        apiPki = gateway.apiPki();
        upstream = gateway.upstream();
        harness = gateway.harness();
    }

    @AfterEach
    void stop() throws Exception {
        gateway.close();
    }

    @Test
    void aWatchStreamsChunkByChunkToAnHttp2Client() throws Exception {
        try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).sslContext(harness.pki().trust()).build()) {
            HttpResponse<InputStream> watch = client.send(HttpRequest.newBuilder(harness.uri("/stream/api/v1/pods?watch=1")).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            assertThat(watch.version()).isEqualTo(HttpClient.Version.HTTP_2);
            try (InputStream events = watch.body()) {
                for (int event = 0; event < 3; event++) {
                    String expected = "{\"event\":" + event + "}\n";
                    assertThat(new String(events.readNBytes(expected.length()), StandardCharsets.UTF_8)).isEqualTo(expected);
                }
            }
        }
    }

    /** A tool holding many watches (k9s, an informer) needs one Twingate connection, not one per watch. */
    @Test
    void twentyWatchesFromOneClientShareOneTwingateConnection() throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).sslContext(harness.pki().trust()).build();
        try {
            List<CompletableFuture<HttpResponse<InputStream>>> watches = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                watches.add(client.sendAsync(HttpRequest.newBuilder(harness.uri("/quiet/one-event/api/v1/pods?watch=1&n=" + i)).build(),
                        HttpResponse.BodyHandlers.ofInputStream()));
                if (i == 0) {
                    // Java's client, like client-go, reuses a connection once it knows it speaks h2.
                    watches.getFirst().get(DEADLINE.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
                }
            }
            for (CompletableFuture<HttpResponse<InputStream>> watch : watches) {
                HttpResponse<InputStream> answered = watch.get(DEADLINE.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
                assertThat(answered.body().readNBytes(UpgradeUpstream.ONE_EVENT.length()))
                        .isEqualTo(UpgradeUpstream.ONE_EVENT.getBytes(StandardCharsets.UTF_8));
            }
            assertThat(upstream.openStreams()).isEqualTo(20);
            assertThat(harness.client().tunnelsOpened()).as("Twingate connections for 20 watches").isEqualTo(1);
        } finally {
            // close() would wait for the watches, which never end
            client.shutdownNow();
        }
    }

    @Test
    void headersHttp2ForbidsAreRefusedAndIdentityHeadersStripped() throws Exception {
        List<String[]> forbidden = List.of(
                new String[] {"Impersonate-User", "admin"},
                new String[] {"connection", "upgrade"},
                new String[] {"transfer-encoding", "chunked"},
                new String[] {"keep-alive", "timeout=5"},
                new String[] {"te", "gzip"},
                new String[] {"upgrade", "websocket"},
                new String[] {":smuggled", "yes"},
                new String[] {"x-forwarded", "a\r\nimpersonate-group: system:masters"});
        for (String[] header : forbidden) {
            try (RawHttp2 h2 = new RawHttp2(harness.openKubectl("h2").tls())) {
                h2.get(1, "/body", List.<String[]>of(header));
                RawHttp2.Frame answer = h2.next(DEADLINE).orElseThrow(() -> new AssertionError("no answer to " + header[0]));
                if (answer.type() == RawHttp2.HEADERS) {
                    assertThat(h2.status(answer)).as("the answer to %s", header[0]).isEqualTo(400);
                } else {
                    assertThat(answer.type()).as("the answer to %s", header[0]).isIn(RawHttp2.RST_STREAM, RawHttp2.GOAWAY);
                }
            }
        }
        assertThat(upstream.requestHeads()).as("requests that reached the API server").isEmpty();

        try (RawHttp2 h2 = new RawHttp2(harness.openKubectl("h2").tls())) {
            h2.get(1, "/body", List.of(new String[] {"impersonate-user", "admin"}, new String[] {"impersonate-group", "system:masters"},
                    new String[] {"x-remote-user", "admin"}, new String[] {"authorization", "Bearer stolen"}));
            RawHttp2.Frame answer = h2.next(DEADLINE).orElseThrow();
            assertThat(answer.type()).isEqualTo(RawHttp2.HEADERS);
            assertThat(h2.status(answer)).isEqualTo(200);
        }
        // Fields HTTP/2 allows are not refused with them: te: trailers, and trailer (hop-by-hop, so not forwarded).
        try (RawHttp2 h2 = new RawHttp2(harness.openKubectl("h2").tls())) {
            h2.get(1, "/body", List.of(new String[] {"te", "trailers"}, new String[] {"trailer", "x-checksum"}));
            RawHttp2.Frame answer = h2.next(DEADLINE).orElseThrow();
            assertThat(answer.type()).isEqualTo(RawHttp2.HEADERS);
            assertThat(h2.status(answer)).as("te: trailers and trailer in an HTTP/2 request").isEqualTo(200);
        }
        assertThat(upstream.requestHeads()).hasSize(2);
        assertThat(upstream.requestHeads().getLast()).doesNotContainIgnoringCase("trailer: x-checksum");
        String head = upstream.requestHeads().getFirst();
        assertThat(head).contains("Impersonate-User: alice", "Impersonate-Group: devs", "Authorization: Bearer sa")
                .doesNotContain("admin").doesNotContain("system:masters").doesNotContain("stolen");
    }

    @Test
    void aStreamTheClientResetsEndsAloneAndItsRequestToTheApiServerToo() throws Exception {
        try (RawHttp2 h2 = new RawHttp2(harness.openKubectl("h2").tls())) {
            h2.get(1, "/stream/api/v1/pods?watch=1", List.of());
            h2.get(3, "/stream/api/v1/services?watch=1", List.of());
            Await.until("both watches to be open at the API server", DEADLINE, () -> upstream.openStreams() == 2);

            h2.reset(1);
            Await.until("the reset watch's request to the API server to end", DEADLINE, () -> upstream.openStreams() == 1);
            int dataOnTheOther = 0;
            for (int frames = 0; frames < 200 && dataOnTheOther < 3; frames++) {
                RawHttp2.Frame frame = h2.next(DEADLINE).orElseThrow(() -> new AssertionError("the connection ended"));
                assertThat(frame.type()).as("no GOAWAY: the connection goes on").isNotEqualTo(RawHttp2.GOAWAY);
                if (frame.type() == RawHttp2.DATA && frame.streamId() == 3) {
                    dataOnTheOther++;
                }
            }
            assertThat(dataOnTheOther).as("events on the other watch after the reset").isEqualTo(3);
        }
    }

    @Test
    void theTokensExpiryClosesAnHttp2ConnectionWithItsStreams() throws Exception {
        harness.tokens(token -> token.user("u-1", "alice", "devs").expiresAt(Instant.now().plusSeconds(4)));
        KubectlConnection connection = harness.openKubectl("h2");
        try (RawHttp2 h2 = new RawHttp2(connection.tls())) {
            h2.get(1, "/stream/api/v1/pods?watch=1", List.of());
            h2.get(3, "/quiet/api/v1/services?watch=1", List.of());
            boolean sawData = false;
            Optional<RawHttp2.Frame> frame;
            do {
                frame = h2.next(DEADLINE);
                sawData |= frame.filter(f -> f.type() == RawHttp2.DATA).isPresent();
            } while (frame.isPresent() && frame.get().type() != RawHttp2.GOAWAY);
            assertThat(sawData).as("events before the expiry").isTrue();
            assertThat(connection.tcp().getInputStream().read()).as("the connection is closed").isEqualTo(-1);
        } catch (java.net.SocketException closed) {
            // a reset is as good as an end of stream here
        }
        Await.until("the API server's streams to end", DEADLINE, () -> upstream.openStreams() == 0);
    }

    @Test
    void nonAsciiIdentitiesReachAnHttp2ApiServerAsUtf8() throws Exception {
        try (KubeApiStandIn api = KubeApiStandIn.start(apiPki.issue("kube-api"), "sa", dir.resolve("pods"));
             GatewayHarness toApi = GatewayHarness.start(Files.createDirectories(dir.resolve("h2")),
                     GatewayHarness.upstream("api", api.address(), apiPki.caFile(), "bearerToken = sa"))) {
            toApi.tokens(token -> token.user("u-9", "josé", "张三"));
            HttpResponse<String> answer = toApi.httpClient().send(HttpRequest.newBuilder(toApi.uri("/api/v1/namespaces")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(answer.statusCode()).isEqualTo(200);
            Impersonation seen = api.impersonations().getLast();
            assertThat(seen.protocol()).isEqualTo("HTTP/2.0");
            assertThat(utf8(seen.user())).isEqualTo("josé");
            assertThat(seen.groups()).map(Http2Test::utf8).containsExactly("张三");
        }
    }

    /** An API server allowing 2 streams per connection and 5 watches open at once through the gateway. */
    @Test
    void anApiServersConcurrentStreamLimitOpensMoreConnectionsAndNothingWaits() throws Exception {
        Server limited = new Server();
        try {
            HttpConfiguration http = new HttpConfiguration();
            http.addCustomizer(new org.eclipse.jetty.server.SecureRequestCustomizer(false));
            HTTP2ServerConnectionFactory h2 = new HTTP2ServerConnectionFactory(http);
            h2.setMaxConcurrentStreams(2);
            ALPNServerConnectionFactory alpn = new ALPNServerConnectionFactory("h2", "http/1.1");
            SslContextFactory.Server tls = new SslContextFactory.Server();
            TestPki.Issued certificate = apiPki.issue("limited");
            tls.setKeyStore(PemKeyStores.keyStore(certificate.certificateFile(), certificate.privateKeyFile()));
            tls.setKeyStorePassword(new String(PemKeyStores.password()));
            tls.setKeyManagerPassword(new String(PemKeyStores.password()));
            ServerConnector connector = new ServerConnector(limited, new SslConnectionFactory(tls, alpn.getProtocol()), alpn, h2,
                    new HttpConnectionFactory(http));
            connector.setHost("127.0.0.1");
            limited.addConnector(connector);
            limited.setHandler(new QuietWatch());
            limited.start();

            try (GatewayHarness gateway = GatewayHarness.start(Files.createDirectories(dir.resolve("limited")),
                    GatewayHarness.upstream("limited", "localhost:" + connector.getLocalPort(), apiPki.caFile(), "bearerToken = sa"))) {
                HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).sslContext(gateway.pki().trust()).build();
                List<CompletableFuture<HttpResponse<InputStream>>> watches = new ArrayList<>();
                for (int i = 0; i < 5; i++) {
                    watches.add(client.sendAsync(HttpRequest.newBuilder(gateway.uri("/api/v1/pods?watch=1&n=" + i)).build(),
                            HttpResponse.BodyHandlers.ofInputStream()));
                }
                for (CompletableFuture<HttpResponse<InputStream>> watch : watches) {
                    HttpResponse<InputStream> answered = watch.get(DEADLINE.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
                    assertThat(answered.statusCode()).isEqualTo(200);
                    assertThat(new String(answered.body().readNBytes(QuietWatch.FIRST.length()), StandardCharsets.UTF_8))
                            .isEqualTo(QuietWatch.FIRST);
                }
                assertThat(connector.getConnectedEndPoints()).as("the gateway's connections to the API server").hasSizeGreaterThanOrEqualTo(3);
                // close() would wait for the watches, which never end
                client.shutdownNow();
            }
        } finally {
            limited.stop();
        }
    }

    /**
     * 250 clients starting a watch at once (informers starting, many kubectl) against an API server taking
     * 100 streams a connection: a few upstream connections, not one each (Jetty's default pool opened 171).
     */
    @Test
    void aBurstOfWatchesSharesAFewUpstreamConnections() throws Exception {
        try (TlsUpstream api = TlsUpstream.offeringHttp2(apiPki.issue("burst"), new QuietWatch(), 100);
             GatewayHarness burst = GatewayHarness.start(Files.createDirectories(dir.resolve("burst")),
                     GatewayHarness.upstream("api", api.address(), apiPki.caFile(), "bearerToken = sa"))) {
            HttpClient client = burst.httpClient();
            List<CompletableFuture<HttpResponse<InputStream>>> watches = new ArrayList<>();
            for (int i = 0; i < 250; i++) {
                watches.add(client.sendAsync(HttpRequest.newBuilder(burst.uri("/api/v1/pods?watch=1&n=" + i)).build(),
                        HttpResponse.BodyHandlers.ofInputStream()));
            }
            for (CompletableFuture<HttpResponse<InputStream>> watch : watches) {
                HttpResponse<InputStream> answered = watch.get(DEADLINE.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
                assertThat(new String(answered.body().readNBytes(QuietWatch.FIRST.length()), StandardCharsets.UTF_8))
                        .isEqualTo(QuietWatch.FIRST);
            }
            assertThat(api.connections()).as("the gateway's connections to the API server for 250 watches").isBetween(3, 6);
            // close() would wait for the watches, which never end
            client.shutdownNow();
        }
    }

    /** Answers every request with one event and then holds the stream open, as a quiet watch. */
    private static final class QuietWatch extends Handler.Abstract {
        static final String FIRST = "{\"type\":\"ADDED\"}\n";

        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            response.setStatus(200);
            response.write(false, ByteBuffer.wrap(FIRST.getBytes(StandardCharsets.UTF_8)), Callback.NOOP);
            return true;
        }
    }

    private static String utf8(String headerValue) {
        return new String(headerValue.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
    }
}
