package com.twingate.gateway.testkit;

import com.google.inject.Guice;
import com.twingate.gateway.GatewayModule;
import com.twingate.gateway.config.ConfigLoader;
import com.twingate.gateway.config.GatewayConfig;
import com.twingate.gateway.server.GatewayApplication;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import javax.net.ssl.SSLSocket;

/**
 * The whole chain for integration tests and the local run: controller stand-in, the gateway built by
 * the production Guice module from HOCON, and the client stand-in in front of it. Requests sent to
 * {@link #uri(String)} travel kubectl's way: inner TLS inside outer TLS, CONNECT with token and proof.
 */
public final class GatewayHarness implements AutoCloseable {

    public static final String NETWORK = "acme";
    public static final String RESOURCE_ADDRESS = "127.0.0.1";

    private final Path directory;
    private final ControllerStandIn controller;
    private final TestPki pki;
    private final TestPki.Issued gatewayCertificate;
    private final GatewayApplication application;
    private final TwingateClientStandIn client;
    private final KeyPair clientKey = ClientKeys.newP256();
    private volatile UnaryOperator<GatBuilder> tokenShape = UnaryOperator.identity();

    private GatewayHarness(Path directory, String upstreamsHocon, String extraHocon) throws Exception {
        this.directory = directory;
        this.controller = new ControllerStandIn(NETWORK);
        this.pki = TestPki.create("gateway", directory);
        this.gatewayCertificate = pki.issue("gateway-server");
        String hocon = """
                twingate { network = "%s", host = "test", jwksUrl = "%s" }
                bindAddress = "127.0.0.1"
                port = 0
                metricsPort = 0
                tls { certificateFile = "%s", privateKeyFile = "%s", reloadInterval = 200ms }
                kubernetes.upstreams = [ %s ]
                # Tests end with streams still open: the drain need not wait long for them.
                shutdownTimeout = 2s
                %s
                """.formatted(NETWORK, controller.jwksUrl(), gatewayCertificate.certificateFile(),
                gatewayCertificate.privateKeyFile(), upstreamsHocon, extraHocon);
        Files.writeString(directory.resolve("gateway.conf"), hocon);
        GatewayConfig config = ConfigLoader.parse(hocon, Map.of());
        this.application = Guice.createInjector(new GatewayModule(config)).getInstance(GatewayApplication.class);
        application.start();
        this.client = new TwingateClientStandIn(
                new InetSocketAddress("127.0.0.1", application.gatewayPort()), pki.trust(),
                () -> new TwingateClientStandIn.Credentials(
                        tokenShape.apply(controller.token(clientKey)).mint(), clientKey, RESOURCE_ADDRESS, 443));
    }

    /** A gateway in front of one upstream, described in HOCON (one element of kubernetes.upstreams). */
    public static GatewayHarness start(Path directory, String upstreamHocon) throws Exception {
        return new GatewayHarness(directory, upstreamHocon, "");
    }

    public static GatewayHarness start(Path directory, String upstreamHocon, String extraHocon) throws Exception {
        return new GatewayHarness(directory, upstreamHocon, extraHocon);
    }

    /** HOCON for an upstream at {@code address} trusting {@code caFile}, authenticating with a token. */
    public static String upstream(String name, String address, Path caFile, String credentialHocon) {
        return "{ name = \"%s\", address = \"%s\", caFile = \"%s\", %s }".formatted(name, address, caFile, credentialHocon);
    }

    /** Shapes the token the client stand-in presents on its next connections. */
    public void tokens(UnaryOperator<GatBuilder> shape) {
        this.tokenShape = shape;
    }

    /** An https URI through the client stand-in; kubectl would use the same. */
    public URI uri(String pathAndQuery) {
        return URI.create("https://127.0.0.1:" + client.localPort() + pathAndQuery);
    }

    /** kubectl's TLS on a connection of its own, without the client stand-in ({@link KubectlConnection}). */
    public SSLSocket openKubectlConnection() throws IOException {
        return openKubectl().tls();
    }

    /**
     * As {@link #openKubectlConnection()}, with the TCP socket underneath.
     *
     * @param alpn what kubectl's TLS offers by ALPN ({@code h2}, {@code http/1.1}); none: no ALPN
     */
    public KubectlConnection openKubectl(String... alpn) throws IOException {
        return KubectlConnection.open(gatewayAddress(), pki.trust(), tokenShape.apply(controller.token(clientKey)).mint(),
                clientKey, alpn);
    }

    /** An HTTP/1.1 client that trusts the gateway's certificate, as kubectl's kubeconfig would. */
    public HttpClient httpClient() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(pki.trust())
                .connectTimeout(Duration.ofSeconds(10)).build();
    }

    /** The metrics port's exposition, or an empty string when it does not answer. */
    public String scrapeMetrics() {
        try (HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
            return client.send(java.net.http.HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + application.metricsPort() + "/metrics"))
                            .header("Accept", "text/plain").timeout(Duration.ofSeconds(10)).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    public TestPki pki() {
        return pki;
    }

    public TestPki.Issued gatewayCertificate() {
        return gatewayCertificate;
    }

    public ControllerStandIn controller() {
        return controller;
    }

    public TwingateClientStandIn client() {
        return client;
    }

    public KeyPair clientKey() {
        return clientKey;
    }

    public GatewayApplication application() {
        return application;
    }

    public InetSocketAddress gatewayAddress() {
        return new InetSocketAddress("127.0.0.1", application.gatewayPort());
    }

    public Path directory() {
        return directory;
    }

    @Override
    public void close() throws Exception {
        List<Exception> failures = new ArrayList<>();
        for (AutoCloseable part : List.<AutoCloseable>of(client, application::stop, controller)) {
            try {
                part.close();
            } catch (Exception e) {
                failures.add(e);
            }
        }
        if (!failures.isEmpty()) {
            throw failures.getFirst();
        }
    }

    static void write(Path file, String content) {
        try {
            Files.writeString(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
