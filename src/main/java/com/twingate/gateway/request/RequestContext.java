package com.twingate.gateway.request;

import com.twingate.gateway.connect.ClientIdentity;
import com.twingate.gateway.metrics.RequestType;
import com.twingate.gateway.relay.UpgradedStream;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.LongAdder;
import org.eclipse.jetty.server.Request;

/**
 * What the gateway knows about one request on kubectl's connection, from its arrival to the end of
 * its response (or, for an upgrade, of its stream). Created once per request by
 * {@link RequestContextCustomizer}; the proxy, the audit log, the metrics and the recorder read and
 * add to this one object instead of passing string-keyed attributes between packages.
 */
public final class RequestContext {

    private static final String ATTRIBUTE = RequestContext.class.getName();
    /** No answer was sent because the client left first (nginx's code for it; HTTP has none). */
    static final int CLIENT_CLOSED_REQUEST = 499;

    private final String requestId = UUID.randomUUID().toString();
    private final Instant requestedAt;
    private final long startNanos = System.nanoTime();
    private final Optional<ClientIdentity> identity;
    private final RequestType type;
    private final LongAdder requestBytes = new LongAdder();
    private final LongAdder responseBytes = new LongAdder();
    private volatile String gatewayFailure;
    private volatile boolean clientLeft;
    private volatile int statusSent;
    private volatile UpgradedStream upgradedStream;

    RequestContext(Optional<ClientIdentity> identity, RequestType type, Instant requestedAt) {
        this.identity = identity;
        this.type = type;
        this.requestedAt = requestedAt;
    }

    /** The context of {@code request}; every request on the gateway port has one. */
    public static RequestContext of(Request request) {
        if (request.getAttribute(ATTRIBUTE) instanceof RequestContext context) {
            return context;
        }
        throw new IllegalStateException("request without a context: " + request.getHttpURI().getPath());
    }

    /** The context of {@code request}, when it came through the gateway port. */
    public static Optional<RequestContext> find(Request request) {
        return request.getAttribute(ATTRIBUTE) instanceof RequestContext context ? Optional.of(context) : Optional.empty();
    }

    void attachTo(Request request) {
        request.setAttribute(ATTRIBUTE, this);
    }

    /** The audit line's {@code request_id}; also ties a session recording to its request. */
    public String requestId() {
        return requestId;
    }

    public Instant requestedAt() {
        return requestedAt;
    }

    public Duration elapsed() {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }

    /** Who sent the request; empty only on a connection that never authenticated (it cannot reach the proxy). */
    public Optional<ClientIdentity> identity() {
        return identity;
    }

    /** {@code http}, {@code websocket} or {@code spdy}, from the request's Upgrade header. */
    public RequestType type() {
        return type;
    }

    /** Bytes of the request as received: head and body. */
    public long requestBytes() {
        return requestBytes.sum();
    }

    public void addRequestBytes(long bytes) {
        requestBytes.add(bytes);
    }

    /** Body bytes sent to the client; for an upgraded request, everything relayed to it after the 101. */
    public long responseBytes() {
        return responseBytes.sum();
    }

    public void addResponseBytes(long bytes) {
        responseBytes.add(bytes);
    }

    /** Why the gateway itself answered (502, 504, ...): the audit line then says the request failed. */
    public Optional<String> gatewayFailure() {
        return Optional.ofNullable(gatewayFailure);
    }

    public void gatewayFailed(String why) {
        gatewayFailure = why;
    }

    /** The client went away before the response ended: its request still completed, it is not a gateway failure. */
    public boolean clientLeft() {
        return clientLeft;
    }

    public void clientLeft(boolean left) {
        clientLeft = left;
    }

    /** The response's status went to the client (its head was written). */
    public void responseBegan(int status) {
        statusSent = status;
    }

    /**
     * The status the request ended with, for the audit line and the metrics: what kubectl was sent, or
     * 499 (nginx's "client closed request") when it went away before any answer; else what Jetty reports.
     */
    public int finalStatus(int reported) {
        if (statusSent != 0) {
            return statusSent;
        }
        return clientLeft ? CLIENT_CLOSED_REQUEST : reported;
    }

    /** The stream an upgraded request became, once the API server switched protocols. */
    public Optional<UpgradedStream> upgradedStream() {
        return Optional.ofNullable(upgradedStream);
    }

    public void upgraded(UpgradedStream stream) {
        upgradedStream = stream;
    }
}
