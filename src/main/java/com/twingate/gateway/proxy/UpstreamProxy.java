package com.twingate.gateway.proxy;

import com.twingate.gateway.config.KeepAliveConfig;
import com.twingate.gateway.config.KubernetesConfig;
import com.twingate.gateway.config.TlsProvider;
import com.twingate.gateway.config.UpstreamConfig;
import com.twingate.gateway.connect.ClientIdentity;
import com.twingate.gateway.metrics.GatewayMetrics;
import com.twingate.gateway.recording.RecordingPolicy;
import com.twingate.gateway.recording.SessionInfo;
import com.twingate.gateway.recording.SessionRecorder;
import com.twingate.gateway.relay.ActiveTunnels;
import com.twingate.gateway.request.RequestContext;
import com.twingate.gateway.upstream.BearerTokenSource;
import com.twingate.gateway.upstream.UpstreamTls;
import java.io.IOException;
import java.nio.channels.NetworkChannel;
import java.nio.channels.SelectableChannel;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.client.Destination;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.HttpUpgrader;
import org.eclipse.jetty.client.Origin;
import org.eclipse.jetty.client.transport.HttpClientConnectionFactory;
import org.eclipse.jetty.client.transport.HttpClientTransportDynamic;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.http2.client.HTTP2Client;
import org.eclipse.jetty.http2.client.transport.ClientConnectionFactoryOverHTTP2;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.proxy.ProxyHandler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one path to one API server, for every request: plain ones stream both ways with Jetty's
 * demand-driven back-pressure (a watch reaches kubectl chunk by chunk), and upgrades (exec, attach,
 * port-forward) go through the same non-blocking client, whose 101 hands the API server's endpoint
 * to a {@link com.twingate.gateway.relay.Tunnel}. Headers follow {@link HeaderRules} both ways;
 * failures become Kubernetes {@code Status} answers through {@link UpstreamFailure}.
 */
final class UpstreamProxy extends ProxyHandler {

    private static final Logger LOG = LoggerFactory.getLogger(UpstreamProxy.class);
    /** Every watch holds a connection: the default of 64 per destination would queue the 65th kubectl. */
    private static final int MAX_CONNECTIONS = 65_536;
    /** The API server's SETTINGS_MAX_CONCURRENT_STREAMS since the HTTP/2 rapid-reset fix (CVE-2023-44487). */
    private static final int API_SERVER_STREAMS = 100;
    private static final String EXCHANGE = UpstreamProxy.class.getName() + ".exchange";

    private final UpstreamConfig upstream;
    private final String host;
    private final BearerTokenSource credential;
    private final KubernetesConfig kubernetes;
    private final Duration idleTimeout;
    private final KeepAliveConfig keepAlive;
    private final boolean http2;
    private final GatewayMetrics metrics;
    private final SessionRecorder recorder;
    private final TunnelUpgrades upgrades;
    private final TlsProvider tlsProvider;

    UpstreamProxy(UpstreamConfig upstream, BearerTokenSource credential, KubernetesConfig kubernetes, Duration idleTimeout,
                  KeepAliveConfig keepAlive, boolean http2, GatewayMetrics metrics, SessionRecorder recorder,
                  ActiveTunnels tunnels, TlsProvider tlsProvider) {
        this.upstream = upstream;
        this.host = upstream.host().startsWith("[") ? upstream.host().substring(1, upstream.host().length() - 1) : upstream.host();
        this.credential = credential;
        this.kubernetes = kubernetes;
        this.idleTimeout = idleTimeout;
        this.keepAlive = keepAlive;
        this.http2 = http2;
        this.metrics = metrics;
        this.recorder = recorder;
        this.upgrades = new TunnelUpgrades(recorder, tunnels);
        this.tlsProvider = tlsProvider;
        setUseServerThreadPool(true);
    }

