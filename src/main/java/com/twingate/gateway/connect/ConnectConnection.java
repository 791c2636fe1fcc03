package com.twingate.gateway.connect;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLException;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.io.AbstractConnection;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.RetainableByteBuffer;
import org.eclipse.jetty.io.ssl.SslConnection;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The layer between the outer and the inner TLS: reads one request from the Twingate Client,
 * answers it, and then either closes or hands the endpoint to the inner TLS for kubectl's session.
 *
 * <p>Its endpoint is the outer TLS's decrypted endpoint, so the outer session (for the keying
 * material) is one hop away, and the network endpoint (for hard closes) two.
 */
final class ConnectConnection extends AbstractConnection implements Connection.UpgradeFrom {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectConnection.class);

    private final Connector connector;
    private final ConnectAuthenticator authenticator;
    private final InnerTls innerTls;
    private final ConnectListener listener;
    private final Duration timeout;
    private final Clock clock;
    private final long acceptedAtNanos = System.nanoTime();
    private final AtomicBoolean decided = new AtomicBoolean();
    private final PreambleParser parser = new PreambleParser();
    private RetainableByteBuffer buffer;
    private Scheduler.Task deadline;
    private volatile ConnectOutcome answered;

    ConnectConnection(Connector connector, EndPoint endPoint, ConnectAuthenticator authenticator, InnerTls innerTls,
                      ConnectListener listener, Duration timeout, Clock clock) {
        super(endPoint, connector.getExecutor());
        this.clock = clock;
        this.connector = connector;
        this.authenticator = authenticator;
        this.innerTls = innerTls;
        this.listener = listener;
        this.timeout = timeout;
        this.buffer = connector.getByteBufferPool().acquire(PreambleParser.MAX_HEADER_BYTES + 4096, false);
    }

    @Override
    public void onOpen() {
        super.onOpen();
        notifyListener(listener::onConnectionOpened);
        // The outer TLS connection lives as long as the TCP connection: its close is the TCP close.
        outerTls().addEventListener(new Connection.Listener() {
            @Override
            public void onClosed(Connection connection) {
                notifyListener(() -> listener.onConnectionClosed(Optional.ofNullable(answered), sinceAccept()));
            }
        });
        // Absolute, not idle: a client trickling one byte at a time must not hold the slot (slow-loris).
        deadline = connector.getScheduler().schedule(this::onDeadline, timeout.toNanos(), TimeUnit.NANOSECONDS);
        fillInterested();
    }

    @Override
    public void onFillable() {
        try {
            for (int filled = 1; filled > 0; ) {
                filled = getEndPoint().fill(buffer.getByteBuffer());
                Optional<ConnectRequest> request = parser.parse(buffer.getByteBuffer());
                if (request.isPresent()) {
                    // Verifying may wait for the controller's signing keys (an unknown key id): never on a
                    // Jetty thread, so a slow controller cannot stall other connections.
                    ConnectRequest received = request.get();
                    Thread.ofVirtual().name("connect-auth").start(() -> decide(received));
                    return;
                }
                if (parser.failure() != null) {
                    reject(HttpStatus.BAD_REQUEST_400, parser.failure(), Optional.empty());
                    return;
                }
                if (filled < 0) {
                    closeNetwork("client closed before sending a request");
                    return;
                }
            }
            fillInterested();
        } catch (IOException failed) {
            closeNetwork("reading the request failed: " + failed.getMessage());
        }
    }

    private void decide(ConnectRequest request) {
        Optional<String> connectionId = Optional.ofNullable(request.headers().get(ConnectAuthenticator.CONNECTION_ID_HEADER));
        ConnectOutcome outcome;
        try {
            outcome = authenticator.authenticate(request, this::keyingMaterial, remote());
        } catch (RuntimeException unexpected) {
            LOG.error("authenticating a CONNECT failed unexpectedly", unexpected);
            outcome = new ConnectOutcome.Rejected(HttpStatus.UNAUTHORIZED_401, "authentication failed: " + unexpected);
        }
        answer(outcome, connectionId);
    }

    private void reject(int status, String reason, Optional<String> connectionId) {
        answer(new ConnectOutcome.Rejected(status, reason), connectionId);
    }

    private void answer(ConnectOutcome outcome, Optional<String> connectionId) {
        if (!decided.compareAndSet(false, true)) {
            return;
        }
        deadline.cancel();
        answered = outcome;
        notifyListener(() -> listener.onOutcome(outcome, connectionId, remote(), sinceAccept()));
        ByteBuffer response = StatusLines.responseTo(outcome);
        switch (outcome) {
            case ConnectOutcome.Accepted accepted -> getEndPoint().write(
                    Callback.from(() -> startInnerTls(accepted.identity()), this::onWriteFailed), response);
            case ConnectOutcome.HealthCheck health -> getEndPoint().write(
                    Callback.from(getEndPoint()::close, this::onWriteFailed), response);
            case ConnectOutcome.Rejected rejected -> getEndPoint().write(
                    Callback.from(getEndPoint()::close, this::onWriteFailed), response);
        }
    }

    private void startInnerTls(ClientIdentity identity) {
        scheduleExpiry(identity.expiresAt());
        getEndPoint().upgrade(innerTls.newConnection(connector, getEndPoint(), identity));
    }

    /** The token's lifetime bounds the connection's, even in the middle of a stream. */
    private void scheduleExpiry(Instant expiresAt) {
        long delayNanos = Math.max(0, Duration.between(clock.instant(), expiresAt).toNanos());
        Scheduler.Task expiry = connector.getScheduler().schedule(
                () -> closeNetwork("token expired"), delayNanos, TimeUnit.NANOSECONDS);
        outerTls().addEventListener(new Connection.Listener() {
            @Override
            public void onClosed(Connection connection) {
                expiry.cancel();
            }
        });
    }

    private void onDeadline() {
        if (decided.compareAndSet(false, true)) {
            notifyListener(() -> listener.onTimeout(remote(), sinceAccept()));
            closeNetwork("no request within connect.timeout " + timeout);
        }
    }

    private void onWriteFailed(Throwable failure) {
        closeNetwork("writing the answer failed: " + failure.getMessage());
    }

    private byte[] keyingMaterial() {
        try {
            return ProofOfPossession.keyingMaterial(outerTls().getSSLEngine());
        } catch (SSLException e) {
            throw new IllegalStateException("cannot export keying material of the outer TLS session", e);
        }
    }

    private SslConnection outerTls() {
        return ((SslConnection.SslEndPoint) getEndPoint()).getSslConnection();
    }

    /** Closes the TCP connection itself, and with it both TLS layers and anything relayed inside. */
    private void closeNetwork(String why) {
        LOG.debug("closing connection from {}: {}", remote(), why);
        outerTls().getEndPoint().close();
    }

    private SocketAddress remote() {
        return getEndPoint().getRemoteSocketAddress();
    }

    private Duration sinceAccept() {
        return Duration.ofNanos(System.nanoTime() - acceptedAtNanos);
    }

    private static void notifyListener(Runnable notification) {
        try {
            notification.run();
        } catch (RuntimeException e) {
            LOG.warn("a CONNECT listener failed; the connection is unaffected", e);
        }
    }

    @Override
    public ByteBuffer onUpgradeFrom() {
        ByteBuffer unread = null;
        if (buffer != null && buffer.hasRemaining()) {
            unread = BufferUtil.copy(buffer.getByteBuffer());
        }
        release();
        return unread;
    }

    @Override
    public void onClose(Throwable cause) {
        release();
        if (deadline != null) {
            deadline.cancel();
        }
        super.onClose(cause);
    }

    private void release() {
        if (buffer != null) {
            buffer.release();
            buffer = null;
        }
    }

    /** The exact bytes of each answer. */
    static final class StatusLines {
        private static final String HEALTH = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";

        private StatusLines() {}

        static ByteBuffer responseTo(ConnectOutcome outcome) {
            String text = switch (outcome) {
                case ConnectOutcome.HealthCheck health -> HEALTH;
                case ConnectOutcome.Accepted accepted -> statusLine(HttpStatus.OK_200);
                case ConnectOutcome.Rejected rejected -> statusLine(rejected.status());
            };
            return ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
        }

        private static String statusLine(int status) {
            return "HTTP/1.1 " + status + " " + HttpStatus.getMessage(status) + "\r\n\r\n";
        }
    }
}
