package com.twingate.gateway.recording;

import java.nio.ByteBuffer;

/**
 * Reads RFC 6455 frames from one direction of a relayed connection, fed in whatever pieces the relay
 * read: a frame may be split at any byte. Data messages (text or binary, possibly fragmented) reach the
 * listener as a start, payload slices as they arrive (unmasked), and an end; control frames are
 * skipped, also in the middle of a fragmented message. Nothing is buffered beyond a frame header.
 */
final class WebSocketFrameReader {

    interface Listener {
        void messageStart(boolean text);

        void payload(ByteBuffer bytes);

        void messageEnd();
    }

    private enum State { FIRST_BYTE, SECOND_BYTE, EXTENDED_LENGTH, MASK, PAYLOAD }

    private final Listener listener;
    private State state = State.FIRST_BYTE;
    private boolean fin;
    private int opcode;
    private boolean masked;
    private int lengthBytesLeft;
    private long payloadLeft;
    private final byte[] mask = new byte[4];
    private int maskBytesRead;
    private long payloadOffset;
    private boolean inMessage;

    WebSocketFrameReader(Listener listener) {
        this.listener = listener;
    }

    void feed(ByteBuffer bytes) {
        ByteBuffer in = bytes.duplicate();
        while (in.hasRemaining()) {
            switch (state) {
                case FIRST_BYTE -> {
                    int b = in.get() & 0xFF;
                    fin = (b & 0x80) != 0;
                    opcode = b & 0x0F;
                    state = State.SECOND_BYTE;
                }
                case SECOND_BYTE -> {
                    int b = in.get() & 0xFF;
                    masked = (b & 0x80) != 0;
                    int length = b & 0x7F;
                    payloadLeft = 0;
                    if (length == 126) {
                        lengthBytesLeft = 2;
                        state = State.EXTENDED_LENGTH;
                    } else if (length == 127) {
                        lengthBytesLeft = 8;
                        state = State.EXTENDED_LENGTH;
                    } else {
                        payloadLeft = length;
                        afterLength();
                    }
                }
                case EXTENDED_LENGTH -> {
                    payloadLeft = (payloadLeft << 8) | (in.get() & 0xFF);
                    if (--lengthBytesLeft == 0) {
                        afterLength();
                    }
                }
                case MASK -> {
                    mask[maskBytesRead++] = in.get();
                    if (maskBytesRead == 4) {
                        startPayload();
                    }
                }
                case PAYLOAD -> readPayload(in);
            }
        }
    }

    private void afterLength() {
        maskBytesRead = 0;
        if (masked) {
            state = State.MASK;
        } else {
            startPayload();
        }
    }

    private void startPayload() {
        payloadOffset = 0;
        if (isData()) {
            if (opcode != 0 || !inMessage) {
                if (inMessage) {
                    listener.messageEnd();
                }
                inMessage = true;
                listener.messageStart(opcode == 1);
            }
        }
        state = State.PAYLOAD;
        if (payloadLeft == 0) {
            endFrame();
        }
    }

    private void readPayload(ByteBuffer in) {
        int take = (int) Math.min(in.remaining(), payloadLeft);
        if (isData()) {
            byte[] slice = new byte[take];
            in.get(slice);
            if (masked) {
                for (int i = 0; i < take; i++) {
                    slice[i] ^= mask[(int) ((payloadOffset + i) & 3)];
                }
            }
            listener.payload(ByteBuffer.wrap(slice));
        } else {
            in.position(in.position() + take);
        }
        payloadOffset += take;
        payloadLeft -= take;
        if (payloadLeft == 0) {
            endFrame();
        }
    }

    private void endFrame() {
        if (isData() && fin) {
            inMessage = false;
            listener.messageEnd();
        }
        state = State.FIRST_BYTE;
    }

    private boolean isData() {
        return opcode < 8;
    }
}
