package com.twingate.gateway.testkit;

import com.twingate.gateway.tls.PemKeyStores;
import java.nio.file.Path;
import org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory;
import org.eclipse.jetty.http2.server.HTTP2ServerConnectionFactory;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * An API-server stand-in for proxy tests: a Jetty TLS server on 127.0.0.1 with its own CA, whose
 * handler the test writes (so it can hold a response until the test says so).
 */
public final class TlsUpstream implements AutoCloseable {

    private final Server server = new Server();
    private final ServerConnector connector;

    /** @param clientCa when given, the upstream requires a client certificate signed by it */
    public TlsUpstream(TestPki.Issued certificate, Path clientCa, Handler handler) throws Exception {
        this(certificate, clientCa, handler, 0);
    }

    /**
     * An upstream that offers h2 by ALPN, as API servers do, allowing {@code maxConcurrentStreams} streams
     * on each connection (the API server's limit is 100), and HTTP/1.1 to clients that ask for it.
     */
    public static TlsUpstream offeringHttp2(TestPki.Issued certificate, Handler handler, int maxConcurrentStreams) throws Exception {
        return new TlsUpstream(certificate, null, handler, maxConcurrentStreams);
    }

    private TlsUpstream(TestPki.Issued certificate, Path clientCa, Handler handler, int http2MaxStreams) throws Exception {
        SslContextFactory.Server tls = new SslContextFactory.Server();
        tls.setKeyStore(PemKeyStores.keyStore(certificate.certificateFile(), certificate.privateKeyFile()));
        tls.setKeyStorePassword("");
        tls.setKeyManagerPassword("");
        if (clientCa != null) {
            tls.setTrustStore(PemKeyStores.trustStore(clientCa));
            tls.setNeedClientAuth(true);
        }
        HttpConfiguration http = new HttpConfiguration();
        SecureRequestCustomizer secure = new SecureRequestCustomizer();
        secure.setSniHostCheck(false);
        http.addCustomizer(secure);
        if (http2MaxStreams > 0) {
            HTTP2ServerConnectionFactory h2 = new HTTP2ServerConnectionFactory(http);
            h2.setMaxConcurrentStreams(http2MaxStreams);
            ALPNServerConnectionFactory alpn = new ALPNServerConnectionFactory("h2", "http/1.1");
            alpn.setDefaultProtocol("http/1.1");
            connector = new ServerConnector(server, new SslConnectionFactory(tls, alpn.getProtocol()), alpn, h2,
                    new HttpConnectionFactory(http));
        } else {
            connector = new ServerConnector(server, new SslConnectionFactory(tls, "http/1.1"), new HttpConnectionFactory(http));
        }
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        server.setHandler(handler);
        server.start();
    }

    /** How long a connection may stay silent (Jetty's default is 30 s; a held watch is silent for longer). */
    public void setIdleTimeout(java.time.Duration timeout) {
        connector.setIdleTimeout(timeout.toMillis());
    }

    /** TCP connections open to this upstream now. */
    public int connections() {
        return connector.getConnectedEndPoints().size();
    }

    public int port() {
        return connector.getLocalPort();
    }

    /** {@code localhost:port}: a name the test certificates carry. */
    public String address() {
        return "localhost:" + connector.getLocalPort();
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }
}