    @Override
    protected HttpClient newHttpClient() {
        ClientConnector connector = new ClientConnector() {
            @Override
            protected void configure(SelectableChannel channel) throws IOException {
                super.configure(channel);
                // An API server that vanishes without a FIN must not hold an exec tunnel for ever.
                keepAlive.applyTo((NetworkChannel) channel);
            }
        };
        try {
            connector.setSslContextFactory(UpstreamTls.clientContext(upstream, tlsProvider));
        } catch (Exception e) {
            throw new IllegalStateException("TLS towards upstream " + upstream.name() + " cannot be set up: " + e.getMessage(), e);
        }
        connector.setConnectTimeout(kubernetes.connectTimeout());
        connector.setIdleTimeout(idleTimeout);
        if (!http2) {
            return new HttpClient(new HttpClientTransportOverHTTP(connector));
        }
        // ALPN offers both; an API server (Go) picks h2 and multiplexes every user's requests on a few
        // connections, opening another when one reaches its concurrent-stream limit. HTTP/1.1 comes first
        // so that a server without ALPN is spoken to in HTTP/1.1.
        HTTP2Client http2Client = new HTTP2Client(connector);
        HttpClientTransportDynamic transport = new HttpClientTransportDynamic(connector, HttpClientConnectionFactory.HTTP11,
                new ClientConnectionFactoryOverHTTP2.HTTP2(http2Client));
        transport.setConnectionPoolFactory(destination -> new ApiServerConnectionPool(destination,
                destination.getHttpClient().getMaxConnectionsPerDestination(), streamsExpectedPerConnection(destination)));
        return new HttpClient(transport);
    }

    /** An API server's streams a connection where h2 may be negotiated; one where only HTTP/1.1 is offered (upgrades). */
    private static int streamsExpectedPerConnection(Destination destination) {
        Origin.Protocol protocol = destination.getOrigin().getProtocol();
        return protocol != null && protocol.getProtocols().contains("h2") ? API_SERVER_STREAMS : 1;
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

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        // Starting the client put ProxyHandler's own protocol handlers in place; the 101 handler goes in after.
        getHttpClient().getProtocolHandlers().put(TunnelUpgrades.PROTOCOL_HANDLER);
    }

    @Override
    public boolean handle(Request clientRequest, Response response, Callback callback) {
        RequestContext context = RequestContext.of(clientRequest);
        ClientIdentity identity = context.identity().orElseThrow();
        // Decided once, from what the API server will run: the same decision strips what the recorder
        // cannot read from the upgrade request and starts the recording on the 101.
        Optional<SessionInfo> recorded = RecordingPolicy.decide(clientRequest.getMethod(), clientRequest.getHttpURI().getPath(),
                clientRequest.getHttpURI().getQuery(), identity.user(), identity.connectionId().orElse(""), context.requestId());
        if (HeaderRules.isUpgrade(clientRequest.getHeaders())) {
            Optional<String> refused = recorder.refusalBeforeStart(recorded);
            if (refused.isPresent()) {
                KubernetesStatus.write(clientRequest, response, callback, HttpStatus.SERVICE_UNAVAILABLE_503,
                        RecordingRefused.message(refused.get()));
                return true;
            }
        }
        Exchange exchange = new Exchange(clientRequest, context, recorded);
        clientRequest.setAttribute(EXCHANGE, exchange);
        // Whichever way the response ends, kubectl's endpoint goes back to its HTTP connection first.
        Callback completion = Callback.from(() -> {
            exchange.watch.disarm();
            callback.succeeded();
        }, failure -> {
            exchange.watch.disarm();
            callback.failed(failure);
        });
        return super.handle(clientRequest, response, completion);
    }

    @Override
    protected HttpURI rewriteHttpURI(Request clientRequest) {
        return HttpURI.build(clientRequest.getHttpURI()).scheme("https").host(host).port(upstream.port());
    }

    @Override
    protected org.eclipse.jetty.client.Request newProxyToServerRequest(Request clientRequest, HttpURI uri) {
        org.eclipse.jetty.client.Request upstreamRequest = super.newProxyToServerRequest(clientRequest, uri);
        if (HeaderRules.isUpgrade(clientRequest.getHeaders())) {
            // WebSocket and SPDY switch protocols from HTTP/1.1: the API server gets them on a connection of their own.
            upstreamRequest.version(HttpVersion.HTTP_1_1);
        }
        Exchange exchange = exchange(clientRequest);
        exchange.upstreamRequest = upstreamRequest;
        // kubectl's side failing (an HTTP/2 stream reset, a connection lost, a malformed body) ends the
        // request to the API server; what failed is kept to answer (or not) accordingly.
        clientRequest.addFailureListener(failure -> {
            exchange.clientFailure = failure;
            upstreamRequest.abort(failure);
        });
        return upstreamRequest;
    }

    @Override
    protected void copyRequestHeaders(Request clientRequest, org.eclipse.jetty.client.Request upstreamRequest) {
        RequestContext context = exchange(clientRequest).context;
        upstreamRequest.headers(headers -> {
            headers.clear();
            headers.add(HeaderRules.forUpstream(clientRequest.getHeaders(), context.identity().orElseThrow(),
                    credential.current(), upstream.address(), exchange(clientRequest).recorded.isPresent()));
        });
    }

