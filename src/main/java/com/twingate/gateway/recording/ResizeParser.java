package com.twingate.gateway.recording;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Terminal sizes from the client's resize stream: JSON objects {@code {"Width":…,"Height":…}}, one per
 * message (WebSocket) or back to back in a byte stream (SPDY), possibly split anywhere.
 */
final class ResizeParser {

    /** A size object is tiny; anything larger is not one and is dropped. */
    private static final int MAX_PENDING = 4096;
    private static final ObjectMapper JSON = new ObjectMapper();

    interface Sizes {
        void resize(int width, int height);
    }

    private final Sizes sizes;
    private final StringBuilder pending = new StringBuilder();

    ResizeParser(Sizes sizes) {
        this.sizes = sizes;
    }

    void bytes(ByteBuffer data) {
        pending.append(StandardCharsets.UTF_8.decode(data.duplicate()));
        int depth = 0;
        int start = 0;
        for (int i = 0; i < pending.length(); i++) {
            char c = pending.charAt(i);
            if (c == '{') {
                if (depth++ == 0) {
                    start = i;
                }
            } else if (c == '}' && depth > 0 && --depth == 0) {
                parse(pending.substring(start, i + 1));
                pending.delete(0, i + 1);
                i = -1;
            }
        }
        if (pending.length() > MAX_PENDING) {
            pending.setLength(0);
        }
    }

    private void parse(String object) {
        try {
            JsonNode size = JSON.readTree(object);
            sizes.resize(size.path("Width").asInt(), size.path("Height").asInt());
        } catch (IOException notASize) {
            // Not a size object: nothing to record.
        }
    }
}
