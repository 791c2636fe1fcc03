package com.twingate.gateway.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.inject.Guice;
import com.twingate.gateway.GatewayModule;
import com.twingate.gateway.config.ConfigLoader;
import com.twingate.gateway.config.GatewayConfig;
import com.twingate.gateway.testkit.Await;
import com.twingate.gateway.testkit.ClientKeys;
import com.twingate.gateway.testkit.KeySetEndpoint;
import com.twingate.gateway.testkit.LogCapture;
import com.twingate.gateway.testkit.OuterTlsConnection;
import com.twingate.gateway.testkit.TestPki;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A controller whose key-set endpoint trickles or hangs cannot keep the gateway from listening, nor
 * hold a CONNECT past the fetch deadline: the client gets its 401 and the log says why.
 */
class StartWithoutSigningKeysTest {

    private static final Duration DEADLINE = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    @RegisterExtension
    final LogCapture logs = new LogCapture();

    @ParameterizedTest
    @EnumSource(value = KeySetEndpoint.Mode.class, names = {"TRICKLE", "HANG"})
    void theGatewayListensAndAnswersWhileTheKeySetDoesNot(KeySetEndpoint.Mode mode) throws Exception {
        TestPki pki = TestPki.create("gateway", dir);
        TestPki.Issued certificate = pki.issue("gateway-server");
        KeyPair client = ClientKeys.newP256();
        try (KeySetEndpoint keys = new KeySetEndpoint(mode)) {
            GatewayConfig config = ConfigLoader.parse("""
                    twingate { network = acme, host = test, jwksUrl = "%s" }
                    bindAddress = "127.0.0.1"
                    port = 0
                    metricsPort = 0
                    tls { certificateFile = "%s", privateKeyFile = "%s" }
                    kubernetes.upstreams = [ { name = api, address = "localhost:1", caFile = "%s", bearerToken = t } ]
                    """.formatted(keys.url(), certificate.certificateFile(), certificate.privateKeyFile(), pki.caFile()), Map.of());
            GatewayApplication application = Guice.createInjector(new GatewayModule(config)).getInstance(GatewayApplication.class);
            CompletableFuture<Void> started = CompletableFuture.runAsync(() -> {
                try {
                    application.start();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            try {
                Await.until("the gateway to start while the key set " + mode.name().toLowerCase(), DEADLINE, started::isDone);
                started.join();
                Await.until("the prefetch to reach the endpoint", DEADLINE, () -> keys.requests() == 1);
                InetSocketAddress gateway = new InetSocketAddress("127.0.0.1", application.gatewayPort());

                try (OuterTlsConnection outer = OuterTlsConnection.open(gateway, pki.trust())) {
                    outer.write("GET /healthz HTTP/1.1\r\nHost: gateway\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    assertThat(outer.readHead().statusLine()).isEqualTo("HTTP/1.1 200 OK");
                }
                try (OuterTlsConnection outer = OuterTlsConnection.open(gateway, pki.trust())) {
                    String status = outer.connect("127.0.0.1:443", keys.token("acme", client).mint(),
                            ClientKeys.sign(client.getPrivate(), outer.keyingMaterial()), "c-1");
                    assertThat(status).isEqualTo("HTTP/1.1 401 Unauthorized");
                }
                JsonNode refusal = logs.awaitLines(line -> line.path("message").asText().equals("client authentication"), 1,
                        DEADLINE).getFirst();
                assertThat(refusal.path("reason").asText()).isEqualTo("invalid token: signing keys unavailable: nothing fetched from "
                        + keys.url() + " yet: no complete answer within 5000 ms");
            } finally {
                application.stop();
            }
        }
    }
}
