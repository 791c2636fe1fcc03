package com.twingate.gateway.recording;

import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that writes every recording part, in order, with a bounded backlog. Parts are cut on
 * the relay's threads and written here so that logging never runs on the relay; but a session whose
 * output outruns the log (a fast {@code cat} of a big file into a slow log pipeline) must not queue
 * parts without end. Once {@code maxPendingParts} wait, handing over one more blocks its relay thread —
 * back-pressure that slows that session to the speed of the log rather than dropping what the audit
 * needs or letting memory grow.
 */
final class RecordingWriter implements Executor {

    private static final Logger LOG = LoggerFactory.getLogger(RecordingWriter.class);

    private final Semaphore pending;
    private final ExecutorService thread =
            Executors.newSingleThreadExecutor(Thread.ofPlatform().name("recording-writer").daemon().factory());

    RecordingWriter(int maxPendingParts) {
        this.pending = new Semaphore(maxPendingParts);
    }

    @Override
    public void execute(Runnable write) {
        pending.acquireUninterruptibly();
        try {
            thread.execute(() -> {
                try {
                    write.run();
                } catch (RuntimeException e) {
                    LOG.warn("writing a session recording part failed: {}", e.toString());
                } finally {
                    pending.release();
                }
            });
        } catch (RejectedExecutionException stopped) {
            pending.release();
            LOG.warn("a session recording part arrived after the gateway stopped recording; it is not written");
        }
    }

    /** Writes what is waiting, then stops (bounded: a stuck log must not hold the shutdown forever). */
    void stop() throws InterruptedException {
        thread.shutdown();
        thread.awaitTermination(10, TimeUnit.SECONDS);
    }
}
