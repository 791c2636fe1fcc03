package com.twingate.gateway.audit;

import com.twingate.gateway.connect.ClientIdentity;
import com.twingate.gateway.request.RequestContext;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.handler.EventsHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One audit line per API request, when it completes; for an upgraded request (status 101) when its
 * stream ends. A client that went away still gets its line, as completed: that is not the gateway
 * failing. Auditing observes: a failure in it is logged and never breaks the request.
 */
public final class AuditHandler extends EventsHandler {

    private static final Logger LOG = LoggerFactory.getLogger(AuditHandler.class);

    private final AuditLog audit;

    public AuditHandler(AuditLog audit, Handler next) {
        super(next);
        this.audit = audit;
    }

    @Override
    protected void onComplete(Request request, int status, HttpFields headers, Throwable failure) {
        Optional<RequestContext> found = RequestContext.find(request);
        if (found.isEmpty()) {
            return;
        }
        RequestContext context = found.get();
        Map<String, List<String>> responseHeaders = Redaction.headers(headers);
        Runnable write = () -> write(request, context, context.finalStatus(status), responseHeaders, failure);
        context.upgradedStream().ifPresentOrElse(stream -> stream.whenEnded(write), write);
    }

    private void write(Request request, RequestContext context, int status, Map<String, List<String>> responseHeaders,
                       Throwable failure) {
        try {
            Optional<String> gatewayFailure = context.gatewayFailure()
                    .or(() -> Optional.ofNullable(failure).filter(f -> !context.clientLeft()).map(Throwable::toString));
            audit.requestCompleted(new AuditLog.Entry(
                    context.requestId(),
                    context.requestedAt(),
                    request.getMethod(),
                    request.getConnectionMetaData().getProtocol(),
                    Redaction.url(request.getHttpURI()),
                    RemoteAddress.of(request.getConnectionMetaData().getRemoteSocketAddress()),
                    context.identity().map(ClientIdentity::user),
                    context.identity().flatMap(ClientIdentity::connectionId),
                    Redaction.headers(request.getHeaders()),
                    status,
                    responseHeaders,
                    gatewayFailure,
                    KubernetesRequestInfo.of(request.getMethod(), request.getHttpURI().getPath(), request.getHttpURI().getQuery()),
                    new AuditLog.Measurement(context.requestBytes(), context.responseBytes(), context.elapsed())));
        } catch (RuntimeException e) {
            LOG.warn("writing an audit line failed; the request is unaffected", e);
        }
    }
}
