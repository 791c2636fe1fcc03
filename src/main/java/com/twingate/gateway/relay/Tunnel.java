package com.twingate.gateway.relay;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.eclipse.jetty.io.AbstractConnection;
import org.eclipse.jetty.io.ByteBufferPool;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.RetainableByteBuffer;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.IteratingCallback;
import org.eclipse.jetty.util.thread.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * exec, attach, port-forward and cp after the 101: kubectl's endpoint and the API server's joined
 * byte for byte, both ways, as Jetty's {@code ConnectHandler} joins a tunnel. Each end's connection
 * reads what its endpoint has and writes it to the other end, and reads again only once that write
 * has completed: no thread waits on the network, a reader that stops slows the writer on the other
 * side (back-pressure), and a quiet tunnel holds no buffer.
 *
 * <p>When one side stops sending, the other side's output is shut down (a half-close) and the other
 * direction goes on, so what is still in flight — a WebSocket close frame, a command's last output —
 * is delivered; bytes a closed side can no longer take are dropped while the sender finishes. Both
 * endpoints close when both directions have ended, or {@code linger} after the first one did. A
 * failure on either side closes both at once. The tap and the stream's observers hear of the end
 * only after both directions stopped, so they have seen every byte.
 *
 * <p>The tap sees each chunk before it is passed on, and says when its side may be read again: a
 * recording that cannot keep up pauses the side whose bytes it records — the pump waits for the tap's
 * answer without holding a thread — and a recording that failed ends the session before the chunk is
 * passed on.
 */
public final class Tunnel {

    private static final Logger LOG = LoggerFactory.getLogger(Tunnel.class);
    static final int BUFFER_SIZE = 64 * 1024;

    private final End client;
    private final End server;
    private final ByteBufferPool buffers;
    private final Scheduler scheduler;
    private final Duration linger;
    private final RelayTap tap;
    private final UpgradedStream stream;
    private final Consumer<Tunnel> onClosed;
    private final AtomicInteger opened = new AtomicInteger();
    private final AtomicInteger directionsStopped = new AtomicInteger();
    private final AtomicBoolean closing = new AtomicBoolean();
    private final Executor executor;
    private volatile Scheduler.Task lingering;

    Tunnel(EndPoint clientEndPoint, EndPoint serverEndPoint, Executor executor, ByteBufferPool buffers, Scheduler scheduler,
           Duration linger, RelayTap tap, UpgradedStream stream, Consumer<Tunnel> onClosed) {
        this.buffers = buffers;
        this.scheduler = scheduler;
        this.linger = linger;
        this.tap = tap;
        this.stream = stream;
        this.onClosed = onClosed;
        this.executor = executor;
        this.client = new End(clientEndPoint, executor, Direction.FROM_CLIENT);
        this.server = new End(serverEndPoint, executor, Direction.FROM_SERVER);
    }

    /** The connection for kubectl's endpoint; Jetty installs it once the 101 is written. */
    public Connection clientConnection() {
        return client;
    }

    /** The connection for the API server's endpoint ({@link EndPoint#upgrade}). */
    public Connection serverConnection() {
        return server;
    }

    /** Nothing can be relayed (the 101 did not reach kubectl): both sides are closed, observers told. */
    public void abort(Throwable cause) {
        LOG.debug("tunnel aborted before it started: {}", cause.toString());
        client.stop(cause);
        server.stop(cause);
        closeBoth();
    }

    /** Ends a running session at once (its recording failed): both sides are closed, observers told. */
    public void end(Throwable cause) {
        LOG.debug("tunnel ended: {}", cause.toString());
        closeBoth();
    }

    private void endOpened() {
        // The API server's first frames must not reach kubectl before the 101 does: start when both ends are in place.
        if (opened.incrementAndGet() == 2) {
            client.pump.iterate();
            server.pump.iterate();
        }
    }