    @Override
    protected void addProxyHeaders(Request clientRequest, org.eclipse.jetty.client.Request upstreamRequest) {
        // No Via or Forwarded: the API server sees the gateway as the client, as with kubectl direct.
    }

    @Override
    protected org.eclipse.jetty.client.Request.Content newProxyToServerRequestContent(
            Request clientRequest, Response proxyToClientResponse, org.eclipse.jetty.client.Request upstreamRequest) {
        Exchange exchange = exchange(clientRequest);
        return new ProxyRequestContent(clientRequest) {
            @Override
            public Content.Chunk read() {
                Content.Chunk chunk = super.read();
                if (Content.Chunk.isFailure(chunk)) {
                    exchange.clientFailure = chunk.getFailure();
                }
                return chunk;
            }
        };
    }

    @Override
    protected void sendProxyToServerRequest(Request clientRequest, org.eclipse.jetty.client.Request upstreamRequest,
                                            Response proxyToClientResponse, Callback proxyToClientCallback) {
        Exchange exchange = exchange(clientRequest);
        exchange.roundTrip = metrics.apiServerRequestStarted(exchange.context.type());
        Scheduler scheduler = getHttpClient().getScheduler();
        // Connecting, TLS included, and then the API server's answer each have their own deadline. The
        // request's head is written (committed) only once the TLS handshake is done.
        Scheduler.Task connectDeadline = scheduler.schedule(() -> upstreamRequest.abort(new TimeoutException(
                "no connection within " + kubernetes.connectTimeout())), kubernetes.connectTimeout().toMillis(), TimeUnit.MILLISECONDS);
        upstreamRequest
                .onRequestCommit(committed -> connectDeadline.cancel())
                .onRequestSuccess(sent -> {
                    exchange.headerDeadline.set(scheduler.schedule(() -> upstreamRequest.abort(new TimeoutException(
                                    "no response headers within " + kubernetes.responseHeaderTimeout())),
                            kubernetes.responseHeaderTimeout().toMillis(), TimeUnit.MILLISECONDS));
                    exchange.watchWhenReady();
                })
                .onResponseBegin(response -> exchange.apiServerAnswered(clientRequest.getMethod(), response.getStatus()))
                .onComplete(result -> {
                    connectDeadline.cancel();
                    exchange.headerDeadline.cancel();
                    if (result.isFailed()) {
                        exchange.roundTrip.failed();
                    }
                });
        if (HeaderRules.isUpgrade(clientRequest.getHeaders())) {
            // A 101 replaces the listeners above with the tunnel's: it reports the answer itself.
            upstreamRequest.attribute(HttpUpgrader.Factory.class.getName(),
                    (HttpUpgrader.Factory) version -> upgrades.upgrader(clientRequest, exchange.context, exchange.recorded,
                            () -> exchange.apiServerAnswered(clientRequest.getMethod(), HttpStatus.SWITCHING_PROTOCOLS_101),
                            proxyToClientResponse, proxyToClientCallback));
        }
        super.sendProxyToServerRequest(clientRequest, upstreamRequest, proxyToClientResponse, proxyToClientCallback);
    }

    @Override
    protected org.eclipse.jetty.client.Response.CompleteListener newServerToProxyResponseListener(
            Request clientRequest, org.eclipse.jetty.client.Request upstreamRequest, Response proxyToClientResponse,
            Callback proxyToClientCallback) {
        return new StreamingResponseListener(clientRequest, upstreamRequest, proxyToClientResponse, proxyToClientCallback);
    }

    @Override
    protected void onServerToProxyResponseFailure(Request clientRequest, org.eclipse.jetty.client.Request upstreamRequest,
                                                  org.eclipse.jetty.client.Response upstreamResponse,
                                                  Response proxyToClientResponse, Callback proxyToClientCallback, Throwable failure) {
        Exchange exchange = exchange(clientRequest);
        EndPoint kubectl = clientRequest.getConnectionMetaData().getConnection().getEndPoint();
        boolean clientGone = exchange.context.clientLeft() || kubectl.isInputShutdown() || !kubectl.isOpen();
        UpstreamFailure answer = UpstreamFailure.of(failure, exchange.clientFailure, clientGone);
        if (answer.clientLeft()) {
            exchange.context.clientLeft(true);
        }
        if (answer.clientLeft() || proxyToClientResponse.isCommitted()) {
            // Nobody to answer, or headers already went to kubectl: all that is left is to end the exchange.
            proxyToClientCallback.failed(failure);
            return;
        }
        String message = answer.message(upstream.name());
        LOG.warn("{} {} failed: {}", clientRequest.getMethod(), clientRequest.getHttpURI().getPath(), message);
        KubernetesStatus.write(clientRequest, proxyToClientResponse, proxyToClientCallback, answer.status(), message);
    }

