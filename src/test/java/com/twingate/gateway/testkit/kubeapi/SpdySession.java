package com.twingate.gateway.testkit.kubeapi;

import com.twingate.gateway.testkit.SpdyFrameWriter;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.spdy.DefaultSpdyDataFrame;
import io.netty.handler.codec.spdy.DefaultSpdyGoAwayFrame;
import io.netty.handler.codec.spdy.DefaultSpdyPingFrame;
import io.netty.handler.codec.spdy.DefaultSpdySynReplyFrame;
import io.netty.handler.codec.spdy.SpdyDataFrame;
import io.netty.handler.codec.spdy.SpdyFrame;
import io.netty.handler.codec.spdy.SpdyFrameCodec;
import io.netty.handler.codec.spdy.SpdyPingFrame;
import io.netty.handler.codec.spdy.SpdyRstStreamFrame;
import io.netty.handler.codec.spdy.SpdySynReplyFrame;
import io.netty.handler.codec.spdy.SpdySynStreamFrame;
import io.netty.handler.codec.spdy.SpdyVersion;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The server side of a SPDY/3.1 connection as kubectl's spdystream speaks it: the client opens every
 * stream (SYN_STREAM, answered at once with SYN_REPLY, as kubelet's server does), data flows in DATA
 * frames, FIN half-closes, PINGs are echoed. Netty's codec does the framing and the zlib header
 * contexts, one embedded channel per direction so the reader and the writers never share one.
 *
 * <p>Flow control: spdystream neither sends WINDOW_UPDATE nor waits for one, so enforcing the peer's
 * window would stall every transfer past 64 KiB; this side credits what its consumers read (per stream)
 * for peers that do count, and sends without counting, as spdystream does.
 */
final class SpdySession {

    private static final int MAX_DATA_FRAME = 32 * 1024;

    private final InputStream in;
    private final OutputStream out;
    private final EmbeddedChannel decoder = new EmbeddedChannel(new SpdyFrameCodec(SpdyVersion.SPDY_3_1));
    private final SpdyFrameWriter frames;
    private final Map<Integer, SpdyStream> streams = new ConcurrentHashMap<>();
    private boolean goneAway;

    SpdySession(InputStream in, OutputStream out) {
        this.in = in;
        this.out = out;
        this.frames = new SpdyFrameWriter(out);
    }

    /** Reads frames until the client closes the connection; {@code opened} gets each stream, already replied. */
    void serve(Consumer<SpdyStream> opened) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        try {
            for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
                decoder.writeInbound(Unpooled.wrappedBuffer(buffer, 0, read).copy());
                for (Object frame = decoder.readInbound(); frame != null; frame = decoder.readInbound()) {
                    try {
                        dispatch((SpdyFrame) frame, opened);
                    } finally {
                        ReferenceCountUtil.release(frame);
                    }
                }
            }
        } finally {
            streams.values().forEach(SpdyStream::remoteFinished);
            decoder.finishAndReleaseAll();
        }
    }

    private void dispatch(SpdyFrame frame, Consumer<SpdyStream> opened) throws IOException {
        switch (frame) {
            case SpdySynStreamFrame open -> {
                SpdyStream stream = new SpdyStream(this, open.streamId(), open.headers());
                streams.put(open.streamId(), stream);
                write(reply(open.streamId()));
                if (open.isLast()) {
                    stream.remoteFinished();
                }
                opened.accept(stream);
            }
            case SpdyDataFrame data -> {
                SpdyStream stream = streams.get(data.streamId());
                if (stream != null) {
                    byte[] bytes = new byte[data.content().readableBytes()];
                    data.content().readBytes(bytes);
                    stream.received(bytes);
                    if (data.isLast()) {
                        stream.remoteFinished();
                    }
                }
            }
            case SpdyRstStreamFrame reset -> {
                SpdyStream stream = streams.remove(reset.streamId());
                if (stream != null) {
                    stream.reset();
                }
            }
            case SpdyPingFrame ping -> {
                // Odd ids are the client's pings; even ones would be answers to ours (we send none).
                if ((ping.id() & 1) == 1) {
                    write(new DefaultSpdyPingFrame(ping.id()));
                }
            }
            default -> { }
        }
    }

    /**
     * kubelet replies with no headers, but Netty encodes an empty header block as no bytes at all, where
     * Go's framer expects a compressed block with a count of zero and fails the connection without it:
     * one header keeps the block non-empty.
     */
    private static SpdySynReplyFrame reply(int streamId) {
        SpdySynReplyFrame reply = new DefaultSpdySynReplyFrame(streamId);
        reply.headers().add("x-served-by", "kube-api-stand-in");
        return reply;
    }

    /** Sends one frame; frames from different threads never interleave. */
    void write(SpdyFrame frame) throws IOException {
        frames.write(frame);
    }

    void writeData(int streamId, byte[] data, int offset, int length) throws IOException {
        for (int sent = 0; sent < length; sent += MAX_DATA_FRAME) {
            int size = Math.min(MAX_DATA_FRAME, length - sent);
            write(new DefaultSpdyDataFrame(streamId, Unpooled.wrappedBuffer(data, offset + sent, size)));
        }
    }

    /** Announces that no new stream will be accepted and half-closes the connection; the client closes it. */
    synchronized void goAway() throws IOException {
        if (goneAway) {
            return;
        }
        goneAway = true;
        write(new DefaultSpdyGoAwayFrame(0));
        out.close();
    }
}
