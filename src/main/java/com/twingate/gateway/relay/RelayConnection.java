package com.twingate.gateway.relay;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.io.AbstractConnection;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.util.Blocker;
import org.eclipse.jetty.util.BufferUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replaces kubectl's HTTP connection after a 101 [§4 Upgrades]: raw bytes both ways between the
 * client's endpoint and the API server's socket until either side closes, then both are closed.
 *
 * <p>Each direction is one virtual thread doing a blocking read and a blocking write, so a slow
 * reader on one side stops the reads on the other (back-pressure) and memory stays at one buffer per
 * direction. The tap sees each chunk before it is written and cannot delay or change it.
 */
public final class RelayConnection extends AbstractConnection implements Connection.UpgradeTo {

    private static final Logger LOG = LoggerFactory.getLogger(RelayConnection.class);
    static final int BUFFER_SIZE = 64 * 1024;

    private final Socket upstream;
    private final ByteBuffer upstreamAlreadyRead;
    private final RelayTap tap;
    private final UpgradedStream stream;
    private final AtomicBoolean ended = new AtomicBoolean();
    /** Directions still copying: the stream is over for its observers only when both have stopped. */
    private final AtomicInteger directionsRunning = new AtomicInteger(2);
    private volatile boolean tapFailed;
    private ByteBuffer clientAlreadyRead = BufferUtil.EMPTY_BUFFER;

    /**
     * @param upstreamAlreadyRead bytes the API server sent right after its 101 head, read with it
     */
    public RelayConnection(EndPoint client, Executor executor, Socket upstream, ByteBuffer upstreamAlreadyRead,
                           RelayTap tap, UpgradedStream stream) {
        super(client, executor);
        this.upstream = upstream;
        this.upstreamAlreadyRead = upstreamAlreadyRead;
        this.tap = tap;
        this.stream = stream;
    }

    @Override
    public void onUpgradeTo(ByteBuffer buffer) {
        // kubectl may send its first frames right behind the upgrade request.
        clientAlreadyRead = BufferUtil.copy(buffer);
    }

    @Override
    public void onOpen() {
        super.onOpen();
        // A quiet shell is not a dead one; the token's expiry bounds the connection [§2.4].
        getEndPoint().setIdleTimeout(0);
        Thread.ofVirtual().name("relay-to-api-server").start(this::clientToServer);
        Thread.ofVirtual().name("relay-to-client").start(this::serverToClient);
    }

    @Override
    public void onFillable() {
        // Never registered: the client-to-server thread waits for readability itself.
    }

    private void clientToServer() {
        try {
            OutputStream out = upstream.getOutputStream();
            sendUpstream(clientAlreadyRead, out);
            ByteBuffer buffer = BufferUtil.allocate(BUFFER_SIZE);
            while (true) {
                BufferUtil.clear(buffer);
                int filled = getEndPoint().fill(buffer);
                if (filled < 0) {
                    break;
                }
                if (filled == 0) {
                    awaitReadable();
                    continue;
                }
                sendUpstream(buffer, out);
            }
        } catch (IOException | RuntimeException ended) {
            LOG.debug("client side of the relay ended: {}", ended.toString());
        } finally {
            directionStopped();
        }
    }

    private void sendUpstream(ByteBuffer bytes, OutputStream out) throws IOException {
        if (!bytes.hasRemaining()) {
            return;
        }
        tap(() -> tap.clientToServer(bytes.asReadOnlyBuffer()));
        out.write(bytes.array(), bytes.arrayOffset() + bytes.position(), bytes.remaining());
        out.flush();
    }

    private void awaitReadable() throws IOException {
        try (Blocker.Callback readable = Blocker.callback()) {
            getEndPoint().fillInterested(readable);
            readable.block();
        }
    }

    private void serverToClient() {
        try {
            sendToClient(upstreamAlreadyRead);
            InputStream in = upstream.getInputStream();
            byte[] buffer = new byte[BUFFER_SIZE];
            for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
                sendToClient(ByteBuffer.wrap(buffer, 0, read));
            }
        } catch (IOException | RuntimeException ended) {
            LOG.debug("API server side of the relay ended: {}", ended.toString());
        } finally {
            directionStopped();
        }
    }

    private void sendToClient(ByteBuffer bytes) throws IOException {
        if (!bytes.hasRemaining()) {
            return;
        }
        int length = bytes.remaining();
        tap(() -> tap.serverToClient(bytes.asReadOnlyBuffer()));
        try (Blocker.Callback written = Blocker.callback()) {
            getEndPoint().write(written, bytes);
            written.block();
        }
        stream.addRelayedBytesToClient(length);
    }

    /** A tap that failed once (bytes it cannot parse) sees nothing more, but is still closed. */
    private void tap(Runnable observation) {
        if (tapFailed) {
            return;
        }
        try {
            observation.run();
        } catch (RuntimeException e) {
            tapFailed = true;
            LOG.warn("session recording stopped, the session goes on unrecorded: {}", e.toString());
        }
    }

    @Override
    public void onClose(Throwable cause) {
        super.onClose(cause);
        end();
    }

    /** Either side ended: close both, once, which stops the other direction too. */
    private void end() {
        if (!ended.compareAndSet(false, true)) {
            return;
        }
        try {
            upstream.close();
        } catch (IOException e) {
            LOG.debug("closing the API server socket: {}", e.toString());
        }
        getEndPoint().close();
    }

    /**
     * One direction stopped copying. The recording and the stream's observers (audit line, metrics) hear
     * of the end only after the last one: until then the other direction may still be handing over bytes
     * that must be recorded and counted.
     */
    private void directionStopped() {
        end();
        if (directionsRunning.decrementAndGet() > 0) {
            return;
        }
        try {
            tap.close();
        } catch (RuntimeException e) {
            LOG.warn("ending the session recording failed: {}", e.toString());
        }
        stream.end();
    }
}