    private static Exchange exchange(Request clientRequest) {
        return (Exchange) clientRequest.getAttribute(EXCHANGE);
    }

    /** One proxied request: its two sides, and what is known of kubectl's side while it runs. */
    private static final class Exchange {
        private final RequestContext context;
        /** The session to record if the API server switches protocols. */
        private final Optional<SessionInfo> recorded;
        private final ClientDisconnectWatch watch;
        /** The request sent and a plain (not 101) answer begun: then kubectl's endpoint may be watched. */
        private final AtomicInteger watchConditions = new AtomicInteger();
        private final Deadline headerDeadline = new Deadline();
        private final long startNanos = System.nanoTime();
        private volatile GatewayMetrics.ApiServerRequest roundTrip;
        private volatile org.eclipse.jetty.client.Request upstreamRequest;
        /** Reading kubectl's request body failed: it went away, or sent a malformed body. */
        private volatile Throwable clientFailure;

        private Exchange(Request clientRequest, RequestContext context, Optional<SessionInfo> recorded) {
            this.context = context;
            this.recorded = recorded;
            this.watch = ClientDisconnectWatch.on(clientRequest.getConnectionMetaData(), this::clientGone);
        }

        private void apiServerAnswered(String method, int status) {
            headerDeadline.cancel();
            roundTrip.responseHeaders(method, status, Duration.ofNanos(System.nanoTime() - startNanos));
            if (status != HttpStatus.SWITCHING_PROTOCOLS_101) {
                watchWhenReady();
            }
        }

        private void watchWhenReady() {
            if (watchConditions.incrementAndGet() == 2) {
                watch.arm();
            }
        }

        private void clientGone() {
            context.clientLeft(true);
            org.eclipse.jetty.client.Request request = upstreamRequest;
            if (request != null) {
                request.abort(new ClientLeftException());
            }
        }
    }

    /**
     * ProxyHandler's listener, but the response headers reach kubectl as soon as the API server sent
     * them: when no body byte came with them (a quiet watch, {@code logs -f}), they are written at once
     * instead of with the first body byte, which a client waiting for the headers may wait on for ever.
     */
    private final class StreamingResponseListener extends ProxyResponseListener {
        private final Response proxyToClientResponse;
        private HeadersFirst source;

        private StreamingResponseListener(Request clientRequest, org.eclipse.jetty.client.Request upstreamRequest,
                                          Response proxyToClientResponse, Callback proxyToClientCallback) {
            super(clientRequest, upstreamRequest, proxyToClientResponse, proxyToClientCallback);
            this.proxyToClientResponse = proxyToClientResponse;
        }

        @Override
        public void onContentSource(org.eclipse.jetty.client.Response upstreamResponse, Content.Source contentSource) {
            if (source == null) {
                source = new HeadersFirst(contentSource, upstreamResponse);
            }
            super.onContentSource(upstreamResponse, source);
        }

        /** The API server's body, except that waiting for its first byte first commits the headers. */
        private final class HeadersFirst implements Content.Source {
            private final Content.Source body;
            private final org.eclipse.jetty.client.Response upstreamResponse;
            private boolean headersWritten;

            private HeadersFirst(Content.Source body, org.eclipse.jetty.client.Response upstreamResponse) {
                this.body = body;
                this.upstreamResponse = upstreamResponse;
            }

            @Override
            public Content.Chunk read() {
                return body.read();
            }

            @Override
            public void demand(Runnable demandCallback) {
                if (headersWritten) {
                    body.demand(demandCallback);
                    return;
                }
                headersWritten = true;
                proxyToClientResponse.write(false, BufferUtil.EMPTY_BUFFER,
                        Callback.from(() -> body.demand(demandCallback), upstreamResponse::abort));
            }

            @Override
            public void fail(Throwable failure) {
                body.fail(failure);
            }

            @Override
            public long getLength() {
                return body.getLength();
            }
        }
    }

    /** A deadline that may be set after it is cancelled (the cancel then wins). */
    private static final class Deadline {
        private Scheduler.Task task;
        private boolean cancelled;

        synchronized void set(Scheduler.Task task) {
            if (cancelled) {
                task.cancel();
            } else {
                this.task = task;
            }
        }

        synchronized void cancel() {
            cancelled = true;
            if (task != null) {
                task.cancel();
            }
        }
    }

    /** kubectl went away; the request to the API server is aborted with this. */
    static final class ClientLeftException extends IOException {
        ClientLeftException() {
            super("the client went away");
        }
    }
}
