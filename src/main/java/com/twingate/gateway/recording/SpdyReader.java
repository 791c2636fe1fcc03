package com.twingate.gateway.recording;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.spdy.SpdyDataFrame;
import io.netty.handler.codec.spdy.SpdyFrameCodec;
import io.netty.handler.codec.spdy.SpdySynStreamFrame;
import io.netty.handler.codec.spdy.SpdyVersion;
import io.netty.util.ReferenceCountUtil;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;

/**
 * exec and attach over SPDY/3.1 (beyond the public gateway), with Netty's SPDY codec run off-network in
 * an embedded channel per direction: each direction keeps its own zlib header context for the whole
 * connection. The client opens every stream and names its type in the {@code streamtype} header of its
 * SYN_STREAM; the API server's DATA frames on the client's stdout and stderr streams are the output.
 *
 * <p>Readers differ at the edges of SPDY, and an edge must not become a way to hide output: a stream
 * counts as output if any SYN_STREAM for its id named stdout or stderr, and DATA from the API server on a
 * stream whose opening was not seen whole (its headers unreadable, or after the client's bytes stopped
 * parsing — the API server ends the connection at such a frame error), or on a stream the API server
 * never writes to (stdin, resize, a type it does not know), makes the recording
 * {@link StreamEvents#unreadable unreadable} rather than skip that output.
 */
final class SpdyReader implements ProtocolReader {

    /** SPDY/3 header names are lower case on the wire; Netty's header lookup ignores case anyway. */
    private static final String STREAM_TYPE = "streamtype";
    /** kubectl opens five streams; more than this many is not a session the recorder can keep track of. */
    private static final int MAX_STREAMS = 1024;

    /** What a stream carries, by its opening; a later kind wins over an earlier one when an id is opened twice. */
    private enum Kind { ERROR, OTHER, RESIZE, UNKNOWN, OUTPUT }

    private final StreamEvents events;
    private final Map<Integer, Kind> streams = new HashMap<>();
    private final EmbeddedChannel fromClient = new EmbeddedChannel(new SpdyFrameCodec(SpdyVersion.SPDY_3_1));
    private final EmbeddedChannel fromServer = new EmbeddedChannel(new SpdyFrameCodec(SpdyVersion.SPDY_3_1));
    private boolean clientUnreadable;
    private boolean serverUnreadable;

    SpdyReader(StreamEvents events) {
        this.events = events;
    }

    @Override
    public synchronized void fromClient(ByteBuffer bytes) {
        if (!clientUnreadable) {
            clientUnreadable = !decode(fromClient, bytes, true);
        }
    }

    @Override
    public synchronized void fromServer(ByteBuffer bytes) {
        if (!serverUnreadable && !decode(fromServer, bytes, false)) {
            unreadable("SPDY from the API server that does not parse");
        }
    }

    /** @return false once the direction's bytes no longer parse (Netty's decoder then drops the rest) */
    private boolean decode(EmbeddedChannel direction, ByteBuffer bytes, boolean client) {
        Exception failure = null;
        try {
            // A copy: the decoder keeps what it has not consumed, and the relay reuses its buffers.
            direction.writeInbound(Unpooled.copiedBuffer(bytes.duplicate()));
        } catch (Exception e) {
            // Netty's decoders also throw checked exceptions (SpdyProtocolException) undeclared.
            failure = e;
        }
        // Frames decoded before a failure in the same piece still count.
        for (Object frame = direction.readInbound(); frame != null; frame = direction.readInbound()) {
            try {
                if (client) {
                    fromClient(frame);
                } else if (!serverUnreadable) {
                    fromServer(frame);
                }
            } finally {
                ReferenceCountUtil.release(frame);
            }
        }
        return failure == null;
    }

    private void fromClient(Object frame) {
        if (frame instanceof SpdySynStreamFrame open) {
            Kind kind = open.isInvalid() || open.isTruncated() ? Kind.UNKNOWN : switch (String.valueOf(open.headers().getAsString(STREAM_TYPE))) {
                case "stdout", "stderr" -> Kind.OUTPUT;
                case "resize" -> Kind.RESIZE;
                case "error" -> Kind.ERROR;
                default -> Kind.OTHER;
            };
            if (streams.size() >= MAX_STREAMS && !streams.containsKey(open.streamId())) {
                unreadable("more than " + MAX_STREAMS + " SPDY streams");
                return;
            }
            streams.merge(open.streamId(), kind, (seen, now) -> seen.ordinal() >= now.ordinal() ? seen : now);
        } else if (frame instanceof SpdyDataFrame data && streams.get(data.streamId()) == Kind.RESIZE) {
            events.resize(data.content().nioBuffer());
        }
    }

    private void fromServer(Object frame) {
        if (!(frame instanceof SpdyDataFrame data) || !data.content().isReadable()) {
            return;
        }
        Kind kind = streams.get(data.streamId());
        if (kind == Kind.OUTPUT) {
            events.output(data.content().nioBuffer());
        } else if (kind != Kind.ERROR) {
            // The API server writes output and its status, nothing else: data elsewhere is something the recorder did not follow.
            unreadable("SPDY data from the API server on stream " + data.streamId() + ", which the recorder did not see opened "
                    + "for output or status");
        }
    }

    private void unreadable(String why) {
        serverUnreadable = true;
        events.unreadable(why);
    }

    @Override
    public synchronized void close() {
        fromClient.finishAndReleaseAll();
        fromServer.finishAndReleaseAll();
    }
}
