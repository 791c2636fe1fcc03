package com.twingate.gateway.metrics;

import com.google.inject.Inject;
import io.prometheus.metrics.exporter.servlet.jakarta.PrometheusMetricsServlet;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import jakarta.servlet.DispatcherType;
import java.util.EnumSet;
import java.util.List;
import org.eclipse.jetty.ee11.servlet.FilterHolder;
import org.eclipse.jetty.ee11.servlet.ServletContextHandler;
import org.eclipse.jetty.ee11.servlet.ServletHolder;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * The metrics port (docs/metrics.md): a second, plain-HTTP Jetty connector on which only {@code GET /metrics} is
 * served, in Prometheus text exposition.
 */
public final class MetricsEndpoint {

    /** Name of the connector, and (prefixed with {@code @}) the virtual host that confines the handler to it. */
    public static final String CONNECTOR_NAME = "metrics";
    public static final String PATH = "/metrics";

    private final PrometheusRegistry registry;
    private final GatewayMetrics metrics;

    @Inject
    public MetricsEndpoint(PrometheusRegistry registry, GatewayMetrics metrics) {
        this.registry = registry;
        this.metrics = metrics;
    }

    /**
     * Adds the {@value #CONNECTOR_NAME} connector to {@code server} (before it starts) and returns the
     * handler that serves it. The caller puts the handler in the server's handler tree ahead of any
     * handler that would take every request; the handler answers only requests from its own connector
     * (404 for any path but {@value #PATH}) and declines all others.
     *
     * @param host the interface to bind, or {@code null} for all interfaces
     * @param port the port to bind, or 0 for any free port
     */
    public Handler install(Server server, String host, int port) {
        ServerConnector connector = new ServerConnector(server);
        connector.setName(CONNECTOR_NAME);
        connector.setHost(host);
        connector.setPort(port);
        server.addConnector(connector);

        ServletContextHandler context = new ServletContextHandler("/");
        context.setVirtualHosts(List.of("@" + CONNECTOR_NAME));
        context.addServlet(new ServletHolder("prometheus", new PrometheusMetricsServlet(registry)), PATH);
        context.addFilter(new FilterHolder(new ScrapeInstrumentation(metrics)), PATH,
                EnumSet.of(DispatcherType.REQUEST));
        return context;
    }
}
