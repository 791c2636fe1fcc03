package com.twingate.gateway.metrics;

import com.twingate.gateway.relay.UpgradedStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Optional;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.handler.EventsHandler;

/**
 * The gateway HTTP request metrics [§7]: one exchange per request on the inner HTTP connection, typed
 * by its Upgrade header, timed from arrival to completion, with request and response sizes. Sits
 * outermost so it sees what the client sent and received.
 */
public final class HttpMetricsHandler extends EventsHandler {

    private static final String EXCHANGE = HttpMetricsHandler.class.getName() + ".exchange";
    /** {@code " HTTP/1.1\r\n"} after method and target, and the empty line after the headers. */
    private static final int REQUEST_LINE_AND_END_OVERHEAD = " ".length() + " HTTP/1.1\r\n".length() + "\r\n".length();

    private final GatewayMetrics metrics;

    /** What was measured of a request so far; the audit line shows the same numbers as the metrics. */
    public record Measurement(long requestBytes, long responseBytes, Duration elapsed) {}

    public HttpMetricsHandler(GatewayMetrics metrics, Handler next) {
        super(next);
        this.metrics = metrics;
    }

    @Override
    protected void onBeforeHandling(Request request) {
        RequestType type = RequestType.of(request.getHeaders());
        request.setAttribute(EXCHANGE, new Exchange(metrics.httpRequestStarted(type), System.nanoTime(), headSize(request)));
    }

    @Override
    protected void onRequestRead(Request request, Content.Chunk chunk) {
        if (chunk != null && request.getAttribute(EXCHANGE) instanceof Exchange exchange) {
            exchange.requestBytes += chunk.remaining();
        }
    }

    @Override
    protected void onResponseWrite(Request request, boolean last, ByteBuffer content) {
        if (content != null && request.getAttribute(EXCHANGE) instanceof Exchange exchange) {
            exchange.responseBytes += content.remaining();
        }
    }

    @Override
    protected void onComplete(Request request, int status, HttpFields headers, Throwable failure) {
        if (!(request.getAttribute(EXCHANGE) instanceof Exchange exchange)) {
            return;
        }
        if (request.getAttribute(UpgradedStream.ATTRIBUTE) instanceof UpgradedStream stream) {
            // An upgraded request lasts as long as its session [§7], and its response is what was relayed.
            stream.whenEnded(() -> exchange.finish(request, status));
        } else {
            exchange.finish(request, status);
        }
    }

    /** The request's sizes and duration until now, when this handler is in its path. */
    public static Optional<Measurement> measurement(Request request) {
        return request.getAttribute(EXCHANGE) instanceof Exchange exchange ? Optional.of(exchange.measure(request))
                : Optional.empty();
    }

    /** The request line and headers as they were on the wire (HTTP/1.1 framing). */
    private static long headSize(Request request) {
        long size = request.getMethod().length() + request.getHttpURI().getPathQuery().length()
                + REQUEST_LINE_AND_END_OVERHEAD;
        for (HttpField field : request.getHeaders()) {
            size += field.getName().length() + ": ".length() + field.getValue().length() + "\r\n".length();
        }
        return size;
    }

    /**
     * Per-request state. Request bytes are counted by whoever reads the request body and response bytes
     * by whoever writes the response, which for a proxied stream are different threads.
     */
    private static final class Exchange {
        private final GatewayMetrics.HttpRequest metrics;
        private final long startNanos;
        private volatile long requestBytes;
        private volatile long responseBytes;

        private Exchange(GatewayMetrics.HttpRequest metrics, long startNanos, long headBytes) {
            this.metrics = metrics;
            this.startNanos = startNanos;
            this.requestBytes = headBytes;
        }

        /** An upgraded request's response is what was relayed to the client after the 101 [§7]. */
        private Measurement measure(Request request) {
            long relayedBytes = request.getAttribute(UpgradedStream.ATTRIBUTE) instanceof UpgradedStream stream
                    ? stream.relayedBytesToClient() : 0;
            return new Measurement(requestBytes, responseBytes + relayedBytes, Duration.ofNanos(System.nanoTime() - startNanos));
        }

        private void finish(Request request, int status) {
            Measurement measured = measure(request);
            metrics.finished(request.getMethod(), status, measured.requestBytes(), measured.responseBytes(), measured.elapsed());
        }
    }
}
