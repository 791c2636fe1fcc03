package com.twingate.gateway.testkit.kubeapi;

import io.netty.handler.codec.spdy.DefaultSpdyDataFrame;
import io.netty.handler.codec.spdy.DefaultSpdyWindowUpdateFrame;
import io.netty.handler.codec.spdy.SpdyHeaders;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One stream the client opened: its headers, what it sends, and a way to answer on it. */
final class SpdyStream {

    private static final Logger LOG = LoggerFactory.getLogger(SpdyStream.class);

    private final SpdySession session;
    private final int id;
    private final Map<String, String> headers = new HashMap<>();
    private final ChunkPipe input;
    private final Output output = new Output();
    private volatile boolean reset;

    SpdyStream(SpdySession session, int id, SpdyHeaders headers) {
        this.session = session;
        this.id = id;
        // The frame is released after dispatch; the names are kept in lower case, as SPDY/3 sends them.
        headers.forEach(header -> this.headers.putIfAbsent(header.getKey().toString().toLowerCase(Locale.ROOT),
                header.getValue().toString()));
        this.input = new ChunkPipe(this::credit);
    }

    /** A header of the SYN_STREAM, e.g. {@code streamType}; SPDY header names are lower case. */
    String header(String name) {
        return headers.get(name.toLowerCase(Locale.ROOT));
    }

    /** What the client sends on this stream; ends at its FIN. */
    InputStream input() {
        return input;
    }

    /** DATA frames to the client; {@code close()} sends FIN. */
    OutputStream output() {
        return output;
    }

    void received(byte[] bytes) throws IOException {
        input.put(bytes);
    }

    void remoteFinished() {
        input.end();
    }

    void reset() {
        reset = true;
        input.end();
        output.closed = true;
    }

    private void credit(int bytes) {
        if (reset) {
            return;
        }
        try {
            session.write(new DefaultSpdyWindowUpdateFrame(id, bytes));
        } catch (IOException e) {
            // The connection is gone; the reader of this stream sees its end next.
            LOG.debug("no window update for stream {}: {}", id, e.toString());
        }
    }

    private final class Output extends OutputStream {
        private volatile boolean closed;

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] data, int offset, int length) throws IOException {
            if (closed) {
                throw new IOException("stream " + id + " is closed");
            }
            session.writeData(id, data, offset, length);
        }

        @Override
        public synchronized void close() throws IOException {
            if (!closed) {
                closed = true;
                DefaultSpdyDataFrame fin = new DefaultSpdyDataFrame(id);
                fin.setLast(true);
                session.write(fin);
            }
        }
    }
}
