package com.twingate.gateway.metrics;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/** A Jetty server with the metrics connector on 127.0.0.1 and a fresh registry. */
final class MetricsEndpointFixture implements AutoCloseable {

    final PrometheusRegistry registry = new PrometheusRegistry();
    final GatewayMetrics metrics = new GatewayMetrics(registry);
    final Server server = new Server();
    final Handler.Sequence handlers = new Handler.Sequence();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    MetricsEndpointFixture() {
        handlers.addHandler(new MetricsEndpoint(registry, metrics).install(server, "127.0.0.1", 0));
        server.setHandler(handlers);
    }

    MetricsEndpointFixture start() throws Exception {
        server.start();
        return this;
    }

    int port(String connectorName) {
        return Arrays.stream(server.getConnectors())
                .filter(c -> connectorName.equals(c.getName()))
                .map(ServerConnector.class::cast)
                .findFirst()
                .orElseThrow(() -> new AssertionError("No connector named " + connectorName))
                .getLocalPort();
    }

    int metricsPort() {
        return port(MetricsEndpoint.CONNECTOR_NAME);
    }

    HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    String scrape() throws IOException, InterruptedException {
        HttpResponse<String> response = get(metricsPort(), MetricsEndpoint.PATH);
        if (response.statusCode() != 200) {
            throw new AssertionError("Scrape answered " + response.statusCode() + ": " + response.body());
        }
        return response.body();
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }
}
