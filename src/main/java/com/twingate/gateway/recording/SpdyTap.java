package com.twingate.gateway.recording;

import com.twingate.gateway.relay.RelayTap;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.spdy.SpdyDataFrame;
import io.netty.handler.codec.spdy.SpdyFrameCodec;
import io.netty.handler.codec.spdy.SpdySynStreamFrame;
import io.netty.handler.codec.spdy.SpdyVersion;
import io.netty.util.ReferenceCountUtil;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Records an exec/attach session relayed over SPDY/3.1 (beyond the public gateway) [§6], with Netty's
 * SPDY codec run off-network in an embedded channel per direction: each direction keeps its own zlib
 * header context for the whole connection. Streams are typed by the {@code streamType} header of the
 * client's SYN_STREAM; DATA frames are routed by stream id.
 */
final class SpdyTap implements RelayTap {

    /** SPDY/3 header names are lower case on the wire; Netty's header lookup ignores case anyway. */
    private static final String STREAM_TYPE = "streamtype";

    private final AsciicastRecorder recorder;
    private final ResizeParser resizes;
    private final Map<Integer, String> streamTypes = new ConcurrentHashMap<>();
    private final EmbeddedChannel fromClient = new EmbeddedChannel(new SpdyFrameCodec(SpdyVersion.SPDY_3_1));
    private final EmbeddedChannel fromServer = new EmbeddedChannel(new SpdyFrameCodec(SpdyVersion.SPDY_3_1));

    SpdyTap(AsciicastRecorder recorder) {
        this.recorder = recorder;
        this.resizes = new ResizeParser(recorder::resize);
    }

    @Override
    public synchronized void clientToServer(ByteBuffer bytes) {
        decode(fromClient, bytes);
    }

    @Override
    public synchronized void serverToClient(ByteBuffer bytes) {
        decode(fromServer, bytes);
    }

    private void decode(EmbeddedChannel direction, ByteBuffer bytes) {
        direction.writeInbound(Unpooled.copiedBuffer(bytes.duplicate()));
        for (Object frame = direction.readInbound(); frame != null; frame = direction.readInbound()) {
            try {
                route(frame);
            } finally {
                ReferenceCountUtil.release(frame);
            }
        }
    }

    private void route(Object frame) {
        if (frame instanceof SpdySynStreamFrame open) {
            String type = open.headers().getAsString(STREAM_TYPE);
            if (type != null) {
                streamTypes.put(open.streamId(), type);
            }
        } else if (frame instanceof SpdyDataFrame data) {
            String type = streamTypes.getOrDefault(data.streamId(), "");
            ByteBuffer content = data.content().nioBuffer();
            switch (type) {
                case "stdout", "stderr" -> recorder.output(content);
                case "resize" -> resizes.bytes(content);
                default -> { }
            }
        }
    }

    @Override
    public synchronized void close() {
        recorder.finish();
        fromClient.finishAndReleaseAll();
        fromServer.finishAndReleaseAll();
    }
}
