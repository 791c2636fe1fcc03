package com.twingate.gateway.proxy;

import com.google.inject.Inject;
import com.twingate.gateway.config.GatewayConfig;
import com.twingate.gateway.config.UpstreamConfig;
import com.twingate.gateway.connect.ClientIdentity;
import com.twingate.gateway.metrics.GatewayMetrics;
import com.twingate.gateway.recording.SessionRecorder;
import com.twingate.gateway.upstream.UpstreamRouter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends each request to the upstream its connection was routed to at CONNECT time [§4]. Upgrade
 * requests go to the relay; everything else streams through that upstream's proxy.
 */
public final class ApiProxyHandler extends Handler.AbstractContainer {

    private static final Logger LOG = LoggerFactory.getLogger(ApiProxyHandler.class);

    private final Map<String, UpstreamProxy> proxies = new LinkedHashMap<>();
    private final UpgradeBridge upgrades;

    @Inject
    public ApiProxyHandler(GatewayConfig config, UpstreamRouter router, GatewayMetrics metrics, SessionRecorder recorder) {
        for (UpstreamConfig upstream : router.all()) {
            UpstreamProxy proxy = new UpstreamProxy(upstream, router.credential(upstream.name()), config.kubernetes(),
                    config.idleTimeout(), metrics);
            proxies.put(upstream.name(), proxy);
            addBean(proxy);
        }
        upgrades = new UpgradeBridge(config.kubernetes(), metrics, recorder);
        addBean(recorder);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        if (!(request.getAttribute(ClientIdentity.ATTRIBUTE) instanceof ClientIdentity identity)) {
            LOG.error("a request reached the proxy without an authenticated identity: {}", request.getHttpURI().getPath());
            KubernetesStatus.write(request, response, callback, HttpStatus.INTERNAL_SERVER_ERROR_500, "request is not authenticated");
            return true;
        }
        UpstreamProxy proxy = proxies.get(identity.upstreamName());
        if (proxy == null) {
            KubernetesStatus.write(request, response, callback, HttpStatus.BAD_GATEWAY_502,
                    "no upstream named " + identity.upstreamName());
            return true;
        }
        if (HeaderRules.isUpgrade(request.getHeaders())) {
            upgrades.handle(request, response, callback, proxy, identity);
            return true;
        }
        return proxy.handle(request, response, callback);
    }

    @Override
    public List<Handler> getHandlers() {
        return List.copyOf(proxies.values());
    }
}
