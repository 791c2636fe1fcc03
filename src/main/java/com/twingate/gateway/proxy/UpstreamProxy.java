package com.twingate.gateway.proxy;

import com.twingate.gateway.config.KubernetesConfig;
import com.twingate.gateway.config.UpstreamConfig;
import com.twingate.gateway.connect.ClientIdentity;
import com.twingate.gateway.metrics.GatewayMetrics;
import com.twingate.gateway.metrics.RequestType;
import com.twingate.gateway.upstream.BearerTokenSource;
import com.twingate.gateway.upstream.UpstreamTls;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.proxy.ProxyHandler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams plain requests to one API server and its answers back [§4], both ways with Jetty's
 * demand-driven back-pressure (a watch reaches kubectl chunk by chunk). Headers follow
 * {@link HeaderRules}; failures become Kubernetes {@code Status} answers.
 */
final class UpstreamProxy extends ProxyHandler {

    private static final Logger LOG = LoggerFactory.getLogger(UpstreamProxy.class);
    /** Every watch holds a connection: the default of 64 per destination would queue the 65th kubectl. */
    private static final int MAX_CONNECTIONS = 65_536;

    private final UpstreamConfig upstream;
    private final BearerTokenSource credential;
    private final KubernetesConfig kubernetes;
    private final Duration idleTimeout;
    private final GatewayMetrics metrics;

    UpstreamProxy(UpstreamConfig upstream, BearerTokenSource credential, KubernetesConfig kubernetes, Duration idleTimeout,
                  GatewayMetrics metrics) {
        this.upstream = upstream;
        this.credential = credential;
        this.kubernetes = kubernetes;
        this.idleTimeout = idleTimeout;
        this.metrics = metrics;
        setUseServerThreadPool(true);
    }

    @Override
    protected HttpClient newHttpClient() {
        ClientConnector connector = new ClientConnector();
        try {
            connector.setSslContextFactory(UpstreamTls.clientContext(upstream));
        } catch (Exception e) {
            throw new IllegalStateException("TLS towards upstream " + upstream.name() + " cannot be set up: " + e.getMessage(), e);
        }
        connector.setConnectTimeout(kubernetes.connectTimeout());
        connector.setIdleTimeout(idleTimeout);
        return new HttpClient(new HttpClientTransportOverHTTP(connector));
    }

    @Override
    protected void configureHttpClient(HttpClient client) {
        super.configureHttpClient(client);
        client.setUserAgentField(null);
        client.setConnectTimeout(kubernetes.connectTimeout().toMillis());
        client.setIdleTimeout(idleTimeout.toMillis());
        client.setMaxConnectionsPerDestination(MAX_CONNECTIONS);
        client.setMaxRequestsQueuedPerDestination(MAX_CONNECTIONS);
    }

    /** The TLS context of this upstream, for the upgrade relay's own sockets. */
    HttpClient client() {
        return getHttpClient();
    }

    UpstreamConfig upstream() {
        return upstream;
    }

    BearerTokenSource credential() {
        return credential;
    }

    @Override
    protected HttpURI rewriteHttpURI(Request clientToProxyRequest) {
        String host = upstream.host();
        if (host.startsWith("[")) {
            host = host.substring(1, host.length() - 1);
        }
        return HttpURI.build(clientToProxyRequest.getHttpURI()).scheme("https").host(host).port(upstream.port());
    }

    @Override
    protected void copyRequestHeaders(Request clientToProxyRequest, org.eclipse.jetty.client.Request proxyToServerRequest) {
        ClientIdentity identity = (ClientIdentity) clientToProxyRequest.getAttribute(ClientIdentity.ATTRIBUTE);
        proxyToServerRequest.headers(headers -> {
            headers.clear();
            headers.add(HeaderRules.forUpstream(clientToProxyRequest.getHeaders(), identity, credential.current(),
                    upstream.address()));
        });
    }

    @Override
    protected void addProxyHeaders(Request clientToProxyRequest, org.eclipse.jetty.client.Request proxyToServerRequest) {
        // No Via or Forwarded: the API server sees the gateway as the client, as with kubectl direct.
    }

    @Override
    protected void sendProxyToServerRequest(Request clientToProxyRequest, org.eclipse.jetty.client.Request proxyToServerRequest,
                                            Response proxyToClientResponse, Callback proxyToClientCallback) {
        GatewayMetrics.ApiServerRequest roundTrip = metrics.apiServerRequestStarted(RequestType.HTTP);
        long startNanos = System.nanoTime();
        AtomicReference<Scheduler.Task> headerDeadline = new AtomicReference<>();
        proxyToServerRequest
                .onRequestSuccess(sent -> headerDeadline.set(getHttpClient().getScheduler().schedule(
                        () -> proxyToServerRequest.abort(new TimeoutException("no response headers within "
                                + kubernetes.responseHeaderTimeout())),
                        kubernetes.responseHeaderTimeout().toMillis(), TimeUnit.MILLISECONDS)))
                .onResponseBegin(response -> {
                    Scheduler.Task deadline = headerDeadline.get();
                    if (deadline != null) {
                        deadline.cancel();
                    }
                    roundTrip.responseHeaders(clientToProxyRequest.getMethod(), response.getStatus(),
                            Duration.ofNanos(System.nanoTime() - startNanos));
                })
                .onComplete(result -> {
                    Scheduler.Task deadline = headerDeadline.get();
                    if (deadline != null) {
                        deadline.cancel();
                    }
                    if (result.isFailed()) {
                        roundTrip.failed();
                    }
                });
        super.sendProxyToServerRequest(clientToProxyRequest, proxyToServerRequest, proxyToClientResponse, proxyToClientCallback);
    }

    @Override
    protected void onServerToProxyResponseFailure(Request clientToProxyRequest, org.eclipse.jetty.client.Request proxyToServerRequest,
                                                  org.eclipse.jetty.client.Response serverToProxyResponse,
                                                  Response proxyToClientResponse, Callback proxyToClientCallback, Throwable failure) {
        if (proxyToClientResponse.isCommitted()) {
            // Headers already went to kubectl: all that is left is to cut the stream.
            proxyToClientCallback.failed(failure);
            return;
        }
        boolean timeout = failure instanceof TimeoutException || failure instanceof SocketTimeoutException
                || failure.getCause() instanceof TimeoutException || failure.getCause() instanceof SocketTimeoutException;
        int code = timeout ? HttpStatus.GATEWAY_TIMEOUT_504 : HttpStatus.BAD_GATEWAY_502;
        String message = timeout
                ? "the Kubernetes API server (upstream " + upstream.name() + ") did not answer in time: " + failure.getMessage()
                : "the Kubernetes API server (upstream " + upstream.name() + ") is unreachable: " + failure.getMessage();
        LOG.warn("{} {} failed: {}", clientToProxyRequest.getMethod(), clientToProxyRequest.getHttpURI().getPath(), message);
        KubernetesStatus.write(clientToProxyRequest, proxyToClientResponse, proxyToClientCallback, code, message);
    }
}
