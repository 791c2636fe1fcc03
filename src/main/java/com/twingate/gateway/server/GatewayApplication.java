package com.twingate.gateway.server;

import com.google.inject.Inject;
import com.twingate.gateway.config.GatewayConfig;
import com.twingate.gateway.logging.LogOutput;
import com.twingate.gateway.metrics.MetricsEndpoint;
import com.twingate.gateway.token.NimbusTokenVerifier;
import com.twingate.gateway.upstream.UpstreamRouter;
import java.util.Arrays;
import org.eclipse.jetty.server.ServerConnector;

/** The running gateway: the gateway port, the metrics port, and what they share. Started once by Main. */
public final class GatewayApplication {

    private final GatewayServer server;
    private final NimbusTokenVerifier tokens;

    @Inject
    public GatewayApplication(GatewayConfig config, GatewayServer server, UpstreamRouter upstreams,
                              MetricsEndpoint metrics, NimbusTokenVerifier tokens) {
        LogOutput.use(config.logFormat());
        this.server = server;
        this.tokens = tokens;
        server.jetty().addBean(upstreams);
        server.addHandler(metrics.install(server.jetty(), config.bindAddress(), config.metricsPort()));
    }

    public void start() throws Exception {
        // Warms the key cache in the background: the gateway listens whether or not the controller answers.
        tokens.prefetch();
        server.start();
    }

    public void stop() throws Exception {
        server.stop();
    }

    public void join() throws InterruptedException {
        server.join();
    }

    public int gatewayPort() {
        return server.port();
    }

    public int metricsPort() {
        return Arrays.stream(server.jetty().getConnectors())
                .filter(connector -> MetricsEndpoint.CONNECTOR_NAME.equals(connector.getName()))
                .map(ServerConnector.class::cast)
                .findFirst().orElseThrow().getLocalPort();
    }
}
