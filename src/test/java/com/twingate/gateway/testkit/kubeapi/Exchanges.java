package com.twingate.gateway.testkit.kubeapi;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Blocker;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;

/** Reading request bodies and writing streamed responses, the parts every handler here shares. */
final class Exchanges {

    /**
     * The largest request body read. A real API server refuses bodies over 3 MB (its default
     * {@code --max-request-body-bytes}); the stand-in takes more, because the gateway's tests push
     * multi-megabyte manifests through it, but not so much that a stray upload fills the heap.
     */
    static final int BODY_LIMIT = 16 * 1024 * 1024;

    private Exchanges() {}

    static JsonNode jsonBody(Request request) {
        try {
            return Statuses.JSON.readTree(body(request));
        } catch (JsonProcessingException e) {
            throw ApiError.badRequest("the request body is not JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An object to create or replace: JSON, or protobuf as kubectl 1.33 sends config maps. */
    static JsonNode objectBody(Request request) {
        String contentType = String.valueOf(request.getHeaders().get("Content-Type"));
        return contentType.startsWith(ProtobufBodies.CONTENT_TYPE) ? ProtobufBodies.object(body(request)) : jsonBody(request);
    }

    static void discardBody(Request request) {
        body(request);
    }

    private static byte[] body(Request request) {
        if (request.getLength() > BODY_LIMIT) {
            throw ApiError.tooLarge(BODY_LIMIT);
        }
        byte[] body;
        try (InputStream in = Content.Source.asInputStream(request)) {
            body = in.readNBytes(BODY_LIMIT + 1);
        } catch (IOException e) {
            throw new UncheckedIOException("reading the request body", e);
        }
        if (body.length > BODY_LIMIT) {
            throw ApiError.tooLarge(BODY_LIMIT);
        }
        return body;
    }

    static String query(Request request, String name) {
        return Request.extractQueryParameters(request).getValue(name);
    }

    static long number(String parameter, String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw ApiError.badRequest("invalid " + parameter + ": " + value);
        }
    }

    /**
     * A boolean query parameter as the API server reads it ({@code Convert_Slice_string_To_bool}): absent,
     * {@code 0} or {@code false} in any case is false; anything else, the empty string included, is true.
     * The official Python client sends {@code watch=True}.
     */
    static boolean isTrue(String value) {
        return value != null && !value.equals("0") && !value.equalsIgnoreCase("false");
    }

    /** A response whose body arrives over time (watch, logs -f), written from a thread of its own. */
    interface Stream {
        void run(Response response) throws IOException, InterruptedException;
    }

    /**
     * Sends the headers at once (kubectl waits for them before it prints anything), then lets
     * {@code stream} write until it returns, the client goes away or the stand-in stops.
     */
    static void stream(String name, Request request, Response response, Callback callback, String contentType, Stream stream) {
        response.setStatus(200);
        response.getHeaders().put("Content-Type", contentType);
        Thread streaming = Thread.ofVirtual().name(name).unstarted(() -> {
            try {
                write(response, BufferUtil.EMPTY_BUFFER);
                stream.run(response);
                response.write(true, BufferUtil.EMPTY_BUFFER, callback);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                callback.failed(e);
            } catch (Throwable clientGoneOrBroken) {
                callback.failed(clientGoneOrBroken);
            }
        });
        // Jetty does not see a client leave a response it is not reading from: a stream finds out at its
        // next write. Failures Jetty does see (the connection's idle timeout, the server stopping) end it here.
        request.addFailureListener(failure -> streaming.interrupt());
        streaming.start();
    }

    /** Writes and flushes one chunk, blocking until it is sent. */
    static void write(Response response, ByteBuffer chunk) throws IOException {
        try (Blocker.Callback written = Blocker.callback()) {
            response.write(false, chunk, written);
            written.block();
        }
    }
}
