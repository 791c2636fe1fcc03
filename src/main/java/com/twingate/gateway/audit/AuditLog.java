package com.twingate.gateway.audit;

import static net.logstash.logback.marker.Markers.appendEntries;

import com.twingate.gateway.token.GatClaims;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Writes the audit lines [§5] through the {@code gateway.audit} logger, Twingate's name for it. */
public final class AuditLog {

    /** The logger of every audit line and recording part. */
    public static final String LOGGER = "gateway.audit";
    /** A method longer than this is cut on the line; HTTP and WebDAV methods are far shorter. */
    static final int MAX_METHOD_LENGTH = 32;
    private static final Logger AUDIT = LoggerFactory.getLogger(LOGGER);

    /**
     * One completed API request, as the line shows it.
     *
     * @param protocol    the HTTP version kubectl used ({@code HTTP/1.1}, {@code HTTP/2.0})
     * @param measurement sizes and duration, the same numbers the request metrics record
     */
    public record Entry(
            String requestId,
            Instant requestedAt,
            String method,
            String protocol,
            String url,
            String remoteAddress,
            Optional<GatClaims.User> user,
            Optional<String> connectionId,
            Map<String, List<String>> requestHeaders,
            int statusCode,
            Map<String, List<String>> responseHeaders,
            Optional<String> failure,
            KubernetesRequestInfo kubernetes,
            Measurement measurement) {}

    /** Bytes received (head and body) and sent (body, or everything relayed after a 101), and the time taken. */
    public record Measurement(long requestBytes, long responseBytes, Duration elapsed) {}

    public void requestCompleted(Entry entry) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("request_id", entry.requestId());
        fields.put("requested_at", entry.requestedAt().toString());
        fields.put("method", truncated(entry.method()));
        fields.put("url", entry.url());
        fields.put("remote_addr", entry.remoteAddress());
        fields.put("user", entry.user().map(AuditLog::user).orElse(null));
        fields.put("conn_id", entry.connectionId().orElse(null));
        fields.put("kubernetes", kubernetes(entry.kubernetes()));
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("proto", entry.protocol());
        request.put("headers", entry.requestHeaders());
        Map<String, Object> response = new LinkedHashMap<>();
        response.put("status_code", entry.statusCode());
        response.put("headers", entry.responseHeaders());
        fields.put("request", request);
        fields.put("response", response);
        request.put("size_bytes", entry.measurement().requestBytes());
        response.put("size_bytes", entry.measurement().responseBytes());
        fields.put("duration", entry.measurement().elapsed().toNanos() / 1e9);
        entry.failure().ifPresent(reason -> fields.put("error", reason));
        AUDIT.info(appendEntries(fields), entry.failure().isPresent() ? "API request failed" : "API request completed");
    }

    /** How a connection's CONNECT was answered; the reason never reaches the client, so it goes here. */
    public void authentication(int status, Optional<String> reason, Optional<GatClaims.User> user,
                               Optional<String> connectionId, String remoteAddress) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("status", status);
        reason.ifPresent(r -> fields.put("reason", r));
        fields.put("user", user.map(AuditLog::user).orElse(null));
        fields.put("conn_id", connectionId.orElse(null));
        fields.put("remote_addr", remoteAddress);
        if (status == 200) {
            AUDIT.info(appendEntries(fields), "client authentication");
        } else {
            AUDIT.warn(appendEntries(fields), "client authentication");
        }
    }

    /** Who did what to which object: the API server's request info, empty values left out. */
    private static Map<String, Object> kubernetes(KubernetesRequestInfo info) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("verb", info.action());
        fields.put("nonResourceURL", !info.resourceRequest());
        putUnlessEmpty(fields, "apiGroup", info.apiGroup());
        putUnlessEmpty(fields, "apiVersion", info.apiVersion());
        putUnlessEmpty(fields, "resource", info.resource());
        putUnlessEmpty(fields, "subresource", info.subresource());
        putUnlessEmpty(fields, "namespace", info.namespace());
        putUnlessEmpty(fields, "name", info.name());
        info.session().ifPresent(session -> {
            putUnlessEmpty(fields, "container", session.container());
            fields.put("command", session.command());
            fields.put("tty", session.tty());
            fields.put("stdin", session.stdin());
        });
        if (info.subresource().equals("portforward")) {
            fields.put("ports", info.ports());
        }
        return fields;
    }

    private static void putUnlessEmpty(Map<String, Object> fields, String key, String value) {
        if (!value.isEmpty()) {
            fields.put(key, value);
        }
    }

    /** The method as sent, cut to a length no real method reaches: it is the client's to choose. */
    static String truncated(String method) {
        return method.length() <= MAX_METHOD_LENGTH ? method : method.substring(0, MAX_METHOD_LENGTH) + "…";
    }

    /** The {@code user} object of audit lines and recording parts. */
    public static Map<String, Object> user(GatClaims.User user) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("id", user.id());
        fields.put("username", user.username());
        fields.put("groups", user.groups());
        return fields;
    }
}
