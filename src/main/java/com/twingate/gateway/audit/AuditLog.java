package com.twingate.gateway.audit;

import static net.logstash.logback.marker.Markers.appendEntries;

import com.fasterxml.jackson.core.JsonGenerator;
import com.twingate.gateway.logging.JsonFields;
import com.twingate.gateway.token.GatClaims;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Writes the audit lines (docs/audit-log.md) through the {@code gateway.audit} logger, Twingate's name for it. */
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
        AUDIT.info(JsonFields.of(json -> write(json, entry)), entry.failure().isPresent() ? "API request failed" : "API request completed");
    }

    /** The line's fields, in this order, straight into its JSON. */
    private static void write(JsonGenerator json, Entry entry) throws IOException {
        json.writeStringField("request_id", entry.requestId());
        json.writeStringField("requested_at", entry.requestedAt().toString());
        json.writeStringField("method", truncated(entry.method()));
        json.writeStringField("url", entry.url());
        json.writeStringField("remote_addr", entry.remoteAddress());
        json.writeFieldName("user");
        if (entry.user().isPresent()) {
            writeUser(json, entry.user().get());
        } else {
            json.writeNull();
        }
        json.writeStringField("conn_id", entry.connectionId().orElse(null));
        json.writeFieldName("kubernetes");
        writeKubernetes(json, entry.kubernetes());
        json.writeObjectFieldStart("request");
        json.writeStringField("proto", entry.protocol());
        writeHeaders(json, entry.requestHeaders());
        json.writeNumberField("size_bytes", entry.measurement().requestBytes());
        json.writeEndObject();
        json.writeObjectFieldStart("response");
        json.writeNumberField("status_code", entry.statusCode());
        writeHeaders(json, entry.responseHeaders());
        json.writeNumberField("size_bytes", entry.measurement().responseBytes());
        json.writeEndObject();
        json.writeNumberField("duration", entry.measurement().elapsed().toNanos() / 1e9);
        if (entry.failure().isPresent()) {
            json.writeStringField("error", entry.failure().get());
        }
    }

    private static void writeHeaders(JsonGenerator json, Map<String, List<String>> headers) throws IOException {
        json.writeObjectFieldStart("headers");
        for (Map.Entry<String, List<String>> header : headers.entrySet()) {
            writeStrings(json, header.getKey(), header.getValue());
        }
        json.writeEndObject();
    }

    private static void writeStrings(JsonGenerator json, String name, List<String> values) throws IOException {
        json.writeArrayFieldStart(name);
        for (String value : values) {
            json.writeString(value);
        }
        json.writeEndArray();
    }

    /** The token's user as the audit line and the recording parts carry it: {@code {"id", "username", "groups"}}. */
    public static void writeUser(JsonGenerator json, GatClaims.User user) throws IOException {
        json.writeStartObject();
        json.writeStringField("id", user.id());
        json.writeStringField("username", user.username());
        writeStrings(json, "groups", user.groups());
        json.writeEndObject();
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
    private static void writeKubernetes(JsonGenerator json, KubernetesRequestInfo info) throws IOException {
        json.writeStartObject();
        json.writeStringField("verb", info.action());
        json.writeBooleanField("nonResourceURL", !info.resourceRequest());
        writeUnlessEmpty(json, "apiGroup", info.apiGroup());
        writeUnlessEmpty(json, "apiVersion", info.apiVersion());
        writeUnlessEmpty(json, "resource", info.resource());
        writeUnlessEmpty(json, "subresource", info.subresource());
        writeUnlessEmpty(json, "namespace", info.namespace());
        writeUnlessEmpty(json, "name", info.name());
        if (info.session().isPresent()) {
            KubernetesRequestInfo.Session session = info.session().get();
            writeUnlessEmpty(json, "container", session.container());
            writeStrings(json, "command", session.command());
            json.writeBooleanField("tty", session.tty());
            json.writeBooleanField("stdin", session.stdin());
        }
        if (info.subresource().equals("portforward")) {
            writeStrings(json, "ports", info.ports());
        }
        json.writeEndObject();
    }

    private static void writeUnlessEmpty(JsonGenerator json, String name, String value) throws IOException {
        if (!value.isEmpty()) {
            json.writeStringField(name, value);
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
