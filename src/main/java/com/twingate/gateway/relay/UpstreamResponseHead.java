package com.twingate.gateway.relay;

import com.twingate.gateway.http.HeadCollector;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.util.BufferUtil;

/**
 * The API server's answer to an upgrade request, read from its socket with Jetty's HTTP parser: the
 * status and headers, and whatever bytes came right behind them (the first relayed bytes after a 101,
 * or the start of the body of any other answer).
 */
record UpstreamResponseHead(int status, String reason, HttpFields headers, ByteBuffer bytesAfterHead) {

    private static final int MAX_HEAD_BYTES = 64 * 1024;

    static UpstreamResponseHead read(InputStream in) throws IOException {
        Collector collector = new Collector();
        HttpParser parser = new HttpParser(collector, MAX_HEAD_BYTES);
        ByteBuffer buffer = BufferUtil.allocate(MAX_HEAD_BYTES + RelayConnection.BUFFER_SIZE);
        byte[] chunk = new byte[8192];
        while (!collector.isComplete()) {
            int read = in.read(chunk, 0, Math.min(chunk.length, BufferUtil.space(buffer)));
            if (read < 0) {
                parser.atEOF();
                throw new IOException("the API server closed the connection before answering the upgrade");
            }
            BufferUtil.append(buffer, chunk, 0, read);
            parser.parseNext(buffer);
            if (collector.failure() != null) {
                throw new IOException("the API server's answer is not HTTP/1.1: " + collector.failure());
            }
            if (!collector.isComplete() && BufferUtil.space(buffer) == 0) {
                throw new IOException("the API server's response head is larger than " + MAX_HEAD_BYTES + " bytes");
            }
        }
        return new UpstreamResponseHead(collector.status, collector.reason, collector.headers(),
                BufferUtil.copy(buffer));
    }

    boolean isSwitchingProtocols() {
        return status == 101;
    }

    private static final class Collector extends HeadCollector implements HttpParser.ResponseHandler {
        private int status;
        private String reason;

        @Override
        public void startResponse(HttpVersion version, int status, String reason) {
            this.status = status;
            this.reason = reason;
        }
    }
}
