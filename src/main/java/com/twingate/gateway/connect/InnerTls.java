package com.twingate.gateway.connect;

import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.ssl.SslConnection;
import org.eclipse.jetty.server.ConnectionMetaData;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.component.ContainerLifeCycle;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * kubectl's own TLS, carried inside the outer TLS [§2.3]. Kept out of the connector's protocol
 * registry (a connector holds one factory per protocol, and the outer TLS is already "SSL"); the
 * connector starts it as a bean.
 */
public final class InnerTls extends ContainerLifeCycle {

    private final SslConnectionFactory tls;

    public InnerTls(SslContextFactory.Server sslContextFactory, String nextProtocol) {
        this.tls = new SslConnectionFactory(sslContextFactory, nextProtocol);
        addBean(tls);
    }

    /**
     * The inner TLS connection over {@code endPoint}, whose HTTP connection carries {@code identity}
     * for every request on it.
     */
    Connection newConnection(Connector connector, EndPoint endPoint, ClientIdentity identity) {
        SslConnection inner = (SslConnection) tls.newConnection(connector, endPoint);
        if (!(inner.getSslEndPoint().getConnection() instanceof ConnectionMetaData http)) {
            throw new IllegalStateException("the protocol after the inner TLS does not carry connection attributes: "
                    + inner.getSslEndPoint().getConnection());
        }
        http.setAttribute(ClientIdentity.ATTRIBUTE, identity);
        return inner;
    }
}
