package com.twingate.gateway.relay;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The life of an upgraded request after its 101: Jetty completes the HTTP exchange when the 101 is
 * written, but the audit line and the request metrics belong to the end of the stream. Observers
 * register for that end here; the bytes relayed each way are reported as they pass.
 */
public final class UpgradedStream {

    private static final Logger LOG = LoggerFactory.getLogger(UpgradedStream.class);

    private final List<Runnable> onEnd = new CopyOnWriteArrayList<>();
    private final AtomicBoolean ended = new AtomicBoolean();
    private final LongConsumer bytesFromClient;
    private final LongConsumer bytesToClient;

    /**
     * @param bytesFromClient told of every chunk relayed from the client to the API server
     * @param bytesToClient   told of every chunk relayed from the API server to the client
     */
    public UpgradedStream(LongConsumer bytesFromClient, LongConsumer bytesToClient) {
        this.bytesFromClient = bytesFromClient;
        this.bytesToClient = bytesToClient;
    }

    /** Runs {@code action} when the stream ends (at once if it already has). */
    public void whenEnded(Runnable action) {
        onEnd.add(action);
        if (ended.get() && onEnd.remove(action)) {
            run(action);
        }
    }

    public boolean hasEnded() {
        return ended.get();
    }

    void relayedFromClient(long bytes) {
        bytesFromClient.accept(bytes);
    }

    void relayedToClient(long bytes) {
        bytesToClient.accept(bytes);
    }

    void end() {
        if (ended.compareAndSet(false, true)) {
            for (Runnable action : onEnd) {
                if (onEnd.remove(action)) {
                    run(action);
                }
            }
        }
    }

    private static void run(Runnable action) {
        try {
            action.run();
        } catch (RuntimeException e) {
            LOG.warn("an observer of an upgraded stream failed; the stream is unaffected", e);
        }
    }
}
