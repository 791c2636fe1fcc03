package com.twingate.gateway.recording;

import com.twingate.gateway.testkit.SpdyFrameWriter;
import io.netty.handler.codec.spdy.DefaultSpdyDataFrame;
import io.netty.handler.codec.spdy.DefaultSpdySynReplyFrame;
import io.netty.handler.codec.spdy.DefaultSpdySynStreamFrame;
import io.netty.handler.codec.spdy.SpdyFrame;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.websocket.core.Frame;
import org.eclipse.jetty.websocket.core.OpCode;
import org.eclipse.jetty.websocket.core.internal.Generator;

/** Real frames, made by the protocols' own libraries (not by the code under test). */
final class Frames {

    private static final byte[] MASK = {0x11, 0x22, 0x33, 0x44};

    private Frames() {}

    /** A WebSocket byte stream, frame by frame, with Jetty's generator. */
    static final class WebSocket {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final boolean masked;

        WebSocket(boolean masked) {
            this.masked = masked;
        }

        WebSocket frame(byte opcode, boolean fin, byte[] payload) {
            Frame frame = new Frame(opcode, fin, ByteBuffer.wrap(payload));
            if (masked) {
                frame.setMask(MASK.clone());
            }
            // Jetty's buffers are kept in flush mode: the generator flips to fill and back itself.
            ByteBuffer out = BufferUtil.allocate(payload.length + Generator.MAX_HEADER_LENGTH);
            new Generator().generateWholeFrame(frame, out);
            byte[] encoded = new byte[out.remaining()];
            out.get(encoded);
            bytes.writeBytes(encoded);
            return this;
        }

        /** A whole v4/v5 channel message: stream id byte, then data. */
        WebSocket channel(int stream, byte[] data) {
            return frame(OpCode.BINARY, true, withStream(stream, data));
        }

        WebSocket channel(int stream, String text) {
            return channel(stream, text.getBytes(StandardCharsets.UTF_8));
        }

        WebSocket ping() {
            return frame(OpCode.PING, true, "are you there".getBytes(StandardCharsets.US_ASCII));
        }

        byte[] toByteArray() {
            return bytes.toByteArray();
        }
    }

    static byte[] withStream(int stream, byte[] data) {
        byte[] message = new byte[data.length + 1];
        message[0] = (byte) stream;
        System.arraycopy(data, 0, message, 1, data.length);
        return message;
    }

    /** A SPDY/3.1 byte stream for one direction, with Netty's codec (one zlib context, like a connection). */
    static final class Spdy {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final SpdyFrameWriter encoder = new SpdyFrameWriter(bytes);

        Spdy open(int streamId, String streamType) {
            DefaultSpdySynStreamFrame open = new DefaultSpdySynStreamFrame(streamId, 0, (byte) 0);
            // kubectl (Go spdystream) sends header names in lower case, as SPDY/3 requires.
            open.headers().add("streamtype", streamType);
            return write(open);
        }

        Spdy reply(int streamId) {
            DefaultSpdySynReplyFrame reply = new DefaultSpdySynReplyFrame(streamId);
            reply.headers().add("x-served-by", "stand-in");
            return write(reply);
        }

        Spdy data(int streamId, String text) {
            return write(new DefaultSpdyDataFrame(streamId, Unpooled.copiedBuffer(text, StandardCharsets.UTF_8)));
        }

        Spdy data(int streamId, byte[] data) {
            return write(new DefaultSpdyDataFrame(streamId, Unpooled.wrappedBuffer(data)));
        }

        private Spdy write(SpdyFrame frame) {
            try {
                encoder.write(frame);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }

        byte[] toByteArray() {
            return bytes.toByteArray();
        }
    }
}
