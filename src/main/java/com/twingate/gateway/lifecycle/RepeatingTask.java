package com.twingate.gateway.lifecycle;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.util.component.AbstractLifeCycle;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * Work repeated on Jetty's scheduler while the component runs (re-reading files that rotate). Each run
 * schedules the next one when it ends, so runs never overlap and a slow run delays the next, never
 * piles up; stopping cancels what is scheduled.
 */
public abstract class RepeatingTask extends AbstractLifeCycle {

    private final Scheduler scheduler;
    private final Duration interval;
    private volatile Scheduler.Task next;

    protected RepeatingTask(Scheduler scheduler, Duration interval) {
        this.scheduler = scheduler;
        this.interval = interval;
    }

    /** One run; must not throw (log what failed and keep the last good state). */
    protected abstract void runOnce();

    /** Called from {@code doStart} once the first state is loaded. */
    protected final void startRepeating() {
        schedule();
    }

    @Override
    protected void doStop() throws Exception {
        Scheduler.Task task = next;
        if (task != null) {
            task.cancel();
        }
    }

    private void schedule() {
        if (isRunning() || isStarting()) {
            next = scheduler.schedule(this::run, interval.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void run() {
        try {
            runOnce();
        } finally {
            schedule();
        }
    }
}
