package com.twingate.gateway.audit;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpURI;

/**
 * The one place that decides what is secret (docs/audit-log.md): credentials in headers, in kubectl's WebSocket
 * bearer-token subprotocol, and in query parameters never reach a log line.
 */
public final class Redaction {

    public static final String REDACTED = "[REDACTED]";
    private static final Set<String> SECRET_HEADERS = Set.of(
            "authorization", "proxy-authorization", "x-token-signature", "cookie", "set-cookie");
    private static final String WEBSOCKET_PROTOCOL = "sec-websocket-protocol";
    /** client-go carries a bearer token as a WebSocket subprotocol when it cannot set headers. */
    private static final Pattern BEARER_SUBPROTOCOL = Pattern.compile("(base64url\\.bearer\\.authorization\\.k8s\\.io\\.)[^,\\s]+");
    private static final Pattern SECRET_QUERY = Pattern.compile("(?i)((?:^|&)(?:token|access_token|id_token)=)[^&]*");

    private Redaction() {}

    /** Header names as sent, each with its values, secrets replaced. */
    public static Map<String, List<String>> headers(HttpFields fields) {
        Map<String, List<String>> result = new LinkedHashMap<>();
        for (HttpField field : fields) {
            result.computeIfAbsent(field.getName(), name -> new ArrayList<>()).add(value(field.getName(), field.getValue()));
        }
        return result;
    }

    static String value(String name, String value) {
        String lower = name.toLowerCase(Locale.ROOT);
        if (SECRET_HEADERS.contains(lower) || lower.contains("token")) {
            return REDACTED;
        }
        if (WEBSOCKET_PROTOCOL.equals(lower)) {
            return BEARER_SUBPROTOCOL.matcher(value).replaceAll("$1" + REDACTED);
        }
        return value;
    }

    /** Path and query, secret query parameters replaced. */
    public static String url(HttpURI uri) {
        String query = uri.getQuery();
        if (query == null || query.isEmpty()) {
            return uri.getPath();
        }
        return uri.getPath() + "?" + SECRET_QUERY.matcher(query).replaceAll("$1" + REDACTED);
    }
}
