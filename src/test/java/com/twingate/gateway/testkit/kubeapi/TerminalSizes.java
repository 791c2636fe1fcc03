package com.twingate.gateway.testkit.kubeapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.Consumer;

/**
 * The terminal sizes a client sends (JSON {@code {"Width":…,"Height":…}}, one per WebSocket message on
 * channel 4, or one after another on the SPDY resize stream). kubectl sends the first size as soon as
 * the connection is up, often before the process has started: the latest size is kept and handed to
 * whoever follows the sizes later.
 */
final class TerminalSizes {

    /** A terminal's size until its client says otherwise (the kubelet's runtimes start at 80x24 too). */
    static final int DEFAULT_ROWS = 24;
    static final int DEFAULT_COLS = 80;

    record Size(int width, int height) {}

    private Size latest;
    private Consumer<Size> follower;

    void offer(byte[] json) throws IOException {
        offer(Statuses.JSON.readTree(json));
    }

    /** Reads sizes until the stream ends. */
    void readAll(InputStream json) throws IOException {
        try (MappingIterator<JsonNode> sizes = Statuses.JSON.readerFor(JsonNode.class).readValues(json)) {
            while (sizes.hasNextValue()) {
                offer(sizes.nextValue());
            }
        }
    }

    private void offer(JsonNode size) {
        Size next = new Size(size.path("Width").asInt(), size.path("Height").asInt());
        Consumer<Size> to;
        synchronized (this) {
            latest = next;
            to = follower;
        }
        if (to != null) {
            to.accept(next);
        }
    }

    /** Hands over the latest size, if any, then every later one. */
    void follow(Consumer<Size> consumer) {
        Size now;
        synchronized (this) {
            follower = consumer;
            now = latest;
        }
        if (now != null) {
            consumer.accept(now);
        }
    }
}
