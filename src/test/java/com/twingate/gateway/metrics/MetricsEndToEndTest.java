package com.twingate.gateway.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.twingate.gateway.testkit.Await;
import com.twingate.gateway.testkit.ClientKeys;
import com.twingate.gateway.testkit.GatewayHarness;
import com.twingate.gateway.testkit.HttpHeads;
import com.twingate.gateway.testkit.OuterTlsConnection;
import com.twingate.gateway.testkit.PrometheusServer;
import com.twingate.gateway.testkit.Tools;
import com.twingate.gateway.testkit.TestPki;
import com.twingate.gateway.testkit.UpgradeUpstream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLSocket;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * (docs/metrics.md) against a real Prometheus scraping the gateway's metrics port: known traffic through the
 * client stand-in, then every series asserted by value, and every dashboard query answered.
 */
class MetricsEndToEndTest {

    private static final int TUNNELS = 3;
    /** Upgraded sessions on their own tunnels: WebSocket exec (recorded), WebSocket port-forward, SPDY port-forward. */
    private static final int UPGRADES = 3;
    private static final String STREAMS_ADDRESS = "localhost";

    @TempDir
    Path dir;

    @Test
    void knownTrafficShowsUpInPrometheusExactly() throws Exception {
        Tools.requireBinary("prometheus", "prometheus");
        TestPki apiPki = TestPki.create("api", dir);
        try (MockWebServer api = new MockWebServer()) {
            api.useHttps(apiPki.issue("api").serverCertificates().sslSocketFactory());
            api.setDispatcher(new Dispatcher() {
                @Override
                public MockResponse dispatch(RecordedRequest request) {
                    int code = switch (request.getMethod() + " " + request.getUrl().encodedPath()) {
                        case "GET /api/v1/pods" -> 200;
                        case "POST /api/v1/namespaces/default/configmaps" -> 201;
                        case "DELETE /api/v1/namespaces/default/configmaps/x" -> 200;
                        case "GET /api/v1/overloaded" -> 503;
                        default -> 404;
                    };
                    return new MockResponse.Builder().code(code).body("{\"kind\":\"Status\"}").build();
                }
            });
            api.start(java.net.InetAddress.getByName("127.0.0.1"), 0);
            // Upgrades go to a second upstream, chosen by the token's resource address.
            try (UpgradeUpstream streams = new UpgradeUpstream(apiPki.issue("streams"));
                 GatewayHarness harness = GatewayHarness.start(dir,
                    GatewayHarness.upstream("main", "localhost:" + api.getPort(), apiPki.caFile(),
                            "bearerToken = t, resourceAddresses = [\"" + GatewayHarness.RESOURCE_ADDRESS + "\"]")
                            + ", " + GatewayHarness.upstream("streams", streams.address(), apiPki.caFile(),
                            "bearerToken = t, resourceAddresses = [\"" + STREAMS_ADDRESS + "\"]"));
                 PrometheusServer prometheus = PrometheusServer.start(
                         List.of("127.0.0.1:" + harness.application().metricsPort()))) {
                prometheus.awaitTargetsUp(Duration.ofSeconds(30));
                driveTraffic(harness);
                driveUpgrades(harness);
                Await.until("every gateway connection to close", Duration.ofSeconds(10),
                        () -> scrape(harness).contains("twingate_gateway_active_tcp_connections 0.0"));

                expect(prometheus, "twingate_gateway_client_authentication_total{code=\"200\"}", TUNNELS + UPGRADES);
                expect(prometheus, "twingate_gateway_client_authentication_total{code=\"401\"}", 2);
                expect(prometheus, "twingate_gateway_client_authentication_total{code=\"407\"}", 1);
                expect(prometheus, "twingate_gateway_client_authentication_total{code=\"400\"}", 1);
                expect(prometheus, "twingate_gateway_client_authentication_total{code=\"405\"}", 1);
                expect(prometheus, "twingate_gateway_client_connection_duration_seconds_count{code=\"401\"}", 2);
                expect(prometheus, "twingate_gateway_tcp_connections_total{connection_category=\"proxy\"}", TUNNELS + UPGRADES);
                expect(prometheus, "twingate_gateway_tcp_connections_total{connection_category=\"health\"}", 2);
                expect(prometheus, "twingate_gateway_tcp_connections_total{connection_category=\"unknown\"}", 5);
                expect(prometheus, "twingate_gateway_tcp_connection_duration_seconds_count{connection_category=\"health\"}", 2);
                expect(prometheus, "twingate_gateway_active_tcp_connections", 0);
                expect(prometheus, "twingate_gateway_http_requests_total{type=\"http\",method=\"get\",code=\"200\"}", 3);
                expect(prometheus, "twingate_gateway_http_requests_total{type=\"http\",method=\"get\",code=\"404\"}", 1);
                expect(prometheus, "twingate_gateway_http_requests_total{type=\"http\",method=\"post\",code=\"201\"}", 2);
                expect(prometheus, "twingate_gateway_http_requests_total{type=\"http\",method=\"delete\",code=\"200\"}", 1);
                expect(prometheus, "twingate_gateway_http_requests_total{type=\"http\",method=\"get\",code=\"503\"}", 1);
                expect(prometheus, "twingate_gateway_api_server_requests_total{type=\"http\",method=\"get\",code=\"503\"}", 1);
                expect(prometheus, "twingate_gateway_http_request_duration_seconds_count{type=\"http\",method=\"post\",code=\"201\"}", 2);
                expect(prometheus, "twingate_gateway_http_response_size_bytes_sum{type=\"http\",method=\"post\",code=\"201\"}",
                        2 * "{\"kind\":\"Status\"}".length());
                expect(prometheus, "twingate_gateway_http_active_requests{type=\"http\"}", 0);
                expect(prometheus, "twingate_gateway_api_server_requests_total{type=\"http\",method=\"get\",code=\"200\"}", 3);
                expect(prometheus, "twingate_gateway_api_server_requests_total{type=\"http\",method=\"post\",code=\"201\"}", 2);
                expect(prometheus, "twingate_gateway_api_server_active_requests{type=\"http\"}", 0);
                expect(prometheus, "twingate_gateway_http_requests_total{type=\"websocket\",method=\"get\",code=\"101\"}", 2);
                expect(prometheus, "twingate_gateway_http_requests_total{type=\"spdy\",method=\"post\",code=\"101\"}", 1);
                expect(prometheus, "twingate_gateway_api_server_requests_total{type=\"websocket\",method=\"get\",code=\"101\"}", 2);
                expect(prometheus, "twingate_gateway_api_server_requests_total{type=\"spdy\",method=\"post\",code=\"101\"}", 1);
                expect(prometheus, "twingate_gateway_http_active_requests{type=\"websocket\"}", 0);
                expect(prometheus, "twingate_gateway_http_active_requests{type=\"spdy\"}", 0);
                expect(prometheus, "twingate_gateway_http_response_size_bytes_sum{type=\"websocket\",method=\"get\",code=\"101\"}",
                        2 * WEBSOCKET_FRAME.length);
                expect(prometheus, "twingate_gateway_recorded_session_duration_seconds_count", 1);
                assertThat(value(prometheus, "sum(twingate_gateway_http_request_size_bytes_sum{method=\"post\"})"))
                        .as("request sizes count request line, headers and body").isGreaterThan(2 * BODY.length());
                assertThat(value(prometheus, "promhttp_metric_handler_requests_total{code=\"200\"}")).isPositive();

                for (String query : DashboardQueries.all()) {
                    assertThat(prometheus.awaitResult(query, Duration.ofSeconds(30))).as("dashboard query %s", query).isNotEmpty();
                }

                Promtool.Result check = Promtool.run(scrape(harness), "check", "metrics");
                assertThat(check.exitCode()).as("promtool check metrics said:\n%s", check.output()).isZero();
            }
        }
    }

