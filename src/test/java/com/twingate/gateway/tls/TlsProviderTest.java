package com.twingate.gateway.tls;

import static org.assertj.core.api.Assertions.assertThat;

import com.twingate.gateway.config.TlsConfig;
import com.twingate.gateway.config.TlsProvider;
import com.twingate.gateway.config.UpstreamConfig;
import com.twingate.gateway.server.GatewayTls;
import com.twingate.gateway.testkit.ClientKeys;
import com.twingate.gateway.testkit.GatewayHarness;
import com.twingate.gateway.testkit.OuterTlsConnection;
import com.twingate.gateway.testkit.TestPki;
import com.twingate.gateway.testkit.kubeapi.Impersonation;
import com.twingate.gateway.testkit.kubeapi.KubeApiStandIn;
import com.twingate.gateway.upstream.UpstreamTls;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.conscrypt.Conscrypt;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code tls.provider}: either provider carries the whole chain (outer TLS, the proof of possession
 * over its exported keying material, kubectl's TLS, TLS to the API server), and the one configured is
 * the one that runs, HTTP/2 negotiated on kubectl's TLS and towards the API server alike. The JDK provider is the fallback wherever Conscrypt's native code does not load.
 */
class TlsProviderTest {

    @TempDir
    Path dir;

    private KubeApiStandIn upstream;
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

    @ParameterizedTest
    @EnumSource(TlsProvider.class)
    void theConfiguredProviderMakesEveryEngine(TlsProvider provider) throws Exception {
        TestPki pki = TestPki.create("gateway", dir);
        TestPki.Issued pair = pki.issue("gateway-server");
        SslContextFactory.Server server = GatewayTls.serverContext(new TlsConfig(pair.certificateFile(), pair.privateKeyFile(),
                Duration.ofHours(1), provider));
        SslContextFactory.Client client = UpstreamTls.clientContext(new UpstreamConfig("api", false, "127.0.0.1:6443",
                pki.caFile(), Optional.of("t"), Optional.empty(), Optional.empty(), Optional.empty(), List.of()), provider);
        server.start();
        client.start();
        try {
            assertThat(Conscrypt.isConscrypt(server.newSSLEngine())).isEqualTo(provider == TlsProvider.CONSCRYPT);
            assertThat(Conscrypt.isConscrypt(client.newSSLEngine())).isEqualTo(provider == TlsProvider.CONSCRYPT);
        } finally {
            client.stop();
            server.stop();
        }
    }

    @ParameterizedTest
    @EnumSource(TlsProvider.class)
    void kubectlsRequestGoesThroughEveryLayer(TlsProvider provider) throws Exception {
        start(provider);

        HttpResponse<String> response;
        try (HttpClient kubectl = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).sslContext(harness.pki().trust()).build()) {
            response = kubectl.send(HttpRequest.newBuilder(harness.uri("/api/v1/namespaces")).build(), HttpResponse.BodyHandlers.ofString());
        }

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.version()).as("ALPN on kubectl's TLS").isEqualTo(HttpClient.Version.HTTP_2);
        Impersonation seen = upstream.impersonations().getLast();
        assertThat(seen.protocol()).as("ALPN on the TLS to the API server").isEqualTo("HTTP/2.0");
        assertThat(seen.user()).isEqualTo("alice@example.com");
    }

    /** The gateway's exporter agrees with the client's (JDK) for this session, and only for this session. */
    @ParameterizedTest
    @EnumSource(TlsProvider.class)
    void theProofOfPossessionIsBoundToItsOwnSession(TlsProvider provider) throws Exception {
        start(provider);
        String token = harness.controller().token(harness.clientKey()).mint();
        try (OuterTlsConnection first = OuterTlsConnection.open(harness.gatewayAddress(), harness.pki().trust());
             OuterTlsConnection second = OuterTlsConnection.open(harness.gatewayAddress(), harness.pki().trust())) {
            String firstSignature = ClientKeys.sign(harness.clientKey().getPrivate(), first.keyingMaterial());

            assertThat(second.connect(GatewayHarness.RESOURCE_ADDRESS + ":443", token, firstSignature, "other"))
                    .startsWith("HTTP/1.1 401");
            assertThat(first.connect(GatewayHarness.RESOURCE_ADDRESS + ":443", token, firstSignature, "own"))
                    .startsWith("HTTP/1.1 200");
        }
    }

    private void start(TlsProvider provider) throws Exception {
        TestPki apiPki = TestPki.create("api", dir);
        upstream = KubeApiStandIn.start(apiPki.issue("api-server"), "t", Files.createDirectories(dir.resolve("pods")));
        harness = GatewayHarness.start(dir, GatewayHarness.upstream("main", upstream.address(), apiPki.caFile(), "bearerToken = t"),
                "tls.provider = " + provider.key());
    }
}