    /** One direction stopped: at its source's end of stream ({@code failure} null), or on a failure. */
    private void directionStopped(End source, Throwable failure) {
        if (failure == null) {
            source.peer().getEndPoint().shutdownOutput();
        } else {
            LOG.debug("relay {} ended: {}", source.direction, failure.toString());
            closeBoth();
        }
        if (directionsStopped.incrementAndGet() == 2) {
            closeBoth();
            finish();
        } else if (failure == null && linger.isPositive()) {
            lingering = scheduler.schedule(this::closeBoth, linger.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void closeBoth() {
        if (closing.compareAndSet(false, true)) {
            Scheduler.Task task = lingering;
            if (task != null) {
                task.cancel();
            }
            client.getEndPoint().close();
            server.getEndPoint().close();
        }
    }

    private void finish() {
        Scheduler.Task task = lingering;
        if (task != null) {
            task.cancel();
        }
        try {
            tap.close();
        } catch (RuntimeException e) {
            LOG.warn("ending the session recording failed: {}", e.toString());
        }
        stream.end();
        onClosed.accept(this);
    }

    /** Counts the chunk and shows it to the tap; a tap that throws (it must not) ends the session. */
    private CompletionStage<Void> tap(Direction direction, ByteBuffer bytes) {
        int length = bytes.remaining();
        if (direction == Direction.FROM_CLIENT) {
            stream.relayedFromClient(length);
        } else {
            stream.relayedToClient(length);
        }
        try {
            return direction == Direction.FROM_CLIENT ? tap.clientToServer(bytes.asReadOnlyBuffer())
                    : tap.serverToClient(bytes.asReadOnlyBuffer());
        } catch (Exception e) {
            LOG.error("the relay's tap failed; the session is ended rather than relayed unseen", e);
            return CompletableFuture.failedStage(e);
        }
    }

    private enum Direction { FROM_CLIENT, FROM_SERVER }

    /** One side of the tunnel: reads its endpoint and writes to the other side's. */
    private final class End extends AbstractConnection implements Connection.UpgradeTo {

        private final Direction direction;
        private final Pump pump = new Pump();
        private ByteBuffer alreadyRead;

        private End(EndPoint endPoint, Executor executor, Direction direction) {
            super(endPoint, executor);
            this.direction = direction;
        }

        private End peer() {
            return this == client ? server : client;
        }

        @Override
        public void onUpgradeTo(ByteBuffer buffer) {
            // Bytes that arrived with the upgrade: kubectl's first frames behind its request, the API
            // server's behind its 101.
            alreadyRead = buffer;
        }

        @Override
        public void onOpen() {
            super.onOpen();
            // A quiet shell is not a dead one: the token's expiry and TCP keep-alive bound a tunnel, not idleness.
            getEndPoint().setIdleTimeout(0);
            endOpened();
        }

        @Override
        public void onFillable() {
            pump.iterate();
        }

        @Override
        public void onFillInterestedFailed(Throwable cause) {
            stop(cause);
        }

        @Override
        public boolean onIdleExpired(java.util.concurrent.TimeoutException timeout) {
            return false;
        }

        @Override
        public void onClose(Throwable cause) {
            super.onClose(cause);
            stop(cause == null ? new IOException("closed") : cause);
        }

        private void stop(Throwable cause) {
            pump.abort(cause);
        }

        /** Read, tap, write, wait for the write and the tap, again; until the source ends or fails. */
        private final class Pump extends IteratingCallback {
            private final Callback written = Callback.from(this::writeDone, this::writeFailed);
            private RetainableByteBuffer buffer;
            /** The tap's answer for the chunk being written: the next read waits for it. */
            private CompletionStage<Void> tapped = RelayTap.GO_ON;
            /** The other side can take no more (it closed): what this side still sends is dropped. */
            private boolean discarding;

            @Override
            protected Action process() throws IOException {
                ByteBuffer bytes;
                if (alreadyRead != null) {
                    bytes = alreadyRead;
                    alreadyRead = null;
                } else {
                    buffer = buffers.acquire(BUFFER_SIZE, true);
                    int filled = getEndPoint().fill(buffer.getByteBuffer());
                    if (filled <= 0) {
                        release();
                        if (filled == 0) {
                            fillInterested();
                            return Action.IDLE;
                        }
                        return Action.SUCCEEDED;
                    }
                    bytes = buffer.getByteBuffer();
                }
                if (!bytes.hasRemaining()) {
                    succeeded();
                    return Action.SCHEDULED;
                }
                tapped = tap(direction, bytes);
                if (tapped != RelayTap.GO_ON && tapped.toCompletableFuture().isCompletedExceptionally()) {
                    // The session must end: this chunk is not passed on unrecorded.
                    release();
                    throw new IOException("the session's recording failed", tapped.toCompletableFuture().exceptionNow());
                }
                if (discarding) {
                    release();
                    next();
                    return Action.SCHEDULED;
                }
                peer().getEndPoint().write(written, bytes);
                return Action.SCHEDULED;
            }

            private void writeDone() {
                release();
                next();
            }

            private void writeFailed(Throwable failure) {
                LOG.debug("relay {}: the other side takes no more ({}); dropping the rest", direction, failure.toString());
                release();
                discarding = true;
                next();
            }

            /** Reads again once the tap has caught up; a tap that fails meanwhile ends the direction. */
            private void next() {
                CompletionStage<Void> waitFor = tapped;
                tapped = RelayTap.GO_ON;
                if (waitFor == RelayTap.GO_ON) {
                    succeeded();
                    return;
                }
                waitFor.whenCompleteAsync((caughtUp, failure) -> {
                    if (failure == null) {
                        succeeded();
                    } else {
                        failed(failure);
                    }
                }, executor);
            }

            private void release() {
                if (buffer != null) {
                    buffer.release();
                    buffer = null;
                }
            }

            @Override
            protected void onCompleted(Throwable causeOrNull) {
                release();
                directionStopped(End.this, causeOrNull);
            }
        }
    }
}
