package com.twingate.gateway.connect;

import static org.assertj.core.api.Assertions.assertThat;

import com.twingate.gateway.config.AuditLogConfig;
import com.twingate.gateway.config.GatewayConfig;
import com.twingate.gateway.config.KeepAliveConfig;
import com.twingate.gateway.config.KubernetesConfig;
import com.twingate.gateway.config.LogFormat;
import com.twingate.gateway.config.RecordingConfig;
import com.twingate.gateway.config.TlsConfig;
import com.twingate.gateway.config.TlsProvider;
import com.twingate.gateway.config.TwingateConfig;
import com.twingate.gateway.request.RequestContext;
import com.twingate.gateway.server.GatewayServer;
import com.twingate.gateway.testkit.Await;
import com.twingate.gateway.testkit.ClientKeys;
import com.twingate.gateway.testkit.ControllerStandIn;
import com.twingate.gateway.testkit.HttpHeads;
import com.twingate.gateway.testkit.OuterTlsConnection;
import com.twingate.gateway.testkit.ShiftedClock;
import com.twingate.gateway.testkit.TestPki;
import com.twingate.gateway.token.JwksOptions;
import com.twingate.gateway.token.NimbusTokenVerifier;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLSocket;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway port's exchange (docs/client-protocol.md), on the wire: outer TLS, one request, the answer, and then inner
 * TLS. Every refusal asserts the status line the client reads and that nothing reached the API side.
 */
class ConnectLayerTest {

    private static final String NETWORK = "acme";
    private static final String RESOURCE = "127.0.0.1";

    @TempDir
    Path dir;

    private ControllerStandIn controller;
    private TestPki pki;
    private GatewayServer gateway;
    private final AtomicInteger apiRequests = new AtomicInteger();
    private final List<ConnectOutcome> outcomes = new CopyOnWriteArrayList<>();
    private final AtomicInteger timeouts = new AtomicInteger();
    private final AtomicInteger opened = new AtomicInteger();
    private final AtomicInteger closed = new AtomicInteger();
    private final KeyPair clientKey = ClientKeys.newP256();
    private final ShiftedClock clock = new ShiftedClock();

    @BeforeEach
    void start() throws Exception {
        controller = new ControllerStandIn(NETWORK);
        pki = TestPki.create("gateway", dir);
        startGateway(Duration.ofSeconds(2));
    }

    private void startGateway(Duration connectTimeout) throws Exception {
        TestPki.Issued cert = pki.issue("gateway-server");
        TwingateConfig twingate = new TwingateConfig(NETWORK, "test", controller.jwksUrl(), controller.issuer());
        GatewayConfig config = new GatewayConfig(twingate, "127.0.0.1", 0, 0, connectTimeout, Duration.ofMinutes(5),
                new TlsConfig(cert.certificateFile(), cert.privateKeyFile(), Duration.ofSeconds(1), TlsProvider.JDK),
                new KubernetesConfig(List.of(), Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(30)),
                new AuditLogConfig(Duration.ofMinutes(10), 1_000_000),
                new RecordingConfig(Optional.empty(), RecordingConfig.OnFailure.REFUSE, 64L << 20), LogFormat.JSON, Duration.ofSeconds(5),
                Duration.ofSeconds(5), new KeepAliveConfig(Duration.ofSeconds(30), Duration.ofSeconds(10), 3), true);
        ConnectAuthenticator authenticator = new ConnectAuthenticator(
                new NimbusTokenVerifier(twingate, JwksOptions.DEFAULT),
                address -> RESOURCE.equalsIgnoreCase(address) ? Optional.of("only") : Optional.empty(), config);
        gateway = new GatewayServer(config, authenticator, new RecordingListener(), new EchoIdentity(), clock);
        gateway.start();
    }

    @AfterEach
    void stop() throws Exception {
        gateway.stop();
        controller.close();
    }

