package com.twingate.gateway.audit;

import com.twingate.gateway.connect.ClientIdentity;
import com.twingate.gateway.metrics.HttpMetricsHandler;
import com.twingate.gateway.relay.UpgradedStream;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.handler.EventsHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One audit line per API request, when it completes [§5]; for an upgraded request (status 101) when
 * its stream ends. Auditing observes: a failure in it is logged and never breaks the request.
 */
public final class AuditHandler extends EventsHandler {

    /** The request's {@code request_id}, for the session recording of the same request. */
    public static final String REQUEST_ID_ATTRIBUTE = AuditHandler.class.getName() + ".requestId";
    /** Why the gateway answered a request itself (502, 504, …): makes the line "API request failed". */
    public static final String GATEWAY_FAILURE_ATTRIBUTE = AuditHandler.class.getName() + ".gatewayFailure";
    private static final String STARTED = AuditHandler.class.getName() + ".started";
    private static final Logger LOG = LoggerFactory.getLogger(AuditHandler.class);

    private final AuditLog audit;

    public AuditHandler(AuditLog audit, Handler next) {
        super(next);
        this.audit = audit;
    }

    @Override
    protected void onBeforeHandling(Request request) {
        String requestId = UUID.randomUUID().toString();
        request.setAttribute(REQUEST_ID_ATTRIBUTE, requestId);
        request.setAttribute(STARTED, new Started(requestId, Instant.now(), Redaction.headers(request.getHeaders())));
    }

    @Override
    protected void onComplete(Request request, int status, HttpFields headers, Throwable failure) {
        if (!(request.getAttribute(STARTED) instanceof Started started)) {
            return;
        }
        Map<String, List<String>> responseHeaders = Redaction.headers(headers);
        Runnable write = () -> write(request, started, status, responseHeaders, failure);
        if (request.getAttribute(UpgradedStream.ATTRIBUTE) instanceof UpgradedStream stream) {
            stream.whenEnded(write);
        } else {
            write.run();
        }
    }

    private void write(Request request, Started started, int status, Map<String, List<String>> responseHeaders,
                       Throwable failure) {
        try {
            ClientIdentity identity = request.getAttribute(ClientIdentity.ATTRIBUTE) instanceof ClientIdentity id ? id : null;
            Optional<String> gatewayFailure = Optional.ofNullable((String) request.getAttribute(GATEWAY_FAILURE_ATTRIBUTE))
                    .or(() -> Optional.ofNullable(failure).map(Throwable::toString));
            audit.requestCompleted(new AuditLog.Entry(
                    started.requestId(),
                    started.at(),
                    request.getMethod(),
                    Redaction.url(request.getHttpURI()),
                    RemoteAddress.of(request.getConnectionMetaData().getRemoteSocketAddress()),
                    Optional.ofNullable(identity).map(ClientIdentity::user),
                    Optional.ofNullable(identity).flatMap(ClientIdentity::connectionId),
                    started.requestHeaders(),
                    status,
                    responseHeaders,
                    gatewayFailure,
                    KubernetesRequestInfo.of(request.getMethod(), request.getHttpURI().getPath(), request.getHttpURI().getQuery()),
                    HttpMetricsHandler.measurement(request)));
        } catch (RuntimeException e) {
            LOG.warn("writing an audit line failed; the request is unaffected", e);
        }
    }

    private record Started(String requestId, Instant at, Map<String, List<String>> requestHeaders) {}
}
