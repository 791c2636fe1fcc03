package com.twingate.gateway;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.twingate.gateway.audit.AuditHandler;
import com.twingate.gateway.audit.AuditLog;
import com.twingate.gateway.config.GatewayConfig;
import com.twingate.gateway.config.TwingateConfig;
import com.twingate.gateway.connect.ConnectAuthenticator;
import com.twingate.gateway.connect.ConnectListener;
import com.twingate.gateway.connect.UpstreamSelector;
import com.twingate.gateway.metrics.GatewayMetrics;
import com.twingate.gateway.metrics.HttpMetricsHandler;
import com.twingate.gateway.proxy.ApiProxyHandler;
import com.twingate.gateway.recording.SessionRecorder;
import com.twingate.gateway.relay.ActiveTunnels;
import com.twingate.gateway.server.ConnectEvents;
import com.twingate.gateway.server.GatewayServer;
import com.twingate.gateway.token.CachingTokenVerifier;
import com.twingate.gateway.token.NimbusTokenVerifier;
import com.twingate.gateway.token.TokenVerifier;
import com.twingate.gateway.upstream.UpstreamRouter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.time.Clock;

/** Wires the gateway from its configuration; the injector is built once, in {@link Main}. */
public final class GatewayModule extends AbstractModule {

    private final GatewayConfig config;

    public GatewayModule(GatewayConfig config) {
        this.config = config;
    }

    @Override
    protected void configure() {
        bind(GatewayConfig.class).toInstance(config);
        bind(TwingateConfig.class).toInstance(config.twingate());
        bind(NimbusTokenVerifier.class).in(Singleton.class);
        bind(UpstreamRouter.class).in(Singleton.class);
        bind(ConnectListener.class).to(ConnectEvents.class);
        bind(GatewayMetrics.class).in(Singleton.class);
        bind(AuditLog.class).in(Singleton.class);
        bind(Clock.class).toInstance(Clock.systemUTC());
    }

    @Provides
    @Singleton
    ActiveTunnels activeTunnels() {
        return new ActiveTunnels(config.halfCloseTimeout());
    }

    @Provides
    @Singleton
    PrometheusRegistry registry() {
        return new PrometheusRegistry();
    }

    /** Nimbus checks each token once; the cache answers for it until the token expires. */
    @Provides
    @Singleton
    TokenVerifier tokenVerifier(NimbusTokenVerifier nimbus, Clock clock) {
        return new CachingTokenVerifier(nimbus, clock);
    }

    @Provides
    @Singleton
    UpstreamSelector upstreamSelector(UpstreamRouter router) {
        return address -> router.route(address).map(upstream -> upstream.name());
    }

    @Provides
    @Singleton
    SessionRecorder sessionRecorder(GatewayMetrics metrics) {
        return new SessionRecorder(config, metrics);
    }

    /** The request path on the gateway port: metrics ─► audit ─► proxy. */
    @Provides
    @Singleton
    GatewayServer gatewayServer(ConnectAuthenticator authenticator, ConnectListener listener, GatewayMetrics metrics,
                                AuditLog audit, ApiProxyHandler proxy, ActiveTunnels tunnels, Clock clock)
            throws IOException, GeneralSecurityException {
        GatewayServer server = new GatewayServer(config, authenticator, listener,
                new HttpMetricsHandler(metrics, new AuditHandler(audit, proxy)), clock);
        // Open exec/attach/port-forward streams are drained on shutdown like in-flight requests.
        server.jetty().addBean(tunnels);
        return server;
    }
}
