package com.twingate.gateway.recording;

import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes every recording part, in order, off the relay's threads: cutting a part happens where the
 * bytes pass, writing it (log lines, files) happens here. Handing a part over never blocks; the memory
 * parts hold while they wait is the {@link RecordingBudget}'s, given back as each is written, and it is
 * the budget that makes a session outrunning the log wait — without holding a thread.
 */
final class RecordingWriter {

    private static final Logger LOG = LoggerFactory.getLogger(RecordingWriter.class);

    private final Executor thread;
    private final RecordingBudget budget;

    /** @param thread runs the writes one at a time, in order */
    RecordingWriter(Executor thread, RecordingBudget budget) {
        this.thread = thread;
        this.budget = budget;
    }

    /** The writer of a running gateway: one background thread. */
    static RecordingWriter onItsOwnThread(RecordingBudget budget) {
        return new RecordingWriter(Executors.newSingleThreadExecutor(Thread.ofPlatform().name("recording-writer").daemon().factory()),
                budget);
    }

    RecordingBudget budget() {
        return budget;
    }

    /** Hands over a part of {@code bytes} (already taken from the budget, given back once written). */
    void write(long bytes, Runnable write) {
        execute(() -> {
            try {
                write.run();
            } finally {
                budget.give(bytes);
            }
        }, () -> budget.give(bytes));
    }

    /** Runs {@code task} after every part handed over before it. */
    void execute(Runnable task) {
        execute(task, () -> { });
    }

    private void execute(Runnable task, Runnable rejected) {
        try {
            thread.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    LOG.warn("writing a session recording part failed: {}", e.toString());
                }
            });
        } catch (RejectedExecutionException stopped) {
            rejected.run();
            LOG.warn("a session recording part arrived after the gateway stopped recording; it is not written");
        }
    }

    /** Writes what is waiting, then stops (bounded: a stuck log must not hold the shutdown forever). */
    void stop() throws InterruptedException {
        if (thread instanceof ExecutorService service) {
            service.shutdown();
            service.awaitTermination(10, TimeUnit.SECONDS);
        }
    }
}
