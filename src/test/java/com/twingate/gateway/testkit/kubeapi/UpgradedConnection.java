package com.twingate.gateway.testkit.kubeapi;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.Executor;
import org.eclipse.jetty.io.AbstractConnection;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.util.Blocker;
import org.eclipse.jetty.util.BufferUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What kubectl's HTTP connection becomes after the stand-in answers 101: blocking streams over the
 * endpoint, handed to the protocol on a virtual thread of its own. The protocols (WebSocket, SPDY) are
 * written as plain blocking loops, which keeps each of them short; back-pressure is the socket's.
 */
final class UpgradedConnection extends AbstractConnection implements Connection.UpgradeTo {

    private static final Logger LOG = LoggerFactory.getLogger(UpgradedConnection.class);

    /** A protocol spoken over the upgraded connection; the connection is closed when it returns. */
    @FunctionalInterface
    interface Protocol {
        void serve(InputStream in, OutputStream out) throws Exception;
    }

    private final Protocol protocol;
    private ByteBuffer alreadyRead = BufferUtil.EMPTY_BUFFER;

    UpgradedConnection(EndPoint endPoint, Executor executor, Protocol protocol) {
        super(endPoint, executor);
        this.protocol = protocol;
    }

    @Override
    public void onUpgradeTo(ByteBuffer buffer) {
        // kubectl sends its first frames right behind the upgrade request, without waiting for the 101.
        alreadyRead = BufferUtil.copy(buffer);
    }

    @Override
    public void onOpen() {
        super.onOpen();
        getEndPoint().setIdleTimeout(0);
        Thread.ofVirtual().name("kube-api-stream").start(this::run);
    }

    @Override
    public void onFillable() {
        // Never registered: the protocol's thread waits for readability itself.
    }

    private void run() {
        try {
            protocol.serve(new In(), new Out());
        } catch (Exception e) {
            LOG.debug("pod stream ended: {}", e.toString());
        } finally {
            getEndPoint().close();
        }
    }

    /** Reads the bytes that came with the upgrade request first, then the endpoint. */
    private final class In extends InputStream {
        private final ByteBuffer buffer = BufferUtil.allocate(64 * 1024);

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] into, int offset, int length) throws IOException {
            if (length == 0) {
                return 0;
            }
            if (alreadyRead.hasRemaining()) {
                return take(alreadyRead, into, offset, length);
            }
            while (!buffer.hasRemaining()) {
                BufferUtil.clear(buffer);
                int filled = getEndPoint().fill(buffer);
                if (filled < 0) {
                    return -1;
                }
                if (filled == 0) {
                    try (Blocker.Callback readable = Blocker.callback()) {
                        getEndPoint().fillInterested(readable);
                        readable.block();
                    }
                }
            }
            return take(buffer, into, offset, length);
        }

        private static int take(ByteBuffer from, byte[] into, int offset, int length) {
            int n = Math.min(length, from.remaining());
            from.get(into, offset, n);
            return n;
        }
    }

    private final class Out extends OutputStream {
        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            try (Blocker.Callback written = Blocker.callback()) {
                getEndPoint().write(written, ByteBuffer.wrap(bytes, offset, length));
                written.block();
            }
        }

        /** Half-closes: the peer reads the end of the stream and closes its side, which ends our reads. */
        @Override
        public void close() {
            getEndPoint().shutdownOutput();
        }
    }
}
