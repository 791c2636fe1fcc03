package com.twingate.gateway.connect;

import java.time.Clock;
import java.time.Duration;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.AbstractConnectionFactory;
import org.eclipse.jetty.server.Connector;

/** Registers the CONNECT step as a protocol of the gateway connector, after the outer TLS. */
public final class ConnectConnectionFactory extends AbstractConnectionFactory {

    public static final String PROTOCOL = "twingate-connect";

    private final ConnectAuthenticator authenticator;
    private final InnerTls innerTls;
    private final ConnectListener listener;
    private final Duration timeout;
    private final Clock clock;

    /** @param clock what the token's expiry is measured against */
    public ConnectConnectionFactory(ConnectAuthenticator authenticator, InnerTls innerTls, ConnectListener listener,
                                    Duration timeout, Clock clock) {
        super(PROTOCOL);
        this.authenticator = authenticator;
        this.innerTls = innerTls;
        this.listener = listener;
        this.timeout = timeout;
        this.clock = clock;
        addBean(innerTls);
    }

    @Override
    public Connection newConnection(Connector connector, EndPoint endPoint) {
        return configure(new ConnectConnection(connector, endPoint, authenticator, innerTls, listener, timeout, clock),
                connector, endPoint);
    }
}