    @Test
    void authenticatedConnectCarriesInnerTlsAndTheIdentityReachesEveryRequest() throws Exception {
        try (OuterTlsConnection outer = open()) {
            String token = controller.token(clientKey).user("u-1", "alice@example.com", "devs", "ops").mint();
            String status = outer.connect(RESOURCE + ":443", token, signatureOf(outer), "conn-42");

            assertThat(status).isEqualTo("HTTP/1.1 200 OK");
            try (SSLSocket inner = innerTls(outer)) {
                String response = get(inner, "/api/v1/namespaces");
                assertThat(response).startsWith("HTTP/1.1 200").endsWith("alice@example.com [devs, ops] conn-42");
                assertThat(get(inner, "/second")).endsWith("alice@example.com [devs, ops] conn-42");
            }
        }
        assertThat(apiRequests).hasValue(2);
        assertThat(outcomes).singleElement().isInstanceOf(ConnectOutcome.Accepted.class);
    }

    @Test
    void healthCheckAnswersAndCloses() throws Exception {
        try (OuterTlsConnection outer = open()) {
            outer.write("GET /healthz HTTP/1.1\r\nHost: gateway\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(outer.readHead().text())
                    .isEqualTo("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            assertThat(outer.isClosedByPeer()).isTrue();
        }
        assertThat(outcomes).singleElement().isInstanceOf(ConnectOutcome.HealthCheck.class);
        assertThat(apiRequests).hasValue(0);
        Await.until("the TCP close to be reported", Duration.ofSeconds(5), () -> closed.get() == 1);
        assertThat(opened).hasValue(1);
    }

    @Test
    void missingProxyAuthorizationIs407() throws Exception {
        assertRefused("HTTP/1.1 407 Proxy Authentication Required",
                outer -> outer.connect(RESOURCE + ":443", Map.of("X-Token-Signature", signatureOf(outer))));
    }

    @Test
    void basicProxyAuthorizationIs407() throws Exception {
        assertRefused("HTTP/1.1 407 Proxy Authentication Required",
                outer -> outer.connect(RESOURCE + ":443", Map.of(
                        "Proxy-Authorization", "Basic YWxpY2U6c2VjcmV0",
                        "X-Token-Signature", signatureOf(outer))));
    }

    @Test
    void garbageTokenIs401() throws Exception {
        assertRefused401(outer -> outer.connect(RESOURCE + ":443", "not-a-jwt", signatureOf(outer), null));
    }

    @Test
    void tokenSignedByAnUnknownKeyIs401() throws Exception {
        assertRefused401(outer -> connectWith(outer, controller.token(clientKey).signedByUnknownKey().mint()));
    }

    @Test
    void algNoneIs401() throws Exception {
        assertRefused401(outer -> connectWith(outer, controller.token(clientKey).algNone().mint()));
    }

    @Test
    void hs256KeyedWithThePublicKeyIs401() throws Exception {
        assertRefused401(outer -> connectWith(outer, controller.token(clientKey).hs256WithPublicKey().mint()));
    }

    @Test
    void typOtherThanGatIs401() throws Exception {
        assertRefused401(outer -> connectWith(outer, controller.token(clientKey).typ("JWT").mint()));
    }

    @Test
    void wrongAudienceIs401() throws Exception {
        assertRefused401(outer -> connectWith(outer, controller.token(clientKey).claim("aud", List.of("other-network")).mint()));
    }

    @Test
    void wrongIssuerIs401() throws Exception {
        assertRefused401(outer -> connectWith(outer, controller.token(clientKey).claim("iss", "twingate").mint()));
    }

    @Test
    void expiredTokenIs401() throws Exception {
        assertRefused401(outer -> connectWith(outer,
                controller.token(clientKey).expiresAt(Instant.now().minusSeconds(120)).mint()));
    }

    @Test
    void version2Is401() throws Exception {
        assertRefused401(outer -> connectWith(outer, controller.token(clientKey).claim("ver", "2").mint()));
    }

    @Test
    void missingRequiredClaimIs401() throws Exception {
        assertRefused401(outer -> connectWith(outer, controller.token(clientKey).without("resource").mint()));
    }

    @Test
    void signatureNotBase64Is401() throws Exception {
        assertRefused401(outer -> outer.connect(RESOURCE + ":443",
                controller.token(clientKey).mint(), "%%% not base64 %%%", null));
    }

    @Test
    void validSignatureOfAnotherTlsSessionIs401() throws Exception {
        String token = controller.token(clientKey).mint();
        try (OuterTlsConnection other = open()) {
            String signatureOfOtherSession = signatureOf(other);
            assertRefused401(outer -> outer.connect(RESOURCE + ":443", token, signatureOfOtherSession, null));
        }
    }

    @Test
    void destinationOtherThanTheResourceAddressIs400() throws Exception {
        assertRefused("HTTP/1.1 400 Bad Request", outer -> outer.connect("10.0.0.1:443",
                controller.token(clientKey).mint(), signatureOf(outer), null));
    }

    @Test
    void resourceAddressWithoutUpstreamIs400() throws Exception {
        assertRefused("HTTP/1.1 400 Bad Request", outer -> outer.connect("kube.internal:443",
                controller.token(clientKey).resourceAddress("kube.internal").mint(), signatureOf(outer), null));
    }

    @Test
    void otherMethodIs405() throws Exception {
        assertRefused("HTTP/1.1 405 Method Not Allowed", outer -> {
            outer.write("GET /other HTTP/1.1\r\nHost: gateway\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            return outer.readHead().statusLine();
        });
    }

    @Test
    void garbageBytesAre400() throws Exception {
        assertRefused("HTTP/1.1 400 Bad Request", outer -> {
            outer.write(new byte[] {0x16, 0x03, 0x01, 0x00, (byte) 0xff, 0x01, '\r', '\n', '\r', '\n'});
            return outer.readHead().statusLine();
        });
    }

    @Test
    void silentClientIsClosedAfterTheConnectTimeout() throws Exception {
        try (OuterTlsConnection outer = open()) {
            long started = System.nanoTime();
            assertThat(outer.isClosedByPeer()).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
        }
        Await.until("the timeout to be reported", Duration.ofSeconds(5), () -> timeouts.get() == 1);
        assertThat(apiRequests).hasValue(0);
    }

    @Test
    void tricklingClientIsClosedAtTheDeadlineEvenWhileSending() throws Exception {
        try (OuterTlsConnection outer = open()) {
            byte[] request = "CONNECT 127.0.0.1:443 HTTP/1.1\r\nX-Padding: ".getBytes(StandardCharsets.US_ASCII);
            outer.write(request);
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            boolean closed = false;
            while (!closed && System.nanoTime() < deadline) {
                try {
                    outer.write(new byte[] {'a'});
                    outer.socket().setSoTimeout(100);
                    closed = outer.socket().getInputStream().read() < 0;
                } catch (java.net.SocketTimeoutException stillOpen) {
                    // no answer yet: keep trickling
                } catch (IOException reset) {
                    closed = true;
                }
            }
            assertThat(closed).as("closed despite the trickle").isTrue();
        }
        assertThat(timeouts).hasValue(1);
    }

    @Test
    void tokenExpiryClosesAnOpenStream() throws Exception {
        Instant expiry = Instant.now().plus(Duration.ofHours(1));
        // The token is good for an hour by the controller's clock; the gateway's says it ends in 5 s.
        clock.setNow(expiry.minusSeconds(5));
        try (OuterTlsConnection outer = open()) {
            String token = controller.token(clientKey).expiresAt(expiry).mint();
            assertThat(outer.connect(RESOURCE + ":443", token, signatureOf(outer), null)).isEqualTo("HTTP/1.1 200 OK");
            try (SSLSocket inner = innerTls(outer)) {
                inner.getOutputStream().write("GET /stream HTTP/1.1\r\nHost: k\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                // The stream runs for 30 s unless something closes it.
                inner.setSoTimeout(15_000);
                byte[] buffer = new byte[8192];
                int total = 0;
                try {
                    for (int n = inner.getInputStream().read(buffer); n >= 0; n = inner.getInputStream().read(buffer)) {
                        total += n;
                    }
                } catch (java.net.SocketTimeoutException stillOpen) {
                    throw new AssertionError("the stream was still open 15 s after the token expired", stillOpen);
                } catch (IOException closedUnderneath) {
                    // a reset is as good as an end of stream here
                }
                assertThat(total).as("stream bytes received before the close").isPositive();
            }
        }
    }

    private String connectWith(OuterTlsConnection outer, String token) throws IOException {
        return outer.connect(RESOURCE + ":443", token, signatureOf(outer), null);
    }

    private void assertRefused401(Exchange exchange) throws Exception {
        assertRefused("HTTP/1.1 401 Unauthorized", exchange);
    }

    private void assertRefused(String statusLine, Exchange exchange) throws Exception {
        try (OuterTlsConnection outer = open()) {
            assertThat(exchange.run(outer)).isEqualTo(statusLine);
            assertThat(outer.isClosedByPeer()).as("closed after the refusal").isTrue();
        }
        assertThat(apiRequests).as("requests that reached the API side").hasValue(0);
        Await.until("the outcome to be reported", Duration.ofSeconds(5), () -> !outcomes.isEmpty());
        assertThat(outcomes.getLast()).isInstanceOfSatisfying(ConnectOutcome.Rejected.class,
                rejected -> assertThat(statusLine).contains(" " + rejected.status() + " "));
    }

    private OuterTlsConnection open() throws IOException {
        return OuterTlsConnection.open(new InetSocketAddress("127.0.0.1", gateway.port()), pki.trust());
    }

    private String signatureOf(OuterTlsConnection outer) throws IOException {
        return ClientKeys.sign(clientKey.getPrivate(), outer.keyingMaterial());
    }

    private SSLSocket innerTls(OuterTlsConnection outer) throws IOException {
        SSLSocket inner = (SSLSocket) pki.trust().getSocketFactory()
                .createSocket(outer.socket(), RESOURCE, 443, true);
        inner.setEnabledProtocols(new String[] {"TLSv1.3"});
        inner.startHandshake();
        return inner;
    }

    /** One request on the inner TLS; reads the whole (Content-Length) response. */
    private static String get(SSLSocket inner, String path) throws IOException {
        inner.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: kube\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        var in = inner.getInputStream();
        String head = HttpHeads.read(in);
        String lengthHeader = head.lines().filter(l -> l.toLowerCase().startsWith("content-length:"))
                .findFirst().orElseThrow();
        int length = Integer.parseInt(lengthHeader.substring(lengthHeader.indexOf(':') + 1).trim());
        byte[] body = in.readNBytes(length);
        return head.toString().strip() + "\n" + new String(body, StandardCharsets.UTF_8);
    }

    @FunctionalInterface
    private interface Exchange {
        String run(OuterTlsConnection outer) throws IOException;
    }

    /** Stands for the API side: proves the identity arrived, or streams forever for the expiry test. */
    private final class EchoIdentity extends Handler.Abstract {
        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            apiRequests.incrementAndGet();
            ClientIdentity identity = RequestContext.of(request).identity().orElseThrow();
            if ("/stream".equals(Request.getPathInContext(request))) {
                streamForever(response, callback);
                return true;
            }
            String body = identity.user().username() + " " + identity.user().groups() + " "
                    + identity.connectionId().orElse("-");
            response.write(true, java.nio.ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)), callback);
            return true;
        }

        private void streamForever(Response response, Callback callback) {
            Thread.ofVirtual().start(() -> {
                for (int i = 0; i < 600; i++) {
                    var chunk = java.nio.ByteBuffer.wrap(("event " + i + "\n").getBytes(StandardCharsets.UTF_8));
                    try (var blocker = org.eclipse.jetty.util.Blocker.callback()) {
                        response.write(false, chunk, blocker);
                        blocker.block();
                        Thread.sleep(50); // the pace of a watch stream, not synchronisation
                    } catch (Exception closed) {
                        callback.failed(closed);
                        return;
                    }
                }
                callback.succeeded();
            });
        }
    }

    private final class RecordingListener implements ConnectListener {
        @Override
        public void onOutcome(ConnectOutcome outcome, Optional<String> connectionId, SocketAddress remote,
                              Duration sinceAccept) {
            outcomes.add(outcome);
        }

        @Override
        public void onTimeout(SocketAddress remote, Duration sinceAccept) {
            timeouts.incrementAndGet();
        }

        @Override
        public void onConnectionOpened() {
            opened.incrementAndGet();
        }

        @Override
        public void onConnectionClosed(Optional<ConnectOutcome> outcome, Duration lifetime) {
            closed.incrementAndGet();
        }
    }
}
