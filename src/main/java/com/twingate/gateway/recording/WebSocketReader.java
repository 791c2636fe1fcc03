package com.twingate.gateway.recording;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * exec and attach over WebSocket: the channel protocols of the API server ({@code k8s.io/apimachinery}'s
 * {@code wsstream}), each direction read as its receiver reads it.
 *
 * <p>The client's frames are read as the API server's WebSocket library ({@code golang.org/x/net/websocket})
 * reads them: every data frame is a message of its own, whatever its opcode (text, binary, continuation
 * or reserved); its first byte is the channel, and the payload is raw or base64 by the negotiated
 * subprotocol, never by the frame type. What the API server ignores (unknown channels, base64 that does not
 * decode, empty frames) is ignored here and reading goes on; what ends its reading (a close, a pong, an
 * unmasked frame, an empty ping, a frame over 32 MiB) ends reading here. A 64-bit length with the high bit
 * set is negative there, and reads as an empty frame. Only the resize channel matters to a recording.
 *
 * <p>The API server's frames are read as the client reads them (RFC 6455): fragments join into messages
 * and control frames may come between them. The API server only ever sends whole, unmasked, well-formed
 * frames; anything else is {@link StreamEvents#unreadable unreadable}, never guessed at.
 */
final class WebSocketReader implements ProtocolReader {

    /** How channel messages carry their data. */
    enum Codec { BINARY, BASE64 }

    static final int STDOUT = 1;
    static final int STDERR = 2;
    static final int RESIZE = 4;
    /** x/net/websocket's DefaultMaxPayloadBytes: a longer frame ends the API server's reading. */
    private static final long MAX_CLIENT_FRAME = 32L << 20;
    /** A terminal size is a few dozen bytes; a resize frame past this is not recorded as one. */
    private static final int MAX_RESIZE_FRAME = 64 * 1024;

    private final ClientFrames fromClient;
    private final ServerFrames fromServer;

    WebSocketReader(Codec codec, StreamEvents events) {
        this.fromClient = new ClientFrames(codec, events);
        this.fromServer = new ServerFrames(codec, events);
    }

    /**
     * The codec of a subprotocol the API server answered with; empty for one it does not speak for exec
     * and attach. No subprotocol at all is the binary channel protocol.
     */
    static Optional<Codec> codecOf(String subprotocol) {
        return switch (subprotocol) {
            case "", "channel.k8s.io", "v4.channel.k8s.io", "v5.channel.k8s.io" -> Optional.of(Codec.BINARY);
            case "base64.channel.k8s.io", "v4.base64.channel.k8s.io" -> Optional.of(Codec.BASE64);
            default -> Optional.empty();
        };
    }

    @Override
    public void fromClient(ByteBuffer bytes) {
        fromClient.feed(bytes.duplicate());
    }

    @Override
    public void fromServer(ByteBuffer bytes) {
        fromServer.feed(bytes.duplicate());
    }

    /**
     * Frames read as the pieces come: the header a byte at a time, then the payload in slices; the
     * subclass says what a frame means and what its payload is for.
     */
    private abstract static class FrameReader {
        private int headerState;
        private int lengthBytes;
        protected int firstByte;
        protected int opcode;
        protected boolean masked;
        protected long length;
        protected final byte[] mask = new byte[4];
        private int maskBytes;

        protected boolean inPayload;
        protected long remaining;
        protected long offset;

        final void feed(ByteBuffer in) {
            while (in.hasRemaining() && !stopped()) {
                if (!inPayload) {
                    if (header(in)) {
                        offset = 0;
                        frameStarts();
                    }
                    continue;
                }
                int take = (int) Math.min(in.remaining(), remaining);
                if (skipsPayload()) {
                    in.position(in.position() + take);
                } else {
                    data(payload(in, take, offset));
                }
                offset += take;
                remaining -= take;
                if (remaining == 0) {
                    inPayload = false;
                    frameEnds();
                }
            }
        }

        /** A frame's header was read: set {@code inPayload} and {@code remaining} to read its payload. */
        protected abstract void frameStarts();

        protected abstract boolean skipsPayload();

        protected abstract void data(ByteBuffer payload);

        protected abstract void frameEnds();

        /** Nothing more is read from this direction. */
        protected abstract boolean stopped();

        /** Reads header bytes; true once the header is complete (the rest of {@code in} is payload). */
        private boolean header(ByteBuffer in) {
            while (in.hasRemaining()) {
                int b = in.get() & 0xFF;
                switch (headerState) {
                    case 0 -> {
                        firstByte = b;
                        opcode = b & 0x0F;
                        headerState = 1;
                    }
                    case 1 -> {
                        masked = (b & 0x80) != 0;
                        int length7 = b & 0x7F;
                        length = length7 <= 125 ? length7 : 0;
                        lengthBytes = length7 == 126 ? 2 : length7 == 127 ? 8 : 0;
                        headerState = lengthBytes > 0 ? 2 : 3;
                    }
                    case 2 -> {
                        // Go's int64 arithmetic: a high bit set makes the length negative, as here.
                        length = length * 256 + b;
                        if (--lengthBytes == 0) {
                            headerState = 3;
                        }
                    }
                    default -> {
                        mask[maskBytes++] = (byte) b;
                    }
                }
                if (headerState == 3 && (!masked || maskBytes == 4)) {
                    headerState = 0;
                    maskBytes = 0;
                    return true;
                }
            }
            return false;
        }

        /** Unmasks {@code take} payload bytes from {@code in}, {@code offset} bytes into the payload. */
        private ByteBuffer payload(ByteBuffer in, int take, long offset) {
            ByteBuffer slice = in.slice(in.position(), take);
            in.position(in.position() + take);
            if (!masked) {
                return slice;
            }
            byte[] unmasked = new byte[take];
            slice.get(unmasked);
            for (int i = 0; i < take; i++) {
                unmasked[i] ^= mask[(int) ((offset + i) & 3)];
            }
            return ByteBuffer.wrap(unmasked);
        }
    }

    /** The client's frames, as the API server reads them. */
    private static final class ClientFrames extends FrameReader {
        private final Codec codec;
        private final StreamEvents events;
        private boolean skipping;
        /** The API server stopped reading: nothing after this reaches a channel. */
        private boolean ended;
        private int channel;
        private final ByteArrayOutputStream resize = new ByteArrayOutputStream();
        private boolean resizeTooLong;

        ClientFrames(Codec codec, StreamEvents events) {
            this.codec = codec;
            this.events = events;
        }

        @Override
        protected boolean stopped() {
            return ended;
        }

        @Override
        protected boolean skipsPayload() {
            return skipping;
        }

        @Override
        protected void frameStarts() {
            if (!masked || opcode == 0x8 || opcode == 0xA) {
                // An unmasked frame or a close ends the API server's reading; a pong is "not implemented" there.
                ended = true;
                return;
            }
            channel = -1;
            skipping = opcode == 0x9;
            if (skipping) {
                // The ping's payload is read and answered; an empty one fails that read, which ends the connection.
                ended = length <= 0;
            } else if (length > MAX_CLIENT_FRAME) {
                ended = true;
                return;
            }
            // A negative length limits the read to nothing: an empty message, which is skipped.
            inPayload = length > 0;
            remaining = length;
        }

        @Override
        protected void data(ByteBuffer bytes) {
            if (channel < 0 && bytes.hasRemaining()) {
                int first = bytes.get() & 0xFF;
                channel = codec == Codec.BASE64 ? (first - '0') & 0xFF : first;
            }
            if (channel == RESIZE && !resizeTooLong) {
                if (resize.size() + bytes.remaining() > MAX_RESIZE_FRAME) {
                    resizeTooLong = true;
                    resize.reset();
                    return;
                }
                byte[] copy = new byte[bytes.remaining()];
                bytes.get(copy);
                resize.writeBytes(copy);
            }
        }

        @Override
        protected void frameEnds() {
            if (!skipping && channel == RESIZE && !resizeTooLong) {
                byte[] data = codec == Codec.BASE64 ? GoBase64.decode(resize.toByteArray()) : resize.toByteArray();
                // Base64 that does not decode is a frame the API server drops.
                if (data != null) {
                    events.resize(ByteBuffer.wrap(data));
                }
            }
            resize.reset();
            resizeTooLong = false;
        }
    }

    /** The API server's frames, as the client reads them. */
    private static final class ServerFrames extends FrameReader {
        private final Codec codec;
        private final StreamEvents events;
        private boolean broken;
        private boolean control;
        private boolean fin;
        private boolean inMessage;
        private int channel;
        private GoBase64 base64;

        ServerFrames(Codec codec, StreamEvents events) {
            this.codec = codec;
            this.events = events;
        }

        @Override
        protected boolean stopped() {
            return broken;
        }

        @Override
        protected boolean skipsPayload() {
            return control;
        }

        @Override
        protected void frameStarts() {
            fin = (firstByte & 0x80) != 0;
            control = opcode >= 0x8;
            if ((firstByte & 0x70) != 0) {
                fail("a frame with reserved bits set, though no extension was negotiated");
            } else if (length < 0) {
                fail("a frame length with the high bit set");
            } else if (opcode > 0xA || opcode >= 0x3 && opcode <= 0x7) {
                fail("a frame with the reserved opcode " + opcode);
            } else if (opcode == 0x0 && !inMessage) {
                fail("a continuation frame outside a message");
            } else if ((opcode == 0x1 || opcode == 0x2) && inMessage) {
                fail("a new message inside a fragmented one");
            } else {
                if (opcode == 0x1 || opcode == 0x2) {
                    inMessage = true;
                    channel = -1;
                    base64 = codec == Codec.BASE64 ? new GoBase64() : null;
                }
                remaining = length;
                inPayload = remaining > 0;
                if (!inPayload) {
                    frameEnds();
                }
            }
        }

        @Override
        protected void data(ByteBuffer bytes) {
            if (channel < 0 && bytes.hasRemaining()) {
                int first = bytes.get() & 0xFF;
                channel = codec == Codec.BASE64 ? first - '0' : first;
            }
            if (!bytes.hasRemaining() || channel != STDOUT && channel != STDERR) {
                return;
            }
            ByteBuffer output = base64 == null ? bytes : base64.feed(bytes);
            if (base64 != null && base64.failed()) {
                fail("a base64 channel message that is not base64");
                return;
            }
            if (output.hasRemaining()) {
                events.output(output);
            }
        }

        @Override
        protected void frameEnds() {
            if (control || !fin) {
                return;
            }
            inMessage = false;
            if (base64 != null && (channel == STDOUT || channel == STDERR) && !base64.finish()) {
                fail("a base64 channel message that ends mid-quantum");
            }
        }

        private void fail(String why) {
            broken = true;
            events.unreadable("the API server sent " + why);
        }
    }
}
