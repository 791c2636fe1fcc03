package com.twingate.gateway.recording;

import com.twingate.gateway.relay.RelayTap;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The memory all recordings hold at once — events not yet cut into a part, and parts the writer has not
 * written yet — against {@code recording.bufferBudget}. Past the budget, a session's events are cut into a
 * part at once, and a session that adds more is told to wait: the relay stops reading its side until the
 * writer has brought the total back under the budget. Nothing waits on a thread.
 */
final class RecordingBudget {

    private final long limit;
    private final Queue<CompletableFuture<Void>> waiting = new ArrayDeque<>();
    private long held;

    RecordingBudget(long limit) {
        this.limit = limit;
    }

    synchronized void take(long bytes) {
        held += bytes;
    }

    void give(long bytes) {
        List<CompletableFuture<Void>> ready = new ArrayList<>();
        synchronized (this) {
            held -= bytes;
            while (held < limit && !waiting.isEmpty()) {
                ready.add(waiting.poll());
            }
        }
        // Outside the lock: whoever waited resumes on its own executor.
        ready.forEach(future -> future.complete(null));
    }

    synchronized boolean exhausted() {
        return held >= limit;
    }

    /** Done at once while under the budget, else once the writer has given enough back. */
    synchronized CompletionStage<Void> whenAvailable() {
        if (held < limit) {
            return RelayTap.GO_ON;
        }
        CompletableFuture<Void> wait = new CompletableFuture<>();
        waiting.add(wait);
        return wait;
    }

    synchronized long held() {
        return held;
    }

    long limit() {
        return limit;
    }

    /** How many bytes a string holds on the heap: one a char while it is Latin-1, two once it is not. */
    static long heapBytes(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) > 0xFF) {
                return 2L * text.length();
            }
        }
        return text.length();
    }
}
