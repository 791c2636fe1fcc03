package com.twingate.gateway.connect;

import java.util.Optional;
import javax.net.ssl.SSLEngine;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.ssl.SslConnection;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.component.ContainerLifeCycle;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * kubectl's own TLS, carried inside the outer TLS, and what runs on it: HTTP/1.1, or (with ALPN) HTTP/2.
 * Kept out of the connector's protocol registry (a connector holds one factory per protocol, and the
 * outer TLS is already "SSL"); the connector starts it as a bean.
 *
 * <p>The connection's identity, fixed at CONNECT, is kept by this TLS layer: whatever protocol runs
 * on it — one HTTP/1.1 connection, or an HTTP/2 session with many streams — finds it one endpoint below
 * ({@link #identityOf}).
 */
public final class InnerTls extends ContainerLifeCycle {

    private final SslConnectionFactory tls;

    /** @param nextProtocol {@code http/1.1}, or {@code alpn} to let kubectl choose h2 */
    public InnerTls(SslContextFactory.Server sslContextFactory, String nextProtocol) {
        this.tls = new SslConnectionFactory(sslContextFactory, nextProtocol) {
            @Override
            protected SslConnection newSslConnection(Connector connector, EndPoint endPoint, SSLEngine engine) {
                return new IdentifiedTls(connector, getSslContextFactory(), endPoint, engine, isDirectBuffersForEncryption(),
                        isDirectBuffersForDecryption());
            }
        };
        addBean(tls);
    }

    /** The inner TLS connection over {@code endPoint}, carrying {@code identity} for every request on it. */
    Connection newConnection(Connector connector, EndPoint endPoint, ClientIdentity identity) {
        IdentifiedTls inner = (IdentifiedTls) tls.newConnection(connector, endPoint);
        inner.identity = identity;
        return inner;
    }

    /**
     * The identity of the kubectl connection whose decrypted endpoint this is — the endpoint under an
     * HTTP/1.1 connection or an HTTP/2 session on the gateway port.
     */
    public static Optional<ClientIdentity> identityOf(EndPoint endPoint) {
        if (endPoint instanceof SslConnection.SslEndPoint decrypted && decrypted.getSslConnection() instanceof IdentifiedTls inner) {
            return Optional.ofNullable(inner.identity);
        }
        return Optional.empty();
    }

    private static final class IdentifiedTls extends SslConnection {
        /** Set once, before the connection is opened. */
        private volatile ClientIdentity identity;

        private IdentifiedTls(Connector connector, SslContextFactory sslContextFactory, EndPoint endPoint, SSLEngine engine,
                              boolean directEncryption, boolean directDecryption) {
            super(connector.getByteBufferPool(), connector.getExecutor(), sslContextFactory, endPoint, engine, directEncryption,
                    directDecryption);
        }
    }
}
