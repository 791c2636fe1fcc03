package com.twingate.gateway.proxy;

import com.twingate.gateway.http.HeadCollector;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Blocker;
import org.eclipse.jetty.util.BufferUtil;

/**
 * The API server's answer to an upgrade request, read from its socket with Jetty's HTTP parser: the
 * head first; then either the bytes right behind a 101 (the first relayed bytes), or the body of any
 * other answer, streamed to the client.
 */
final class UpstreamAnswer extends HeadCollector implements HttpParser.ResponseHandler {

    private static final int MAX_HEAD_BYTES = 64 * 1024;
    private static final int READ_SIZE = 16 * 1024;

    private final InputStream in;
    private final HttpParser parser = new HttpParser(this, MAX_HEAD_BYTES);
    private final ByteBuffer buffer = BufferUtil.allocate(MAX_HEAD_BYTES + READ_SIZE);
    private final byte[] chunk = new byte[READ_SIZE];
    private int status;
    private Response bodySink;
    private IOException bodyFailure;

    private UpstreamAnswer(InputStream in) {
        this.in = in;
    }

    static UpstreamAnswer readHead(InputStream in) throws IOException {
        UpstreamAnswer answer = new UpstreamAnswer(in);
        while (!answer.isComplete()) {
            if (!answer.readMore()) {
                throw new IOException("the API server closed the connection before answering the upgrade");
            }
            answer.parser.parseNext(answer.buffer);
            if (answer.failure() != null) {
                throw new IOException("the API server's answer is not HTTP/1.1: " + answer.failure());
            }
            if (!answer.isComplete() && BufferUtil.space(answer.buffer) == 0) {
                throw new IOException("the API server's response head is larger than " + MAX_HEAD_BYTES + " bytes");
            }
        }
        return answer;
    }

    int status() {
        return status;
    }

    /** After a 101: what the API server already sent behind the head. */
    ByteBuffer bytesAfterHead() {
        return BufferUtil.copy(buffer);
    }

    /** For any other answer: its body, parsed (length, chunked or until close) and written to the client. */
    void copyBodyTo(Response response) throws IOException {
        bodySink = response;
        while (!isMessageComplete()) {
            parser.parseNext(buffer);
            if (bodyFailure != null) {
                throw bodyFailure;
            }
            if (isMessageComplete()) {
                break;
            }
            if (!readMore()) {
                parser.atEOF();
                parser.parseNext(buffer);
                break;
            }
        }
    }

    private boolean readMore() throws IOException {
        int read = in.read(chunk, 0, Math.min(chunk.length, Math.max(1, BufferUtil.space(buffer))));
        if (read < 0) {
            return false;
        }
        BufferUtil.compact(buffer);
        BufferUtil.append(buffer, chunk, 0, read);
        return true;
    }

    @Override
    public boolean content(ByteBuffer item) {
        if (bodySink == null || bodyFailure != null) {
            return true;
        }
        try (Blocker.Callback written = Blocker.callback()) {
            bodySink.write(false, BufferUtil.copy(item), written);
            written.block();
        } catch (IOException e) {
            bodyFailure = e;
        }
        return false;
    }

    @Override
    public void startResponse(HttpVersion version, int status, String reason) {
        this.status = status;
    }
}
