package com.twingate.gateway.http;

import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpParser;

/**
 * Collects a message head (start line and headers) from Jetty's HTTP parser and stops it right after
 * the empty line, so whatever follows stays unread in the buffer for the next protocol. Used where the
 * gateway reads HTTP outside Jetty's own connections: the CONNECT preamble and an API server's answer
 * to an upgrade.
 */
public abstract class HeadCollector implements HttpParser.HttpHandler {

    private final HttpFields.Mutable headers = HttpFields.build();
    private boolean complete;
    private boolean messageComplete;
    private String failure;

    /** Whether the head has been read up to and including its empty line. */
    public final boolean isComplete() {
        return complete;
    }

    /** Why the bytes are not an HTTP/1.1 message head, or null. */
    public final String failure() {
        return failure;
    }

    public final HttpFields headers() {
        return headers.asImmutable();
    }

    @Override
    public final void parsedHeader(HttpField field) {
        headers.add(field);
    }

    @Override
    public final boolean headerComplete() {
        complete = true;
        return true;
    }

    /** Body bytes after the head, when the caller goes on parsing; ignored unless overridden. */
    @Override
    public boolean content(ByteBuffer item) {
        return true;
    }

    @Override
    public final boolean contentComplete() {
        return true;
    }

    @Override
    public final boolean messageComplete() {
        messageComplete = true;
        return true;
    }

    /** Whether the whole message, body included, has been parsed. */
    public final boolean isMessageComplete() {
        return messageComplete;
    }

    @Override
    public final void earlyEOF() {
        failure = "the connection closed in the middle of the message head";
    }

    @Override
    public final void badMessage(HttpException bad) {
        failure = "unparsable message head (" + bad.getCode() + " " + bad.getReason() + ")";
    }
}
