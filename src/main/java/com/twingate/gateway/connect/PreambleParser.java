package com.twingate.gateway.connect;

import com.twingate.gateway.http.HeadCollector;
import java.nio.ByteBuffer;
import java.util.Optional;
import org.eclipse.jetty.http.HttpCompliance;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.http.HttpVersion;

/**
 * Reads the one request line and headers on the outer TLS with Jetty's own HTTP parser, stopping
 * right after the empty line: whatever follows belongs to the inner TLS and stays in the buffer.
 */
final class PreambleParser extends HeadCollector implements HttpParser.RequestHandler {

    /** Tokens are a few KiB; anything near this is not a Twingate Client. */
    static final int MAX_HEADER_BYTES = 32 * 1024;

    private final HttpParser parser = new HttpParser(this, MAX_HEADER_BYTES, HttpCompliance.RFC9110);
    private String method;
    private String target;

    /** Consumes bytes from {@code buffer} up to the end of the headers. */
    Optional<ConnectRequest> parse(ByteBuffer buffer) {
        if (!isComplete() && failure() == null) {
            parser.parseNext(buffer);
        }
        return isComplete() ? Optional.of(new ConnectRequest(method, target, headers())) : Optional.empty();
    }

    @Override
    public void startRequest(String method, String uri, HttpVersion version) {
        this.method = method;
        this.target = uri;
    }
}
