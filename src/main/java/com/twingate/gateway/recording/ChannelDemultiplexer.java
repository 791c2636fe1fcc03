package com.twingate.gateway.recording;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Kubernetes' channel protocols over WebSocket messages [§6]: in {@code v4/v5.channel.k8s.io} the first
 * byte of a binary message is the stream id; in the {@code base64} variants a text message starts with
 * the stream id digit and carries base64. Hands each stream's bytes on as they arrive.
 */
final class ChannelDemultiplexer implements WebSocketFrameReader.Listener {

    @FunctionalInterface
    interface Streams {
        void data(int stream, ByteBuffer bytes);
    }

    private final Streams streams;
    private boolean text;
    private int stream = -1;
    private final StringBuilder base64Carry = new StringBuilder();

    ChannelDemultiplexer(Streams streams) {
        this.streams = streams;
    }

    @Override
    public void messageStart(boolean text) {
        this.text = text;
        this.stream = -1;
        base64Carry.setLength(0);
    }

    @Override
    public void payload(ByteBuffer bytes) {
        if (!bytes.hasRemaining()) {
            return;
        }
        if (stream < 0) {
            int first = bytes.get() & 0xFF;
            stream = text ? first - '0' : first;
        }
        if (!text) {
            if (bytes.hasRemaining()) {
                streams.data(stream, bytes);
            }
            return;
        }
        // base64 decodes in groups of four characters; a group may straddle payload slices.
        base64Carry.append(StandardCharsets.US_ASCII.decode(bytes));
        int whole = base64Carry.length() - base64Carry.length() % 4;
        if (whole > 0) {
            byte[] decoded = Base64.getDecoder().decode(base64Carry.substring(0, whole));
            base64Carry.delete(0, whole);
            streams.data(stream, ByteBuffer.wrap(decoded));
        }
    }

    @Override
    public void messageEnd() {
        stream = -1;
    }
}
