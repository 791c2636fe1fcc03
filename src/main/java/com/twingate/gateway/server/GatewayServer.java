package com.twingate.gateway.server;

import com.twingate.gateway.config.GatewayConfig;
import com.twingate.gateway.connect.ConnectAuthenticator;
import com.twingate.gateway.connect.ConnectConnectionFactory;
import com.twingate.gateway.connect.ConnectListener;
import com.twingate.gateway.connect.InnerTls;
import com.twingate.gateway.request.RequestContextCustomizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.http2.server.HTTP2ServerConnectionFactory;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.server.handler.ContextHandler;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Jetty assembly: on the gateway port, outer TLS → CONNECT → inner TLS → HTTP/1.1 or HTTP/2
 * (ALPN) → the API handler. Further connectors (metrics) and lifecycle beans (upstream clients, open tunnels) are added
 * before start; every bean that is {@code Graceful} is drained on stop.
 */
public final class GatewayServer {

    public static final String GATEWAY_CONNECTOR = "gateway";
    private static final String HTTP_1_1_ALPN = "http/1.1";
    private static final Logger LOG = LoggerFactory.getLogger(GatewayServer.class);

    private final GatewayConfig config;
    private final Server server;
    private final ServerConnector gateway;
    private final Handler.Sequence handlers = new Handler.Sequence();

    public GatewayServer(GatewayConfig config, ConnectAuthenticator authenticator, ConnectListener connectListener,
                         Handler api, Clock clock) throws IOException, GeneralSecurityException {
        this.config = config;
        QueuedThreadPool threads = new QueuedThreadPool();
        threads.setName("gateway");
        server = new Server(threads);
        // Requests and streams in flight get this long on SIGTERM before the connectors close them.
        server.setStopTimeout(config.shutdownTimeout().toMillis());
        server.setStopAtShutdown(false);

        SslContextFactory.Server tls = GatewayTls.serverContext(config.tls());
        HttpConfiguration httpConfiguration = httpConfiguration(clock);
        HttpConnectionFactory http = new ChunkEndingHttpConnectionFactory(httpConfiguration);
        List<ConnectionFactory> afterInnerTls = config.http2()
                ? withHttp2(http, httpConfiguration)
                : List.of(http);
        InnerTls innerTls = new InnerTls(tls, afterInnerTls.getFirst().getProtocol());
        ConnectConnectionFactory connect = new ConnectConnectionFactory(
                authenticator, innerTls, connectListener, config.connectTimeout(), clock);
        SslConnectionFactory outerTls = new SslConnectionFactory(tls, connect.getProtocol());

        List<ConnectionFactory> factories = new ArrayList<>(List.of(outerTls, connect));
        factories.addAll(afterInnerTls);
        gateway = new ServerConnector(server, factories.toArray(ConnectionFactory[]::new)) {
            @Override
            protected void configure(Socket socket) {
                super.configure(socket);
                try {
                    config.tcpKeepAlive().applyTo(socket.getChannel());
                } catch (IOException e) {
                    throw new UncheckedIOException("TCP keep-alive cannot be set on an accepted connection", e);
                }
            }
        };
        gateway.setName(GATEWAY_CONNECTOR);
        gateway.setHost(config.bindAddress());
        gateway.setPort(config.port());
        gateway.setIdleTimeout(config.idleTimeout().toMillis());
        server.addConnector(gateway);
        server.addBean(new CertificateReloader(config.tls(), tls, server.getScheduler()));

        ContextHandler gatewayOnly = new ContextHandler(new GracefulHandler(api), "/");
        gatewayOnly.setVirtualHosts(List.of("@" + GATEWAY_CONNECTOR));
        handlers.addHandler(gatewayOnly);
        server.setHandler(handlers);
    }

    /**
     * ALPN on kubectl's TLS, offering h2 and http/1.1: client-go takes h2 for its requests (one Twingate
     * connection for all of them) and asks for http/1.1 on the connections it upgrades (exec, attach,
     * port-forward); a client without ALPN gets HTTP/1.1.
     */
    private static List<ConnectionFactory> withHttp2(HttpConnectionFactory http, HttpConfiguration httpConfiguration) {
        HTTP2ServerConnectionFactory h2 = new HTTP2ServerConnectionFactory(httpConfiguration);
        // ALPN names are compared as sent (lower case); the connector finds its factories by any case.
        ALPNServerConnectionFactory alpn = new ALPNServerConnectionFactory(h2.getProtocol(), HTTP_1_1_ALPN);
        alpn.setDefaultProtocol(HTTP_1_1_ALPN);
        return List.of(alpn, h2, http);
    }

    private static HttpConfiguration httpConfiguration(Clock clock) {
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        // Responses carry the API server's own Date; a second one from the gateway would be noise.
        http.setSendDateHeader(false);
        // The gateway serves no files: paths go to the API server exactly as kubectl wrote them, and
        // the API server judges them.
        http.setUriCompliance(UriCompliance.UNSAFE);
        // Marks requests secure; kubectl's Host is the resource address, which the gateway's own
        // certificate need not list, so the SNI/Host check Jetty would add by default must stay off.
        SecureRequestCustomizer secure = new SecureRequestCustomizer();
        secure.setSniHostCheck(false);
        secure.setSniRequired(false);
        http.addCustomizer(secure);
        http.addCustomizer(new RequestContextCustomizer(clock));
        return http;
    }

    /** For connectors and beans that share this server (metrics port, upstream clients). */
    public Server jetty() {
        return server;
    }

    /** Adds a handler reached through another connector (it must restrict itself to that connector). */
    public void addHandler(Handler handler) {
        handlers.addHandler(handler);
    }

    public void start() throws Exception {
        server.start();
    }

    /**
     * Stops accepting, lets in-flight requests and streams finish for up to the shutdown timeout, then
     * closes whatever is left (recordings end with their final part).
     */
    public void stop() throws Exception {
        try {
            server.stop();
        } catch (TimeoutException drainTimedOut) {
            LOG.info("requests or streams were still open after shutdownTimeout {}; they were closed", config.shutdownTimeout());
        }
    }

    public int port() {
        return gateway.getLocalPort();
    }

    public void join() throws InterruptedException {
        server.join();
    }
}
