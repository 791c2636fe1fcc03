package com.twingate.gateway.metrics;

import com.twingate.gateway.request.RequestContext;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.handler.EventsHandler;

/**
 * The gateway HTTP request metrics: one exchange per request on kubectl's connection, typed by its
 * Upgrade header, timed from arrival to completion (for an upgrade, to the end of its stream), with
 * request and response sizes. Sits outermost so it sees what the client sent and received; the sizes
 * it counts are the request context's, which the audit line reads too.
 */
public final class HttpMetricsHandler extends EventsHandler {

    private static final String STARTED = HttpMetricsHandler.class.getName() + ".started";
    /** {@code " HTTP/1.1\r\n"} after method and target, and the empty line after the headers. */
    private static final int REQUEST_LINE_AND_END_OVERHEAD = " ".length() + " HTTP/1.1\r\n".length() + "\r\n".length();

    private final GatewayMetrics metrics;

    public HttpMetricsHandler(GatewayMetrics metrics, Handler next) {
        super(next);
        this.metrics = metrics;
    }

    @Override
    protected void onBeforeHandling(Request request) {
        RequestContext.find(request).ifPresent(context -> {
            context.addRequestBytes(headSize(request));
            request.setAttribute(STARTED, metrics.httpRequestStarted(context.type()));
        });
    }

    @Override
    protected void onRequestRead(Request request, Content.Chunk chunk) {
        if (chunk != null) {
            RequestContext.find(request).ifPresent(context -> context.addRequestBytes(chunk.remaining()));
        }
    }

    @Override
    protected void onResponseBegin(Request request, int status, HttpFields headers) {
        RequestContext.find(request).ifPresent(context -> context.responseBegan(status));
    }

    @Override
    protected void onResponseWrite(Request request, boolean last, ByteBuffer content) {
        if (content != null) {
            RequestContext.find(request).ifPresent(context -> context.addResponseBytes(content.remaining()));
        }
    }

    @Override
    protected void onComplete(Request request, int status, HttpFields headers, Throwable failure) {
        if (!(request.getAttribute(STARTED) instanceof GatewayMetrics.HttpRequest started)) {
            return;
        }
        RequestContext context = RequestContext.of(request);
        Runnable finish = () -> started.finished(request.getMethod(), context.finalStatus(status), context.requestBytes(),
                context.responseBytes(), context.elapsed());
        // An upgraded request lasts as long as its session, and its response is what was relayed.
        context.upgradedStream().ifPresentOrElse(stream -> stream.whenEnded(finish), finish);
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
}
