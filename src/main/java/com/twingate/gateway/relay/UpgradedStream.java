package com.twingate.gateway.relay;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The life of an upgraded request after its 101: Jetty completes the HTTP exchange when the 101 is
 * written, but the audit line [§5] and the request metrics [§7] belong to the end of the stream.
 * Observers find this in the request attribute {@link #ATTRIBUTE} and register for the end.
 */
public final class UpgradedStream {

    public static final String ATTRIBUTE = UpgradedStream.class.getName();
    private static final Logger LOG = LoggerFactory.getLogger(UpgradedStream.class);

    private final List<Runnable> onEnd = new CopyOnWriteArrayList<>();
    private final AtomicBoolean ended = new AtomicBoolean();
    private volatile long relayedBytesToClient;

    /** Runs {@code action} when the stream ends (at once if it already has). */
    public void whenEnded(Runnable action) {
        onEnd.add(action);
        if (ended.get() && onEnd.remove(action)) {
            run(action);
        }
    }

    /** Bytes sent to the client after the 101 (for the response size metric). */
    public long relayedBytesToClient() {
        return relayedBytesToClient;
    }

    void addRelayedBytesToClient(long bytes) {
        relayedBytesToClient += bytes;
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
