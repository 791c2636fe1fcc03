package com.twingate.gateway.testkit.kubeapi;

import com.twingate.gateway.testkit.TestPki;
import com.twingate.gateway.tls.PemKeyStores;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory;
import org.eclipse.jetty.http2.server.HTTP2ServerConnectionFactory;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.server.ServerWebSocketContainer;

/**
 * The Kubernetes API server stand-in (README.md#the-local-run): a TLS server on 127.0.0.1 (HTTP/2 or HTTP/1.1,
 * chosen by ALPN, as the API server) that speaks the API's wire protocols well enough for real kubectl (discovery, namespaces and pods, logs, exec/attach/port-forward
 * over WebSocket and SPDY, {@code auth whoami}). It requires the gateway's upstream bearer token and
 * records the impersonation headers each request carried. Pods are directories on this machine: exec
 * runs real commands inside the pod's sandbox directory.
 */
public final class KubeApiStandIn implements AutoCloseable {

    private static final long MAX_MESSAGE = 16 * 1024 * 1024;

    private final Server server;
    private final ServerConnector connector;
    private final Cluster cluster;
    private final KubeApiHandler handler;

    private KubeApiStandIn(TestPki.Issued certificate, String bearerToken, Path sandboxes, String host, int port)
            throws Exception {
        cluster = new Cluster(sandboxes);
        QueuedThreadPool threads = new QueuedThreadPool();
        threads.setName("kube-api-stand-in");
        threads.setVirtualThreadsExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        server = new Server(threads);
        SslContextFactory.Server tls = new SslContextFactory.Server();
        tls.setKeyStore(PemKeyStores.keyStore(certificate.certificateFile(), certificate.privateKeyFile()));
        tls.setKeyStorePassword("");
        tls.setKeyManagerPassword("");
        HttpConfiguration http = new HttpConfiguration();
        SecureRequestCustomizer secure = new SecureRequestCustomizer();
        secure.setSniHostCheck(false);
        http.addCustomizer(secure);
        // As an API server (Go's net/http): HTTP/2 by ALPN, HTTP/1.1 for clients that ask for it (upgrades).
        HTTP2ServerConnectionFactory h2 = new HTTP2ServerConnectionFactory(http);
        ALPNServerConnectionFactory alpn = new ALPNServerConnectionFactory("h2", "http/1.1");
        alpn.setDefaultProtocol("http/1.1");
        connector = new ServerConnector(server, new SslConnectionFactory(tls, alpn.getProtocol()), alpn, h2,
                new HttpConnectionFactory(http));
        connector.setHost(host);
        connector.setPort(port);
        // Watches, logs -f and exec sessions are long and quiet; the API server does not cut them either.
        connector.setIdleTimeout(Duration.ofHours(1).toMillis());
        server.addConnector(connector);
        ServerWebSocketContainer webSockets = ServerWebSocketContainer.ensure(server);
        // As the API server's: exec sessions are long and quiet, and kubectl sends stdin and cp in big messages.
        webSockets.setIdleTimeout(Duration.ofHours(1));
        webSockets.setMaxBinaryMessageSize(MAX_MESSAGE);
        webSockets.setMaxTextMessageSize(MAX_MESSAGE);
        webSockets.setMaxFrameSize(MAX_MESSAGE);
        handler = new KubeApiHandler(bearerToken, cluster, webSockets);
        server.setHandler(handler);
        server.start();
    }

    /**
     * Starts on 127.0.0.1 at a free port.
     *
     * @param certificate the serving certificate (its SANs must cover {@code localhost})
     * @param bearerToken the only credential accepted (what the gateway's upstream config sends)
     * @param sandboxes   where each pod gets its own directory
     */
    public static KubeApiStandIn start(TestPki.Issued certificate, String bearerToken, Path sandboxes) throws Exception {
        return new KubeApiStandIn(certificate, bearerToken, sandboxes, "127.0.0.1", 0);
    }

    /** {@code localhost:port}: the name the test certificates carry. */
    public String address() {
        return "localhost:" + connector.getLocalPort();
    }

    public int port() {
        return connector.getLocalPort();
    }

    /** The namespaces, pods and other objects this API server holds. */
    public Cluster cluster() {
        return cluster;
    }

    /** Every authenticated request's impersonation headers, in arrival order. */
    public List<Impersonation> impersonations() {
        return handler.impersonations();
    }

    /**
     * Every exec, attach and port-forward upgrade answered with 101, in arrival order, as
     * {@code <subresource> <Upgrade> <negotiated protocol>}, e.g. {@code exec websocket v5.channel.k8s.io}.
     */
    public List<String> upgrades() {
        return handler.upgrades();
    }

    @Override
    public void close() throws Exception {
        // Ending the cluster first lets open watches and followed logs finish their responses cleanly.
        cluster.close();
        server.stop();
    }
}
