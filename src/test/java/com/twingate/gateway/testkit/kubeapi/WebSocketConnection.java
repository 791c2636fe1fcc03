package com.twingate.gateway.testkit.kubeapi;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * The server side of RFC 6455 over an upgraded connection: whole messages in (fragments joined, client
 * masks removed, pings answered), unmasked frames out. Small on purpose: the stand-in must speak the
 * protocol the way kubectl's gorilla/websocket expects, not more.
 */
final class WebSocketConnection {

    static final int TEXT = 0x1;
    static final int BINARY = 0x2;
    private static final int CONTINUATION = 0x0;
    private static final int CLOSE = 0x8;
    private static final int PING = 0x9;
    private static final int PONG = 0xA;
    private static final String ACCEPT_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    /** A whole data message. */
    record Message(int opcode, byte[] payload) {}

    private final DataInputStream in;
    private final OutputStream out;
    private boolean closeSent;

    WebSocketConnection(InputStream in, OutputStream out) {
        this.in = new DataInputStream(in);
        this.out = out;
    }

    /** {@code Sec-WebSocket-Accept} for the client's {@code Sec-WebSocket-Key}. */
    static String accept(String key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1").digest((key.trim() + ACCEPT_GUID).getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-1", e);
        }
    }

    /** The next data message, or null once the client closed (its close frame is answered). */
    Message read() throws IOException {
        ByteArrayOutputStream message = new ByteArrayOutputStream();
        int messageOpcode = -1;
        while (true) {
            int first;
            try {
                first = in.readUnsignedByte();
            } catch (EOFException end) {
                return null;
            }
            int second = in.readUnsignedByte();
            boolean fin = (first & 0x80) != 0;
            int opcode = first & 0x0F;
            long length = second & 0x7F;
            if (length == 126) {
                length = in.readUnsignedShort();
            } else if (length == 127) {
                length = in.readLong();
            }
            byte[] mask = new byte[4];
            if ((second & 0x80) != 0) {
                in.readFully(mask);
            }
            byte[] payload = new byte[Math.toIntExact(length)];
            in.readFully(payload);
            for (int i = 0; i < payload.length; i++) {
                payload[i] ^= mask[i & 3];
            }
            switch (opcode) {
                case PING -> send(PONG, payload);
                case PONG -> { }
                case CLOSE -> {
                    close();
                    return null;
                }
                default -> {
                    if (opcode != CONTINUATION) {
                        messageOpcode = opcode;
                    }
                    message.write(payload);
                    if (fin) {
                        return new Message(messageOpcode, message.toByteArray());
                    }
                }
            }
        }
    }

    synchronized void send(int opcode, byte[] payload) throws IOException {
        if (closeSent) {
            throw new IOException("the WebSocket is closing");
        }
        write(opcode, payload);
    }

    /** Sends a normal close once; the client answers with its own, which {@link #read()} sees. */
    synchronized void close() throws IOException {
        if (!closeSent) {
            write(CLOSE, new byte[] {0x03, (byte) 0xE8});
            closeSent = true;
        }
    }

    private void write(int opcode, byte[] payload) throws IOException {
        ByteArrayOutputStream frame = new ByteArrayOutputStream(payload.length + 10);
        frame.write(0x80 | opcode);
        if (payload.length < 126) {
            frame.write(payload.length);
        } else if (payload.length < 65536) {
            frame.write(126);
            frame.write(payload.length >>> 8);
            frame.write(payload.length);
        } else {
            frame.write(127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                frame.write((int) ((long) payload.length >>> shift));
            }
        }
        frame.write(payload);
        out.write(frame.toByteArray());
    }
}
