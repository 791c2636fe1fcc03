package com.twingate.gateway.testkit.kubeapi;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A pod's output: lines only ever appended, ended when the pod is deleted. */
final class PodLog {

    /** Lines from where a reader asked, and whether more can ever come. */
    record Lines(List<String> lines, boolean ended) {}

    private final List<String> lines = new ArrayList<>();
    private boolean ended;

    synchronized void append(String line) {
        lines.add(line);
        notifyAll();
    }

    synchronized int size() {
        return lines.size();
    }

    /** Lines from index {@code from} on, waiting up to {@code maxWait} for one if there are none yet. */
    synchronized Lines from(int from, Duration maxWait) throws InterruptedException {
        long deadline = System.nanoTime() + maxWait.toNanos();
        long left;
        while (lines.size() <= from && !ended && (left = deadline - System.nanoTime()) > 0) {
            wait(Math.max(1, left / 1_000_000));
        }
        return new Lines(List.copyOf(lines.subList(Math.min(from, lines.size()), lines.size())), ended);
    }

    synchronized void end() {
        ended = true;
        notifyAll();
    }
}
