package com.twingate.gateway.testkit.kubeapi;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

/**
 * The channel framing of k8s.io/apimachinery's {@code wsstream}, shared by exec, attach and port-forward
 * over WebSocket: every message starts with its channel number; the base64 protocols send text messages
 * whose first character is the channel digit and whose rest is base64.
 */
final class ChannelFraming {

    private final WebSocketConnection socket;
    private final boolean base64;

    ChannelFraming(WebSocketConnection socket, String protocol) {
        this.socket = socket;
        this.base64 = protocol.contains("base64");
    }

    /** The next message as channel byte then data (empty for an empty message), or null at the end. */
    byte[] read() throws IOException {
        WebSocketConnection.Message message = socket.read();
        if (message == null) {
            return null;
        }
        if (!base64) {
            return message.payload();
        }
        String text = new String(message.payload(), StandardCharsets.US_ASCII);
        if (text.isEmpty()) {
            return new byte[0];
        }
        byte[] data;
        try {
            data = Base64.getDecoder().decode(text.substring(1));
        } catch (IllegalArgumentException notBase64) {
            // The API server logs such a frame and goes on reading: an empty message, which callers skip.
            return new byte[0];
        }
        byte[] payload = new byte[data.length + 1];
        payload[0] = (byte) (text.charAt(0) - '0');
        System.arraycopy(data, 0, payload, 1, data.length);
        return payload;
    }

    void send(int channel, byte[] data, int offset, int length) throws IOException {
        if (base64) {
            String text = (char) ('0' + channel) + Base64.getEncoder().encodeToString(Arrays.copyOfRange(data, offset, offset + length));
            socket.send(WebSocketConnection.TEXT, text.getBytes(StandardCharsets.US_ASCII));
            return;
        }
        byte[] message = new byte[length + 1];
        message[0] = (byte) channel;
        System.arraycopy(data, offset, message, 1, length);
        socket.send(WebSocketConnection.BINARY, message);
    }

    /** A normal close of the whole WebSocket. */
    void close() {
        socket.close();
    }
}
