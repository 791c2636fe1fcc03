package com.twingate.gateway.proxy;

import com.google.inject.Inject;
import com.twingate.gateway.config.GatewayConfig;
import com.twingate.gateway.config.UpstreamConfig;
import com.twingate.gateway.connect.ClientIdentity;
import com.twingate.gateway.metrics.GatewayMetrics;
import com.twingate.gateway.recording.SessionRecorder;
import com.twingate.gateway.relay.ActiveTunnels;
import com.twingate.gateway.request.ApiServerPath;
import com.twingate.gateway.request.RequestContext;
import com.twingate.gateway.upstream.UpstreamRouter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends each request to the upstream its connection was routed to at CONNECT time, after refusing
 * what no API server serves: requests for the whole server ({@code OPTIONS *}), tunnels inside the
 * tunnel ({@code CONNECT}), and HTTP/2 requests with connection-specific headers.
 */
public final class ApiProxyHandler extends Handler.AbstractContainer {

    private static final Logger LOG = LoggerFactory.getLogger(ApiProxyHandler.class);

    private final Map<String, UpstreamProxy> proxies = new LinkedHashMap<>();

    @Inject
    public ApiProxyHandler(GatewayConfig config, UpstreamRouter router, GatewayMetrics metrics, SessionRecorder recorder,
                           ActiveTunnels tunnels) {
        for (UpstreamConfig upstream : router.all()) {
            UpstreamProxy proxy = new UpstreamProxy(upstream, router.credential(upstream.name()), config.kubernetes(),
                    config.idleTimeout(), config.tcpKeepAlive(), config.http2(), metrics, recorder, tunnels, config.tls().provider());
            proxies.put(upstream.name(), proxy);
            addBean(proxy);
        }
        addBean(recorder);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        Optional<ClientIdentity> identity = RequestContext.find(request).flatMap(RequestContext::identity);
        if (identity.isEmpty()) {
            LOG.error("a request reached the proxy without an authenticated identity: {}", request.getHttpURI().getPath());
            KubernetesStatus.write(request, response, callback, HttpStatus.INTERNAL_SERVER_ERROR_500, "request is not authenticated");
            return true;
        }
        if (request.getConnectionMetaData().getHttpVersion() == HttpVersion.HTTP_2) {
            Optional<String> hopHeader = HeaderRules.connectionSpecificInHttp2(request.getHeaders());
            if (hopHeader.isPresent()) {
                KubernetesStatus.write(request, response, callback, HttpStatus.BAD_REQUEST_400,
                        "the " + hopHeader.get() + " header is not allowed in an HTTP/2 request");
                return true;
            }
        }
        if (HttpMethod.CONNECT.is(request.getMethod())) {
            KubernetesStatus.write(request, response, callback, HttpStatus.METHOD_NOT_ALLOWED_405,
                    "CONNECT is not served: the Kubernetes API takes no tunnels");
            return true;
        }
        if ("*".equals(request.getHttpURI().getPath())) {
            KubernetesStatus.write(request, response, callback,
                    HttpMethod.OPTIONS.is(request.getMethod()) ? HttpStatus.NOT_IMPLEMENTED_501 : HttpStatus.BAD_REQUEST_400,
                    request.getMethod() + " * is not served: requests name a path of the Kubernetes API");
            return true;
        }
        if (ApiServerPath.classify(request.getHttpURI().getPath()) instanceof ApiServerPath.Ambiguous ambiguous) {
            // The gateway records what the API server runs; it does not guess how a spelling is routed.
            LOG.warn("refused a pod stream path that is not spelled canonically: {}", request.getHttpURI().getPath());
            KubernetesStatus.write(request, response, callback, HttpStatus.BAD_REQUEST_400,
                    "the path " + ambiguous.decodedPath() + " is not canonical: pod exec, attach and portforward paths must be "
                            + "/api/v1/namespaces/{namespace}/pods/{name}/{subresource}, without empty or dot segments");
            return true;
        }
        UpstreamProxy proxy = proxies.get(identity.get().upstreamName());
        if (proxy == null) {
            KubernetesStatus.write(request, response, callback, HttpStatus.BAD_GATEWAY_502,
                    "no upstream named " + identity.get().upstreamName());
            return true;
        }
        return proxy.handle(request, response, callback);
    }

    @Override
    public List<Handler> getHandlers() {
        return List.copyOf(proxies.values());
    }
}
