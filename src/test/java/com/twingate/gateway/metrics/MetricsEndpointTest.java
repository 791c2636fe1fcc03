package com.twingate.gateway.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MetricsEndpointTest {

    private static final String PLAIN = "plain";

    private MetricsEndpointFixture endpoint;

    @BeforeEach
    void start() throws Exception {
        endpoint = new MetricsEndpointFixture();
        // Stands in for the gateway's own connector and its catch-all handler, placed after the metrics handler.
        ServerConnector plain = new ServerConnector(endpoint.server);
        plain.setName(PLAIN);
        plain.setHost("127.0.0.1");
        endpoint.server.addConnector(plain);
        endpoint.handlers.addHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                response.setStatus(200);
                response.write(true, StandardCharsets.UTF_8.encode("plain handler"), callback);
                return true;
            }
        });
        endpoint.start();
    }

    @AfterEach
    void stop() throws Exception {
        endpoint.close();
    }

    @Test
    void metricsAnswersPrometheusTextAndCountsTheScrape() throws Exception {
        HttpResponse<String> first = endpoint.get(endpoint.metricsPort(), "/metrics");
        HttpResponse<String> second = endpoint.get(endpoint.metricsPort(), "/metrics");

        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.headers().firstValue("Content-Type"))
                .hasValue("text/plain; version=0.0.4; charset=utf-8");
        Exposition before = Exposition.parse(first.body());
        Exposition after = Exposition.parse(second.body());
        assertThat(before.value("promhttp_metric_handler_requests_total", Map.of("code", "200"))).isZero();
        assertThat(after.value("promhttp_metric_handler_requests_total", Map.of("code", "200"))).isEqualTo(1);
        assertThat(after.value("promhttp_metric_handler_requests_total", Map.of("code", "500"))).isZero();
        assertThat(after.value("promhttp_metric_handler_requests_total", Map.of("code", "503"))).isZero();
        // The scrape being served is itself in flight.
        assertThat(after.value("promhttp_metric_handler_requests_in_flight", Map.of())).isEqualTo(1);
        assertThat(after.value("promhttp_metric_handler_errors_total", Map.of("cause", "encoding"))).isZero();
        assertThat(after.value("promhttp_metric_handler_errors_total", Map.of("cause", "gathering"))).isZero();
        assertThat(after.types()).containsKeys("jvm_memory_used_bytes", "process_cpu_seconds_total");
    }

    @Test
    void anyOtherPathOnTheMetricsPortIsNotFound() throws Exception {
        assertThat(endpoint.get(endpoint.metricsPort(), "/").statusCode()).isEqualTo(404);
        assertThat(endpoint.get(endpoint.metricsPort(), "/healthz").statusCode()).isEqualTo(404);
        assertThat(endpoint.get(endpoint.metricsPort(), "/metrics/extra").statusCode()).isEqualTo(404);
    }

    @Test
    void anotherConnectorNeverReachesTheMetrics() throws Exception {
        HttpResponse<String> response = endpoint.get(endpoint.port(PLAIN), "/metrics");

        assertThat(response.body()).isEqualTo("plain handler");
        assertThat(Exposition.parse(endpoint.scrape())
                .value("promhttp_metric_handler_requests_total", Map.of("code", "200"))).isZero();
    }

    @Test
    void aFailingCollectorIsAGatheringErrorAnswered500() throws Exception {
        Collector broken = new Collector() {
            @Override
            public MetricSnapshot collect() {
                throw new IllegalStateException("collector broken on purpose");
            }

            @Override
            public String getPrometheusName() {
                return "broken_on_purpose";
            }
        };
        endpoint.registry.register(broken);
        HttpResponse<String> failed = endpoint.get(endpoint.metricsPort(), "/metrics");
        endpoint.registry.unregister(broken);

        Exposition after = Exposition.parse(endpoint.scrape());

        assertThat(failed.statusCode()).isEqualTo(500);
        assertThat(after.value("promhttp_metric_handler_errors_total", Map.of("cause", "gathering"))).isEqualTo(1);
        assertThat(after.value("promhttp_metric_handler_errors_total", Map.of("cause", "encoding"))).isZero();
        assertThat(after.value("promhttp_metric_handler_requests_total", Map.of("code", "500"))).isEqualTo(1);
        assertThat(after.value("promhttp_metric_handler_requests_in_flight", Map.of())).isEqualTo(1);
    }
}
