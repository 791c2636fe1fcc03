package com.twingate.gateway.connect;

import java.nio.ByteBuffer;
import java.util.Optional;
import org.eclipse.jetty.http.HttpCompliance;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.http.HttpVersion;

/**
 * Reads the one request line and headers on the outer TLS with Jetty's own HTTP parser, stopping
 * right after the empty line: whatever follows belongs to the inner TLS and stays in the buffer.
 */
final class PreambleParser implements HttpParser.RequestHandler {

    /** Tokens are a few KiB; anything near this is not a Twingate Client. */
    static final int MAX_HEADER_BYTES = 32 * 1024;

    private final HttpParser parser = new HttpParser(this, MAX_HEADER_BYTES, HttpCompliance.RFC9110);
    private final HttpFields.Mutable headers = HttpFields.build();
    private String method;
    private String target;
    private boolean complete;
    private String badMessage;

    /** Consumes bytes from {@code buffer} up to the end of the headers. */
    Optional<ConnectRequest> parse(ByteBuffer buffer) {
        if (!complete && badMessage == null) {
            parser.parseNext(buffer);
        }
        return complete ? Optional.of(new ConnectRequest(method, target, headers.asImmutable())) : Optional.empty();
    }

    /** @return why the bytes are not an HTTP/1.1 request, or null */
    String badMessage() {
        return badMessage;
    }

    @Override
    public void startRequest(String method, String uri, HttpVersion version) {
        this.method = method;
        this.target = uri;
    }

    @Override
    public void parsedHeader(HttpField field) {
        headers.add(field);
    }

    @Override
    public boolean headerComplete() {
        complete = true;
        return true;
    }

    @Override
    public boolean content(ByteBuffer item) {
        return true;
    }

    @Override
    public boolean contentComplete() {
        return true;
    }

    @Override
    public boolean messageComplete() {
        return true;
    }

    @Override
    public void earlyEOF() {
        badMessage = "connection closed in the middle of the request";
    }

    @Override
    public void badMessage(HttpException failure) {
        badMessage = "unparsable request (" + failure.getCode() + " " + failure.getReason() + ")";
    }
}
