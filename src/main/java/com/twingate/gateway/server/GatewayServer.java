package com.twingate.gateway.server;

import com.twingate.gateway.config.GatewayConfig;
import com.twingate.gateway.connect.ConnectAuthenticator;
import com.twingate.gateway.connect.ConnectConnectionFactory;
import com.twingate.gateway.connect.ConnectListener;
import com.twingate.gateway.connect.IdentityCustomizer;
import com.twingate.gateway.connect.InnerTls;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.List;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http.UriCompliance;
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

/**
 * The Jetty assembly [§2]: on the gateway port, outer TLS → CONNECT → inner TLS → HTTP/1.1 → the API
 * handler. Further connectors (metrics) and lifecycle beans (upstream clients) are added before start.
 */
public final class GatewayServer {

    public static final String GATEWAY_CONNECTOR = "gateway";
    /** In-flight requests get this long to finish on shutdown [§9.1]. */
    static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(20);

    private final Server server;
    private final ServerConnector gateway;
    private final Handler.Sequence handlers = new Handler.Sequence();

    public GatewayServer(GatewayConfig config, ConnectAuthenticator authenticator, ConnectListener connectListener,
                         Handler api) throws IOException, GeneralSecurityException {
        QueuedThreadPool threads = new QueuedThreadPool();
        threads.setName("gateway");
        server = new Server(threads);
        server.setStopTimeout(DRAIN_TIMEOUT.toMillis());
        server.setStopAtShutdown(false);

        SslContextFactory.Server tls = GatewayTls.serverContext(config.tls());
        HttpConnectionFactory http = new HttpConnectionFactory(httpConfiguration());
        InnerTls innerTls = new InnerTls(tls, http.getProtocol());
        ConnectConnectionFactory connect = new ConnectConnectionFactory(
                authenticator, innerTls, connectListener, config.connectTimeout());
        SslConnectionFactory outerTls = new SslConnectionFactory(tls, connect.getProtocol());

        gateway = new ServerConnector(server, outerTls, connect, http);
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

    private static HttpConfiguration httpConfiguration() {
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
        http.addCustomizer(new IdentityCustomizer());
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

    /** Stops accepting, lets in-flight requests finish (bounded), then closes everything. */
    public void stop() throws Exception {
        server.stop();
    }

    public int port() {
        return gateway.getLocalPort();
    }

    public void join() throws InterruptedException {
        server.join();
    }
}
