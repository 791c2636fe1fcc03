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
import com.twingate.gateway.testkit.TlsUpstream;
import com.twingate.gateway.upstream.UpstreamTls;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.conscrypt.Conscrypt;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code tls.provider}: either provider carries the whole chain (outer TLS, the proof of possession
 * over its exported keying material, kubectl's TLS, TLS to the API server), and the one configured is
 * the one that runs. The JDK provider is the fallback wherever Conscrypt's native code does not load.
 */
class TlsProviderTest {

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

        HttpResponse<String> response = harness.httpClient().send(HttpRequest.newBuilder(harness.uri("/api")).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("impersonating alice@example.com");
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
        upstream = new TlsUpstream(apiPki.issue("api-server"), null, new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                String body = "impersonating " + request.getHeaders().get("Impersonate-User");
                response.write(true, ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)), callback);
                return true;
            }
        });
        harness = GatewayHarness.start(dir, GatewayHarness.upstream("main", upstream.address(), apiPki.caFile(), "bearerToken = t"),
                "tls.provider = " + provider.key());
    }
}
