package com.twingate.gateway.testkit;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.spdy.SpdyFrame;
import io.netty.handler.codec.spdy.SpdyFrameCodec;
import io.netty.handler.codec.spdy.SpdyVersion;
import java.io.IOException;
import java.io.OutputStream;

/**
 * SPDY/3.1 frames onto a byte stream, encoded by Netty's codec (one header compression context for the
 * direction, as the protocol requires). Frames from different threads never interleave.
 */
public final class SpdyFrameWriter implements AutoCloseable {

    private final EmbeddedChannel encoder = new EmbeddedChannel(new SpdyFrameCodec(SpdyVersion.SPDY_3_1));
    private final OutputStream out;

    public SpdyFrameWriter(OutputStream out) {
        this.out = out;
    }

    public synchronized void write(SpdyFrame frame) throws IOException {
        encoder.writeOutbound(frame);
        for (ByteBuf bytes = encoder.readOutbound(); bytes != null; bytes = encoder.readOutbound()) {
            try {
                bytes.readBytes(out, bytes.readableBytes());
            } finally {
                bytes.release();
            }
        }
        out.flush();
    }

    @Override
    public void close() {
        encoder.finishAndReleaseAll();
    }
}
