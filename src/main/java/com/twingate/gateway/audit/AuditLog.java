package com.twingate.gateway.audit;

import static net.logstash.logback.marker.Markers.appendEntries;

import com.twingate.gateway.token.GatClaims;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Writes the audit lines [§5]: JSON on stdout through the {@code audit} logger. */
public final class AuditLog {

    private static final Logger AUDIT = LoggerFactory.getLogger("audit");

    /** One completed API request, as the line shows it. */
    public record Entry(
            String requestId,
            Instant requestedAt,
            String method,
            String url,
            String remoteAddress,
            Optional<GatClaims.User> user,
            Optional<String> connectionId,
            Map<String, List<String>> requestHeaders,
            int statusCode,
            Map<String, List<String>> responseHeaders,
            Optional<String> failure) {}

    public void requestCompleted(Entry entry) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("request_id", entry.requestId());
        fields.put("requested_at", entry.requestedAt().toString());
        fields.put("method", entry.method());
        fields.put("url", entry.url());
        fields.put("remote_addr", entry.remoteAddress());
        fields.put("user", entry.user().map(AuditLog::user).orElse(null));
        fields.put("conn_id", entry.connectionId().orElse(null));
        fields.put("request", Map.of("headers", entry.requestHeaders()));
        fields.put("response", Map.of("status_code", entry.statusCode(), "headers", entry.responseHeaders()));
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

    private static Map<String, Object> user(GatClaims.User user) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("id", user.id());
        fields.put("username", user.username());
        fields.put("groups", user.groups());
        return fields;
    }
}
