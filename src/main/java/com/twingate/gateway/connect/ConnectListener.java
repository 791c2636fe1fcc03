package com.twingate.gateway.connect;

import java.net.SocketAddress;
import java.time.Duration;
import java.util.Optional;

/** Observes what happened on the gateway port before the inner TLS (audit, metrics). Must not throw. */
public interface ConnectListener {

    /**
     * Called when the answer to the request has been decided, before it is written.
     *
     * @param sinceAccept time from TCP accept to the decision
     */
    void onOutcome(ConnectOutcome outcome, Optional<String> connectionId, SocketAddress remote, Duration sinceAccept);

    /** The client did not finish TLS and its request within {@code connect.timeout}; the connection is closed. */
    void onTimeout(SocketAddress remote, Duration sinceAccept);

    /** A TCP connection was accepted on the gateway port. */
    void onConnectionOpened();

    /**
     * The TCP connection closed.
     *
     * @param outcome what its request was answered, empty when it never got that far
     */
    void onConnectionClosed(Optional<ConnectOutcome> outcome, Duration lifetime);
}
