package com.twingate.gateway.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.twingate.gateway.metrics.Exposition.Sample;
import com.twingate.gateway.metrics.SpecMetrics.Spec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class GatewayMetricsTest {

    private MetricsEndpointFixture endpoint;

    @BeforeEach
    void start() throws Exception {
        endpoint = new MetricsEndpointFixture().start();
    }

    @AfterEach
    void stop() throws Exception {
        endpoint.close();
    }

    @Test
    void scrapeShowsEveryMetricOfTheSpecWithItsTypeHelpLabelsAndBuckets() throws Exception {
        SpecMetrics.touchEverything(endpoint.metrics);
        Exposition exposition = Exposition.parse(endpoint.scrape());

        for (Spec spec : Stream.concat(SpecMetrics.GATEWAY.stream(), SpecMetrics.PROMHTTP.stream()).toList()) {
            assertThat(exposition.types()).as("TYPE of %s", spec.name()).containsEntry(spec.name(), spec.type());
            assertThat(exposition.helps()).as("HELP of %s", spec.name()).containsEntry(spec.name(), spec.help());
            if (spec.type().equals("histogram")) {
                assertHistogram(exposition, spec);
            } else {
                List<Sample> samples = exposition.samples(spec.name());
                assertThat(samples).as("samples of %s", spec.name()).isNotEmpty();
                assertThat(samples).allSatisfy(s ->
                        assertThat(s.labels().keySet()).as("labels of %s", s).containsExactlyInAnyOrderElementsOf(spec.labels()));
            }
        }
    }

    private static void assertHistogram(Exposition exposition, Spec spec) {
        List<Sample> buckets = exposition.samples(spec.name() + "_bucket");
        assertThat(buckets).as("buckets of %s", spec.name()).isNotEmpty();
        List<String> bucketLabels = new ArrayList<>(spec.labels());
        bucketLabels.add("le");
        Map<Map<String, String>, List<String>> boundsBySeries = buckets.stream().collect(Collectors.groupingBy(
                s -> s.labels().entrySet().stream().filter(e -> !e.getKey().equals("le"))
                        .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)),
                Collectors.mapping(s -> s.labels().get("le"), Collectors.toList())));
        List<Double> expectedBounds = new ArrayList<>(spec.buckets());
        expectedBounds.add(Double.POSITIVE_INFINITY);
        boundsBySeries.forEach((series, bounds) -> assertThat(bounds.stream().map(GatewayMetricsTest::bound).toList())
                .as("bucket bounds of %s%s", spec.name(), series)
                .containsExactlyElementsOf(expectedBounds));
        assertThat(buckets).allSatisfy(s -> assertThat(s.labels().keySet())
                .as("labels of %s", s).containsExactlyInAnyOrderElementsOf(bucketLabels));
        assertThat(exposition.samples(spec.name() + "_count")).hasSize(boundsBySeries.size());
        assertThat(exposition.samples(spec.name() + "_sum")).hasSize(boundsBySeries.size());
    }

    @Test
    void scrapeIsCleanForPromtoolCheckMetrics() throws Exception {
        SpecMetrics.touchEverything(endpoint.metrics);
        String text = endpoint.scrape();

        Promtool.Result result = Promtool.run(text, "check", "metrics");

        assertThat(result.exitCode()).as("promtool check metrics said:\n%s", result.output()).isZero();
        assertThat(result.output()).isBlank();
    }

    @Test
    void recordsLabelValuesAsTheSpecSpellsThem() throws Exception {
        SpecMetrics.touchEverything(endpoint.metrics);
        Exposition exposition = Exposition.parse(endpoint.scrape());

        assertThat(values(exposition, "twingate_gateway_tcp_connections_total", "connection_category"))
                .containsExactlyInAnyOrder("unknown", "proxy");
        assertThat(values(exposition, "twingate_gateway_http_requests_total", "type"))
                .containsExactlyInAnyOrder("http", "websocket", "spdy");
        assertThat(values(exposition, "twingate_gateway_http_requests_total", "method"))
                .containsExactlyInAnyOrder("get", "post");
        assertThat(values(exposition, "twingate_gateway_client_authentication_total", "code"))
                .containsExactlyInAnyOrder("200", "401");
        assertThat(exposition.value("twingate_gateway_http_request_size_bytes_sum",
                Map.of("type", "http", "method", "post", "code", "500"))).isEqualTo(1200);
        assertThat(exposition.value("twingate_gateway_http_response_size_bytes_sum",
                Map.of("type", "http", "method", "get", "code", "200"))).isEqualTo(4096);
        assertThat(exposition.value("twingate_gateway_tcp_connection_duration_seconds_sum",
                Map.of("connection_category", "proxy"))).isEqualTo(42);
        assertThat(exposition.value("twingate_gateway_recorded_session_duration_seconds_count", Map.of()))
                .isEqualTo(1);
    }

    @Test
    void activeGaugesFollowOpenAndFinishedExchanges() throws Exception {
        SpecMetrics.touchEverything(endpoint.metrics);
        Exposition exposition = Exposition.parse(endpoint.scrape());

        assertThat(exposition.value("twingate_gateway_active_tcp_connections", Map.of())).isEqualTo(1);
        assertThat(exposition.value("twingate_gateway_http_active_requests", Map.of("type", "websocket"))).isEqualTo(1);
        assertThat(exposition.value("twingate_gateway_http_active_requests", Map.of("type", "http"))).isZero();
        assertThat(exposition.value("twingate_gateway_api_server_active_requests", Map.of("type", "spdy"))).isEqualTo(1);
        assertThat(exposition.value("twingate_gateway_api_server_active_requests", Map.of("type", "http"))).isZero();
    }

    @Test
    void methodsAndStatusesAClientPicksBeyondHttpAreOneSeries() throws Exception {
        for (String method : List.of("GET", "patch", "PROPFIND", "BREW", "X".repeat(400), "GET2")) {
            endpoint.metrics.httpRequestStarted(RequestType.HTTP).finished(method, 200, 1, 1, Duration.ofMillis(1));
            endpoint.metrics.apiServerRequestStarted(RequestType.HTTP).responseHeaders(method, 200, Duration.ofMillis(1));
        }
        endpoint.metrics.httpRequestStarted(RequestType.HTTP).finished("GET", 999, 1, 1, Duration.ofMillis(1));
        endpoint.metrics.apiServerRequestStarted(RequestType.HTTP).responseHeaders("GET", 1234567, Duration.ofMillis(1));

        Exposition exposition = Exposition.parse(endpoint.scrape());

        for (String counter : List.of("twingate_gateway_http_requests_total", "twingate_gateway_api_server_requests_total")) {
            assertThat(values(exposition, counter, "method")).containsExactlyInAnyOrder("get", "patch", "propfind", "other");
            assertThat(values(exposition, counter, "code")).containsExactlyInAnyOrder("200", "other");
            assertThat(exposition.value(counter, Map.of("method", "other", "code", "200"))).isEqualTo(3);
        }
        assertThat(values(exposition, "twingate_gateway_http_request_size_bytes_count", "method"))
                .containsExactlyInAnyOrder("get", "patch", "propfind", "other");
    }

    @Test
    void aHandleCountsOnlyItsFirstEnding() throws Exception {
        GatewayMetrics.HttpRequest request = endpoint.metrics.httpRequestStarted(RequestType.HTTP);
        request.finished("GET", 200, 1, 1, Duration.ofMillis(1));
        request.finished("GET", 200, 1, 1, Duration.ofMillis(1));
        GatewayMetrics.ApiServerRequest upstream = endpoint.metrics.apiServerRequestStarted(RequestType.HTTP);
        upstream.responseHeaders("GET", 200, Duration.ofMillis(1));
        upstream.failed();

        Exposition exposition = Exposition.parse(endpoint.scrape());

        assertThat(exposition.value("twingate_gateway_http_active_requests", Map.of("type", "http"))).isZero();
        assertThat(exposition.value("twingate_gateway_http_requests_total", Map.of("code", "200"))).isEqualTo(1);
        assertThat(exposition.value("twingate_gateway_api_server_active_requests", Map.of("type", "http"))).isZero();
    }

    @Test
    void aFailingRecordingIsLoggedNotThrown() throws Exception {
        GatewayMetrics metrics = endpoint.metrics;

        assertThatCode(() -> {
            metrics.tcpConnectionClosed(null, Duration.ofSeconds(1));
            metrics.httpRequestStarted(null).finished(null, 200, 0, 0, Duration.ZERO);
            metrics.httpRequestStarted(RequestType.HTTP).finished(null, 200, 0, 0, Duration.ZERO);
            metrics.apiServerRequestStarted(RequestType.HTTP).responseHeaders("GET", 200, null);
            metrics.recordedSession(null);
            metrics.clientAuthentication(200, null);
        }).doesNotThrowAnyException();
        assertThat(endpoint.scrape()).contains("twingate_gateway_active_tcp_connections");
    }

    private static double bound(String le) {
        return le.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le);
    }

    private static Set<String> values(Exposition exposition, String name, String label) {
        return exposition.samples(name).stream().map(s -> s.labels().get(label))
                .collect(Collectors.toCollection(LinkedHashSet::new));
    }
}