    private static final String BODY = "{\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"x\"}}";

    /** Three tunnels with known requests, five refused CONNECTs, two health checks. */
    private static void driveTraffic(GatewayHarness harness) throws Exception {
        List<List<HttpRequest>> perTunnel = List.of(
                List.of(get(harness, "/api/v1/pods"), get(harness, "/api/v1/pods"), get(harness, "/api/v1/missing")),
                List.of(post(harness), post(harness), get(harness, "/api/v1/overloaded")),
                List.of(get(harness, "/api/v1/pods"), HttpRequest.newBuilder(harness.uri("/api/v1/namespaces/default/configmaps/x")).DELETE().build()));
        for (List<HttpRequest> requests : perTunnel) {
            // A client per tunnel: its requests share one kept-alive connection, so one CONNECT.
            try (HttpClient client = harness.httpClient()) {
                for (HttpRequest request : requests) {
                    client.send(request, HttpResponse.BodyHandlers.ofString());
                }
            }
        }
        var key = harness.clientKey();
        String token = harness.controller().token(key).mint();
        for (int i = 0; i < 2; i++) {
            try (OuterTlsConnection outer = open(harness)) {
                outer.connect("127.0.0.1:443", token, ClientKeys.sign(key.getPrivate(), new byte[32]), null);
            }
        }
        try (OuterTlsConnection outer = open(harness)) {
            outer.connect("127.0.0.1:443", Map.of("X-Token-Signature", "x"));
        }
        try (OuterTlsConnection outer = open(harness)) {
            outer.connect("10.9.9.9:443", token, ClientKeys.sign(key.getPrivate(), outer.keyingMaterial()), null);
        }
        try (OuterTlsConnection outer = open(harness)) {
            outer.write("GET /other HTTP/1.1\r\nHost: g\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            outer.readHead();
        }
        for (int i = 0; i < 2; i++) {
            try (OuterTlsConnection outer = open(harness)) {
                outer.write("GET /healthz HTTP/1.1\r\nHost: g\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                outer.readHead();
            }
        }
    }

    /** A masked WebSocket binary frame carrying "hi" on the stdout channel (1), as an exec would relay it. */
    private static final byte[] WEBSOCKET_FRAME = {(byte) 0x82, (byte) 0x83, 1, 2, 3, 4, 1 ^ 1, 'h' ^ 2, 'i' ^ 3};

    /**
     * Each upgrade on its own authenticated tunnel to the streams upstream, which echoes: the bytes sent
     * come back, the session ends when the client closes.
     */
    private static void driveUpgrades(GatewayHarness harness) throws Exception {
        upgrade(harness, "GET /api/v1/namespaces/default/pods/web/exec?command=sh&stdin=true&stdout=true", "websocket");
        upgrade(harness, "GET /api/v1/namespaces/default/pods/web/portforward?ports=80", "websocket");
        upgrade(harness, "POST /api/v1/namespaces/default/pods/web/portforward", "SPDY/3.1");
    }

    private static void upgrade(GatewayHarness harness, String requestLine, String protocol) throws Exception {
        var key = harness.clientKey();
        try (OuterTlsConnection outer = open(harness)) {
            String token = harness.controller().token(key).resourceAddress(STREAMS_ADDRESS).mint();
            assertThat(outer.connect(STREAMS_ADDRESS + ":443", token, ClientKeys.sign(key.getPrivate(), outer.keyingMaterial()), null))
                    .contains("200");
            try (SSLSocket kubectl = (SSLSocket) harness.pki().trust().getSocketFactory()
                    .createSocket(outer.socket(), STREAMS_ADDRESS, 443, true)) {
                kubectl.getOutputStream().write((requestLine + " HTTP/1.1\r\nHost: kube\r\nConnection: Upgrade\r\nUpgrade: " + protocol
                        + "\r\nContent-Length: 0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                String head = HttpHeads.read(kubectl.getInputStream());
                assertThat(head).startsWith("HTTP/1.1 101");
                kubectl.getOutputStream().write(WEBSOCKET_FRAME);
                assertThat(kubectl.getInputStream().readNBytes(WEBSOCKET_FRAME.length)).isEqualTo(WEBSOCKET_FRAME);
            }
        }
    }

    private static OuterTlsConnection open(GatewayHarness harness) throws IOException {
        return OuterTlsConnection.open(harness.gatewayAddress(), harness.pki().trust());
    }

    private static HttpRequest get(GatewayHarness harness, String path) {
        return HttpRequest.newBuilder(harness.uri(path)).build();
    }

    private static HttpRequest post(GatewayHarness harness) {
        return HttpRequest.newBuilder(harness.uri("/api/v1/namespaces/default/configmaps"))
                .POST(HttpRequest.BodyPublishers.ofString(BODY)).build();
    }

    private static void expect(PrometheusServer prometheus, String series, double expected) {
        Await.until(series + " == " + expected, Duration.ofSeconds(30), () -> value(prometheus, series) == expected);
    }

    private static double value(PrometheusServer prometheus, String promql) {
        JsonNode result = prometheus.query(promql).path("result");
        return result.isEmpty() ? Double.NaN : result.get(0).path("value").get(1).asDouble();
    }

    private static String scrape(GatewayHarness harness) {
        return harness.scrapeMetrics();
    }
}
