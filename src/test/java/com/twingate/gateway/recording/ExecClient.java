package com.twingate.gateway.recording;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A Java exec client through the gateway, as kubectl would be, for one protocol. It keeps what it
 * received: stdout, stderr, both in arrival order (what a recording must hold), and the final status.
 */
abstract class ExecClient implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final StringBuffer stdout = new StringBuffer();
    private final StringBuffer stderr = new StringBuffer();
    private final StringBuffer output = new StringBuffer();
    private final StringBuffer status = new StringBuffer();
    protected final CompletableFuture<Void> ended = new CompletableFuture<>();

    abstract void stdin(String text) throws Exception;

    /** Tells the API server that no more stdin comes (v5 close-stream message, or SPDY FIN). */
    abstract void closeStdin() throws Exception;

    abstract void resize(int width, int height) throws Exception;

    /** Data arriving on stream 1 (stdout), 2 (stderr) or 3 (error). */
    protected final void received(int stream, byte[] data) {
        String text = new String(data, StandardCharsets.UTF_8);
        switch (stream) {
            case 1 -> append(stdout, text);
            case 2 -> append(stderr, text);
            case 3 -> status.append(text);
            default -> throw new IllegalStateException("data on unexpected stream " + stream);
        }
    }

    private synchronized void append(StringBuffer stream, String text) {
        stream.append(text);
        output.append(text);
    }

    String stdout() {
        return stdout.toString();
    }

    String stderr() {
        return stderr.toString();
    }

    /** stdout and stderr as they arrived, interleaved. */
    synchronized String output() {
        return output.toString();
    }

    /** Waits for the API server to end the session and returns the Status it sent. */
    JsonNode awaitStatus(Duration deadline) throws InterruptedException, ExecutionException, TimeoutException {
        ended.get(deadline.toMillis(), TimeUnit.MILLISECONDS);
        try {
            return JSON.readTree(status.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("the status is not JSON: " + status, e);
        }
    }

    static byte[] resizeMessage(int width, int height) {
        return ("{\"Width\":" + width + ",\"Height\":" + height + "}").getBytes(StandardCharsets.UTF_8);
    }
}
